import type { Checker } from '../../world/checker.ts';
import type { World } from '../../world/world.ts';
import type { ReplicaShadow, ShadowLogs } from './shadow.ts';

// kafka-log-matching, at the end of the run over every replica's log (as the shadows hold it):
// - log matching: two replicas holding the same batch (offset and content) hold identical prefixes
//   before it;
// - WeakIsr (TLA+): below each live leader's HW, every live member of its ISR holds the leader's batches.

export interface LeaderView {
  readonly tp: string;
  readonly broker: number;
  readonly hw: number;
  readonly isr: readonly number[];
}

function sameAt(a: ReplicaShadow, i: number, b: ReplicaShadow, j: number): boolean {
  return a.base[i] === b.base[j] && a.last[i] === b.last[j] && a.crc[i] === b.crc[j];
}

/** The first problem with log matching between two replicas, or null. */
export function logMatchingProblem(a: ReplicaShadow, b: ReplicaShadow): string | null {
  const n = Math.min(a.base.length, b.base.length);
  let k = 0;
  while (k < n && sameAt(a, k, b, k)) k++;
  // After the first difference, no batch may be identical in both.
  for (let i = k; i < a.base.length; i++) {
    const j = b.indexOf(a.base[i]!);
    if (j >= 0 && sameAt(a, i, b, j)) {
      return `both hold the batch at offset ${a.base[i]} but differ at offset ${k < n ? a.base[k] : a.base[i]} before it`;
    }
  }
  return null;
}

export function logMatchingChecker(shadows: ShadowLogs, leaders: (world: World) => readonly LeaderView[], liveBroker: (world: World, id: number) => boolean): Checker {
  return {
    name: 'kafka-log-matching',
    kind: 'safety',
    description: 'replicas holding the same batch agree on everything before it; below a leader\'s HW its ISR holds its batches (WeakIsr)',
    attach(w: World): void {
      shadows.attach(w);
    },
    finish(w: World): void {
      for (const tp of shadows.topicPartitions()) {
        const reps = [...shadows.replicas(tp)].filter(([id]) => liveBroker(w, id)).sort((x, y) => x[0] - y[0]);
        for (let i = 0; i < reps.length; i++) {
          for (let j = i + 1; j < reps.length; j++) {
            const p = logMatchingProblem(reps[i]![1], reps[j]![1]);
            if (p !== null) w.reportViolation('kafka-log-matching', `${tp}: brokers ${reps[i]![0]} and ${reps[j]![0]} ${p}`);
          }
        }
      }
      for (const l of leaders(w)) {
        const ls = shadows.of(l.tp, l.broker);
        for (const m of l.isr) {
          if (m === l.broker || !liveBroker(w, m)) continue;
          const ms = shadows.of(l.tp, m);
          for (let i = 0; i < ls.base.length && ls.last[i]! < l.hw; i++) {
            const j = ms.indexOf(ls.base[i]!);
            if (j >= 0 && sameAt(ls, i, ms, j)) continue;
            w.reportViolation('kafka-log-matching', `WeakIsr: ${l.tp}: ISR member ${m} does not hold leader ${l.broker}'s batch at offset ${ls.base[i]} below the HW ${l.hw}`);
            break;
          }
        }
      }
    },
  };
}
