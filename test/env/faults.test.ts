import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../sim/core/invariant.ts';
import { MS, SEC } from '../../sim/core/types.ts';
import type { World } from '../../sim/world/world.ts';
import {
  defineFaultTarget,
  FAULT_KINDS, formatDuration, formatScript, healEverything, parseDuration, parseFault, parseScript,
  scheduleFaults, validateScript, type Fault, type FaultAction,
} from '../../sim/harness/faults.ts';
import { FAULT_REGISTRY } from '../../sim/harness/fault-registry.ts';
import { addProbe, constantNetwork, testWorld, text, type Probe } from './fixtures.ts';

// The fault script: its text form (what users write and `dsim shrink` prints), validation against
// a world, and what each fault does to the world at its time and when it ends.

// ---------------------------------------------------------------- text form

describe('fault script text form', () => {
  const one = (line: string): Fault => parseFault(line, 'test');

  it('parses every fault kind', () => {
    const cases: [string, Fault][] = [
      ['at 10s crash broker-1 for 20s', { atMs: 10_000, durationMs: 20_000, action: { kind: 'crash', target: 'broker-1' } }],
      ['at 5s restart zk-2', { atMs: 5000, action: { kind: 'restart', target: 'zk-2' } }],
      ['at 5s shutdown broker-1 for 30s', { atMs: 5000, durationMs: 30_000, action: { kind: 'shutdown', target: 'broker-1' } }],
      ['at 5s pause broker-2 for 8s', { atMs: 5000, durationMs: 8000, action: { kind: 'pause', target: 'broker-2' } }],
      ['at 5s power-off host-1 for 10s', { atMs: 5000, durationMs: 10_000, action: { kind: 'power-off', target: 'host-1' } }],
      ['at 12s partition zk-1,broker-1 | zk-2,zk-3,broker-2 for 30s', { atMs: 12_000, durationMs: 30_000, action: { kind: 'partition', groups: [['zk-1', 'broker-1'], ['zk-2', 'zk-3', 'broker-2']] } }],
      ['at 12s isolate broker-1 for 5s', { atMs: 12_000, durationMs: 5000, action: { kind: 'isolate', target: 'broker-1' } }],
      ['at 12s cut broker-1 -> broker-2 for 5s', { atMs: 12_000, durationMs: 5000, action: { kind: 'cut', from: ['broker-1'], to: ['broker-2'] } }],
      ['at 30s heal', { atMs: 30_000, action: { kind: 'heal' } }],
      ['at 5s clog broker-1 broker-2 for 2s', { atMs: 5000, durationMs: 2000, action: { kind: 'clog', a: 'broker-1', b: 'broker-2' } }],
      ['at 5s slow-disk host-1 x10 for 20s', { atMs: 5000, durationMs: 20_000, action: { kind: 'slow-disk', target: 'host-1', factor: 10 } }],
      ['at 5s slow-disk host-1 stall', { atMs: 5000, action: { kind: 'slow-disk', target: 'host-1', factor: Infinity } }],
      ['at 5s slow-disk host-1 x0', { atMs: 5000, action: { kind: 'slow-disk', target: 'host-1', factor: Infinity } }],
      ['at 5s disk-full host-1 for 20s', { atMs: 5000, durationMs: 20_000, action: { kind: 'disk-full', target: 'host-1' } }],
      ['at 5s disk-error host-1 for 20s', { atMs: 5000, durationMs: 20_000, action: { kind: 'disk-error', target: 'host-1' } }],
      ['at 5s corrupt host-1', { atMs: 5000, action: { kind: 'corrupt', target: 'host-1' } }],
      ['at 5s corrupt host-1 zk-1/log.1', { atMs: 5000, action: { kind: 'corrupt', target: 'host-1', file: 'zk-1/log.1' } }],
      ['at 5s clock host-1 offset 500ms drift 100ppm for 60s', { atMs: 5000, durationMs: 60_000, action: { kind: 'clock', target: 'host-1', offsetMs: 500, driftPpm: 100 } }],
      ['at 5s clock host-1 offset -2s', { atMs: 5000, action: { kind: 'clock', target: 'host-1', offsetMs: -2000, driftPpm: 0 } }],
      ['at 250ms crash a   # a comment', { atMs: 250, action: { kind: 'crash', target: 'a' } }],
      ['at 1.5m crash a for 0.5h', { atMs: 90_000, durationMs: 1_800_000, action: { kind: 'crash', target: 'a' } }],
      ['at 2.01s crash a', { atMs: 2010, action: { kind: 'crash', target: 'a' } }],
    ];
    for (const [line, fault] of cases) expect(one(line), line).toEqual(fault);
    const kinds = new Set(cases.map(([, f]) => f.action.kind));
    expect([...kinds].sort()).toEqual([...FAULT_KINDS].sort());
  });

  it('parseScript skips blank and comment lines and sorts by time', () => {
    const script = '# faults\n\nat 20s heal\n  # indented comment\nat 10s crash a for 1s\r\nat 15s isolate b\n';
    expect(parseScript(script).map((f) => f.atMs)).toEqual([10_000, 15_000, 20_000]);
    expect(parseScript('')).toEqual([]);
    expect(formatScript([])).toBe('');
  });

  it('bad lines give a one-line UsageError that names the source and line', () => {
    const bad: [string, RegExp][] = [
      ['crash a', /expected 'at <time> <fault>/],
      ['at soon crash a', /'soon' is not a duration/],
      ['at 1s crash a for ever', /'ever' is not a duration/],
      ['at 1s explode a', /unknown fault 'explode' \(known: crash, /],
      ['at 1s crash', /'crash' needs 1 argument/],
      ['at 1s clog a', /'clog' needs 2 arguments/],
      ['at 1s partition a,b', /partition needs groups separated by '\|'/],
      ['at 1s partition a | ', /partition needs groups/],
      ['at 1s cut a b', /cut needs 'cut a,b -> c'/],
      ['at 1s slow-disk h x0.5', /slow-disk factor must be like x10/],
      ['at 1s slow-disk h fast', /slow-disk factor/],
      ['at 1s clock h 500ms', /clock needs 'clock <host> offset <duration>/],
      ['at 1s clock h offset later', /'later' is not a duration/],
    ];
    for (const [line, why] of bad) {
      let err: unknown = null;
      try {
        parseScript(`at 1s heal\n# ok\n${line}\n`, 'faults.txt');
      } catch (e) {
        err = e;
      }
      expect(err, line).toBeInstanceOf(UsageError);
      const msg = (err as Error).message;
      expect(msg, line).toMatch(/^faults\.txt:3: /);
      expect(msg, line).toMatch(why);
      expect(msg.includes('\n'), line).toBe(false);
    }
  });

  it('durations: units, bare numbers are seconds, whole microseconds', () => {
    expect(parseDuration('500ms', 'x')).toBe(500);
    expect(parseDuration('10', 'x')).toBe(10_000);
    expect(parseDuration('2m', 'x')).toBe(120_000);
    expect(parseDuration('1h', 'x')).toBe(3_600_000);
    expect(parseDuration('1.001s', 'x')).toBe(1001);
    expect(parseDuration('0.0005ms', 'x')).toBe(0.001); // rounded to a whole microsecond
    expect(formatDuration(0)).toBe('0ms');
    expect(formatDuration(20_000)).toBe('20s');
    expect(formatDuration(1500)).toBe('1.5s');
    expect(formatDuration(250)).toBe('250ms');
  });
});

// Arbitrary faults in the subset the text form can express: names without separators, times and
// durations in whole microseconds.
const nameArb = fc.stringMatching(/^[a-z][a-z0-9-]{0,8}$/).filter((n) => n !== 'for');
const namesArb = fc.array(nameArb, { minLength: 1, maxLength: 4 });
const msArb = fc.integer({ min: 0, max: 50_000_000_000 }).map((us) => us / 1000);
const actionArb: fc.Arbitrary<FaultAction> = fc.oneof(
  fc.record({ kind: fc.constantFrom('crash' as const, 'restart' as const, 'shutdown' as const, 'pause' as const, 'power-off' as const, 'isolate' as const, 'disk-full' as const, 'disk-error' as const), target: nameArb }),
  // A name on two sides of a partition is rejected by the parser: the groups are disjoint.
  fc.uniqueArray(nameArb, { minLength: 2, maxLength: 12 }).chain((names) => fc.integer({ min: 2, max: names.length }).map((n) => ({
    kind: 'partition' as const, groups: Array.from({ length: n }, (_, g) => names.filter((_, i) => i % n === g)),
  }))),
  fc.record({ kind: fc.constant('cut' as const), from: namesArb, to: namesArb }),
  fc.record({ kind: fc.constant('heal' as const) }),
  fc.record({ kind: fc.constant('clog' as const), a: nameArb, b: nameArb }),
  fc.record({ kind: fc.constant('slow-disk' as const), target: nameArb, factor: fc.oneof(fc.constant(Infinity), fc.integer({ min: 1, max: 1000 }), fc.integer({ min: 1000, max: 100_000 }).map((x) => x / 1000)) }),
  fc.record({ kind: fc.constant('corrupt' as const), target: nameArb }),
  fc.record({ kind: fc.constant('corrupt' as const), target: nameArb, file: fc.stringMatching(/^[a-z0-9][a-z0-9./_-]{0,20}$/) }),
  fc.record({ kind: fc.constant('clock' as const), target: nameArb, offsetMs: fc.integer({ min: -100_000_000, max: 100_000_000 }).map((us) => us / 1000), driftPpm: fc.integer({ min: -1000, max: 1000 }) }),
);
// Instantaneous kinds (restart, heal, corrupt) take no duration: the parser rejects one.
const faultArb: fc.Arbitrary<Fault> = fc.record({ atMs: msArb, durationMs: msArb, action: actionArb }, { requiredKeys: ['atMs', 'action'] })
  .map((f) => (FAULT_REGISTRY[f.action.kind].duration === 'none' ? { atMs: f.atMs, action: f.action } : f));

describe('fault script text form: property', () => {
  it('formatScript then parseScript gives back the same faults, for any script', () => {
    fc.assert(fc.property(fc.array(faultArb, { maxLength: 20 }), (faults) => {
      const sorted = faults.slice().sort((a, b) => a.atMs - b.atMs);
      expect(parseScript(formatScript(faults))).toEqual(sorted);
    }), { seed: 4242, numRuns: 500 });
  });

  it('formatDuration then parseDuration is exact for whole microseconds', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 10_000_000_000_000 }), (us) => {
      expect(parseDuration(formatDuration(us / 1000), 'x')).toBe(us / 1000);
    }), { seed: 17, numRuns: 2000 });
  });
});

