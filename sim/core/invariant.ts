// Invariants stay on in every build. A broken invariant is a bug in dsim or in a protocol: it stops
// the run and names where it happened (process, simulated time, event index) so the seed can be
// replayed. Expected faults (a lost message, a stale epoch, a disk error) are values, not throws.

export class InvariantError extends Error {
  override readonly name = 'InvariantError';
}

/** Where the simulator currently is; the world keeps this up to date so messages can name it. */
export const position = { process: '-', timeUs: 0, eventIndex: 0 };

export function invariant(cond: unknown, message: string | (() => string)): asserts cond {
  if (cond) return;
  const text = typeof message === 'string' ? message : message();
  throw new InvariantError(
    `invariant failed at ${position.process}, t=${(position.timeUs / 1000).toFixed(3)} ms, event ${position.eventIndex}: ${text}`,
  );
}

/** Bad input from a user (scenario, config, fault script, trace file): one line, exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}
