import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SAME_INSTANT_MAX, Scheduler, type EventHandle } from '../../sim/core/scheduler.ts';

// The event queue orders by (time, insertion seq): equal times run in the order they were
// scheduled. Cancelled events never run, and a handle that outlived its event never cancels the
// event that later reuses its slot.

interface Ran {
  readonly timeUs: number;
  readonly kind: number;
  readonly target: number;
  readonly aux: number;
  readonly payload: unknown;
}

function recorder(): { sched: Scheduler; ran: Ran[] } {
  const ran: Ran[] = [];
  const box: { sched: Scheduler | null } = { sched: null };
  const sched = new Scheduler((kind, target, aux, payload) => {
    ran.push({ timeUs: box.sched!.nowUs, kind, target, aux, payload });
  });
  box.sched = sched;
  return { sched, ran };
}

describe('scheduler: order', () => {
  it('runs events in time order regardless of insertion order', () => {
    const { sched, ran } = recorder();
    for (const t of [50, 10, 40, 20, 30]) sched.at(t, 1, t, 0, null);
    sched.run(Infinity, Infinity);
    expect(ran.map((r) => r.timeUs)).toEqual([10, 20, 30, 40, 50]);
    expect(ran.map((r) => r.target)).toEqual([10, 20, 30, 40, 50]);
  });

  it('runs events with equal times in insertion order (ties broken by seq)', () => {
    const { sched, ran } = recorder();
    for (let i = 0; i < 100; i++) sched.at(i % 3 === 0 ? 5 : 7, 1, i, 0, null);
    sched.run(Infinity, Infinity);
    const at5 = ran.filter((r) => r.timeUs === 5).map((r) => r.target);
    const at7 = ran.filter((r) => r.timeUs === 7).map((r) => r.target);
    expect(at5).toEqual([...at5].sort((a, b) => a - b));
    expect(at7).toEqual([...at7].sort((a, b) => a - b));
    expect(ran.slice(0, at5.length).every((r) => r.timeUs === 5)).toBe(true);
  });

  it('an event scheduled at the current time by a running event runs after the events already due then', () => {
    const order: string[] = [];
    const box: { s: Scheduler | null } = { s: null };
    const s = new Scheduler((_k, target) => {
      order.push(`e${target}`);
      if (target === 1) box.s!.at(box.s!.nowUs, 1, 9, 0, null);
    });
    box.s = s;
    s.at(10, 1, 1, 0, null);
    s.at(10, 1, 2, 0, null);
    s.run(Infinity, Infinity);
    expect(order).toEqual(['e1', 'e2', 'e9']);
  });

  it('clamps an event scheduled in the past to now and rounds times to whole microseconds', () => {
    const { sched, ran } = recorder();
    sched.at(100, 1, 0, 0, null);
    sched.run(100, Infinity);
    sched.at(3, 1, 1, 0, null);
    sched.at(100.6, 1, 2, 0, null);
    sched.run(Infinity, Infinity);
    expect(ran.map((r) => r.timeUs)).toEqual([100, 100, 101]);
  });

  it('refuses a NaN time instead of corrupting the heap order', () => {
    const { sched, ran } = recorder();
    sched.at(20, 1, 2, 0, null);
    expect(() => sched.at(NaN, 1, 9, 0, null)).toThrow(/NaN/);
    sched.at(10, 1, 1, 0, null);
    sched.run(Infinity, Infinity);
    expect(ran.map((r) => r.target)).toEqual([1, 2]);
  });

  it('passes kind, target, aux and payload through unchanged', () => {
    const { sched, ran } = recorder();
    const payload = { hello: 'world' };
    sched.at(1, 7, 42, -3, payload);
    sched.run(Infinity, Infinity);
    expect(ran).toEqual([{ timeUs: 1, kind: 7, target: 42, aux: -3, payload }]);
  });

  it('after(delay) schedules relative to the current time', () => {
    const { sched, ran } = recorder();
    sched.at(1000, 1, 0, 0, null);
    sched.run(Infinity, Infinity);
    sched.after(250, 1, 1, 0, null);
    sched.run(Infinity, Infinity);
    expect(ran.map((r) => r.timeUs)).toEqual([1000, 1250]);
  });
});

