import type { Checker, CheckStatus } from '../../world/checker.ts';
import type { Operation } from '../../world/history.ts';
import type { World } from '../../world/world.ts';
import type { FinalPartition } from '../cluster.ts';

// History verdicts per partition, as Jepsen's Kafka tests report them, from the producers' history
// and the end-of-run read of every partition:
// - kafka-lost-writes: a write acknowledged (ok, with an offset) whose value is not read back at all.
//   Always checked: with acks=1 or unclean election it is the documented risk, and it shows.
// - kafka-duplicates: a value read more than once (retries without idempotence write twice).
//   Promised only with enable.idempotence.
// - kafka-reordered: two acknowledged writes of one producer to one partition read back in the other
//   order. Promised only with max.in.flight.requests.per.connection=1 (or idempotence).

export interface HistoryVerdict {
  readonly lost: string[];
  readonly duplicated: string[];
  readonly reordered: string[];
  /** Partitions without a leader at the end (their writes could not be read). */
  readonly unreadable: string[];
}

/** Sequence number of a value `<producer>-<n>`. */
function seqOf(value: string): number {
  return Number(value.slice(value.lastIndexOf('-') + 1));
}

export function historyVerdict(ops: readonly Operation[], finals: readonly FinalPartition[]): HistoryVerdict {
  const byTp = new Map(finals.map((f) => [f.tp, f]));
  const firstOffset = new Map<string, Map<string, number>>();
  const duplicated: string[] = [];
  for (const f of finals) {
    const seen = new Map<string, number>();
    for (const r of f.records) {
      if (r.value === null) continue;
      if (seen.has(r.value)) duplicated.push(`${r.value} at ${f.tp} offsets ${seen.get(r.value)} and ${r.offset}`);
      else seen.set(r.value, r.offset);
    }
    firstOffset.set(f.tp, seen);
  }
  const lost: string[] = [];
  const unreadable = new Set<string>();
  // Acked writes per (producer, partition): looked up through nested maps, visited in the order each
  // pair first appeared.
  type Acked = { seq: number; value: string; offset: number }[];
  const acked = new Map<string, Map<string, Acked>>();
  const groups: { tp: string; writes: Acked }[] = [];
  for (const op of ops) {
    if (op.f !== 'send' || op.status !== 'ok' || op.key === null) continue;
    if ((op.output as number) < 0) continue;
    const f = byTp.get(op.key);
    if (f === undefined || f.leader === null) {
      unreadable.add(op.key);
      continue;
    }
    const value = String(op.input);
    const at = firstOffset.get(op.key)!.get(value);
    if (at === undefined) {
      lost.push(`${value} (acknowledged at ${op.key} offset ${String(op.output)})`);
      continue;
    }
    let byTpOfProducer = acked.get(op.process);
    if (byTpOfProducer === undefined) acked.set(op.process, (byTpOfProducer = new Map()));
    let l = byTpOfProducer.get(op.key);
    if (l === undefined) {
      byTpOfProducer.set(op.key, (l = []));
      groups.push({ tp: op.key, writes: l });
    }
    l.push({ seq: seqOf(value), value, offset: at });
  }
  const reordered: string[] = [];
  for (const { tp, writes: l } of groups) {
    l.sort((a, b) => a.seq - b.seq);
    for (let i = 1; i < l.length; i++) {
      if (l[i]!.offset < l[i - 1]!.offset) {
        reordered.push(`${l[i - 1]!.value} read after ${l[i]!.value} in ${tp}`);
        break;
      }
    }
  }
  return { lost, duplicated, reordered, unreadable: [...unreadable].sort() };
}

export interface HistoryCheckOptions {
  readonly read: (world: World) => readonly FinalPartition[];
  readonly duplicatesPromised: boolean;
  readonly orderPromised: boolean;
}

function list(items: readonly string[], max = 3): string {
  return items.slice(0, max).join('; ') + (items.length > max ? `; ... (${items.length} in all)` : '');
}

/** The three verdict checkers over one shared read. */
export function historyCheckers(opts: HistoryCheckOptions): Checker[] {
  let cached: { world: World; v: HistoryVerdict } | null = null;
  const verdict = (w: World): HistoryVerdict => {
    if (cached === null || cached.world !== w) cached = { world: w, v: historyVerdict(w.history.operations(), opts.read(w)) };
    return cached.v;
  };
  return [
    {
      name: 'kafka-lost-writes',
      kind: 'safety',
      description: 'every acknowledged write is read back from its partition at the end',
      finish(w: World): CheckStatus | void {
        const v = verdict(w);
        if (v.lost.length > 0) w.reportViolation('kafka-lost-writes', `${v.lost.length} acknowledged write(s) lost: ${list(v.lost)}`);
        return v.unreadable.length > 0 ? 'unknown' : undefined;
      },
    },
    {
      name: 'kafka-duplicates',
      kind: 'safety',
      description: 'no value is read twice (promised only with enable.idempotence)',
      finish(w: World): CheckStatus | void {
        const v = verdict(w);
        if (opts.duplicatesPromised && v.duplicated.length > 0) w.reportViolation('kafka-duplicates', `${v.duplicated.length} duplicated write(s): ${list(v.duplicated)}`);
      },
    },
    {
      name: 'kafka-reordered',
      kind: 'safety',
      description: 'one producer\'s acknowledged writes to a partition are read in send order (promised only with max.in.flight.requests.per.connection=1 or idempotence)',
      finish(w: World): CheckStatus | void {
        const v = verdict(w);
        if (opts.orderPromised && v.reordered.length > 0) w.reportViolation('kafka-reordered', `${v.reordered.length} reordering(s): ${list(v.reordered)}`);
      },
    },
  ];
}
