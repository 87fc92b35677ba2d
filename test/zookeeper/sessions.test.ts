import { describe, expect, it } from 'vitest';
import { negotiateSessionTimeout } from '../../sim/zookeeper/config.ts';
import { ExpiryQueue, SessionTracker, initialSessionId } from '../../sim/zookeeper/sessions.ts';

const MS = 1000;

describe('session timeout negotiation', () => {
  const s = { minSessionTimeoutMs: 4000, maxSessionTimeoutMs: 40000 }; // tickTime 2000: 2 and 20 ticks
  it('clamps a requested timeout to [2, 20] x tickTime', () => {
    expect(negotiateSessionTimeout(1000, s)).toBe(4000);
    expect(negotiateSessionTimeout(6000, s)).toBe(6000);
    expect(negotiateSessionTimeout(90000, s)).toBe(40000);
  });
});

describe('bucketed expiry (ExpiryQueue)', () => {
  it('rounds expiry up to the next multiple of the interval', () => {
    const q = new ExpiryQueue<number>(2000 * MS, 0);
    expect(q.update(1, 6000 * MS, 500 * MS)).toBe(8000 * MS); // 6.5 s -> 8 s
    expect(q.update(2, 6000 * MS, 2000 * MS)).toBe(10000 * MS); // exactly 8 s -> next bucket, 10 s
  });

  it('moves a touched element to a later bucket', () => {
    const q = new ExpiryQueue<number>(2000 * MS, 0);
    q.update(1, 6000 * MS, 0);
    q.update(1, 6000 * MS, 3000 * MS);
    expect(q.expiryTimeOf(1)).toBe(10000 * MS);
    expect(q.poll(8000 * MS)).toEqual([]);
  });

  it('hands out one due bucket per interval, in time order', () => {
    const q = new ExpiryQueue<number>(2000 * MS, 0);
    q.update(1, 1000 * MS, 0); // bucket 2 s
    q.update(2, 3000 * MS, 0); // bucket 4 s
    expect(q.poll(1999 * MS)).toEqual([]);
    expect(q.poll(2000 * MS)).toEqual([1]);
    expect(q.poll(2000 * MS)).toEqual([]);
    expect(q.poll(5000 * MS)).toEqual([2]);
    expect(q.size).toBe(0);
  });
});

describe('SessionTracker', () => {
  it('expires a silent session at its bucket and marks it closing', () => {
    const t = new SessionTracker(2000 * MS, 0);
    t.add(7, 6000, 1, 0);
    expect(t.expire(6000 * MS)).toEqual([]);
    const out = t.expire(8000 * MS);
    expect(out.map((s) => s.id)).toEqual([7]);
    expect(t.isClosing(7)).toBe(true);
    expect(t.touch(7, 8000 * MS)).toBe(false);
    expect(t.check(7, 1)).toBe('SESSIONEXPIRED');
  });

  it('keeps a session that is touched in time', () => {
    const t = new SessionTracker(2000 * MS, 0);
    t.add(7, 6000, 1, 0);
    for (let s = 2; s <= 20; s += 2) {
      expect(t.touch(7, s * 1000 * MS)).toBe(true);
      expect(t.expire(s * 1000 * MS)).toEqual([]);
    }
  });

  it('catches up on every due bucket after a long stall', () => {
    const t = new SessionTracker(2000 * MS, 0);
    t.add(1, 4000, 1, 0);
    t.add(2, 10000, 1, 0);
    expect(t.expire(30000 * MS).map((s) => s.id)).toEqual([1, 2]);
  });

  it('reports SESSIONMOVED for a request through another server', () => {
    const t = new SessionTracker(2000 * MS, 0);
    t.add(7, 6000, 2, 0);
    expect(t.check(7, 2)).toBeNull();
    expect(t.check(7, 3)).toBe('SESSIONMOVED');
  });

  it('gives every server its own session id space', () => {
    expect(Math.floor(initialSessionId(3, 5e6) / 2 ** 40)).toBe(3);
    expect(initialSessionId(1, 5e6)).not.toBe(initialSessionId(2, 5e6));
  });
});