// ---------------------------------------------------------------- validation

function smallCluster(): { world: World; probes: Probe[] } {
  const world = testWorld({ network: constantNetwork(100) });
  const probes = [
    addProbe(world, 'p1', 'h1'),
    addProbe(world, 'p2', 'h2'),
    addProbe(world, 'p3', 'h3'),
    addProbe(world, 'p4', 'h3'),
  ];
  return { world, probes };
}

describe('validateScript', () => {
  it('accepts process and host names where they fit', () => {
    const { world } = smallCluster();
    expect(() => validateScript(world, parseScript('at 1s crash p1\nat 1s partition p1,h2 | h3\nat 2s power-off h1\nat 2s slow-disk p2 x5\nat 3s clock h3 offset 1s'))).not.toThrow();
  });

  it('rejects unknown names with a one-line UsageError naming the fault and the name', () => {
    const { world } = smallCluster();
    for (const line of ['at 1s crash nobody', 'at 1s partition p1 | ghost', 'at 1s cut p1 -> ghost', 'at 1s clog p1 ghost', 'at 1s power-off ghost']) {
      let err: unknown = null;
      try {
        validateScript(world, parseScript(line));
      } catch (e) {
        err = e;
      }
      expect(err, line).toBeInstanceOf(UsageError);
      expect((err as Error).message).toMatch(/no process or host named '(nobody|ghost)'/);
      expect((err as Error).message.includes('\n')).toBe(false);
    }
  });

  it('rejects process faults aimed at a host', () => {
    const { world } = smallCluster();
    expect(() => validateScript(world, parseScript('at 1s crash h1'))).toThrow(/'h1' is not a process/);
    expect(() => validateScript(world, parseScript('at 1s pause h2'))).toThrow(UsageError);
  });
});

