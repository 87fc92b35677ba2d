import type { World } from './world.ts';

// Checkers. A safety checker watches the run (through protocol observations and inspect() views)
// and reports each violation with the event index, simulated time and a one-line explanation. A
// liveness checker decides at the end of the quiesce phase. Every checker must be able to fail:
// each has a test in which it fires.

export interface Violation {
  readonly checker: string;
  /** Index of the event during which the violation was found. */
  readonly seq: number;
  readonly timeMs: number;
  readonly message: string;
}

export type CheckStatus = 'pass' | 'fail' | 'unknown';

export interface Checker {
  readonly name: string;
  readonly kind: 'safety' | 'liveness';
  readonly description: string;
  /** Subscribe to observations, schedule periodic checks. Called when added to the world. */
  attach?(world: World): void;
  /**
   * Called once at the end of the run (after quiesce). Report violations with
   * world.reportViolation(this.name, ...); return 'unknown' when the check could not decide.
   */
  finish?(world: World, run: RunPhases): CheckStatus | void;
}

export interface RunPhases {
  /** When the fault phase ended and every fault was lifted. */
  readonly healUs: number;
  readonly endUs: number;
}

export interface CheckResult {
  readonly name: string;
  readonly status: CheckStatus;
}
