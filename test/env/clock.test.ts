import { describe, expect, it } from 'vitest';
import { MS, SEC } from '../../sim/core/types.ts';
import { Clock } from '../../sim/env/clock.ts';
import { applyFault, healEverything, parseFault } from '../../sim/harness/faults.ts';
import { addProbe, testWorld } from './fixtures.ts';

// Per-host clocks: an offset and a drift rate against true (simulated) time. Local time is what
// lease and session code reads; timers run at the host's rate.

describe('clock model', () => {
  it('local time is true time plus the offset', () => {
    const c = new Clock(500 * MS, 0);
    expect(c.localUs(0)).toBe(500 * MS);
    expect(c.localUs(10 * SEC)).toBe(10 * SEC + 500 * MS);
    expect(new Clock(-2 * SEC, 0).localUs(5 * SEC)).toBe(3 * SEC);
  });

  it('a drifting clock gains driftPpm microseconds per second', () => {
    const fast = new Clock(0, 100);
    expect(fast.localUs(10 * SEC)).toBe(10 * SEC + 1000);
    const slow = new Clock(0, -250);
    expect(slow.localUs(100 * SEC)).toBe(100 * SEC - 25_000);
  });

  it('delays are scaled so that a local-time delay takes the right true time', () => {
    const fast = new Clock(0, 100_000); // 10% fast
    expect(fast.scaleDelay(1.1 * SEC)).toBe(1 * SEC);
    expect(new Clock(0, 0).scaleDelay(1234)).toBe(1234);
    expect(new Clock(0, -500_000).scaleDelay(1 * SEC)).toBe(2 * SEC);
  });

  it('set() steps the clock to an offset that holds at that moment; drift accumulates from then on', () => {
    const c = new Clock(0, 0);
    c.set(100 * SEC, 500 * MS, 200);
    expect(c.localUs(100 * SEC)).toBe(100 * SEC + 500 * MS);
    expect(c.localUs(110 * SEC)).toBe(110 * SEC + 500 * MS + 2000);
  });

  it('reset() returns to the clock the host was configured with, drift measured from time zero', () => {
    const c = new Clock(7 * MS, 10);
    c.set(50 * SEC, 3 * SEC, -100);
    c.reset();
    expect(c.localUs(100 * SEC)).toBe(new Clock(7 * MS, 10).localUs(100 * SEC));
  });
});

describe('clocks through the world', () => {
  it('ctx.localTimeUs applies the host offset and drift; other hosts are unaffected', () => {
    const world = testWorld();
    const a = addProbe(world, 'a', 'ha', {}, { clockOffsetUs: 250 * MS, clockDriftPpm: 1000 });
    const b = addProbe(world, 'b', 'hb');
    world.runUntil(10 * SEC);
    expect(a.ctx.localTimeUs()).toBe(10 * SEC + 250 * MS + 10 * MS);
    expect(b.ctx.localTimeUs()).toBe(10 * SEC);
    expect(a.ctx.nowUs()).toBe(10 * SEC);
  });

  it('timers run at the host clock rate: on a 10% fast clock a 1.1 s timer fires after 1 s of true time', () => {
    const world = testWorld();
    const fast = addProbe(world, 'fast', 'hf', { start: (ctx) => { ctx.setTimer(1.1 * SEC, 'x'); } }, { clockDriftPpm: 100_000 });
    const slow = addProbe(world, 'slow', 'hs', { start: (ctx) => { ctx.setTimer(1 * SEC, 'x'); } }, { clockDriftPpm: -200_000 });
    world.runUntil(5 * SEC);
    expect(fast.of('timer').map((e) => e.t)).toEqual([1 * SEC]);
    expect(slow.of('timer').map((e) => e.t)).toEqual([1.25 * SEC]);
  });

  it('the clock fault sets exactly its offset at the moment it applies, drifts from there, and ends', () => {
    const world = testWorld();
    const p = addProbe(world, 'p', 'h');
    const skew: number[] = [];
    const sample = (): void => { skew.push(p.ctx.localTimeUs() - world.nowUs); };
    world.schedule(100 * SEC, () => applyFault(world, parseFault('at 100s clock h offset 500ms drift 200ppm for 50s', 'test')));
    world.schedule(100 * SEC, sample);
    world.schedule(110 * SEC, sample);
    world.schedule(151 * SEC, sample);
    world.runUntil(160 * SEC);
    expect(skew).toEqual([500 * MS, 500 * MS + 2 * MS, 0]);
  });

  it('overlapping clock faults on one host: the newer one holds until it ends, and the clock then returns to normal', () => {
    const world = testWorld();
    const p = addProbe(world, 'p', 'h');
    const skew: [number, number][] = [];
    const sample = (): void => { skew.push([world.nowUs / SEC, (p.ctx.localTimeUs() - world.nowUs) / MS]); };
    world.schedule(10 * SEC, () => applyFault(world, parseFault('at 10s clock h offset 300ms for 20s', 'test')));
    world.schedule(15 * SEC, () => applyFault(world, parseFault('at 15s clock h offset -700ms for 30s', 'test')));
    for (const t of [12, 20, 35, 50]) world.schedule(t * SEC, sample);
    world.runUntil(60 * SEC);
    // The first fault's end (30 s) must not undo the second; the second's end (45 s) must not
    // bring back the first.
    expect(skew).toEqual([[12, 300], [20, -700], [35, -700], [50, 0]]);
  });

  it('overlapping clock faults where the newer ends first: the older one applies again until its end', () => {
    const world = testWorld();
    const p = addProbe(world, 'p', 'h');
    const skew: number[] = [];
    world.schedule(1 * SEC, () => applyFault(world, parseFault('at 1s clock h offset 300ms for 20s', 'test')));
    world.schedule(5 * SEC, () => applyFault(world, parseFault('at 5s clock h offset -700ms for 5s', 'test')));
    for (const t of [3, 7, 12, 25]) world.schedule(t * SEC, () => { skew.push((p.ctx.localTimeUs() - world.nowUs) / MS); });
    world.runUntil(30 * SEC);
    expect(skew).toEqual([300, -700, 300, 0]);
  });

  it('healEverything resets every clock to its configured setting', () => {
    const world = testWorld();
    const a = addProbe(world, 'a', 'ha', {}, { clockOffsetUs: 20 * MS });
    const b = addProbe(world, 'b', 'hb');
    world.schedule(1 * SEC, () => {
      applyFault(world, parseFault('at 1s clock ha offset 2s drift 200ppm', 'test'));
      applyFault(world, parseFault('at 1s clock hb offset -2s', 'test'));
    });
    world.runUntil(5 * SEC);
    healEverything(world);
    world.runUntil(6 * SEC);
    expect(a.ctx.localTimeUs() - world.nowUs).toBe(20 * MS);
    expect(b.ctx.localTimeUs() - world.nowUs).toBe(0);
  });
});
