import { describe, expect, it } from 'vitest';
import { ddmin, shrinkFaults, smallerActions, type ShrinkResult } from '../../sim/check/shrink.ts';
import { UsageError } from '../../sim/core/invariant.ts';
import { runScenario } from '../../sim/harness/run.ts';
import { formatScript, parseScript, type Fault } from '../../sim/harness/faults.ts';
import { D_SILENT_CHECKER, PLANTED_SCRIPT, SPLIT_CHECKER, plantedAlways, plantedExpected, plantedMixed, plantedRandom, plantedScripted } from '../fixtures/planted.ts';

const original = parseScript(PLANTED_SCRIPT);
const find = (faults: readonly Fault[], kind: string): Fault | undefined => faults.find((f) => f.action.kind === kind);
const originalPartition = original.find((f) => f.action.kind === 'partition' && f.action.groups.length === 3)!;
const originalCrash = original.find((f) => f.action.kind === 'crash' && f.action.target === 'a' && f.atMs === 13_000)!;

/** The first seeds in 1..50 of planted-random that fail (true) or pass (false). */
function seedsOfPlantedRandom(failing: boolean): number[] {
  const out: number[] = [];
  for (let seed = 1; seed <= 50; seed++) {
    const r = runScenario(plantedRandom, { seed, stopOnViolation: true });
    if ((r.violations.length > 0) === failing) out.push(seed);
  }
  return out;
}

describe('ddmin', () => {
  it('finds the two items out of twenty that make the predicate fail', () => {
    const items = Array.from({ length: 20 }, (_, i) => i);
    let calls = 0;
    const minimal = ddmin(items, (c) => {
      calls++;
      return c.includes(3) && c.includes(17);
    });
    expect(minimal).toEqual([3, 17]);
    expect(calls).toBeLessThan(60);
  });

  it('returns a single item when one alone fails', () => {
    expect(ddmin([5, 6, 7, 8, 9], (c) => c.includes(8))).toEqual([8]);
  });
});

describe('smallerActions', () => {
  it('drops groups of a three-way partition, then hosts of multi-host groups; isolate has none', () => {
    const smaller = smallerActions({ kind: 'partition', groups: [['b', 'd'], ['c'], ['a']] });
    expect(smaller.slice(0, 3)).toEqual([
      { kind: 'partition', groups: [['c'], ['a']] },
      { kind: 'partition', groups: [['b', 'd'], ['a']] },
      { kind: 'partition', groups: [['b', 'd'], ['c']] },
    ]);
    expect(smaller.slice(3)).toEqual([
      { kind: 'partition', groups: [['d'], ['c'], ['a']] },
      { kind: 'partition', groups: [['b'], ['c'], ['a']] },
    ]);
    expect(smallerActions({ kind: 'partition', groups: [['b'], ['c']] })).toEqual([]);
    expect(smallerActions({ kind: 'isolate', target: 'b' })).toEqual([]);
    expect(smallerActions({ kind: 'cut', from: ['a', 'b'], to: ['c'] })).toEqual([
      { kind: 'cut', from: ['b'], to: ['c'] },
      { kind: 'cut', from: ['a'], to: ['c'] },
    ]);
  });
});