// ---------------------------------------------------------------- applying faults

describe('scheduled faults apply at their time and undo after their duration', () => {
  it('crash: down for the duration, then a fresh incarnation', () => {
    const { world, probes: [p1] } = smallCluster();
    scheduleFaults(world, parseScript('at 1s crash p1 for 2s'));
    world.runUntil(999 * MS);
    expect(world.isUp(p1!.pid)).toBe(true);
    world.runUntil(1 * SEC);
    expect(world.isUp(p1!.pid)).toBe(false);
    world.runUntil(2999 * MS);
    expect(world.isUp(p1!.pid)).toBe(false);
    world.runUntil(3 * SEC);
    expect(p1!.of('start').map((e) => [e.t, e.inc])).toEqual([[0, 1], [3 * SEC, 2]]);
  });

  it('a crash of a process that is already down does nothing, and its end does not restart it early', () => {
    const { world, probes: [p1] } = smallCluster();
    scheduleFaults(world, parseScript('at 1s crash p1 for 10s\nat 2s crash p1 for 2s'));
    world.runUntil(5 * SEC);
    expect(world.isUp(p1!.pid)).toBe(false);
    world.runUntil(11 * SEC);
    expect(p1!.of('start').map((e) => e.t)).toEqual([0, 11 * SEC]);
  });

  it('a power-off of a host already off does nothing, and its end does not power it on early', () => {
    const { world } = smallCluster();
    scheduleFaults(world, parseScript('at 1s power-off h1 for 10s\nat 2s power-off h1 for 2s'));
    world.runUntil(5 * SEC);
    expect(world.powered[0]).toBe(false);
    world.runUntil(11 * SEC);
    expect(world.powered[0]).toBe(true);
  });

  it('crash without a duration stays down', () => {
    const { world, probes: [p1] } = smallCluster();
    scheduleFaults(world, parseScript('at 1s crash p1'));
    world.runUntil(100 * SEC);
    expect(world.isUp(p1!.pid)).toBe(false);
  });

  it('restart: a new incarnation at once', () => {
    const { world, probes: [p1] } = smallCluster();
    scheduleFaults(world, parseScript('at 1s restart p1'));
    world.runUntil(2 * SEC);
    expect(p1!.of('start').map((e) => [e.t, e.inc])).toEqual([[0, 1], [1 * SEC, 2]]);
  });

  it('shutdown: the actor runs its orderly stop and exits when it is done; `for` starts it again', () => {
    const world = testWorld();
    const p1 = addProbe(world, 'p1', 'h1', {
      shutdown: (ctx) => { ctx.setTimer(500 * MS, 'drained'); },
      timer: (ctx, tag) => { if (tag === 'drained') ctx.exit('shutdown complete'); },
    });
    scheduleFaults(world, parseScript('at 1s shutdown p1 for 3s'));
    world.runUntil(1 * SEC);
    expect(p1.of('shutdown').map((e) => e.t)).toEqual([1 * SEC]);
    expect(world.isUp(p1.pid)).toBe(true);
    world.runUntil(1500 * MS);
    expect(world.isUp(p1.pid)).toBe(false);
    world.runUntil(4 * SEC);
    expect(p1.of('start').map((e) => [e.t, e.inc])).toEqual([[0, 1], [4 * SEC, 2]]);
  });

  it('shutdown of an actor without an orderly stop kills it at once; a paused one gets the signal at resume', () => {
    const world = testWorld();
    const plain = addProbe(world, 'plain', 'h1');
    const p2 = addProbe(world, 'p2', 'h2', { shutdown: (ctx) => ctx.exit('bye') });
    scheduleFaults(world, parseScript('at 1s shutdown plain\nat 1s pause p2 for 2s\nat 2s shutdown p2'));
    world.runUntil(1 * SEC);
    expect(world.isUp(plain.pid)).toBe(false);
    world.runUntil(2500 * MS);
    expect(world.isUp(p2.pid)).toBe(true);
    expect(p2.of('shutdown')).toEqual([]);
    world.runUntil(3 * SEC);
    expect(p2.of('shutdown').map((e) => e.t)).toEqual([3 * SEC]);
    expect(world.isUp(p2.pid)).toBe(false);
  });

  it('a named target resolves when its fault applies; one that names nobody then is skipped', () => {
    const world = testWorld();
    const p1 = addProbe(world, 'p1', 'h1');
    const p2 = addProbe(world, 'p2', 'h2');
    let chosen: string | null = 'p1';
    defineFaultTarget(world, 'busiest', { usage: 'busiest(<queue>)', resolve: (arg) => (arg === 'q' ? chosen : null), check: () => null });
    const script = parseScript('at 1s crash busiest(q) for 1s\nat 3s crash busiest(q)\nat 5s crash busiest(other)');
    validateScript(world, script);
    scheduleFaults(world, script);
    world.schedule(2500 * MS, () => { chosen = 'p2'; });
    world.runUntil(1 * SEC);
    expect([world.isUp(p1.pid), world.isUp(p2.pid)]).toEqual([false, true]);
    world.runUntil(2 * SEC);
    expect(world.isUp(p1.pid)).toBe(true);
    world.runUntil(6 * SEC);
    expect([world.isUp(p1.pid), world.isUp(p2.pid)]).toEqual([true, false]);
  });

  it('an undefined named target is a one-line UsageError listing the defined ones', () => {
    const world = testWorld();
    addProbe(world, 'p1', 'h1');
    expect(() => validateScript(world, parseScript('at 1s crash leader(t-0)'))).toThrow("fault script:1: unknown target 'leader(t-0)' (this cluster defines none)");
    expect(() => validateScript(world, [{ atMs: 1000, action: { kind: 'crash', target: 'leader(t-0)' } }])).toThrow("fault 'at 1s crash leader(t-0)': unknown target 'leader(t-0)' (this cluster defines none)");
    defineFaultTarget(world, 'busiest', { usage: 'busiest(<queue>)', resolve: () => null, check: () => null });
    expect(() => validateScript(world, parseScript('at 1s isolate leader(t-0)'))).toThrow(/unknown target 'leader\(t-0\)' \(known: busiest\(<queue>\)\)/);
  });

  it('pause: no handler runs during the pause; what arrived meanwhile runs at resume', () => {
    const { world, probes: [p1] } = smallCluster();
    world.schedule(0, () => p1!.ctx.setTimer(1500 * MS, 'during'));
    scheduleFaults(world, parseScript('at 1s pause p1 for 2s'));
    world.runUntil(2 * SEC);
    expect(world.isPaused(p1!.pid)).toBe(true);
    expect(p1!.of('timer')).toEqual([]);
    world.runUntil(3 * SEC);
    expect(world.isPaused(p1!.pid)).toBe(false);
    expect(p1!.of('timer').map((e) => e.t)).toEqual([3 * SEC]);
  });

  it('power-off: every process on the host dies, page cache lost, then power on restarts them', () => {
    const { world, probes: [, , p3, p4] } = smallCluster();
    world.schedule(500 * MS, () => p3!.ctx.disk.append('f', text('unsynced')));
    scheduleFaults(world, parseScript('at 1s power-off h3 for 4s'));
    world.runUntil(2 * SEC);
    expect(world.powered[world.hostOf('h3')]).toBe(false);
    expect([world.isUp(p3!.pid), world.isUp(p4!.pid)]).toEqual([false, false]);
    world.runUntil(5 * SEC);
    expect(world.powered[world.hostOf('h3')]).toBe(true);
    expect([world.isUp(p3!.pid), world.isUp(p4!.pid)]).toEqual([true, true]);
    expect(p3!.of('start').map((e) => e.t)).toEqual([0, 5 * SEC]);
    expect(p3!.ctx.disk.readAll('f')).toEqual(new Uint8Array(0));
  });

  it('power-on leaves a deliberately stopped process down', () => {
    const { world, probes: [, , p3, p4] } = smallCluster();
    world.schedule(500 * MS, () => world.stop(p4!.pid));
    scheduleFaults(world, parseScript('at 1s power-off h3 for 1s'));
    world.runUntil(3 * SEC);
    expect(world.isUp(p3!.pid)).toBe(true);
    expect(world.isUp(p4!.pid)).toBe(false);
    expect(world.wanted[p4!.pid]).toBe(false);
  });

  it('partition, isolate and cut: cut during the fault, restored after', () => {
    const { world } = smallCluster();
    scheduleFaults(world, parseScript('at 1s partition h1 | h2,h3 for 1s\nat 3s isolate p2 for 1s\nat 5s cut h1 -> h3 for 1s'));
    const at = (ms: number): [number, number][] => {
      world.runUntil(ms * MS);
      return world.net.cutPairs();
    };
    expect(at(999)).toEqual([]);
    expect(at(1000)).toEqual([[0, 1], [0, 2], [1, 0], [2, 0]]);
    expect(at(2000)).toEqual([]);
    expect(at(3000)).toEqual([[0, 1], [1, 0], [1, 2], [2, 1]]);
    expect(at(4000)).toEqual([]);
    expect(at(5000)).toEqual([[0, 2]]);
    expect(at(6000)).toEqual([]);
  });

  it('heal lifts network faults at once', () => {
    const { world } = smallCluster();
    scheduleFaults(world, parseScript('at 1s partition h1 | h2,h3\nat 1s clog h1 h2\nat 2s heal'));
    world.runUntil(1500 * MS);
    expect(world.net.anyCut).toBe(true);
    expect(world.net.clogUntil(0, 1)).toBe(Infinity);
    world.runUntil(2 * SEC);
    expect(world.net.anyCut).toBe(false);
    expect(world.net.clogUntil(0, 1)).toBe(0);
  });

  it('clog: both directions until the end of the fault', () => {
    const { world } = smallCluster();
    scheduleFaults(world, parseScript('at 1s clog p1 h2 for 2s'));
    world.runUntil(1 * SEC);
    expect([world.net.clogUntil(0, 1), world.net.clogUntil(1, 0), world.net.clogUntil(0, 2)]).toEqual([3 * SEC, 3 * SEC, 0]);
  });

  it('slow-disk and disk-full: in force for the duration, then normal', () => {
    const { world } = smallCluster();
    scheduleFaults(world, parseScript('at 1s slow-disk h1 x10 for 2s\nat 1s disk-full h2 for 2s'));
    const d1 = world.disks[0]!;
    const d2 = world.disks[1]!;
    world.runUntil(1 * SEC);
    expect([d1.slowness, d2.capacityOverride]).toEqual([10, d2.used]);
    world.runUntil(3 * SEC);
    expect([d1.slowness, d2.capacityOverride]).toEqual([1, null]);
  });

  it('overlapping slow-disk faults on one host: the newest active one is in force, then the one before it, then normal', () => {
    const { world } = smallCluster();
    scheduleFaults(world, parseScript('at 1s slow-disk h1 x10 for 20s\nat 5s slow-disk h1 x100 for 5s'));
    const d = world.disks[0]!;
    const at = (s: number): number => { world.runUntil(s * SEC); return d.slowness; };
    expect([at(2), at(6), at(12), at(22)]).toEqual([10, 100, 10, 1]);
  });

  it('overlapping disk-full faults: the disk stays full until the last one ends', () => {
    const { world, probes: [p1] } = smallCluster();
    scheduleFaults(world, parseScript('at 1s disk-full h1 for 10s\nat 2s disk-full h1 for 2s'));
    const results: (string | null)[] = [];
    for (const s of [5, 12]) world.schedule(s * SEC, () => { results.push(p1!.ctx.disk.append('f', text('x'))); });
    world.runUntil(13 * SEC);
    expect(results).toEqual(['ENOSPC', null]);
  });

  it('corrupt: flips one bit of the named file', () => {
    const { world, probes: [p1] } = smallCluster();
    world.schedule(0, () => {
      p1!.ctx.disk.append('data', new Uint8Array(64));
      p1!.ctx.disk.fsync('data', 'sync');
    });
    scheduleFaults(world, parseScript('at 1s corrupt h1 p1/data'));
    world.runUntil(2 * SEC);
    const after = p1!.ctx.disk.readAll('data') as Uint8Array;
    expect(after.reduce((n, b) => n + (b === 0 ? 0 : 1), 0)).toBe(1);
  });

  it('the same fault script on the same seed corrupts the same bit', () => {
    const hit = (): number => {
      const { world, probes: [p1] } = smallCluster();
      world.schedule(0, () => {
        p1!.ctx.disk.append('data', new Uint8Array(4096));
        p1!.ctx.disk.fsync('data', 'sync');
      });
      scheduleFaults(world, parseScript('at 1s corrupt h1'));
      world.runUntil(2 * SEC);
      return (p1!.ctx.disk.readAll('data') as Uint8Array).findIndex((b) => b !== 0);
    };
    const first = hit();
    expect(first).toBeGreaterThanOrEqual(0);
    expect(hit()).toBe(first);
  });
});

