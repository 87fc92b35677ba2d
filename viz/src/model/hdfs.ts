import type { Json } from '../../../sim/core/types.ts';
import { readNameNodeView, type BlockModel, type FileModel, type HdfsNnModel, type Liveness } from '../../../sim/hdfs/summary/view-model.ts';
import { isRecord } from './events.ts';
import type { ProcInfo } from './load.ts';
import type { ReplayState } from './state.ts';

// The HDFS inspector's model: the NameNode's view read by the same reader as `dsim run`'s
// dfsadmin/fsck summary (sim/hdfs/summary/view-model.ts), joined with what each DataNode's own view
// says of its replicas (state RBW / FINALIZED / RWR..., GS, bytes) and whether its process is up.
// Files -> blocks -> replicas by rack, with each block's health.

export type BlockHealth = 'ok' | 'under' | 'corrupt' | 'missing' | 'writing' | 'over';

export interface DnReplica {
  readonly state: string;
  readonly gs: number;
  readonly bytes: number;
}

export interface HdfsDatanode {
  readonly name: string;
  readonly procIndex: number;
  readonly host: string;
  readonly rack: string;
  /** The process is running (the NameNode may still believe a crashed node live until the dead interval). */
  readonly up: boolean;
  /** What the NameNode thinks: live / stale / dead, or 'unregistered'. */
  readonly liveness: Liveness | 'unregistered';
  readonly blocks: number;
  readonly xceivers: number;
  readonly replicas: ReadonlyMap<number, DnReplica>;
}

export interface HdfsReplicaCell {
  readonly datanode: string;
  readonly rack: string;
  readonly corrupt: boolean;
  readonly excess: boolean;
  /** In the pipeline of a block being written, not yet reported to the NameNode. */
  readonly pipeline: boolean;
  readonly liveness: Liveness | 'unregistered';
  /** The DataNode's own replica of this block, if its view lists one. */
  readonly onDisk: DnReplica | null;
}

export interface HdfsBlockRow {
  readonly block: BlockModel;
  readonly health: BlockHealth;
  /** Replicas grouped by rack, racks in name order. */
  readonly byRack: readonly { readonly rack: string; readonly replicas: readonly HdfsReplicaCell[] }[];
}

export interface HdfsFileRow {
  readonly file: FileModel;
  readonly blocks: readonly HdfsBlockRow[];
  readonly health: BlockHealth;
}

export interface HdfsViewModel {
  /** The NameNode process shown (the first up one with a view), or null. */
  readonly namenode: string | null;
  readonly namenodeUp: boolean;
  readonly nn: HdfsNnModel | null;
  readonly datanodes: readonly HdfsDatanode[];
  readonly files: readonly HdfsFileRow[];
  readonly counts: { readonly [h in BlockHealth]: number };
}

const RANK: { readonly [h in BlockHealth]: number } = { ok: 0, writing: 1, over: 2, under: 3, corrupt: 4, missing: 5 };

export function blockHealth(b: BlockModel): BlockHealth {
  if (b.state !== 'COMPLETE') return 'writing';
  if (b.replicas.length > 0 && b.replicas.every((r) => r.corrupt)) return 'corrupt';
  if (b.live === 0) return 'missing';
  if (b.live < b.replication) return 'under';
  if (b.replicas.some((r) => r.corrupt)) return 'corrupt';
  if (b.live > b.replication) return 'over';
  return 'ok';
}

function dnReplicas(view: Json): Map<number, DnReplica> {
  const out = new Map<number, DnReplica>();
  if (!isRecord(view) || !Array.isArray(view['replicas'])) return out;
  for (const r of view['replicas'] as readonly Json[]) {
    if (!isRecord(r) || typeof r['block'] !== 'number') continue;
    out.set(r['block'], {
      state: typeof r['state'] === 'string' ? r['state'] : '?',
      gs: typeof r['gs'] === 'number' ? r['gs'] : 0,
      bytes: typeof r['bytes'] === 'number' ? r['bytes'] : 0,
    });
  }
  return out;
}

export function hdfsModel(procs: readonly ProcInfo[], hostRacks: readonly string[], state: ReplayState, nowMs: number): HdfsViewModel {
  let nnIndex = -1;
  procs.forEach((p, i) => {
    if (p.system !== 'hdfs' || p.role !== 'namenode') return;
    const ps = state.procs[i];
    const v = ps?.view;
    const usable = ps?.up === true && isRecord(v) && isRecord(v['blockManager']);
    if (nnIndex < 0 || (usable && !(state.procs[nnIndex]?.up === true && isRecord(state.procs[nnIndex]?.view)))) nnIndex = i;
  });
  const nnUp = nnIndex >= 0 && state.procs[nnIndex]?.up === true;
  const nnView = nnIndex >= 0 ? state.procs[nnIndex]?.view ?? null : null;
  const nn = nnUp && isRecord(nnView) ? readNameNodeView(nnView, nowMs) : null;
  const nnDn = new Map((nn?.datanodes ?? []).map((d) => [d.name, d]));

  const datanodes: HdfsDatanode[] = [];
  procs.forEach((p, i) => {
    if (p.system !== 'hdfs' || p.role !== 'datanode') return;
    const ps = state.procs[i];
    const d = nnDn.get(p.name);
    datanodes.push({
      name: p.name, procIndex: i, host: d?.host ?? '', rack: d?.rack ?? hostRacks[p.host] ?? '/default-rack',
      up: ps?.up === true, liveness: d?.state ?? 'unregistered', blocks: d?.blocks ?? 0, xceivers: d?.xceivers ?? 0,
      replicas: ps?.up === true ? dnReplicas(ps.view) : new Map(),
    });
  });
  const dnByName = new Map(datanodes.map((d) => [d.name, d]));

  const counts: { [h in BlockHealth]: number } = { ok: 0, under: 0, corrupt: 0, missing: 0, writing: 0, over: 0 };
  const files: HdfsFileRow[] = (nn?.files ?? []).map((file) => {
    const blocks = file.blocks.map((block): HdfsBlockRow => {
      const health = blockHealth(block);
      counts[health]++;
      const cells: HdfsReplicaCell[] = block.replicas.map((r) => ({
        datanode: r.datanode, rack: r.rack, corrupt: r.corrupt, excess: r.excess, pipeline: false,
        liveness: dnByName.get(r.datanode)?.liveness ?? 'unregistered',
        onDisk: dnByName.get(r.datanode)?.replicas.get(block.id) ?? null,
      }));
      for (const e of block.expected) {
        if (cells.some((c) => c.datanode === e)) continue;
        const d = dnByName.get(e);
        cells.push({ datanode: e, rack: d?.rack ?? '', corrupt: false, excess: false, pipeline: true, liveness: d?.liveness ?? 'unregistered', onDisk: d?.replicas.get(block.id) ?? null });
      }
      const racks = [...new Set(cells.map((c) => c.rack))].sort();
      return { block, health, byRack: racks.map((rack) => ({ rack, replicas: cells.filter((c) => c.rack === rack) })) };
    });
    const health = blocks.reduce<BlockHealth>((w, b) => (RANK[b.health] > RANK[w] ? b.health : w), 'ok');
    return { file, blocks, health };
  });
  return { namenode: nnIndex >= 0 ? procs[nnIndex]!.name : null, namenodeUp: nnUp, nn, datanodes, files, counts };
}
