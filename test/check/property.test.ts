import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  assertScenario, checkScenario, faultScheduleArb, replayCommand, seedArb, swarmArb, swarmScheduleArb,
  type FaultScheduleArbOptions,
} from '../../sim/check/property.ts';
import { UsageError } from '../../sim/core/invariant.ts';
import { resolveScenarioConfig, runScenario } from '../../sim/harness/run.ts';
import { World } from '../../sim/world/world.ts';
import { formatScript, parseScript, validateScript, type Fault } from '../../sim/harness/faults.ts';
import type { RandomFaultKind } from '../../sim/harness/nemesis.ts';
import { HOSTS, PEERS, SPLIT_CHECKER, plantedRandom, plantedScripted } from '../fixtures/planted.ts';

const ALL_KINDS: RandomFaultKind[] = ['crash', 'restart', 'pause', 'power-off', 'partition', 'isolate', 'cut', 'bridge', 'clog', 'slow-disk', 'clock'];
const NAMES = { processes: [...PEERS], hosts: HOSTS };
/** Kinds that never take coordinator a down: the planted split cannot happen under them. */
const HARMLESS_KINDS = 'pause,partition,isolate,clog,cut';

function plantedWorld(): World {
  const cfg = resolveScenarioConfig(plantedScripted);
  const world = new World({ seed: 1, config: cfg });
  plantedScripted.build(world, cfg);
  return world;
}

const find = (faults: readonly Fault[], kind: string): Fault | undefined => faults.find((f) => f.action.kind === kind);

/** Faults down (crash, pause, power-off) at time t, by the same bookkeeping the nemesis uses. */
function downAt(faults: readonly Fault[], t: number): Fault[] {
  return faults.filter((f) => (f.action.kind === 'crash' || f.action.kind === 'pause' || f.action.kind === 'power-off')
    && f.atMs <= t && t < f.atMs + (f.durationMs ?? Infinity));
}

describe('faultScheduleArb', () => {
  const opts: FaultScheduleArbOptions = { ...NAMES, kinds: ALL_KINDS, faultPhaseMs: 20_000, maxFaults: 25, durationMsMin: 50, durationMsMax: 9_000 };

  it('produces only sorted schedules that validateScript accepts and that survive formatScript -> parseScript', () => {
    const world = plantedWorld();
    fc.assert(fc.property(faultScheduleArb(opts), (faults) => {
      expect(faults.length).toBeLessThanOrEqual(25);
      validateScript(world, faults);
      expect(parseScript(formatScript(faults))).toEqual(faults);
      for (let i = 1; i < faults.length; i++) expect(faults[i]!.atMs).toBeGreaterThanOrEqual(faults[i - 1]!.atMs);
      for (const f of faults) {
        expect(f.atMs).toBeGreaterThanOrEqual(0);
        expect(f.atMs).toBeLessThan(20_000);
        if (f.action.kind === 'restart') expect(f.durationMs).toBeUndefined();
        else {
          expect(f.durationMs!).toBeGreaterThanOrEqual(50);
          expect(f.durationMs!).toBeLessThanOrEqual(9_000);
        }
        if (f.action.kind === 'partition') {
          expect(f.action.groups.length).toBe(2);
          for (const g of f.action.groups) expect(g.length).toBeGreaterThan(0);
          expect(new Set(f.action.groups.flat()).size).toBe(f.action.groups.flat().length);
        }
        if (f.action.kind === 'cut') expect(f.action.from[0]).not.toBe(f.action.to[0]);
        if (f.action.kind === 'clog') expect(f.action.a).not.toBe(f.action.b);
      }
    }), { seed: 42, numRuns: 300 });
  });

  it('generates every requested kind and nothing else', () => {
    const seen = new Set<string>();
    fc.assert(fc.property(faultScheduleArb({ ...opts, kinds: ['crash', 'clock', 'bridge'] }), (faults) => {
      for (const f of faults) seen.add(f.action.kind === 'partition' ? 'bridge' : f.action.kind);
    }), { seed: 7, numRuns: 100 });
    expect([...seen].sort()).toEqual(['bridge', 'clock', 'crash']);
  });

  it('never has more than maxDown processes or hosts down at once, nor more than maxPoweredOff hosts off', () => {
    const limited = faultScheduleArb({ ...opts, kinds: ['crash', 'pause', 'power-off', 'restart'], maxFaults: 40, maxDown: 2, maxPoweredOff: 1 });
    fc.assert(fc.property(limited, (faults) => {
      for (const f of faults) {
        const down = downAt(faults, f.atMs);
        expect(down.length).toBeLessThanOrEqual(2);
        expect(down.filter((d) => d.action.kind === 'power-off').length).toBeLessThanOrEqual(1);
      }
    }), { seed: 3, numRuns: 200 });
  });

  it('rejects kinds that cannot be generated from the names given', () => {
    expect(() => faultScheduleArb({ processes: [], hosts: ['h1'], kinds: ['crash', 'partition'], faultPhaseMs: 1000, maxFaults: 3 })).toThrow(UsageError);
  });
});

