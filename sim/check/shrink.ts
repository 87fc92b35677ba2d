import type { Config, ConfigValue } from '../core/config.ts';
import { InvariantError, UsageError } from '../core/invariant.ts';
import { resolveScenarioConfig, runScenario, scheduleFor, type RunResult } from '../harness/run.ts';
import type { Scenario } from '../harness/scenario.ts';
import type { Fault, FaultAction } from '../harness/faults.ts';
import { kindOf } from '../harness/fault-registry.ts';
import type { Violation } from '../world/checker.ts';

// Shrinking a failing fault schedule. A failing seed usually comes with a dozen or more faults, of
// which a few matter. The shrinker replays the same seed with smaller schedules and keeps every
// change after which the same checker still fires:
//   (a) delta debugging over the list (Zeller and Hildebrandt, "Simplifying and Isolating
//       Failure-Inducing Input", TSE 2002): remove halves, then quarters, ..., then single faults;
//   (b) move faults earlier: the whole schedule together, then each fault (halve its start, or align
//       it with the previous fault's start);
//   (c) shorten each fault's duration by halves (then bisect), down to SHRINK_DURATION_MS_MIN;
//   (d) simplify actions with each kind's own shrink steps (fault-registry.ts): a partition with
//       more than two groups loses groups, a group or a cut side with several hosts loses hosts
//       (never becoming empty). An isolate stays an isolate.
// Passes repeat until one changes nothing or the run budget is spent. Only the faults vary: every
// replay uses the same seed, and random streams are forked by label (sim/core/rng.ts), so the
// network, disks and processes draw the same numbers as in the original run.
// Faults move before they shrink: a fault that still lasts long has slack, so it can slide earlier
// past the phase of periodic timers; a duration already cut to the bone usually cannot.

export interface ShrinkOptions {
  seed: number;
  overrides?: { readonly [key: string]: string | ConfigValue };
  /** The failing schedule; default: the scenario's own schedule for this seed (script plus nemesis). */
  faults?: readonly Fault[];
  /** Budget of candidate runs (default SHRINK_RUNS_DEFAULT); the final re-verification may add one. */
  maxRuns?: number;
  /** Called after every run with the smallest failing schedule found so far. */
  onProgress?: (runs: number, current: readonly Fault[]) => void;
}

export interface ShrinkResult {
  /** The checker that fails in the original run and in every accepted candidate. */
  checker: string;
  original: Fault[];
  minimal: Fault[];
  /** Scenario runs spent, the original and the final re-verification included. */
  runs: number;
  /** The target checker's first violation in the minimal schedule's run. */
  violation: Violation;
}

export const SHRINK_RUNS_DEFAULT = 500;
/** Durations are never shortened below this. */
export const SHRINK_DURATION_MS_MIN = 10;
/** Shortened durations and earlier start times are rounded to this grain, so scripts stay readable. */
const GRAIN_MS = 10;

/**
 * The first violation in `r` from a checker the scenario's expectation does not name, or null.
 * This is what "the run fails" means to the shrinker and to the property kit.
 */
export function firstUnexpectedViolation(r: RunResult): Violation | null {
  const expected = new Set(r.expected.violations);
  return r.violations.find((v) => !expected.has(v.checker)) ?? null;
}

/**
 * Minimizes the failing fault schedule of `scenario` at `opts.seed`, deterministically: the same
 * scenario, seed, overrides and schedule give the same minimal schedule.
 *
 * The target is the first checker in the original run that the expectation did not name. Expected
 * violations are ignored: a scenario that expects a checker to fire (say, data loss under power loss)
 * is shrunk only for an unexpected checker, and if nothing unexpected fires there is nothing to shrink.
 * For such scenarios candidates run to the end (stopOnViolation off): stopping at the expected
 * violation could hide the unexpected one. Otherwise every candidate stops at its first violation.
 *
 * Throws UsageError when the original run does not fail that way.
 */
