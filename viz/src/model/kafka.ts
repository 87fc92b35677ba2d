import type { Json } from '../../../sim/core/types.ts';
import { isRecord } from './events.ts';
import type { ProcInfo } from './load.ts';
import type { ReplayState } from './state.ts';

// The Kafka inspector's model, read from broker inspect() views (docs/inspect-views.md): per
// partition, every replica with its LEO, HW, leader epoch and ISR membership, the log by offset and
// epoch, and where a replica's log diverges from the leader's.

export interface LogBatch {
  readonly baseOffset: number;
  readonly epoch: number;
  readonly count: number;
  /** This batch disagrees with the leader's log (another epoch at the same offsets, or offsets the leader lacks). */
  readonly divergent: boolean;
}

export interface KafkaReplica {
  readonly brokerId: number;
  /** Process name, or `broker <id>` when no process is known for the id. */
  readonly process: string;
  readonly procIndex: number;
  readonly up: boolean;
  readonly paused: boolean;
  /** The partition's current leader (per the freshest view). */
  readonly isLeader: boolean;
  /** In the ISR of the freshest view. */
  readonly inIsr: boolean;
  /** What this broker itself believes; null when it is down or has no view of the partition. */
  readonly own: null | {
    readonly leader: number | null;
    readonly leaderEpoch: number | null;
    readonly isLeader: boolean;
    readonly leo: number | null;
    readonly hw: number | null;
    readonly logStartOffset: number | null;
    readonly epochs: readonly (readonly [number, number])[];
    readonly logFrom: number | null;
    readonly batches: readonly LogBatch[];
  };
  /** From the leader's follower table (leader only): the follower's LEO and when it last caught up. */
  readonly follower: null | { readonly leo: number | null; readonly lastCaughtUpMs: number | null };
}

export interface KafkaPartition {
  readonly key: string;
  /** Current leader broker id per the freshest view (highest leader epoch, a leader's own view first). */
  readonly leader: number | null;
  readonly leaderEpoch: number | null;
  readonly isr: readonly number[];
  readonly replicas: readonly KafkaReplica[];
  /** Process name whose view gave leader/ISR. */
  readonly source: string | null;
  /** Offsets shown by the log lane: [from, to). */
  readonly offsetFrom: number;
  readonly offsetTo: number;
  /** Human sentences about divergence ("broker 3 has offsets 100-104 in epoch 3; the leader has epoch 5"). */
  readonly divergence: readonly string[];
}

export interface KafkaModel {
  readonly brokers: readonly { readonly procIndex: number; readonly name: string; readonly brokerId: number | null; readonly role: string; readonly up: boolean; readonly controllerEpoch: number | null }[];
  readonly partitions: readonly KafkaPartition[];
  /** Producer/reader/consumer views. */
  readonly clients: readonly { readonly name: string; readonly view: Json }[];
}

function n(v: Json | undefined): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

function ints(v: Json | undefined): number[] {
  return Array.isArray(v) ? (v as readonly Json[]).filter((x): x is number => typeof x === 'number') : [];
}

function pairs(v: Json | undefined): [number, number][] {
  const out: [number, number][] = [];
  if (!Array.isArray(v)) return out;
  for (const e of v as readonly Json[]) if (Array.isArray(e) && typeof e[0] === 'number' && typeof e[1] === 'number') out.push([e[0], e[1]]);
  return out;
}

function batchesOf(log: Json | undefined): { from: number | null; batches: [number, number, number][] } {
  if (!isRecord(log)) return { from: null, batches: [] };
  const out: [number, number, number][] = [];
  const b = log['batches'];
  if (Array.isArray(b)) {
    for (const e of b as readonly Json[]) {
      if (Array.isArray(e) && typeof e[0] === 'number' && typeof e[1] === 'number') out.push([e[0], e[1], typeof e[2] === 'number' ? e[2] : 1]);
    }
  }
  return { from: n(log['from']), batches: out };
}

