// Invariants stay on in every build. A broken invariant is a bug in dsim or in a protocol: it stops
// the run and names where it happened (process, simulated time, event index, the run's seed) so the
// run can be replayed with `dsim run <scenario> --seed N`. Expected faults (a lost message, a stale epoch, a disk error) are values, not throws.

export class InvariantError extends Error {
  override readonly name = 'InvariantError';
}

/**
 * Where the simulator currently is; the world keeps this up to date so messages can name it. seed
 * is null outside a world's run (a unit test calling protocol code directly).
 */
export const position: { process: string; timeUs: number; eventIndex: number; seed: number | null } = { process: '-', timeUs: 0, eventIndex: 0, seed: null };

/**
 * Throws an InvariantError naming the position when cond is false. On a hot path pass the message
 * as a function when it formats anything, so the text is built only when the condition fails.
 */
export function invariant(cond: unknown, message: string | (() => string)): asserts cond {
  if (cond) return;
  const text = typeof message === 'string' ? message : message();
  throw new InvariantError(
    `invariant failed at ${position.process}, t=${(position.timeUs / 1000).toFixed(3)} ms, event ${position.eventIndex}${position.seed === null ? '' : `, seed ${position.seed}`}: ${text}`,
  );
}

/** Bad input from a user (scenario, config, fault script, trace file): one line, exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}
