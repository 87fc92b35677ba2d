import type { Json } from '../../core/types.ts';

// The NameNode's inspect() view (namenode/namenode-view.ts + blockmanagement/inspect.ts) read back
// into a typed model: DataNodes, files with their blocks and each block's replicas. What
// `hdfs dfsadmin -report` and `hdfs fsck` print at the end of a run is computed from it, and the
// viewer's HDFS inspector reads the same model from the traced views (viz/src/model/hdfs.ts), so
// the summary and the replay never disagree about a block. Pure: JSON in, model out; a field the
// view lacks reads as empty, never throws.

export type Liveness = 'live' | 'stale' | 'dead';

export interface DatanodeModel {
  readonly name: string;
  readonly host: string;
  readonly rack: string;
  /** live / dead as the NameNode's heartbeat monitor says; stale when live and silent past the stale interval at `nowMs`. */
  readonly state: Liveness;
  readonly lastHeartbeatMs: number;
  readonly staleAfterMs: number;
  readonly blocks: number;
  readonly capacity: number;
  readonly dfsUsed: number;
  readonly remaining: number;
  readonly xceivers: number;
  readonly queuedTransfers: number;
  readonly queuedDeletions: number;
}

export interface ReplicaModel {
  readonly datanode: string;
  readonly rack: string;
  readonly corrupt: boolean;
  readonly excess: boolean;
}

export interface BlockModel {
  readonly id: number;
  readonly gs: number;
  readonly len: number;
  /** BlockUCState: COMPLETE, COMMITTED, UNDER_CONSTRUCTION, UNDER_RECOVERY. */
  readonly state: string;
  readonly replication: number;
  /** The replicas the blocks map holds (dead DataNodes' replicas have left it). */
  readonly replicas: readonly ReplicaModel[];
  /** A block under construction's pipeline (its expected locations). */
  readonly expected: readonly string[];
  /** Not in the block manager's map (it has not been told of it yet). */
  readonly unknown: boolean;
  /** Live replicas: neither corrupt nor excess (NumberReplicas.liveReplicas). */
  readonly live: number;
  /** Its low-redundancy queue (0 highest priority .. 4 corrupt), or -1. */
  readonly lowRedundancyLevel: number;
  readonly pendingReconstruction: boolean;
}

export interface FileModel {
  readonly path: string;
  readonly replication: number;
  readonly length: number;
  /** The lease holder while it is being written, else null. */
  readonly underConstruction: string | null;
  readonly blocks: readonly BlockModel[];
}

export interface HdfsNnModel {
  /** 'active', or the phase the NameNode is in ('starting', 'loading'...): no namespace then. */
  readonly state: string;
  /** 'OFF', or the safe-mode status (PENDING_THRESHOLD, EXTENSION) with ' (manual)' when entered by hand. */
  readonly safeMode: string;
  readonly safeModeCounts: { readonly blockTotal: number; readonly blockSafe: number; readonly liveDatanodes: number } | null;
  readonly datanodes: readonly DatanodeModel[];
  readonly files: readonly FileModel[];
  /** Files in the namespace (the view lists at most a few hundred). */
  readonly fileCount: number;
  readonly inodeCount: number;
  /** Blocks in the block manager's map, by id. */
  readonly blocks: ReadonlyMap<number, BlockModel>;
  /** Block ids per low-redundancy queue (LowRedundancyBlocks levels 0..4). */
  readonly lowRedundancy: readonly (readonly number[])[];
  readonly corruptBlocks: readonly number[];
  readonly pendingDeletion: number;
  readonly pendingReconstruction: readonly { readonly id: number; readonly targets: readonly string[] }[];
  readonly editLog: { readonly lastWrittenTxId: number; readonly syncedTxId: number; readonly curSegmentTxId: number } | null;
  readonly storage: readonly string[];
  readonly leases: readonly { readonly holder: string; readonly files: readonly string[] }[];
}

type Obj = { readonly [k: string]: Json };
const isObj = (v: Json | undefined): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const obj = (v: Json | undefined): Obj => (isObj(v) ? v : {});
const arr = (v: Json | undefined): readonly Json[] => (Array.isArray(v) ? v : []);
const num = (v: Json | undefined, d = 0): number => (typeof v === 'number' && Number.isFinite(v) ? v : d);
const str = (v: Json | undefined, d = ''): string => (typeof v === 'string' ? v : d);
/** The entries of a keyed object (the views key blocks by `blk_<id>` and files by path), or of an array. */
const entries = (v: Json | undefined): readonly (readonly [string, Json])[] => (Array.isArray(v) ? v.map((x, i) => [String(i), x] as const) : Object.entries(obj(v)));

/** `blk_<id>_<gs> <len> <state>` as the namespace listing writes a file's blocks. */
function parseListedBlock(text: string): { id: number; gs: number; len: number; state: string } | null {
  const m = /^blk_(-?\d+)_(\d+) (\d+) (\S+)$/.exec(text);
  return m === null ? null : { id: Number(m[1]), gs: Number(m[2]), len: Number(m[3]), state: m[4]! };
}