describe('swarmArb and swarmScheduleArb', () => {
  it('draws a non-empty subset of kinds, ordered duration bounds and maxDown within its bound', () => {
    fc.assert(fc.property(swarmArb({ ...NAMES, kinds: ALL_KINDS, maxDown: 2 }), (s) => {
      expect(s.kinds.length).toBeGreaterThan(0);
      for (const k of s.kinds) expect(ALL_KINDS).toContain(k);
      expect(s.durationMsMin).toBeLessThanOrEqual(s.durationMsMax);
      expect(s.meanIntervalMs).toBeGreaterThanOrEqual(500);
      expect(s.maxDown).toBeGreaterThanOrEqual(1);
      expect(s.maxDown).toBeLessThanOrEqual(2);
      expect(s.swarm).toBe(false);
    }), { seed: 11, numRuns: 200 });
  });

  it('produces schedules the world accepts and that round-trip through the text form', () => {
    const world = plantedWorld();
    fc.assert(fc.property(swarmScheduleArb({ ...NAMES, kinds: ALL_KINDS, faultPhaseMs: 10_000, maxFaults: 20 }), (faults) => {
      validateScript(world, faults);
      expect(parseScript(formatScript(faults))).toEqual(faults);
    }), { seed: 5, numRuns: 200 });
  });

  it('seedArb gives non-negative 32-bit integers', () => {
    fc.assert(fc.property(seedArb(), (s) => Number.isInteger(s) && s >= 0 && s <= 0xffff_ffff), { seed: 1, numRuns: 200 });
  });
});

describe('checkScenario', () => {
  it('finds the planted split within 50 runs and returns a two-fault minimal script that replays', () => {
    const r = checkScenario(plantedRandom, { numRuns: 50, seed: 0 });
    if (r.ok) throw new Error('expected a counterexample within 50 runs');
    expect(r.checker).toBe(SPLIT_CHECKER);
    expect(r.violation.checker).toBe(SPLIT_CHECKER);
    expect(r.minimalFaults).toHaveLength(2);
    expect(r.minimalFaults.some((f) => (f.action.kind === 'crash' && f.action.target === 'a') || (f.action.kind === 'power-off' && f.action.target === 'host-a'))).toBe(true);
    expect(parseScript(r.script)).toEqual(r.minimalFaults);
    expect(r.replay).toContain(`npx dsim run planted-random --seed ${r.seed} --faults planted-random-seed-${r.seed}.faults`);
    expect(r.replay).toContain(r.script.trimEnd());
    const replay = runScenario(plantedRandom, { seed: r.seed, faults: parseScript(r.script) });
    expect(replay.violations[0]!.checker).toBe(SPLIT_CHECKER);
    const original = runScenario(plantedRandom, { seed: r.seed, faults: r.faults });
    expect(original.violations[0]!.checker).toBe(SPLIT_CHECKER);
  });

  it('is deterministic given fast-check\'s seed', () => {
    const a = checkScenario(plantedRandom, { numRuns: 50, seed: 3 });
    const b = checkScenario(plantedRandom, { numRuns: 50, seed: 3 });
    expect(a.ok).toBe(false);
    expect(b).toEqual(a);
  });

  it('with shrink off returns fast-check\'s counterexample as the minimal schedule', () => {
    const r = checkScenario(plantedRandom, { numRuns: 50, seed: 0, shrink: false });
    if (r.ok) throw new Error('expected a counterexample');
    expect(r.minimalFaults).toEqual(r.faults);
  });

  it('returns ok when the checker cannot fire: no fault kind takes coordinator a down', () => {
    const r = checkScenario(plantedRandom, { numRuns: 60, seed: 0, overrides: { 'planted.kinds': HARMLESS_KINDS } });
    expect(r).toEqual({ ok: true, runs: 60 });
  });

  it('explores schedules given explicitly, for a scenario without a nemesis', () => {
    // Only a may crash, so the split needs b or c isolated as well.
    const schedules = faultScheduleArb({ processes: ['a'], hosts: HOSTS, kinds: ['crash', 'isolate'], faultPhaseMs: 22_000, maxFaults: 10, durationMsMin: 1_000, durationMsMax: 8_000 });
    const r = checkScenario(plantedScripted, { numRuns: 100, seed: 0, schedules });
    if (r.ok) throw new Error('expected a counterexample');
    expect(r.checker).toBe(SPLIT_CHECKER);
    expect(r.minimalFaults).toHaveLength(2);
    expect(find(r.minimalFaults, 'crash')!.action).toEqual({ kind: 'crash', target: 'a' });
    expect(['host-b', 'host-c']).toContain((find(r.minimalFaults, 'isolate')!.action as { target: string }).target);
    expect(() => checkScenario(plantedScripted, { numRuns: 5 })).toThrow(UsageError);
  });
});

describe('assertScenario', () => {
  it('throws an error naming the seed, the checker, the violation and the minimal script', () => {
    const r = checkScenario(plantedRandom, { numRuns: 50, seed: 0 });
    if (r.ok) throw new Error('expected a counterexample');
    let message = '';
    try {
      assertScenario(plantedRandom, { numRuns: 50, seed: 0 });
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toContain(`seed ${r.seed}`);
    expect(message).toContain(SPLIT_CHECKER);
    expect(message).toContain(r.violation.message);
    expect(message).toContain(r.script.trimEnd());
    expect(message).toContain(r.replay);
  });

  it('passes quietly when no checker can fire', () => {
    expect(() => assertScenario(plantedRandom, { numRuns: 30, overrides: { 'planted.kinds': HARMLESS_KINDS } })).not.toThrow();
  });
});

describe('replayCommand', () => {
  it('writes the script with a heredoc and quotes --set values for the shell', () => {
    const cmd = replayCommand('planted-random', 4, { 'planted.kinds': 'pause, crash' }, 'at 0ms crash a for 1s\n');
    expect(cmd).toBe([
      "cat > planted-random-seed-4.faults <<'EOF'",
      'at 0ms crash a for 1s',
      'EOF',
      "npx dsim run planted-random --seed 4 --set 'planted.kinds=pause, crash' --faults planted-random-seed-4.faults",
    ].join('\n'));
  });
});