describe('scheduler: cancel', () => {
  it('a cancelled event never runs and is not counted as executed', () => {
    const { sched, ran } = recorder();
    const a = sched.at(10, 1, 1, 0, null);
    sched.at(20, 1, 2, 0, null);
    expect(sched.cancel(a)).toBe(true);
    expect(sched.cancel(a)).toBe(false);
    sched.run(Infinity, Infinity);
    expect(ran.map((r) => r.target)).toEqual([2]);
    expect(sched.executed).toBe(1);
  });

  it('cancelling an event that already ran returns false and cancels nothing', () => {
    const { sched, ran } = recorder();
    const a = sched.at(10, 1, 1, 0, null);
    sched.run(10, Infinity);
    sched.at(20, 1, 2, 0, null);
    expect(sched.cancel(a)).toBe(false);
    sched.run(Infinity, Infinity);
    expect(ran.map((r) => r.target)).toEqual([1, 2]);
  });

  it('a stale handle never cancels the event that reused its slot', () => {
    const { sched, ran } = recorder();
    const stale: EventHandle[] = [];
    // Run and cancel many rounds so slots are freed and reused many times over.
    for (let round = 0; round < 50; round++) {
      const h1 = sched.after(1, 1, round * 2, 0, null);
      const h2 = sched.after(1, 1, round * 2 + 1, 0, null);
      sched.cancel(h2);
      stale.push(h1, h2);
      sched.run(sched.nowUs + 1, Infinity);
    }
    const live: number[] = [];
    for (let i = 0; i < 20; i++) {
      sched.after(5, 1, 1000 + i, 0, null);
      live.push(1000 + i);
    }
    for (const h of stale) expect(sched.cancel(h)).toBe(false);
    const before = ran.length;
    sched.run(Infinity, Infinity);
    expect(ran.slice(before).map((r) => r.target)).toEqual(live);
  });

  it('a handle cancelled while its event is still queued cannot cancel the slot after reuse', () => {
    const { sched, ran } = recorder();
    const h = sched.at(10, 1, 1, 0, null);
    sched.cancel(h);
    sched.run(Infinity, Infinity); // pops and frees the cancelled slot
    const h2 = sched.at(20, 1, 2, 0, null); // reuses it
    expect(h2).not.toBe(h);
    expect(sched.cancel(h)).toBe(false);
    sched.run(Infinity, Infinity);
    expect(ran.map((r) => r.target)).toEqual([2]);
  });

  it('pending counts events still to run, not cancelled ones', () => {
    const { sched } = recorder();
    const hs = [10, 20, 30, 40].map((t) => sched.at(t, 1, t, 0, null));
    expect(sched.pending).toBe(4);
    sched.cancel(hs[2]!);
    expect(sched.pending).toBe(3);
    sched.run(20, Infinity);
    expect(sched.pending).toBe(1);
    sched.run(Infinity, Infinity);
    expect(sched.pending).toBe(0);
  });

  it('drops cancelled events when peeking at the next time', () => {
    const { sched } = recorder();
    const a = sched.at(10, 1, 1, 0, null);
    sched.at(30, 1, 2, 0, null);
    sched.cancel(a);
    expect(sched.peekTimeUs()).toBe(30);
    expect(recorder().sched.peekTimeUs()).toBe(Infinity);
  });
});

describe('scheduler: run limits', () => {
  it('runs only events due by `until`, inclusive, and advances the clock to `until`', () => {
    const { sched, ran } = recorder();
    for (const t of [10, 20, 30, 40]) sched.at(t, 1, t, 0, null);
    expect(sched.run(30, Infinity)).toBe(3);
    expect(ran.map((r) => r.timeUs)).toEqual([10, 20, 30]);
    expect(sched.nowUs).toBe(30);
    expect(sched.run(35, Infinity)).toBe(0);
    expect(sched.nowUs).toBe(35);
    expect(sched.pending).toBe(1);
  });

  it('advances time to `until` when the queue is empty', () => {
    const { sched } = recorder();
    expect(sched.run(5_000_000, Infinity)).toBe(0);
    expect(sched.nowUs).toBe(5_000_000);
    sched.run(Infinity, Infinity);
    expect(sched.nowUs).toBe(5_000_000);
  });

  it('stops after maxEvents without advancing time past the last event run', () => {
    const { sched, ran } = recorder();
    for (let i = 1; i <= 10; i++) sched.at(i * 10, 1, i, 0, null);
    expect(sched.run(1000, 4)).toBe(4);
    expect(ran.length).toBe(4);
    expect(sched.nowUs).toBe(40);
    expect(sched.run(1000, Infinity)).toBe(6);
  });

  it('hitting maxEvents with nothing else due counts as idle: the clock advances to `until`', () => {
    // Whether the clock advances must not depend on lazily cancelled entries still in the heap.
    const withCancelled = recorder();
    withCancelled.sched.at(10, 1, 1, 0, null);
    withCancelled.sched.cancel(withCancelled.sched.at(20, 1, 2, 0, null));
    withCancelled.sched.at(500, 1, 3, 0, null);
    expect(withCancelled.sched.run(100, 1)).toBe(1);
    expect(withCancelled.sched.nowUs).toBe(100);

    const plain = recorder();
    plain.sched.at(10, 1, 1, 0, null);
    expect(plain.sched.run(100, 1)).toBe(1);
    expect(plain.sched.nowUs).toBe(100);
  });

  it('stops when the predicate turns true after an event, leaving the clock at that event', () => {
    const { sched, ran } = recorder();
    for (let i = 1; i <= 10; i++) sched.at(i * 10, 1, i, 0, null);
    expect(sched.run(1000, Infinity, () => ran.length === 3)).toBe(3);
    expect(sched.nowUs).toBe(30);
    expect(sched.pending).toBe(7);
  });
});