export function shrinkFaults(scenario: Scenario, opts: ShrinkOptions): ShrinkResult {
  const overrides = opts.overrides ?? {};
  const cfg = resolveScenarioConfig(scenario, overrides);
  const original = (opts.faults ?? defaultSchedule(scenario, cfg, opts.seed)).slice().sort(byStart);
  const maxRuns = opts.maxRuns ?? SHRINK_RUNS_DEFAULT;
  if (!(Number.isInteger(maxRuns) && maxRuns >= 1)) throw new UsageError(`shrink: maxRuns must be a positive integer, got ${maxRuns}`);
  const expected = typeof scenario.expect === 'function' ? scenario.expect(cfg) : scenario.expect;
  const stopOnViolation = expected.violations.length === 0;

  let runs = 0;
  let current: Fault[] = original;
  const replay = (faults: readonly Fault[]): Violation | null => {
    runs++;
    const r = runScenario(scenario, { seed: opts.seed, overrides, faults, stopOnViolation });
    const v = firstUnexpectedViolation(r);
    opts.onProgress?.(runs, current);
    return v;
  };

  const first = replay(original);
  if (first === null) throw new UsageError(`seed ${opts.seed} of ${scenario.name} does not fail: nothing to shrink`);
  const checker = first.checker;

  // Verdicts by exact schedule: ddmin and the later passes revisit candidates.
  const verdicts = new Map<string, boolean>([[JSON.stringify(original), true]]);
  const fails = (candidate: readonly Fault[]): boolean => {
    const key = JSON.stringify(candidate);
    const known = verdicts.get(key);
    if (known !== undefined) return known;
    if (runs >= maxRuns) return false;
    let v: Violation | null;
    try {
      v = replay(candidate);
    } catch (e) {
      // A candidate that breaks an invariant fails differently: not the failure being shrunk.
      if (!(e instanceof InvariantError)) throw e;
      v = null;
    }
    const same = v !== null && v.checker === checker;
    verdicts.set(key, same);
    return same;
  };
  const accept = (candidate: Fault[]): boolean => {
    if (!fails(candidate)) return false;
    current = candidate;
    return true;
  };

  if (!accept([])) {
    for (;;) {
      const before = JSON.stringify(current);
      current = ddmin(current, fails);
      moveEarlier(() => current, accept);
      shortenDurations(() => current, accept);
      simplifyActions(() => current, accept);
      if (JSON.stringify(current) === before || runs >= maxRuns) break;
    }
  }

  // Re-verify from scratch: the minimal schedule must fail on its own, not from a cached verdict.
  runs++;
  const final = runScenario(scenario, { seed: opts.seed, overrides, faults: current, stopOnViolation });
  const violation = firstUnexpectedViolation(final);
  if (violation === null || violation.checker !== checker) {
    throw new InvariantError(`shrink: the minimal schedule of seed ${opts.seed} of ${scenario.name} no longer fails ${checker} on replay: the run is not deterministic`);
  }
  opts.onProgress?.(runs, current);
  return { checker, original, minimal: current, runs, violation };
}

function defaultSchedule(scenario: Scenario, cfg: Config, seed: number): Fault[] {
  const faultPhaseMs = typeof scenario.faultPhaseMs === 'function' ? scenario.faultPhaseMs(cfg) : scenario.faultPhaseMs;
  return scheduleFor(scenario, cfg, seed, faultPhaseMs);
}

const byStart = (a: Fault, b: Fault): number => a.atMs - b.atMs;

/** A stable sort by start time, into a new array. */
function sorted(faults: readonly Fault[]): Fault[] {
  return faults.slice().sort(byStart);
}

function withFault(f: Fault, changes: { atMs?: number; durationMs?: number; action?: FaultAction }): Fault {
  const atMs = changes.atMs ?? f.atMs;
  const durationMs = changes.durationMs ?? f.durationMs;
  const action = changes.action ?? f.action;
  const timed: Fault = durationMs !== undefined ? { atMs, durationMs, action } : { atMs, action };
  return f.when !== undefined ? { ...timed, when: f.when } : timed;
}

function replaceAt(faults: readonly Fault[], i: number, f: Fault): Fault[] {
  const out = faults.slice();
  out[i] = f;
  return out;
}

/** Half of `ms`, rounded down to the grain. */
function halfMs(ms: number): number {
  return Math.floor(ms / 2 / GRAIN_MS) * GRAIN_MS;
}

// ------------------------------------------------------------------ (a) delta debugging

/**
 * ddmin: a 1-minimal sublist of `items` for which `fails` holds, assuming it holds for `items`.
 * At granularity n it tries removing each of n chunks (complements), then keeping a single chunk
 * alone (subsets); on success it continues on the smaller list, otherwise it doubles n until the
 * chunks are single items. Order is kept.
 */
