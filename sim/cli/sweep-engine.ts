import { Worker } from 'node:worker_threads';
import type { Violation } from '../world/checker.ts';
import { UsageError } from '../core/invariant.ts';
import { resolveScenarioConfig, runScenario, type RunBranch } from '../harness/run.ts';
import type { Scenario } from '../harness/scenario.ts';
import { firstLine } from './scenarios.ts';

// Runs many seeds of one scenario, in-process or across worker threads. Each seed's outcome is a
// few numbers and its violations: the RunResult (and its world) is dropped at once, so memory stays
// flat however many seeds run. Workers load TypeScript through tsx (see worker.mjs).

export interface SeedOutcome {
  readonly seed: number;
  readonly events: number;
  readonly simulatedMs: number;
  readonly expectMet: boolean;
  readonly violations: Violation[];
  /** The run threw (a broken invariant or a bug): its one-line message. */
  readonly error?: string;
  /** The run was given bad input (a UsageError): the sweep stops with exit 2. */
  readonly usageError?: string;
  /** The branch this outcome is of (dsim fork). */
  readonly branch?: RunBranch;
}

/** The seeds of a sweep, computed on demand: a range of a billion seeds costs no memory. */
export interface SeedList {
  readonly count: number;
  at(index: number): number;
}

export interface SweepOptions {
  readonly file: string;
  readonly overrides: Record<string, string>;
  readonly seeds: SeedList;
  /** 1: in this thread. */
  readonly workers: number;
  readonly onResult: (o: SeedOutcome) => void;
  /** dsim fork: the i-th run is this branch of its seed's run. */
  readonly branchAt?: (i: number) => RunBranch;
}

/**
 * One seed, reduced to its outcome. Stops at the first violation when the expectation is a clean
 * run: any violation already decides the verdict. A run that expects violations runs to the end,
 * since stopping early could miss an expected checker or an unexpected one.
 */
export function runSeed(scenario: Scenario, seed: number, overrides: Record<string, string>, branch?: RunBranch): SeedOutcome {
  const b = branch !== undefined ? { branch } : {};
  try {
    const cfg = resolveScenarioConfig(scenario, overrides);
    const expected = typeof scenario.expect === 'function' ? scenario.expect(cfg) : scenario.expect;
    const r = runScenario(scenario, { seed, overrides, stopOnViolation: expected.violations.length === 0, ...b });
    return { seed, events: r.events, simulatedMs: r.simulatedMs, expectMet: r.expectMet, violations: r.violations.slice(), ...b };
  } catch (e) {
    if (e instanceof UsageError) return { seed, events: 0, simulatedMs: 0, expectMet: false, violations: [], usageError: firstLine(e), ...b };
    const name = e instanceof Error ? e.name : 'Error';
    return { seed, events: 0, simulatedMs: 0, expectMet: false, violations: [], error: `${name}: ${firstLine(e)}`, ...b };
  }
}

/** Seeds first..last, keeping those whose index in the range satisfies index % N == K - 1. */
export function shardSeeds(first: number, last: number, shard: { index: number; count: number } | null): SeedList {
  const total = last - first + 1;
  if (shard === null) return { count: total, at: (i) => first + i };
  const offset = shard.index - 1;
  const count = offset >= total ? 0 : Math.floor((total - 1 - offset) / shard.count) + 1;
  return { count, at: (i) => first + offset + i * shard.count };
}

/** A literal list of seeds (bench). */
export function seedList(seeds: readonly number[]): SeedList {
  return { count: seeds.length, at: (i) => seeds[i]! };
}

const yieldToLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export async function runSweep(scenario: Scenario, opts: SweepOptions): Promise<void> {
  const workers = Math.max(1, Math.min(opts.workers, opts.seeds.count));
  if (opts.seeds.count === 0) return;
  if (workers === 1) {
    for (let i = 0; i < opts.seeds.count; i++) {
      const o = runSeed(scenario, opts.seeds.at(i), opts.overrides, opts.branchAt?.(i));
      if (o.usageError !== undefined) throw new UsageError(o.usageError);
      opts.onResult(o);
      await yieldToLoop();
    }
    return;
  }
  await runInWorkers(opts, workers);
}

/** Seeds queued per worker beyond the one it is running, to hide message latency. */
const PREFETCH = 1;

function runInWorkers(opts: SweepOptions, count: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let next = 0;
    let done = 0;
    let failed = false;
    const pool: Worker[] = [];
    const stopAll = (): void => {
      for (const w of pool) void w.terminate();
    };
    const fail = (e: Error): void => {
      if (failed) return;
      failed = true;
      stopAll();
      reject(e);
    };
    const feed = (w: Worker): void => {
      if (next >= opts.seeds.count) return;
      const i = next++;
      const branch = opts.branchAt?.(i);
      w.postMessage(branch !== undefined ? { seed: opts.seeds.at(i), branch } : { seed: opts.seeds.at(i) });
    };
    for (let i = 0; i < count; i++) {
      const w = new Worker(new URL('./worker.mjs', import.meta.url), {
        workerData: { file: opts.file, overrides: opts.overrides },
      });
      pool.push(w);
      w.on('message', (o: SeedOutcome) => {
        if (failed) return;
        if (o.usageError !== undefined) return fail(new UsageError(o.usageError));
        done++;
        opts.onResult(o);
        if (done === opts.seeds.count) {
          stopAll();
          resolve();
          return;
        }
        feed(w);
      });
      w.on('error', (e) => fail(new Error(`sweep worker failed: ${firstLine(e)}`)));
      w.on('exit', (code) => {
        if (!failed && done < opts.seeds.count) fail(new Error(`sweep worker exited early (code ${code})`));
      });
      for (let k = 0; k <= PREFETCH; k++) feed(w);
    }
  });
}
