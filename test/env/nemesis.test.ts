import { describe, expect, it } from 'vitest';
import { Rng } from '../../sim/core/rng.ts';
import type { ProcessId } from '../../sim/core/types.ts';
import { MS } from '../../sim/core/types.ts';
import type { World } from '../../sim/world/world.ts';
import { formatScript, parseScript, scheduleFaults, validateScript, type Fault, type FaultKind } from '../../sim/harness/faults.ts';
import { generateFaults, type NemesisOptions, type RandomFaultKind } from '../../sim/harness/nemesis.ts';
import { addProbe, constantNetwork, testWorld } from './fixtures.ts';

// Random fault generation: a seed becomes an explicit schedule. It must stay inside the fault model
// it is given (kinds, how many processes down, how many hosts powered off), vary per seed in swarm
// mode, and be a pure function of the seed.

const HOSTS = ['h1', 'h2', 'h3', 'h4', 'h5'];
const PROCS = ['p1', 'p2', 'p3', 'p4', 'p5'];

const ALL: RandomFaultKind[] = ['crash', 'restart', 'shutdown', 'pause', 'power-off', 'partition', 'isolate', 'cut', 'bridge', 'clog', 'slow-disk', 'clock'];

function opts(over: Partial<NemesisOptions> = {}): NemesisOptions {
  return {
    kinds: ALL, processes: PROCS, hosts: HOSTS, meanIntervalMs: 2000, durationMsMin: 1000, durationMsMax: 10_000,
    maxDown: 2, maxPoweredOff: 1, ...over,
  };
}

const PHASE_MS = 120_000;

/** Which fault kinds a random kind may produce (a bridge is a partition that spares one host). */
const PRODUCES: Record<RandomFaultKind, FaultKind> = {
  crash: 'crash', restart: 'restart', shutdown: 'shutdown', pause: 'pause', 'power-off': 'power-off', partition: 'partition',
  isolate: 'isolate', cut: 'cut', bridge: 'partition', clog: 'clog', 'slow-disk': 'slow-disk', 'disk-full': 'disk-full', clock: 'clock',
};

/** The largest number of crash/pause/power-off intervals in force at once, and of power-offs. */
function peakDown(faults: readonly Fault[]): { down: number; powered: number } {
  const edges: [number, number, boolean][] = [];
  for (const f of faults) {
    const k = f.action.kind;
    if (k !== 'crash' && k !== 'shutdown' && k !== 'pause' && k !== 'power-off') continue;
    const end = f.atMs + (f.durationMs ?? Infinity);
    edges.push([f.atMs, 1, k === 'power-off'], [end, -1, k === 'power-off']);
  }
  // Ends before starts at the same instant: a fault ending at t frees its slot for one starting at t.
  edges.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let down = 0;
  let powered = 0;
  let peak = { down: 0, powered: 0 };
  for (const [, d, p] of edges) {
    down += d;
    if (p) powered += d;
    peak = { down: Math.max(peak.down, down), powered: Math.max(peak.powered, powered) };
  }
  return peak;
}

