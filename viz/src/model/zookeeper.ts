import type { Json } from '../../../sim/core/types.ts';
import { isRecord } from './events.ts';
import type { ProcInfo } from './load.ts';
import type { ReplayState } from './state.ts';

// The ZooKeeper inspector's model, read from peer and client inspect() views
// (docs/inspect-views.md): peers with role, epochs and zxids, clients with their sessions, and the
// znode tree with ephemeral owners.

export interface ZkPeer {
  readonly name: string;
  readonly procIndex: number;
  readonly up: boolean;
  readonly paused: boolean;
  readonly role: string;
  readonly myid: number | null;
  readonly acceptedEpoch: number | null;
  readonly currentEpoch: number | null;
  readonly electionEpoch: number | null;
  readonly vote: string;
  readonly leader: number | null;
  readonly lastZxid: string;
  readonly committedZxid: string;
  readonly sessions: number | null;
  readonly znodes: number | null;
}

export interface ZkClient {
  readonly name: string;
  readonly up: boolean;
  readonly sessionId: string;
  readonly state: string;
  readonly server: string;
}

export interface ZNode {
  readonly path: string;
  readonly name: string;
  readonly depth: number;
  readonly data: string;
  readonly version: number | null;
  readonly cversion: number | null;
  /** Session id owning an ephemeral node, or null for a persistent node. */
  readonly ephemeralOwner: string | null;
  /** The client process holding that session, when known. */
  readonly ownerClient: string | null;
}

export interface ZkModel {
  readonly peers: readonly ZkPeer[];
  readonly clients: readonly ZkClient[];
  /** The tree shown: from the leader's view, else the first up peer with a tree. */
  readonly tree: readonly ZNode[];
  readonly treeSource: string | null;
}

function n(v: Json | undefined): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

function s(v: Json | undefined): string {
  return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '';
}

/** Session ids of persistent nodes are 0 (ZooKeeper's ephemeralOwner of a persistent znode). */
function ownerOf(v: Json | undefined): string | null {
  if (v === undefined || v === null || v === 0 || v === '0' || v === '0x0' || v === '') return null;
  return typeof v === 'number' ? `0x${v.toString(16)}` : String(v);
}

function normalizeSession(id: string): string {
  const m = /^0x0*([0-9a-f]+)$/i.exec(id);
  return m !== null ? m[1]!.toLowerCase() : id;
}

export function zkModel(procs: readonly ProcInfo[], state: ReplayState, selected = -1): ZkModel {
  const peers: ZkPeer[] = [];
  const clients: ZkClient[] = [];
  procs.forEach((pi, p) => {
    if (pi.system !== 'zookeeper') return;
    const ps = state.procs[p];
    const v = ps?.view ?? null;
    const role = isRecord(v) && typeof v['role'] === 'string' ? v['role'] : ps?.up === true ? pi.role : 'down';
    if (role === 'client' || pi.role === 'client') {
      clients.push({
        name: pi.name,
        up: ps?.up === true,
        sessionId: isRecord(v) ? s(v['sessionId']) : '',
        state: isRecord(v) ? s(v['state']) : ps?.up === true ? '' : 'down',
        server: isRecord(v) ? s(v['server']) : '',
      });
      return;
    }
    const vote = isRecord(v) && isRecord(v['vote']) ? v['vote'] : null;
    peers.push({
      name: pi.name,
      procIndex: p,
      up: ps?.up === true,
      paused: ps?.paused === true,
      role: ps?.up === true ? role : 'down',
      myid: isRecord(v) ? n(v['myid']) : null,
      acceptedEpoch: isRecord(v) ? n(v['acceptedEpoch']) : null,
      currentEpoch: isRecord(v) ? n(v['currentEpoch']) : null,
      electionEpoch: isRecord(v) ? n(v['electionEpoch']) : null,
      vote: vote !== null ? `${s(vote['leader'])} @ ${s(vote['zxid'])}${vote['peerEpoch'] !== undefined ? ` (epoch ${s(vote['peerEpoch'])})` : ''}` : '',
      leader: isRecord(v) ? n(v['leader']) : null,
      lastZxid: isRecord(v) ? s(v['lastZxid']) : '',
      committedZxid: isRecord(v) ? s(v['committedZxid']) : '',
      sessions: isRecord(v) ? n(v['sessions']) : null,
      znodes: isRecord(v) ? n(v['znodes']) : null,
    });
  });

  // Whose tree: the selected peer, else the leader, else the first up peer that has one.
  const hasTree = (p: number): boolean => {
    const v = state.procs[p]?.view;
    return isRecord(v) && isRecord(v['tree']);
  };
  let src = -1;
  if (selected >= 0 && procs[selected]?.system === 'zookeeper' && hasTree(selected)) src = selected;
  if (src < 0) src = peers.find((pr) => pr.up && pr.role === 'leading' && hasTree(pr.procIndex))?.procIndex ?? -1;
  if (src < 0) src = peers.find((pr) => pr.up && hasTree(pr.procIndex))?.procIndex ?? -1;

  const sessionOwner = new Map<string, string>();
  for (const c of clients) if (c.sessionId !== '') sessionOwner.set(normalizeSession(c.sessionId), c.name);

  const tree: ZNode[] = [];
  if (src >= 0) {
    const t = (state.procs[src]!.view as { readonly [k: string]: Json })['tree'] as { readonly [k: string]: Json };
    for (const path of Object.keys(t).sort(comparePaths)) {
      const node = t[path];
      const rec = isRecord(node) ? node : {};
      const owner = ownerOf(rec['ephemeralOwner']);
      const parts = path === '/' ? [] : path.split('/').filter((x) => x !== '');
      tree.push({
        path,
        name: parts.length === 0 ? '/' : parts[parts.length - 1]!,
        depth: parts.length,
        data: typeof rec['data'] === 'string' ? rec['data'] : rec['data'] === undefined ? '' : JSON.stringify(rec['data']),
        version: n(rec['version']),
        cversion: n(rec['cversion']),
        ephemeralOwner: owner,
        ownerClient: owner !== null ? sessionOwner.get(normalizeSession(owner)) ?? null : null,
      });
    }
  }
  return { peers, clients, tree, treeSource: src >= 0 ? procs[src]!.name : null };
}

/** Parents before children, siblings in name order: "/", "/a", "/a/b", "/b". */
export function comparePaths(a: string, b: string): number {
  const pa = a.split('/').filter((x) => x !== '');
  const pb = b.split('/').filter((x) => x !== '');
  for (let i = 0; i < Math.min(pa.length, pb.length); i++) {
    if (pa[i] !== pb[i]) return pa[i]! < pb[i]! ? -1 : 1;
  }
  return pa.length - pb.length;
}