describe('scheduler: capacity', () => {
  it('grows past its initial capacity and keeps order, payloads and handles intact', () => {
    const { sched, ran } = recorder();
    const n = 10_000;
    const handles: EventHandle[] = [];
    for (let i = 0; i < n; i++) handles.push(sched.at((i * 7919) % 1000, 1, i, i, { i }));
    for (let i = 0; i < n; i += 3) expect(sched.cancel(handles[i]!)).toBe(true);
    sched.run(Infinity, Infinity);
    const expected = [];
    for (let i = 0; i < n; i++) if (i % 3 !== 0) expected.push(i);
    expected.sort((a, b) => (a * 7919) % 1000 - (b * 7919) % 1000 || a - b);
    expect(ran.map((r) => r.target)).toEqual(expected);
    expect(ran.every((r) => (r.payload as { i: number }).i === r.target && r.aux === r.target)).toBe(true);
  });
});

// ---- property: the heap behaves like a sorted array of (time, seq) ----

type Op =
  | { readonly op: 'at'; readonly delayUs: number }
  | { readonly op: 'cancel'; readonly pick: number }
  | { readonly op: 'run'; readonly advanceUs: number; readonly maxEvents: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ op: fc.constant('at' as const), delayUs: fc.integer({ min: 0, max: 50 }) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('cancel' as const), pick: fc.nat() }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('run' as const), advanceUs: fc.integer({ min: 0, max: 30 }), maxEvents: fc.integer({ min: 0, max: 20 }) }) },
);

describe('scheduler: property', () => {
  it('executes exactly what a sorted-array reference executes, in the same order, for any interleaving of at/cancel/run', () => {
    fc.assert(fc.property(fc.array(opArb, { maxLength: 3000 }), (ops) => {
      const { sched, ran } = recorder();
      // Reference: live events as [time, seq, id]; handles map ids to scheduler handles.
      let ref: [number, number, number][] = [];
      const refRan: number[] = [];
      let refNow = 0;
      let seq = 0;
      const handles: { id: number; h: EventHandle }[] = [];
      for (const o of ops) {
        if (o.op === 'at') {
          const id = seq++;
          const t = refNow + o.delayUs;
          ref.push([t, id, id]);
          handles.push({ id, h: sched.at(t, 1, id, 0, null) });
        } else if (o.op === 'cancel') {
          if (handles.length === 0) continue;
          const { id, h } = handles[o.pick % handles.length]!;
          const live = ref.some((e) => e[2] === id);
          expect(sched.cancel(h)).toBe(live);
          ref = ref.filter((e) => e[2] !== id);
        } else {
          const until = refNow + o.advanceUs;
          ref.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
          let n = 0;
          while (ref.length > 0 && n < o.maxEvents && ref[0]![0] <= until) {
            const e = ref.shift()!;
            refRan.push(e[2]);
            refNow = e[0];
            n++;
          }
          // Idle (nothing left due by `until`): the clock advances to `until`. Stopped by the
          // event count with work still due: the clock stays at the last event run.
          if (ref.length === 0 || ref[0]![0] > until) refNow = Math.max(refNow, until);
          expect(sched.run(until, o.maxEvents)).toBe(n);
          expect(sched.nowUs).toBe(refNow);
        }
        expect(sched.pending).toBe(ref.length);
      }
      sched.run(Infinity, Infinity);
      ref.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
      for (const e of ref) refRan.push(e[2]);
      expect(ran.map((r) => r.target)).toEqual(refRan);
    }), { seed: 20240601, numRuns: 200 });
  });
});

describe('livelock guard', () => {
  it('a handler that keeps scheduling itself at the same instant stops the run with a one-line error', () => {
    const s: Scheduler = new Scheduler(() => { s.at(s.nowUs, 0, 0, 0, null); });
    s.at(5, 0, 0, 0, null);
    expect(() => s.run(Infinity, Infinity)).toThrow(`livelock: more than ${SAME_INSTANT_MAX} events at t=5 us without simulated time advancing`);
  });

  it('bursts at one instant below the bound, and the same number spread over time, run', () => {
    let left = SAME_INSTANT_MAX;
    const s: Scheduler = new Scheduler(() => { if (--left > 0) s.at(s.nowUs, 0, 0, 0, null); });
    s.at(5, 0, 0, 0, null);
    expect(s.run(Infinity, Infinity)).toBe(SAME_INSTANT_MAX);
    let spread = 3 * SAME_INSTANT_MAX;
    const s2: Scheduler = new Scheduler(() => { if (--spread > 0) s2.at(s2.nowUs + (spread % 2), 0, 0, 0, null); });
    s2.at(0, 0, 0, 0, null);
    expect(s2.run(Infinity, Infinity)).toBe(3 * SAME_INSTANT_MAX);
  });
});
