import { describe, expect, it } from 'vitest';
import { dsim, dsimJson, expectOneLineError } from './helpers.ts';

// `dsim bench`: only the shape is checked. Speed is measured by running bench, never asserted in
// a test (DESIGN.md, Performance budget).

interface BenchJson {
  bareEventsPerSec: number;
  scenarios: { name: string; events: number; eventsPerSec: number; simSpeedup: number; tracedEventsPerSec: number; traceBytesPerEvent: number }[];
  sweepSeedsPerSec: number;
  peakRssMb: number;
}

describe('dsim bench', () => {
  it('--quick --json prints exactly the contract shape, with kernel-pingpong as a bench scenario', () => {
    const { code, json, stderr } = dsimJson<BenchJson>(['bench', '--quick', '--json']);
    expect(code).toBe(0);
    expect(stderr).not.toMatch(/bench: /);
    expect(Object.keys(json).sort()).toEqual(['bareEventsPerSec', 'peakRssMb', 'scenarios', 'sweepSeedsPerSec']);
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
    expect(r.stdout).toMatch(/peak RSS: [\d.]+ MB/);
  });

  it('refuses arguments', () => {
    expectOneLineError(dsim(['bench', '--quik']), /unknown flag '--quik' \(did you mean '--quick'\?\)/);
  });
});
