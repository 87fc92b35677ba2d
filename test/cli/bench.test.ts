import { describe, expect, it } from 'vitest';
import { dsim, dsimJson, expectOneLineError } from './helpers.ts';

// `dsim bench`: only the shape is checked. Speed is measured by running bench, never asserted in
// a test (DESIGN.md, Performance budget).

interface BenchJson {
  bareEventsPerSec: number;
  scenarios: { name: string; events: number; eventsPerSec: number; simSpeedup: number; tracedEventsPerSec: number; traceBytesPerEvent: number }[];
  sweepSeedsPerSec: number;
  peakRssMb: number;
  scale: { name: string; events: number; eventsPerSec: number; simSpeedup: number; cpuSpeedup: number; peakRssMb: number }[];
  coldStart: { scenario: string; prebuilt: boolean; wallMs: number; speedup: number; ratioToSteady: number; sourceWallMs: number; sourceSpeedup: number } | null;
}

describe('dsim bench', () => {
  it('--quick --json prints exactly the contract shape, with kernel-pingpong as a bench scenario', () => {
    const { code, json, stderr } = dsimJson<BenchJson>(['bench', '--quick', '--json']);
    expect(code).toBe(0);
    expect(stderr).not.toMatch(/bench: /);
    expect(Object.keys(json).sort()).toEqual(['bareEventsPerSec', 'coldStart', 'peakRssMb', 'scale', 'scenarios', 'sweepSeedsPerSec']);
    // The cold start: a fresh `dsim run` of the reference scenario, prebuilt or from the sources.
    const cold = json.coldStart!;
    expect(Object.keys(cold).sort()).toEqual(['prebuilt', 'ratioToSteady', 'scenario', 'sourceSpeedup', 'sourceWallMs', 'speedup', 'wallMs']);
    expect(json.scenarios.map((s) => s.name)).toContain(cold.scenario);
    expect(typeof cold.prebuilt).toBe('boolean');
    for (const k of ['wallMs', 'speedup', 'ratioToSteady', 'sourceWallMs', 'sourceSpeedup'] as const) expect(cold[k]).toBeGreaterThan(0);
    // yarn-scale is the scale reference (at its quick size here: 200 NodeManagers).
    const ys = json.scale.find((s) => s.name === 'yarn-scale');
    expect(ys).toBeDefined();
    for (const s of json.scale) {
      expect(Object.keys(s).sort()).toEqual(['cpuSpeedup', 'events', 'eventsPerSec', 'name', 'peakRssMb', 'simSpeedup']);
      for (const k of ['events', 'eventsPerSec', 'simSpeedup', 'cpuSpeedup', 'peakRssMb'] as const) expect(s[k]).toBeGreaterThan(0);
    }
    expect(json.bareEventsPerSec).toBeGreaterThan(0);
    expect(json.sweepSeedsPerSec).toBeGreaterThan(0);
    expect(json.peakRssMb).toBeGreaterThan(0);
    const pp = json.scenarios.find((s) => s.name === 'kernel-pingpong');
    expect(pp).toBeDefined();
    for (const s of json.scenarios) {
      expect(Object.keys(s).sort()).toEqual(['events', 'eventsPerSec', 'name', 'simSpeedup', 'traceBytesPerEvent', 'tracedEventsPerSec']);
      expect(Number.isInteger(s.events)).toBe(true);
      expect(s.events).toBeGreaterThan(0);
      for (const k of ['eventsPerSec', 'simSpeedup', 'tracedEventsPerSec', 'traceBytesPerEvent'] as const) expect(s[k]).toBeGreaterThan(0);
    }
  });

  it('human output is a table with the budget and ok/below markers', () => {
    const r = dsim(['bench', '--quick']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^bare scheduler loop: \S+ (M |k )?events\/s {3}\(budget 4\.00 M-7\.00 M\/s: (ok|below)\)/);
    expect(r.stdout).toMatch(/SCENARIO +EVENTS +EVENTS\/S +SPEED-UP +TRACED EV\/S +BYTES\/EVENT/);
    expect(r.stdout).toMatch(/kernel-pingpong +[\d,]+ +[\d.]+( M| k)? +(ok|below) +[\d.]+( M| k)?x +(ok|below) +[\d.]+( M| k)? +(ok|below) +[\d.]+\n/);
    expect(r.stdout).toMatch(/budget +>= 1\.00 M +>= 1000x +>= 250\.0 k/);
    expect(r.stdout).toMatch(/sweep: \S+ seeds\/s of [a-z0-9-]+/);
    expect(r.stdout).toMatch(/SCALE SCENARIO +EVENTS +EVENTS\/S +SPEED-UP +CPU SPEED-UP +PEAK RSS/);
    expect(r.stdout).toMatch(/yarn-scale +[\d,]+ +[\d.]+( M| k)? +[\d.]+( M| k)?x +[\d.]+( M| k)?x +[\d.]+ MB/);
    expect(r.stdout).toMatch(/cold start: dsim run [a-z0-9-]+ in [\d,]+ ms from spawn to exit, [\d.]+( M| k)?x real time, [\d.]+ of the steady state \(goal >= 0\.5: (ok|below)\)/);
    expect(r.stdout).toMatch(/peak RSS: [\d.]+ MB/);
  });

  it('refuses arguments', () => {
    expectOneLineError(dsim(['bench', '--quik']), /unknown flag '--quik' \(did you mean '--quick'\?\)/);
  });
});