describe('shrinkFaults on the planted split', () => {
  let shrunk: ShrinkResult | undefined;
  const shrinkScripted = (): ShrinkResult => (shrunk ??= shrinkFaults(plantedScripted, { seed: 1 }));

  it('reduces the 20-fault script to the b|c partition and the crash of a, shorter and earlier', () => {
    const r = shrinkScripted();
    expect(r.checker).toBe(SPLIT_CHECKER);
    expect(r.original).toEqual(original);
    expect(r.original).toHaveLength(20);
    expect(r.minimal).toHaveLength(2);

    const partition = find(r.minimal, 'partition')!;
    const crash = find(r.minimal, 'crash')!;
    expect(partition.action).toEqual({ kind: 'partition', groups: [['host-b'], ['host-c']] });
    expect(crash.action).toEqual({ kind: 'crash', target: 'a' });
    // b and c must stay apart for longer than planted.silenceMs (1000 ms), so the partition cannot
    // shrink below that; a need only be down when the silence is noticed.
    expect(partition.durationMs!).toBeGreaterThanOrEqual(1000);
    expect(partition.durationMs!).toBeLessThan(originalPartition.durationMs!);
    expect(crash.durationMs!).toBeLessThan(originalCrash.durationMs!);
    expect(partition.atMs).toBeLessThan(originalPartition.atMs);
    expect(crash.atMs).toBeLessThan(originalCrash.atMs);
    expect(r.minimal.map((f) => f.atMs)).toEqual(r.minimal.map((f) => f.atMs).sort((x, y) => x - y));
    expect(r.runs).toBeLessThanOrEqual(500);
    expect(r.violation.checker).toBe(SPLIT_CHECKER);
  });

  it('gives a minimal schedule that fails on its own when replayed, also from its printed script', () => {
    const r = shrinkScripted();
    const replay = runScenario(plantedScripted, { seed: 1, faults: r.minimal });
    expect(replay.expectMet).toBe(false);
    expect(replay.violations[0]!.checker).toBe(SPLIT_CHECKER);
    expect(replay.violations[0]).toEqual(r.violation);
    const fromText = runScenario(plantedScripted, { seed: 1, faults: parseScript(formatScript(r.minimal)) });
    expect(fromText.violations[0]!.checker).toBe(SPLIT_CHECKER);
  });

  it('is deterministic: the same inputs give the same minimal schedule and the same number of runs', () => {
    const again = shrinkFaults(plantedScripted, { seed: 1 });
    expect(again.minimal).toEqual(shrinkScripted().minimal);
    expect(again.runs).toBe(shrinkScripted().runs);
    expect(again.violation).toEqual(shrinkScripted().violation);
  });

  it('shrinks an explicit schedule passed in opts.faults instead of the scenario schedule', () => {
    const r = shrinkFaults(plantedRandom, { seed: 7, faults: original });
    expect(r.original).toEqual(original);
    expect(r.minimal).toHaveLength(2);
    expect(find(r.minimal, 'crash')!.action).toEqual({ kind: 'crash', target: 'a' });
  });

  it('stays within maxRuns (plus the final re-verification) and still returns a failing schedule', () => {
    const progress: number[] = [];
    const r = shrinkFaults(plantedScripted, { seed: 1, maxRuns: 8, onProgress: (runs) => progress.push(runs) });
    expect(r.runs).toBeLessThanOrEqual(9);
    expect(progress).toEqual(Array.from({ length: r.runs }, (_, i) => i + 1));
    expect(r.minimal.length).toBeLessThan(20);
    const replay = runScenario(plantedScripted, { seed: 1, faults: r.minimal });
    expect(replay.violations[0]!.checker).toBe(SPLIT_CHECKER);
  });

  it('shrinks a failing random-nemesis seed to two faults, one of which takes coordinator a down', () => {
    const [seed] = seedsOfPlantedRandom(true);
    expect(seed).toBeDefined();
    const r = shrinkFaults(plantedRandom, { seed: seed! });
    expect(r.original.length).toBeGreaterThan(2);
    expect(r.minimal).toHaveLength(2);
    expect(r.minimal.some((f) => (f.action.kind === 'crash' && f.action.target === 'a') || (f.action.kind === 'power-off' && f.action.target === 'host-a'))).toBe(true);
    const replay = runScenario(plantedRandom, { seed: seed!, faults: r.minimal });
    expect(replay.violations[0]!.checker).toBe(SPLIT_CHECKER);
  });

  it('throws the "does not fail" UsageError for a passing seed', () => {
    const [seed] = seedsOfPlantedRandom(false);
    expect(seed).toBeDefined();
    expect(() => shrinkFaults(plantedRandom, { seed: seed! })).toThrow(UsageError);
    expect(() => shrinkFaults(plantedRandom, { seed: seed! })).toThrow(`seed ${seed} of planted-random does not fail: nothing to shrink`);
  });

  it('shrinks only unexpected violations: a scenario expecting the split has nothing to shrink', () => {
    expect(runScenario(plantedExpected, { seed: 1 }).violations[0]!.checker).toBe(SPLIT_CHECKER);
    expect(() => shrinkFaults(plantedExpected, { seed: 1 })).toThrow('seed 1 of planted-expected does not fail: nothing to shrink');
  });

  it('finds an unexpected violation behind an expected one that fires first', () => {
    const run = runScenario(plantedMixed, { seed: 1 });
    expect(run.violations[0]!.checker).toBe(D_SILENT_CHECKER);
    expect(run.violations.some((v) => v.checker === SPLIT_CHECKER)).toBe(true);
    const r = shrinkFaults(plantedMixed, { seed: 1 });
    expect(r.checker).toBe(SPLIT_CHECKER);
    expect(r.minimal).toHaveLength(2);
    expect(find(r.minimal, 'crash')!.action).toEqual({ kind: 'crash', target: 'a' });
  });

  it('returns an empty schedule when the checker fires without any fault', () => {
    const r = shrinkFaults(plantedAlways, { seed: 1 });
    expect(r.checker).toBe('planted-always');
    expect(r.minimal).toEqual([]);
    expect(r.runs).toBe(3);
  });
});
