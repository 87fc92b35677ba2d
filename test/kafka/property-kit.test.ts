import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkScenario, shrinkOverrides } from '../../sim/check/property.ts';
import { parseScript } from '../../sim/harness/faults.ts';
import { runScenario } from '../../sim/harness/run.ts';
import { SPLIT_CHECKER, plantedRandom } from '../fixtures/planted.ts';

// The parts of the property kit (sim/check/property.ts) the Kafka grid relies on, on the fast planted
// system (test/fixtures/planted.ts): generated configurations, schedules that depend on the
// configuration, and skipping fast-check's shrinking.

const HARMLESS = 'pause,partition,isolate,clog,cut';
const HARMFUL = 'crash,pause,partition,isolate,clog';

describe('checkScenario over generated configurations', () => {
  it('the counterexample carries the configuration it failed under, shrunk to the settings the failure needs', () => {
    const configs = fc.constantFrom(HARMLESS, HARMFUL).map((kinds) => ({ 'planted.kinds': kinds }));
    const r = checkScenario(plantedRandom, { configs, overrides: { 'planted.silenceMs': '1000' }, numRuns: 60, seed: 0 });
    if (r.ok) throw new Error('expected a counterexample under the harmful kinds');
    expect(r.checker).toBe(SPLIT_CHECKER);
    // Only crash (absent from HARMLESS) takes coordinator a down; the fixed override is kept.
    expect(r.overrides).toEqual({ 'planted.silenceMs': '1000', 'planted.kinds': HARMFUL });
    expect(r.minimalFaults.some((f) => f.action.kind === 'crash')).toBe(true);
    // planted.kinds only steers the random nemesis; the minimal schedule is explicit, so the setting
    // goes. The fixed override stays, and the replay sets exactly what is left.
    expect(r.minimalOverrides).toEqual({ 'planted.silenceMs': '1000' });
    expect(r.configShrinkRuns).toBeGreaterThan(0);
    expect(r.replay).toContain('--set planted.silenceMs=1000 --faults');
    expect(r.replay).not.toContain('planted.kinds');
    expect(runScenario(plantedRandom, { seed: r.seed, overrides: r.minimalOverrides, faults: r.minimalFaults }).violations[0]!.checker).toBe(SPLIT_CHECKER);
  });

  it('shrinkOverrides keeps a generated setting the failure needs and drops one it does not', () => {
    // b is cut off for 600 ms while coordinator a is down: reported silent at a 300 ms timeout, not at
    // the default 1000 ms. planted.kinds only steers the random nemesis, unused with a script.
    const faults = parseScript('at 2s crash a for 10s\nat 3s partition host-b | host-a,host-c,host-d for 600ms\n', 'test');
    const failing = { 'planted.silenceMs': '300', 'planted.kinds': HARMLESS };
    expect(runScenario(plantedRandom, { seed: 1, overrides: failing, faults }).violations.map((v) => v.checker)).toContain(SPLIT_CHECKER);
    expect(runScenario(plantedRandom, { seed: 1, overrides: {}, faults }).violations).toEqual([]);
    const r = shrinkOverrides(plantedRandom, { seed: 1, overrides: failing, pinned: {}, faults, checker: SPLIT_CHECKER });
    expect(r.minimal).toEqual({ 'planted.silenceMs': '300' });
    expect(r.violation?.checker).toBe(SPLIT_CHECKER);
    // Pinned settings stay even when the failure does not need them; a budget of 0 runs changes nothing.
    expect(shrinkOverrides(plantedRandom, { seed: 1, overrides: failing, pinned: { 'planted.kinds': HARMLESS }, faults, checker: SPLIT_CHECKER }).minimal).toEqual(failing);
    expect(shrinkOverrides(plantedRandom, { seed: 1, overrides: failing, pinned: {}, faults, checker: SPLIT_CHECKER, maxRuns: 0 })).toEqual({ minimal: failing, violation: null, runs: 0 });
    // A candidate the scenario rejects counts as not failing (here every one: the script names no such process).
    expect(shrinkOverrides(plantedRandom, { seed: 1, overrides: failing, pinned: {}, faults: parseScript('at 2s crash nobody\n', 'test'), checker: SPLIT_CHECKER }).minimal).toEqual(failing);
  });

  it('passes when every generated configuration is harmless', () => {
    const configs = fc.constant({ 'planted.kinds': HARMLESS });
    expect(checkScenario(plantedRandom, { configs, numRuns: 40, seed: 0 })).toEqual({ ok: true, runs: 40 });
  });

  it('hands each configuration to a schedules function', () => {
    const seen = new Set<string>();
    const configs = fc.constantFrom('700', '900').map((ms) => ({ 'planted.silenceMs': ms }));
    const r = checkScenario(plantedRandom, {
      configs, overrides: { 'planted.kinds': HARMLESS }, numRuns: 20, seed: 1,
      schedules: (o) => {
        seen.add(`${o['planted.silenceMs']!}|${o['planted.kinds']!}`);
        return fc.constant([]);
      },
    });
    expect(r).toEqual({ ok: true, runs: 20 });
    expect([...seen].sort()).toEqual([`700|${HARMLESS}`, `900|${HARMLESS}`]);
  });
});

describe('checkScenario with fastCheckShrink off', () => {
  it('shrinks the first failing case with shrinkFaults alone, to the same two-fault kind of schedule', () => {
    const r = checkScenario(plantedRandom, { numRuns: 50, seed: 0, fastCheckShrink: false });
    const withFastCheck = checkScenario(plantedRandom, { numRuns: 50, seed: 0 });
    if (r.ok || withFastCheck.ok) throw new Error('expected counterexamples');
    expect(r.runs).toBe(withFastCheck.runs);
    // fast-check did not shrink it: the schedule is the generated one, at least as long as fast-check's.
    expect(r.faults.length).toBeGreaterThanOrEqual(withFastCheck.faults.length);
    expect(r.shrinkRuns).toBeGreaterThan(0);
    expect(r.minimalFaults).toHaveLength(2);
    expect(runScenario(plantedRandom, { seed: r.seed, faults: r.minimalFaults }).violations[0]!.checker).toBe(SPLIT_CHECKER);
  });
});