export function ddmin<T>(items: readonly T[], fails: (candidate: T[]) => boolean): T[] {
  let cur = items.slice();
  let n = 2;
  while (cur.length >= 2) {
    const chunks = split(cur, n);
    let next: T[] | null = null;
    let nextN = n;
    for (let i = 0; i < chunks.length && next === null; i++) {
      const complement = chunks.filter((_, j) => j !== i).flat();
      if (fails(complement)) {
        next = complement;
        nextN = Math.max(n - 1, 2);
      }
    }
    // With two chunks a subset is the other chunk's complement: already tried.
    for (let i = 0; i < chunks.length && next === null && chunks.length > 2; i++) {
      if (fails(chunks[i]!)) {
        next = chunks[i]!;
        nextN = 2;
      }
    }
    if (next !== null) {
      cur = next;
      n = Math.min(nextN, cur.length);
      continue;
    }
    if (n >= cur.length) break;
    n = Math.min(2 * n, cur.length);
  }
  return cur;
}

/** Splits into n chunks of near-equal size (the first ones one longer), in order. */
function split<T>(items: readonly T[], n: number): T[][] {
  const out: T[][] = [];
  let start = 0;
  for (let i = 0; i < n; i++) {
    const size = Math.floor(items.length / n) + (i < items.length % n ? 1 : 0);
    out.push(items.slice(start, start + size));
    start += size;
  }
  return out.filter((c) => c.length > 0);
}

// ------------------------------------------------------------------ (b) start times

function moveEarlier(get: () => Fault[], accept: (c: Fault[]) => boolean): void {
  // The whole schedule together first: it keeps the faults' relative timing, which often matters.
  for (;;) {
    const cur = get();
    if (cur.length === 0) break;
    const shiftMs = cur[0]!.atMs - halfMs(cur[0]!.atMs);
    if (shiftMs <= 0 || !accept(cur.map((f) => withFault(f, { atMs: f.atMs - shiftMs })))) break;
  }
  // Then each fault alone. Faults only move earlier, so the faults after index k stay after it.
  for (let k = 0; k < get().length; k++) {
    let f = get()[k]!;
    for (;;) {
      const cur = get();
      const i = cur.indexOf(f);
      const targets: number[] = [];
      const half = halfMs(f.atMs);
      if (half < f.atMs) targets.push(half);
      const prev = i > 0 ? cur[i - 1]!.atMs : undefined;
      if (prev !== undefined && prev < f.atMs && prev !== half) targets.push(prev);
      let moved: Fault | null = null;
      for (const atMs of targets) {
        const g = withFault(f, { atMs });
        if (accept(sorted(replaceAt(cur, i, g)))) {
          moved = g;
          break;
        }
      }
      if (moved === null) break;
      f = moved;
    }
  }
}

// ------------------------------------------------------------------ (c) durations

/**
 * Halves each duration while the checker still fires; when a halving stops it firing, bisects
 * between that length and the last failing one, down to the grain.
 */
function shortenDurations(get: () => Fault[], accept: (c: Fault[]) => boolean): void {
  const tryLength = (i: number, durationMs: number): boolean => accept(replaceAt(get(), i, withFault(get()[i]!, { durationMs })));
  for (let i = 0; i < get().length; i++) {
    let passingMs = -1;
    for (;;) {
      const d = get()[i]!.durationMs;
      if (d === undefined || d <= SHRINK_DURATION_MS_MIN) break;
      const shorter = Math.max(SHRINK_DURATION_MS_MIN, Math.round(d / 2 / GRAIN_MS) * GRAIN_MS);
      if (shorter >= d) break;
      if (!tryLength(i, shorter)) {
        passingMs = shorter;
        break;
      }
    }
    if (passingMs < 0) continue;
    for (;;) {
      const failingMs = get()[i]!.durationMs!;
      const mid = Math.round((passingMs + failingMs) / 2 / GRAIN_MS) * GRAIN_MS;
      if (mid <= passingMs || mid >= failingMs) break;
      if (!tryLength(i, mid)) passingMs = mid;
    }
  }
}

// ------------------------------------------------------------------ (d) actions

/** Strictly smaller variants of an action, most promising first: its kind's shrink steps (fault-registry.ts). */
export function smallerActions(a: FaultAction): FaultAction[] {
  return kindOf(a).shrink(a).slice();
}

function simplifyActions(get: () => Fault[], accept: (c: Fault[]) => boolean): void {
  for (let i = 0; i < get().length; i++) {
    let progress = true;
    while (progress) {
      progress = false;
      const f = get()[i]!;
      for (const action of smallerActions(f.action)) {
        if (accept(replaceAt(get(), i, withFault(f, { action })))) {
          progress = true;
          break;
        }
      }
    }
  }
}