/** Broker id of each process index, from any view that carried `brokerId` (down brokers keep theirs). */
export function brokerIds(procs: readonly ProcInfo[], states: Iterable<ReplayState>): Map<number, number> {
  const ids = new Map<number, number>();
  for (const st of states) {
    st.procs.forEach((ps, p) => {
      if (ids.has(p) || procs[p]?.system !== 'kafka') return;
      const v = ps.view;
      if (isRecord(v) && typeof v['brokerId'] === 'number') ids.set(p, v['brokerId']);
    });
  }
  // Fallback for brokers never seen up: the trailing number of the name (broker-3 -> 3).
  procs.forEach((pi, p) => {
    if (ids.has(p) || pi.system !== 'kafka') return;
    const m = /(\d+)$/.exec(pi.name);
    if (m !== null && !isClientRole(pi.role)) ids.set(p, Number(m[1]));
  });
  return ids;
}

const CLIENT_ROLES = new Set(['producer', 'reader', 'consumer', 'client', 'admin']);

export function isClientRole(role: string): boolean {
  return CLIENT_ROLES.has(role);
}

export function kafkaModel(procs: readonly ProcInfo[], state: ReplayState, ids: ReadonlyMap<number, number>): KafkaModel {
  const procOfBroker = new Map<number, number>();
  for (const [p, id] of ids) procOfBroker.set(id, p);
  const brokers: { procIndex: number; name: string; brokerId: number | null; role: string; up: boolean; controllerEpoch: number | null }[] = [];
  const clients: { name: string; view: Json }[] = [];
  // partition key -> per broker process: its partition view
  const views = new Map<string, Map<number, { [k: string]: Json }>>();
  procs.forEach((pi, p) => {
    if (pi.system !== 'kafka') return;
    const ps = state.procs[p];
    const v = ps?.view ?? null;
    const role = isRecord(v) && typeof v['role'] === 'string' ? v['role'] : pi.role;
    if (isClientRole(role) || isClientRole(pi.role)) {
      clients.push({ name: pi.name, view: v });
      return;
    }
    brokers.push({ procIndex: p, name: pi.name, brokerId: ids.get(p) ?? null, role, up: ps?.up === true, controllerEpoch: isRecord(v) ? n(v['controllerEpoch']) : null });
    if (!isRecord(v) || !isRecord(v['partitions'])) return;
    for (const [key, pv] of Object.entries(v['partitions'])) {
      if (!isRecord(pv)) continue;
      let m = views.get(key);
      if (m === undefined) views.set(key, (m = new Map()));
      m.set(p, pv);
    }
  });

  const partitions: KafkaPartition[] = [];
  for (const key of [...views.keys()].sort(comparePartitionKeys)) {
    partitions.push(partitionModel(key, views.get(key)!, procs, state, ids, procOfBroker));
  }
  return { brokers, partitions, clients };
}

/** Sorts "events-2" before "events-10". */
export function comparePartitionKeys(a: string, b: string): number {
  const ma = /^(.*)-(\d+)$/.exec(a);
  const mb = /^(.*)-(\d+)$/.exec(b);
  if (ma !== null && mb !== null && ma[1] === mb[1]) return Number(ma[2]) - Number(mb[2]);
  return a < b ? -1 : a > b ? 1 : 0;
}

