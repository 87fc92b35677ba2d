import type { Checker } from '../../world/checker.ts';
import type { World } from '../../world/world.ts';
import { rmIn } from '../cluster.ts';

// yarn-capacity-guarantee and yarn-fair-share: with sustained demand a leaf queue gets its share.
// Every poll the checker reads the scheduler's queue views; a queue that has had pending demand
// continuously while using less than its target (minus a tolerance) for longer than the bound is
// reported. Target: Capacity, the queue's guarantee (absolute capacity of the cluster) capped at
// its demand; Fair, its instantaneous fair share capped at its demand. The bound is the scenario's
// to derive from the settings (preemption interval, wait before kill, natural termination factor,
// per-round limit, task durations); the tolerance covers the preemption dead zone and container
// granularity.

export interface ShareCheckOptions {
  readonly boundMs: number;
  /** Memory a queue may stay below its target without counting as starved. */
  readonly toleranceMb: number;
  readonly pollMs?: number;
  /** Only these leaf queues (default all). */
  readonly queues?: readonly string[];
}

function shareChecker(name: 'yarn-capacity-guarantee' | 'yarn-fair-share', opts: ShareCheckOptions): Checker {
  const pollUs = (opts.pollMs ?? 1000) * 1000;
  return {
    name,
    kind: 'safety',
    description: `a leaf queue with sustained demand reaches its ${name === 'yarn-fair-share' ? 'instantaneous fair share' : 'guaranteed capacity'} (within ${opts.toleranceMb} MB) within ${opts.boundMs / 1000} s`,
    attach(world: World) {
      const starvedSince = new Map<string, number>();
      const reported = new Set<string>();
      const poll = (): void => {
        const rm = rmIn(world);
        if (rm !== null) {
          for (const q of rm.scheduler.queues()) {
            if (!q.leaf || (opts.queues !== undefined && !opts.queues.includes(q.name))) continue;
            const share = name === 'yarn-fair-share' ? q.fairShare.memoryMb : q.guaranteed.memoryMb;
            const target = Math.min(share, q.used.memoryMb + q.pending.memoryMb);
            const starved = q.pending.memoryMb > 0 && q.used.memoryMb < target - Math.min(opts.toleranceMb, target / 2);
            if (!starved) {
              starvedSince.delete(q.name);
              continue;
            }
            const since = starvedSince.get(q.name) ?? world.nowUs;
            starvedSince.set(q.name, since);
            if (world.nowUs - since > opts.boundMs * 1000 && !reported.has(q.name)) {
              reported.add(q.name);
              world.reportViolation(name, `queue ${q.name} has wanted more for ${((world.nowUs - since) / 1e6).toFixed(0)} s yet uses ${q.used.memoryMb} MB of its ${Math.round(share)} MB ${name === 'yarn-fair-share' ? 'fair share' : 'guarantee'} (bound ${opts.boundMs / 1000} s)`);
            }
          }
        }
        world.schedule(world.nowUs + pollUs, poll);
      };
      world.schedule(pollUs, poll);
    },
  };
}

export function capacityGuaranteeChecker(opts: ShareCheckOptions): Checker {
  return shareChecker('yarn-capacity-guarantee', opts);
}

export function fairShareChecker(opts: ShareCheckOptions): Checker {
  return shareChecker('yarn-fair-share', opts);
}