/** Reads a NameNode inspect() view; `nowMs` decides which live DataNodes are stale. */
export function readNameNodeView(view: Json, nowMs: number): HdfsNnModel {
  const v = obj(view);
  const bm = obj(v['blockManager']);
  const levels = arr(bm['lowRedundancy']).map((l) => arr(l).map((x) => num(x)));
  const levelOf = new Map<number, number>();
  levels.forEach((l, i) => { for (const id of l) levelOf.set(id, i); });
  const pendingReconstruction = arr(bm['pendingReconstruction']).map((p) => ({ id: num(obj(p)['id']), targets: arr(obj(p)['targets']).map((t) => str(t)) }));
  const pendingIds = new Set(pendingReconstruction.map((p) => p.id));

  const blocks = new Map<number, BlockModel>();
  for (const [, b] of entries(bm['blocks'])) {
    const o = obj(b);
    const id = num(o['id']);
    const replicas = arr(o['replicas']).map((r) => {
      const x = obj(r);
      return { datanode: str(x['dn']), rack: str(x['rack']), corrupt: x['corrupt'] === true, excess: x['excess'] === true };
    });
    blocks.set(id, {
      id, gs: num(o['gs']), len: num(o['len']), state: str(o['state'], 'COMPLETE'), replication: num(o['replication']),
      replicas, expected: arr(o['expected']).map((e) => str(e)), unknown: false,
      live: replicas.filter((r) => !r.corrupt && !r.excess).length,
      lowRedundancyLevel: levelOf.get(id) ?? -1, pendingReconstruction: pendingIds.has(id),
    });
  }

  const ns = obj(v['namespace']);
  const listing = ns['listing'];
  const files: FileModel[] = entries(listing).map(([key, f]) => {
    const o = obj(f);
    const replication = num(o['replication']);
    const fileBlocks = arr(o['blocks']).map((t): BlockModel | null => {
      const lb = parseListedBlock(str(t));
      if (lb === null) return null;
      const known = blocks.get(lb.id);
      // The namespace's GS and length are the file's truth; the block manager adds the replicas.
      if (known !== undefined) return { ...known, gs: lb.gs, len: lb.len, state: lb.state };
      return { ...lb, replication, replicas: [], expected: [], unknown: true, live: 0, lowRedundancyLevel: -1, pendingReconstruction: false };
    }).filter((b): b is BlockModel => b !== null);
    const uc = o['underConstruction'];
    return { path: Array.isArray(listing) ? str(o['path']) : key, replication, length: num(o['length']), underConstruction: typeof uc === 'string' ? uc : null, blocks: fileBlocks };
  });

  const datanodes: DatanodeModel[] = arr(bm['datanodes']).map((d) => {
    const o = obj(d);
    const dead = str(o['state']) === 'dead';
    const staleAfterMs = num(o['staleAfterMs'], Infinity);
    return {
      name: str(o['name']), host: str(o['host']), rack: str(o['rack'], '/default-rack'),
      state: dead ? 'dead' : nowMs >= staleAfterMs ? 'stale' : 'live',
      lastHeartbeatMs: num(o['lastHeartbeatMs']), staleAfterMs,
      blocks: num(o['blocks']), capacity: num(o['capacity']), dfsUsed: num(o['dfsUsed']), remaining: num(o['remaining']),
      xceivers: num(o['xceivers']), queuedTransfers: num(o['queuedTransfers']), queuedDeletions: num(o['queuedDeletions']),
    };
  });

  const sm = v['safeMode'];
  const safeMode = typeof sm === 'string' ? sm : isObj(sm) ? `${str(sm['status'], 'ON')}${sm['manual'] === true ? ' (manual)' : ''}` : 'OFF';
  const counts = isObj(bm['safeMode']) ? bm['safeMode'] : null;
  const el = isObj(v['editLog']) ? v['editLog'] : null;
  return {
    state: str(v['state'], 'active'),
    safeMode,
    safeModeCounts: counts === null ? null : { blockTotal: num(counts['blockTotal']), blockSafe: num(counts['blockSafe']), liveDatanodes: num(counts['liveDatanodes']) },
    datanodes,
    files,
    fileCount: num(ns['files'], files.length),
    inodeCount: num(ns['inodes'], 0),
    blocks,
    lowRedundancy: levels,
    corruptBlocks: arr(bm['corruptBlocks']).map((x) => num(x)),
    pendingDeletion: num(bm['pendingDeletion']),
    pendingReconstruction,
    editLog: el === null ? null : { lastWrittenTxId: num(el['lastWrittenTxId']), syncedTxId: num(el['syncedTxId']), curSegmentTxId: num(el['curSegmentTxId']) },
    storage: arr(v['storage']).map((s) => str(s)),
    leases: arr(v['leases']).map((l) => ({ holder: str(obj(l)['holder']), files: arr(obj(l)['files']).map((f) => str(f)) })),
  };
}

/** Whether a block's replicas satisfy BlockPlacementPolicyDefault.verifyBlockPlacement: on min(2, replication) racks, or on every rack there is. */
export function placementStatus(b: BlockModel, totalRacks: number): { ok: boolean; currentRacks: number; requiredRacks: number } {
  // The LocatedBlock's locations: the replicas that are not corrupt, or all of them when every one is.
  const good = b.replicas.filter((r) => !r.corrupt);
  const racks = new Set((good.length > 0 ? good : b.replicas).map((r) => r.rack));
  const requiredRacks = Math.min(2, b.replication);
  // A cluster that never had two racks cannot place on two (hasClusterEverBeenMultiRack).
  if (totalRacks <= 1) return { ok: true, currentRacks: racks.size, requiredRacks: 1 };
  const currentRacks = Math.min(requiredRacks, racks.size);
  return { ok: currentRacks >= requiredRacks || currentRacks >= totalRacks, currentRacks, requiredRacks };
}

/** Racks with a live DataNode (NetworkTopology.getNumOfRacks: dead nodes leave the topology). */
export function liveRacks(m: HdfsNnModel): number {
  return new Set(m.datanodes.filter((d) => d.state !== 'dead').map((d) => d.rack)).size;
}
