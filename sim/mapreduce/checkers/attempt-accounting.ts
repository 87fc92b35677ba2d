import type { Checker } from '../../world/checker.ts';
import type { World } from '../../world/world.ts';

// mr-attempt-accounting: killed and preempted attempts do not count toward a task's failure limit.
// - An attempt whose container ended ABORTED (-100) or PREEMPTED (-102) ends KILLED, never FAILED
//   (RMContainerAllocator turns those exits into TA_KILL).
// - When a task ends, the AM's (each AM attempt counts its own) count of its failed attempts is the number of its attempts that
//   ended FAILED (TaskImpl counts only those), and a task ends FAILED only with maxAttempts of them.

const FRAMEWORK_KILLS: ReadonlySet<number> = new Set([-100, -102]);

export function attemptAccountingChecker(): Checker {
  const name = 'mr-attempt-accounting';
  const failed = new Map<string, number>();
  return {
    name,
    kind: 'safety',
    description: 'attempts killed by the framework (ABORTED, PREEMPTED, killed by the AM) end KILLED and do not count toward mapreduce.*.maxattempts',
    attach(world: World) {
      world.onObserve('mr-attempt', (_p, d) => {
        const key = `${d.am}/${d.task}`;
        if (d.state === 'FAILED') failed.set(key, (failed.get(key) ?? 0) + 1);
        if (d.exitStatus !== null && FRAMEWORK_KILLS.has(d.exitStatus) && d.state !== 'KILLED') {
          world.reportViolation(name, `${d.attempt} ended ${d.state} after its container exited ${d.exitStatus} (${d.exitStatus === -100 ? 'ABORTED' : 'PREEMPTED'}): a framework kill, which must not count`);
        }
      });
      world.onObserve('mr-task', (_p, d) => {
        const n = failed.get(`${d.am}/${d.task}`) ?? 0;
        if (d.failedAttempts !== n) world.reportViolation(name, `${d.task} ended ${d.state} counting ${d.failedAttempts} failed attempts; ${n} of its attempts failed`);
        if (d.state === 'FAILED' && n < d.maxAttempts) world.reportViolation(name, `${d.task} FAILED after ${n} failed attempts, below the limit of ${d.maxAttempts}`);
      });
    },
  };
}
