import { UsageError } from '../core/invariant.ts';
import { formatDuration, parseDuration } from '../harness/fault-kind.ts';
import { parseNonNegativeInt } from './args.ts';

// The arguments of `dsim fork`: fork times (`--at 20s` or `--at 0s..40s/2s`) and branch indexes
// (`--branches 1..100`, or one branch `--branches 7`).

/** At most this many fork times in one command (each runs every branch). */
export const MAX_FORK_TIMES = 1000;

/** Fork times in milliseconds, ascending. */
export function parseForkTimes(raw: string): number[] {
  const m = /^\s*([^.]+?)\s*\.\.\s*([^/]+?)\s*\/\s*(.+?)\s*$/.exec(raw);
  if (m === null) {
    if (raw.includes('..')) throw new UsageError(`--at expects a time (20s) or a range with a step (0s..40s/2s), got '${raw}'`);
    return [parseDuration(raw, '--at')];
  }
  const from = parseDuration(m[1]!, '--at');
  const to = parseDuration(m[2]!, '--at');
  const step = parseDuration(m[3]!, '--at step');
  if (to < from) throw new UsageError(`--at ${raw}: the end ${formatDuration(to)} is before the start ${formatDuration(from)}`);
  if (step <= 0) throw new UsageError(`--at ${raw}: the step must be positive`);
  const n = Math.floor((to - from) / step + 1e-9) + 1;
  if (n > MAX_FORK_TIMES) throw new UsageError(`--at ${raw}: ${n} fork times, at most ${MAX_FORK_TIMES}`);
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push(Math.round((from + i * step) * 1000) / 1000);
  return out;
}

/** `--branches A..B` (inclusive) or `N` (one branch). */
export function parseBranches(raw: string): { first: number; last: number } {
  const m = /^\s*(\d+)\s*(?:\.\.\s*(\d+)\s*)?$/.exec(raw);
  if (m === null) throw new UsageError(`--branches expects A..B (e.g. 1..100) or one branch N, got '${raw}'`);
  const first = parseNonNegativeInt('--branches start', m[1]!);
  const last = m[2] !== undefined ? parseNonNegativeInt('--branches end', m[2]) : first;
  if (last < first) throw new UsageError(`--branches ${raw}: the end ${last} is before the start ${first}`);
  return { first, last };
}
