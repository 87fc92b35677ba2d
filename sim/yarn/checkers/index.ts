import type { Checker } from '../../world/checker.ts';
import { livenessChecker } from './liveness.ts';
import { lostNodeChecker } from './lost-node.ts';
import { noOvercommitChecker } from './no-overcommit.ts';
import { oneAmAttemptChecker } from './one-am-attempt.ts';

export { livenessChecker } from './liveness.ts';
export { lostNodeChecker } from './lost-node.ts';
export { noOvercommitChecker } from './no-overcommit.ts';
export { oneAmAttemptChecker } from './one-am-attempt.ts';
export { capacityGuaranteeChecker, fairShareChecker, type ShareCheckOptions } from './shares.ts';

/** The checkers every YARN scenario runs. */
export function yarnCheckers(opts: { readonly nmExpiryMs: number; readonly livenessBoundMs: number }): Checker[] {
  return [noOvercommitChecker(), oneAmAttemptChecker(), lostNodeChecker({ expiryMs: opts.nmExpiryMs }), livenessChecker({ boundMs: opts.livenessBoundMs })];
}
