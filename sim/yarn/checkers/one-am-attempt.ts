import type { Checker } from '../../world/checker.ts';
import type { World } from '../../world/world.ts';
import { FINAL_ATTEMPT } from './obs.ts';

// yarn-one-am-attempt: at most one attempt of an application is live (not FINISHED, FAILED or
// KILLED) at any moment, and an attempt that ended never comes back (RMAppImpl starts attempt n+1
// only after attempt n is final; ApplicationMasterService refuses an AM whose attempt is over).

export function oneAmAttemptChecker(): Checker {
  const name = 'yarn-one-am-attempt';
  return {
    name,
    kind: 'safety',
    description: 'at most one live attempt per application; an ended attempt never becomes live again',
    attach(world: World) {
      const live = new Map<string, Set<string>>();
      const ended = new Set<string>();
      world.onObserve('yarn-attempt', (_p, d) => {
        const app = d.app;
        const attempt = d.attempt;
        const state = d.state;
        let set = live.get(app);
        if (set === undefined) {
          set = new Set();
          live.set(app, set);
        }
        if (FINAL_ATTEMPT.has(state)) {
          set.delete(attempt);
          ended.add(attempt);
          return;
        }
        if (ended.has(attempt)) {
          world.reportViolation(name, `${attempt} of ${app} became ${state} after it had ended`);
          return;
        }
        set.add(attempt);
        if (set.size > 1) world.reportViolation(name, `${app} has ${set.size} live attempts: ${[...set].join(', ')}`);
      });
    },
  };
}
