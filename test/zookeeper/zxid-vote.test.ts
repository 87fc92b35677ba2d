import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { countVotes, quorumSize, sameVote, totalOrderPredicate, type Vote } from '../../sim/zookeeper/vote.ts';
import { counterOf, epochOf, formatZxid, makeZxid, parseZxid } from '../../sim/zookeeper/zxid.ts';

describe('zxid arithmetic (ZxidUtils)', () => {
  it('puts the epoch in the high 32 bits and the counter in the low 32', () => {
    expect(makeZxid(1, 0)).toBe(2 ** 32);
    expect(makeZxid(3, 5)).toBe(3 * 2 ** 32 + 5);
    expect(epochOf(makeZxid(7, 0xffffffff))).toBe(7);
    expect(counterOf(makeZxid(7, 0xffffffff))).toBe(0xffffffff);
  });

  it('orders zxids by epoch first, then counter', () => {
    expect(makeZxid(2, 0)).toBeGreaterThan(makeZxid(1, 0xffffffff));
    expect(makeZxid(2, 1)).toBeGreaterThan(makeZxid(2, 0));
  });

  it('round-trips epoch and counter for any valid pair', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 0x1fffff }), fc.integer({ min: 0, max: 0xffffffff }), (e, c) => {
      const z = makeZxid(e, c);
      return Number.isSafeInteger(z) && epochOf(z) === e && counterOf(z) === c && parseZxid(formatZxid(z)) === z;
    }));
  });

  it('formats as 0x<epoch><8-digit counter>, as ZooKeeper logs print it', () => {
    expect(formatZxid(makeZxid(3, 5))).toBe('0x300000005');
    expect(formatZxid(makeZxid(0, 0x1f))).toBe('0x1f');
    expect(formatZxid(makeZxid(0x1a, 0x10))).toBe('0x1a00000010');
  });

  it('refuses an epoch that would not fit exactly in a JavaScript number', () => {
    expect(() => makeZxid(0x200000, 0)).toThrow(/epoch out of range/);
    expect(() => makeZxid(1, 2 ** 32)).toThrow(/counter out of range/);
  });
});

describe('vote order (FastLeaderElection.totalOrderPredicate)', () => {
  it('prefers the higher peer epoch even with a lower zxid and id', () => {
    expect(totalOrderPredicate(1, makeZxid(2, 1), 2, 3, makeZxid(1, 99), 1)).toBe(true);
    expect(totalOrderPredicate(3, makeZxid(1, 99), 1, 1, makeZxid(2, 1), 2)).toBe(false);
  });

  it('in the same epoch prefers the longer history, then the higher id', () => {
    expect(totalOrderPredicate(1, makeZxid(1, 10), 1, 3, makeZxid(1, 9), 1)).toBe(true);
    expect(totalOrderPredicate(3, makeZxid(1, 9), 1, 1, makeZxid(1, 10), 1)).toBe(false);
    expect(totalOrderPredicate(3, makeZxid(1, 9), 1, 2, makeZxid(1, 9), 1)).toBe(true);
  });

  it('never prefers a vote over itself, and is a strict total order', () => {
    const v = fc.tuple(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 0, max: 20 }), fc.integer({ min: 0, max: 3 }));
    fc.assert(fc.property(v, v, v, (a, b, c) => {
      const gt = (x: typeof a, y: typeof a): boolean => totalOrderPredicate(x[0], x[1], x[2], y[0], y[1], y[2]);
      if (gt(a, a)) return false;
      const same = a[0] === b[0] && a[1] === b[1] && a[2] === b[2];
      if (!same && gt(a, b) === gt(b, a)) return false; // total and antisymmetric
      if (gt(a, b) && gt(b, c) && !gt(a, c)) return false; // transitive
      return true;
    }));
  });

  it('counts looking votes only when everything matches, out-of-election votes on leader and epoch', () => {
    const looking = (leader: number, zxid: number, ee: number): Vote => ({ leader, zxid, electionEpoch: ee, peerEpoch: 1, state: 'LOOKING' });
    const following = (leader: number, ee: number): Vote => ({ leader, zxid: 0, electionEpoch: ee, peerEpoch: 1, state: 'FOLLOWING' });
    expect(sameVote(looking(3, 10, 2), looking(3, 10, 2))).toBe(true);
    expect(sameVote(looking(3, 10, 2), looking(3, 11, 2))).toBe(false);
    expect(sameVote(following(3, 2), { ...following(3, 7), zxid: 99, state: 'LEADING' })).toBe(true);
    const votes = new Map<number, Vote>([[1, looking(3, 10, 2)], [2, looking(3, 10, 2)], [3, looking(2, 10, 2)]]);
    expect(countVotes(votes, looking(3, 10, 2))).toBe(2);
  });

  it('a quorum is a strict majority', () => {
    expect([1, 2, 3, 4, 5, 6, 7].map(quorumSize)).toEqual([1, 2, 2, 3, 3, 4, 4]);
  });
});
