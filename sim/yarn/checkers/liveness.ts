import type { Checker, CheckStatus, RunPhases } from '../../world/checker.ts';
import type { World } from '../../world/world.ts';
import { FINAL_APP } from './obs.ts';

// yarn-liveness: after the heal, every application ends (FINISHED, FAILED or KILLED at the RM, and
// its client has heard so) within the bound: an application submitted before the heal by
// heal + bound, one submitted later by its submission + bound.

export function livenessChecker(opts: { readonly boundMs: number }): Checker {
  const name = 'yarn-liveness';
  const submitted = new Map<string, number>();
  const ended = new Map<string, number>();
  return {
    name,
    kind: 'liveness',
    description: `every application ends within ${opts.boundMs / 1000} s of the heal (or of its submission after it)`,
    attach(world: World) {
      world.onObserve('yarn-app', (_p, d) => {
        const app = d.app;
        const state = d.state;
        if (state === 'SUBMITTED') submitted.set(app, world.nowUs);
        if (FINAL_APP.has(state)) ended.set(app, world.nowUs);
      });
    },
    finish(world: World, run: RunPhases): CheckStatus | void {
      const boundUs = opts.boundMs * 1000;
      const late: string[] = [];
      let undecided = 0;
      for (const [app, at] of submitted) {
        const deadline = Math.max(at, run.healUs) + boundUs;
        const end = ended.get(app);
        if (end !== undefined ? end > deadline : deadline <= run.endUs) late.push(app);
        else if (end === undefined) undecided++;
      }
      // Clients: every submission invoked has been answered with a final state.
      let unanswered = 0;
      for (const op of world.history.operations()) if (op.f === 'submit' && op.completeUs === Infinity && Math.max(op.invokeUs, run.healUs) + boundUs <= run.endUs) unanswered++;
      if (late.length > 0) world.reportViolation(name, `${late.length} application(s) did not end within ${opts.boundMs / 1000} s of the heal: ${late.slice(0, 5).join(', ')}${late.length > 5 ? ', ...' : ''}`);
      else if (unanswered > 0) world.reportViolation(name, `${unanswered} submission(s) never learned their application's final state`);
      else if (undecided > 0) return 'unknown';
    },
  };
}
