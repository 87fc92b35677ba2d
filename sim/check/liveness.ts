import type { World } from '../world/world.ts';
import type { Checker, CheckStatus, RunPhases } from '../world/checker.ts';

// Liveness after heal: once every fault is lifted, the healed system must make progress within a
// bound. Decided at the end of the quiesce phase from the client history: some operation of the
// given kind must complete ok within `withinMs` of the heal. If the quiesce phase is shorter than
// the bound, the answer is unknown rather than a guess.

export interface ProgressCheckerOptions {
  readonly name?: string;
  /** Operation function that counts as progress, e.g. "write". */
  readonly f: string;
  readonly withinMs: number;
}

export function progressAfterHealChecker(opts: ProgressCheckerOptions): Checker {
  const name = opts.name ?? `${opts.f}-after-heal`;
  return {
    name,
    kind: 'liveness',
    description: `after the heal, a ${opts.f} completes ok within ${opts.withinMs} ms`,
    finish(world: World, run: RunPhases): CheckStatus {
      const deadlineUs = run.healUs + opts.withinMs * 1000;
      const first = world.history.all().find((e) => e.type === 'ok' && e.f === opts.f && e.timeUs >= run.healUs);
      if (first !== undefined && first.timeUs <= deadlineUs) return 'pass';
      if (run.endUs < deadlineUs && first === undefined) return 'unknown';
      const late = first === undefined ? 'none completed before the end of the run' : `the first completed ${((first.timeUs - run.healUs) / 1000).toFixed(0)} ms after the heal`;
      world.reportViolation(name, `no ${opts.f} completed within ${opts.withinMs} ms of the heal at ${(run.healUs / 1e6).toFixed(3)} s: ${late}`);
      return 'fail';
    },
  };
}