describe('healEverything (the start of the quiesce phase)', () => {
  it('lifts every fault: wanted processes up, no cuts or clogs, disks normal, clocks reset, nothing paused', () => {
    const { world, probes } = smallCluster();
    const [p1, p2, p3, p4] = probes;
    world.schedule(500 * MS, () => world.stop(p4!.pid));
    scheduleFaults(world, parseScript([
      'at 1s crash p1',
      'at 1s pause p2',
      'at 1s power-off h3',
      'at 1s partition h1 | h2',
      'at 1s cut h2 -> h1',
      'at 1s clog h1 h2',
      'at 1s slow-disk h1 stall',
      'at 1s disk-full h2',
      'at 1s clock h2 offset 3s drift 500ppm',
    ].join('\n')));
    world.runUntil(5 * SEC);
    expect(world.isUp(p1!.pid)).toBe(false);
    expect(world.isPaused(p2!.pid)).toBe(true);
    healEverything(world);
    world.runUntil(5 * SEC + 1);
    expect(world.isUp(p1!.pid)).toBe(true);
    expect(world.isUp(p2!.pid) && !world.isPaused(p2!.pid)).toBe(true);
    expect(world.isUp(p3!.pid)).toBe(true);
    expect(world.isUp(p4!.pid)).toBe(false); // stopped on purpose: not a fault
    expect(world.powered.every((x) => x)).toBe(true);
    expect(world.net.anyCut).toBe(false);
    expect(world.net.clogUntil(0, 1) + world.net.clogUntil(1, 0)).toBe(0);
    expect(world.disks.map((d) => [d.slowness, d.capacityOverride])).toEqual([[1, null], [1, null], [1, null]]);
    expect(p2!.ctx.localTimeUs()).toBe(world.nowUs);
  });

  it('nested pauses are all lifted', () => {
    const { world, probes: [p1] } = smallCluster();
    world.schedule(1 * SEC, () => { world.pause(p1!.pid); world.pause(p1!.pid); world.pause(p1!.pid); });
    world.runUntil(2 * SEC);
    healEverything(world);
    expect(world.isPaused(p1!.pid)).toBe(false);
  });
});