function partitionModel(
  key: string,
  byProc: Map<number, { [k: string]: Json }>,
  procs: readonly ProcInfo[],
  state: ReplayState,
  ids: ReadonlyMap<number, number>,
  procOfBroker: ReadonlyMap<number, number>,
): KafkaPartition {
  // The freshest view: the highest leader epoch; among equals, the leader's own view.
  let best: { p: number; v: { [k: string]: Json } } | null = null;
  for (const [p, v] of byProc) {
    if (best === null) { best = { p, v }; continue; }
    const e = n(v['leaderEpoch']) ?? -1;
    const be = n(best.v['leaderEpoch']) ?? -1;
    if (e > be || (e === be && v['isLeader'] === true && best.v['isLeader'] !== true)) best = { p, v };
  }
  // Kafka writes leader -1 (NoLeader) while a partition has none.
  const rawLeader = best !== null ? n(best.v['leader']) : null;
  const leader = rawLeader !== null && rawLeader >= 0 ? rawLeader : null;
  const leaderEpoch = best !== null ? n(best.v['leaderEpoch']) : null;
  const isr = best !== null ? ints(best.v['isr']) : [];
  let replicaIds = best !== null ? ints(best.v['replicas']) : [];
  if (replicaIds.length === 0) replicaIds = [...byProc.keys()].map((p) => ids.get(p) ?? -1).filter((x) => x >= 0);
  // The leader's own view (if it is up and claims leadership) carries the follower table and the reference log.
  const leaderProc = leader !== null ? procOfBroker.get(leader) : undefined;
  const leaderView = leaderProc !== undefined ? byProc.get(leaderProc) : undefined;
  const followers = leaderView !== undefined && isRecord(leaderView['followers']) ? leaderView['followers'] : null;
  const leaderLog = leaderView !== undefined ? batchesOf(leaderView['log']) : null;
  const leaderLeo = leaderView !== undefined ? n(leaderView['leo']) : null;

  let offsetFrom = Infinity;
  let offsetTo = 0;
  const divergence: string[] = [];
  const replicas: KafkaReplica[] = replicaIds.map((id) => {
    const p = procOfBroker.get(id) ?? -1;
    const ps = p >= 0 ? state.procs[p] : undefined;
    const v = p >= 0 ? byProc.get(p) : undefined;
    const fv = followers !== null ? followers[String(id)] : undefined;
    let own: KafkaReplica['own'] = null;
    if (v !== undefined) {
      const log = batchesOf(v['log']);
      const isRef = p === leaderProc;
      const batches: LogBatch[] = log.batches.map(([base, epoch, count]) => {
        let divergent = false;
        if (!isRef && leaderLog !== null && leaderView !== undefined) {
          divergent = batchDiverges(base, epoch, count, leaderLog.batches, leaderLog.from, leaderLeo);
        }
        return { baseOffset: base, epoch, count, divergent };
      });
      const bad = batches.filter((b) => b.divergent);
      if (bad.length > 0) {
        const lo = bad[0]!.baseOffset;
        const last = bad[bad.length - 1]!;
        const epochs = [...new Set(bad.map((b) => b.epoch))].join(', ');
        divergence.push(`${p >= 0 ? procs[p]!.name : `broker ${id}`} has offsets ${lo}–${last.baseOffset + last.count - 1} in epoch ${epochs}, which the leader's log does not match; it truncates them when it fetches from the leader`);
      }
      const leo = n(v['leo']);
      const from = log.from ?? n(v['logStartOffset']);
      if (from !== null) offsetFrom = Math.min(offsetFrom, from);
      if (leo !== null) offsetTo = Math.max(offsetTo, leo);
      for (const b of batches) {
        offsetFrom = Math.min(offsetFrom, b.baseOffset);
        offsetTo = Math.max(offsetTo, b.baseOffset + b.count);
      }
      own = {
        leader: n(v['leader']),
        leaderEpoch: n(v['leaderEpoch']),
        isLeader: v['isLeader'] === true,
        leo,
        hw: n(v['hw']),
        logStartOffset: n(v['logStartOffset']),
        epochs: pairs(v['epochs']),
        logFrom: log.from,
        batches,
      };
    }
    return {
      brokerId: id,
      process: p >= 0 ? procs[p]!.name : `broker ${id}`,
      procIndex: p,
      up: ps?.up === true,
      paused: ps?.paused === true,
      isLeader: leader === id,
      inIsr: isr.includes(id),
      own,
      follower: isRecord(fv) ? { leo: n(fv['leo']), lastCaughtUpMs: n(fv['lastCaughtUpMs']) } : null,
    };
  });
  if (!Number.isFinite(offsetFrom)) offsetFrom = 0;
  if (offsetTo < offsetFrom) offsetTo = offsetFrom;
  return {
    key, leader, leaderEpoch, isr, replicas,
    source: best !== null ? procs[best.p]!.name : null,
    offsetFrom, offsetTo, divergence,
  };
}

/**
 * A follower batch diverges when the leader's log has the same offsets in a different epoch, or
 * when it lies at or beyond the leader's LEO (the leader never wrote those offsets in this epoch
 * line). Offsets below the leader's shown window cannot be judged and are not flagged.
 */
function batchDiverges(base: number, epoch: number, count: number, leader: readonly [number, number, number][], leaderFrom: number | null, leaderLeo: number | null): boolean {
  const end = base + count;
  if (leaderLeo !== null && end > leaderLeo) return true;
  const windowFrom = leaderFrom ?? (leader.length > 0 ? leader[0]![0] : Infinity);
  if (base < windowFrom) return false;
  for (const [lb, le, lc] of leader) {
    if (lb < end && base < lb + lc && le !== epoch) return true;
  }
  return false;
}

/** Epoch colour index (stable across partitions): epochs cycle through a palette. */
export function epochHue(epoch: number): number {
  return (epoch * 137.508) % 360;
}