describe('nemesis: fault model bounds', () => {
  it('never has more than maxDown processes down or paused (and hosts off), nor more than maxPoweredOff hosts off', () => {
    for (let seed = 1; seed <= 300; seed++) {
      const maxDown = 1 + (seed % 3);
      const { faults } = generateFaults(new Rng(seed).fork('nemesis'), opts({ maxDown, maxPoweredOff: 1, kinds: ['crash', 'pause', 'power-off', 'restart'] }), PHASE_MS);
      const peak = peakDown(faults);
      expect(peak.down, `seed ${seed}`).toBeLessThanOrEqual(maxDown);
      expect(peak.powered, `seed ${seed}`).toBeLessThanOrEqual(1);
    }
  });

  it('the bounds hold in a running world too (sampled at the end of every instant)', () => {
    for (let seed = 1; seed <= 20; seed++) {
      const world = testWorld({ seed, network: constantNetwork(100) });
      PROCS.forEach((p, i) => addProbe(world, p, HOSTS[i]!));
      const { faults } = generateFaults(new Rng(seed).fork('nemesis'), opts({ maxDown: 2, maxPoweredOff: 1, kinds: ['crash', 'pause', 'power-off', 'restart'], meanIntervalMs: 500 }), 60_000);
      validateScript(world, faults);
      scheduleFaults(world, faults);
      let worst = 0;
      let worstOff = 0;
      world.runUntil(80_000 * MS, () => {
        if (world.scheduler.peekTimeUs() > world.nowUs) {
          worst = Math.max(worst, countDown(world));
          worstOff = Math.max(worstOff, world.powered.filter((x) => !x).length);
        }
        return false;
      });
      expect(worst, `seed ${seed}`).toBeLessThanOrEqual(2);
      expect(worstOff, `seed ${seed}`).toBeLessThanOrEqual(1);
      expect(worst, `seed ${seed}: the nemesis should have done something`).toBeGreaterThan(0);
    }
  });

  it('power-off only hits the allowed hosts', () => {
    for (let seed = 1; seed <= 100; seed++) {
      const { faults } = generateFaults(new Rng(seed), opts({ kinds: ['power-off'], powerOffHosts: ['h4', 'h5'], maxDown: 3, maxPoweredOff: 2 }), PHASE_MS);
      for (const f of faults) expect(['h4', 'h5']).toContain((f.action as { target: string }).target);
      expect(peakDown(faults).powered).toBeLessThanOrEqual(2);
    }
  });

  it('uses only the enabled kinds and names only the given processes and hosts', () => {
    for (const kinds of [['crash'], ['partition', 'clog'], ['bridge'], ['slow-disk', 'clock', 'pause'], ALL] as RandomFaultKind[][]) {
      const allowed = new Set(kinds.map((k) => PRODUCES[k]));
      for (let seed = 1; seed <= 50; seed++) {
        const { faults, enabledKinds } = generateFaults(new Rng(seed), opts({ kinds }), PHASE_MS);
        expect(enabledKinds).toEqual(kinds);
        for (const f of faults) {
          expect(allowed.has(f.action.kind), `${f.action.kind} from ${kinds.join(',')}`).toBe(true);
          const a = f.action;
          if (a.kind === 'crash' || a.kind === 'pause' || a.kind === 'restart') expect(PROCS).toContain(a.target);
          if (a.kind === 'power-off' || a.kind === 'isolate' || a.kind === 'slow-disk' || a.kind === 'clock') expect(HOSTS).toContain(a.target);
          if (a.kind === 'partition') expect(a.groups.flat().every((h) => HOSTS.includes(h))).toBe(true);
        }
      }
    }
  });

  it('fault times lie inside the fault phase and durations inside the configured range', () => {
    for (let seed = 1; seed <= 100; seed++) {
      const { faults } = generateFaults(new Rng(seed), opts(), PHASE_MS);
      for (const f of faults) {
        expect(f.atMs).toBeGreaterThanOrEqual(0);
        expect(f.atMs).toBeLessThan(PHASE_MS);
        if (f.action.kind === 'restart') expect(f.durationMs).toBeUndefined();
        else {
          expect(f.durationMs).toBeGreaterThanOrEqual(1000);
          expect(f.durationMs).toBeLessThanOrEqual(10_000);
        }
      }
      for (let i = 1; i < faults.length; i++) expect(faults[i]!.atMs).toBeGreaterThan(faults[i - 1]!.atMs);
    }
  });

  it('the mean interval sets the rate of faults', () => {
    let n = 0;
    for (let seed = 1; seed <= 50; seed++) n += generateFaults(new Rng(seed), opts({ kinds: ['partition'], meanIntervalMs: 1000 }), 100_000).faults.length;
    // ~100 per run (exponential gaps of mean 1 s, rounded to 10 ms).
    expect(n / 50).toBeGreaterThan(90);
    expect(n / 50).toBeLessThan(110);
  });
});

describe('nemesis: swarm and determinism', () => {
  it('swarm mode enables a random non-empty subset of the kinds per seed, and generates only those', () => {
    const subsets = new Set<string>();
    for (let seed = 1; seed <= 200; seed++) {
      const { faults, enabledKinds } = generateFaults(new Rng(seed), opts({ swarm: true }), PHASE_MS);
      expect(enabledKinds.length).toBeGreaterThan(0);
      expect(enabledKinds.every((k) => ALL.includes(k))).toBe(true);
      subsets.add(enabledKinds.join(','));
      const allowed = new Set(enabledKinds.map((k) => PRODUCES[k]));
      for (const f of faults) expect(allowed.has(f.action.kind)).toBe(true);
    }
    expect(subsets.size).toBeGreaterThan(50);
    // Some seeds enable one kind, some nearly all.
    const sizes = [...subsets].map((s) => s.split(',').length);
    expect(Math.min(...sizes)).toBeLessThanOrEqual(2);
    expect(Math.max(...sizes)).toBeGreaterThanOrEqual(9);
  });

  it('is a pure function of the seed; different seeds give different schedules', () => {
    const gen = (seed: number) => generateFaults(new Rng(seed).fork('nemesis'), opts({ swarm: true }), PHASE_MS);
    for (let seed = 1; seed <= 30; seed++) expect(gen(seed)).toEqual(gen(seed));
    const distinct = new Set(Array.from({ length: 30 }, (_, i) => formatScript(gen(i + 1).faults)));
    expect(distinct.size).toBe(30);
  });

  it('a generated schedule survives the text form (what shrink prints replays the same run)', () => {
    for (let seed = 1; seed <= 50; seed++) {
      const { faults } = generateFaults(new Rng(seed), opts({ swarm: true }), PHASE_MS);
      expect(parseScript(formatScript(faults))).toEqual(faults);
    }
  });
});

function countDown(world: World): number {
  let n = 0;
  for (let h = 0; h < world.hostNames.length; h++) if (!world.powered[h]) n++;
  for (let p = 0; p < world.processCount; p++) {
    const pid = p as ProcessId;
    if (!world.powered[world.procHost[pid]!]) continue; // counted with its host
    if (!world.isUp(pid) || world.isPaused(pid)) n++;
  }
  return n;
}
