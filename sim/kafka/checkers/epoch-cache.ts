import type { Checker } from '../../world/checker.ts';
import type { World } from '../../world/world.ts';

// kafka-epoch-cache: a broker that starts (IBP >= 0.11.0-IV2, leader epochs in use) holds, for every
// log, a leader-epoch cache that knows the epoch stamped on the log's last batch. Kafka writes
// leader-epoch-checkpoint after every change of the cache (LeaderEpochFileCache.assign and the
// truncations flush it), so a clean restart loads it and an unclean one rebuilds the recovered
// segments' epochs from their batches. A cache behind its log means the checkpoint was not kept:
// the follower then finds no epoch to ask the leader about and truncates to its high watermark
// (KAFKA-6859's fallback), the pre-KIP-101 rule that loses committed data. Without this checker a
// lost checkpoint goes unnoticed in every scenario whose HW truncation happens to cut nothing.

export function epochCacheChecker(): Checker {
  let reported = 0;
  return {
    name: 'kafka-epoch-cache',
    kind: 'safety',
    description: 'a restarted broker\'s leader-epoch cache knows the epoch of its last batch (leader-epoch-checkpoint kept)',
    attach(w: World): void {
      w.onObserve('kafka-broker-start', (_p, o) => {
        if (!o.leaderEpochs || reported > 0) return;
        for (const tp of Object.keys(o.epochs).sort()) {
          const e = o.epochs[tp]!;
          if (e.stamped <= e.cached) continue;
          reported++;
          w.reportViolation('kafka-epoch-cache', `broker ${o.broker} started with ${tp}'s last batch stamped leader epoch ${e.stamped} but its leader-epoch cache ends at ${e.cached}: leader-epoch-checkpoint lost, its next truncation falls back to the high watermark`);
          return;
        }
      });
    },
  };
}
