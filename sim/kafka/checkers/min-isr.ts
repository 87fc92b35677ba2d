import type { Checker } from '../../world/checker.ts';
import type { World } from '../../world/world.ts';
import type { ShadowLogs } from './shadow.ts';

// kafka-min-isr: with acks=all, a write is acknowledged only when at least min.insync.replicas
// replicas hold it (the broker's promise behind min.insync.replicas: Partition.appendRecordsToLeader
// refuses the write when the ISR is smaller, and DelayedProduce answers once the HW, the minimum LEO
// of the ISR, passes it). Judged at the moment the producer records the acknowledgement, against
// every replica's log as rebuilt from its own appends (ShadowLogs), not against the leader's view of
// its ISR: a broker that compared min.insync.replicas with the replica count instead of the ISR
// acknowledges writes only it holds, and this checker says so.

export interface MinIsrOptions {
  /** Whether acknowledgements carry the promise (acks=all). */
  readonly promised: boolean;
  /** min.insync.replicas of the partition's topic. */
  readonly minIsr: number;
  /** The broker ids that may hold a replica. */
  readonly brokers: readonly number[];
}

/** How many brokers' logs hold `offset` of `tp`. */
export function holders(shadows: ShadowLogs, tp: string, offset: number, brokers: readonly number[]): number[] {
  const out: number[] = [];
  for (const b of brokers) {
    const s = shadows.of(tp, b);
    const i = s.lowerBound(offset + 1) - 1;
    if (i >= 0 && s.last[i]! >= offset) out.push(b);
  }
  return out;
}

export function minIsrChecker(shadows: ShadowLogs, opts: MinIsrOptions): Checker {
  let reported = false;
  return {
    name: 'kafka-min-isr',
    kind: 'safety',
    description: 'an acks=all write is acknowledged only once min.insync.replicas replicas hold it',
    attach(w: World): void {
      if (!opts.promised) return;
      shadows.attach(w);
      w.history.onComplete((e) => {
        if (reported || e.type !== 'ok' || e.f !== 'send' || e.key === null || typeof e.value !== 'number' || e.value < 0) return;
        const held = holders(shadows, e.key, e.value, opts.brokers);
        if (held.length >= opts.minIsr) return;
        reported = true;
        w.reportViolation('kafka-min-isr', `${e.process}'s write at ${e.key} offset ${e.value} was acknowledged (acks=all) while only broker(s) [${held.join(',')}] held it, below min.insync.replicas=${opts.minIsr}`);
      });
    },
  };
}
