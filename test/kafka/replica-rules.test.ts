import { describe, expect, it } from 'vitest';
import { LeaderEpochFileCache } from '../../sim/kafka/log/epoch-cache.ts';
import {
  acksAllStatus, canJoinIsr, checkCurrentLeaderEpoch, followerHighWatermark, leaderHighWatermarkCandidate, newFollowerState,
  nextLeaderHighWatermark, notEnoughReplicasBeforeAppend, offsetTruncationState, outOfSyncReplicas, resetFollowerOnLeadership,
  truncateToHighWatermark, updateFollowerFetchState, usesEpochTruncation, type FollowerLogView, type FollowerState, type TruncationDecision,
} from '../../sim/kafka/replica-rules.ts';
import { features } from '../../sim/kafka/version.ts';
import { memIO } from './helpers.ts';

interface ReplicaView extends FollowerLogView {
  logEndOffset: number;
  readonly cache: LeaderEpochFileCache;
}

/** A replica's epoch cache and log end, as the truncation rules see it. */
function replica(version: string, epochs: [number, number][], leo: number, hw = 0): ReplicaView {
  const f = features(version);
  const state = { leo };
  const cache = new LeaderEpochFileCache(memIO(), 'x/leader-epoch-checkpoint', f.epochCache21 ? 'kafka7415' : 'kip101', () => state.leo, () => {});
  for (const [e, o] of epochs) cache.assign(e, o);
  return {
    get logEndOffset() {
      return state.leo;
    },
    set logEndOffset(v: number) {
      state.leo = v;
    },
    highWatermark: hw,
    get latestEpoch() {
      return cache.latestEpoch();
    },
    endOffsetFor: (e: number) => cache.endOffsetFor(e),
    cache,
  };
}

/**
 * The follower's whole truncation exchange with the leader, as the fetcher runs it: ask with the
 * latest epoch, truncate, and ask again while the decision is not complete.
 */
function truncateFollower(version: string, follower: ReplicaView, leader: ReplicaView): number {
  const f = features(version);
  if (!usesEpochTruncation(f, follower)) return truncateToHighWatermark(follower).offset;
  for (let round = 0; round < 10; round++) {
    const d: TruncationDecision = offsetTruncationState(f, leader.endOffsetFor(follower.latestEpoch), follower);
    follower.logEndOffset = d.offset;
    follower.cache.truncateFromEnd(d.offset);
    if (d.completed) return d.offset;
  }
  throw new Error('truncation did not converge');
}

describe('follower truncation by version', () => {
  // KIP-101 scenario 1 (../shared/REFERENCE.md): follower A has m1, m2 but its HW is still 1 (it
  // learns the HW one fetch later); A restarts and becomes a follower of B again.
  it.each([
    ['0.10.2', 1],
    ['0.11.0', 2],
    ['2.0', 2],
    ['2.8', 2],
  ])('KIP-101 scenario 1 under IBP %s: the restarted follower keeps offsets below %i', (version, expected) => {
    const a = replica(version, [[0, 0]], 2, 1);
    const b = replica(version, [[0, 0]], 2, 2);
    expect(truncateFollower(version, a, b)).toBe(expected);
  });

  // KIP-101 scenario 2: both replicas lost unflushed data; B came back first with only m1 and, as
  // leader in epoch 1, wrote m3 at offset 1. A came back holding m1, m2 (epoch 0) and HW 2.
  it.each([
    ['0.10.2', 2], // keeps its m2 at offset 1 where the leader has m3: the logs diverge
    ['0.11.0', 1],
    ['2.8', 1],
  ])('KIP-101 scenario 2 under IBP %s: the follower truncates to %i', (version, expected) => {
    const a = replica(version, [[0, 0]], 2, 2);
    const b = replica(version, [[0, 0], [1, 1]], 2, 1);
    expect(truncateFollower(version, a, b)).toBe(expected);
  });

  // KIP-279: the follower wrote in epoch 2, which the new leader never saw (it was elected in epoch
  // 3 after writing epoch 1). Follower epochs {0@0, 2@5}, LEO 8; leader epochs {0@0, 1@3, 3@6}, LEO 10.
  it.each([
    ['1.1', 6], // v0 answer: truncate to the leader's end offset for epoch <= 2, keeping its epoch-2 records 5..
    ['2.0', 3], // iterate to the largest common epoch 0, which ends at 3 on the leader
    ['2.8', 3],
  ])('KIP-279 divergence under IBP %s: the follower truncates to %i', (version, expected) => {
    const follower = replica(version, [[0, 0], [2, 5]], 8, 3);
    const leader = replica(version, [[0, 0], [1, 3], [3, 6]], 10, 8);
    expect(truncateFollower(version, follower, leader)).toBe(expected);
  });

  it('a follower with no cached epoch truncates to its HW even with leader epochs (KAFKA-6859)', () => {
    const f = replica('2.8', [], 5, 3);
    expect(usesEpochTruncation(features('2.8'), f)).toBe(false);
    expect(truncateToHighWatermark(f).offset).toBe(3);
  });

  it('an UNDEFINED answer falls back to the HW', () => {
    const f: FollowerLogView = { logEndOffset: 9, highWatermark: 4, latestEpoch: 2, endOffsetFor: () => ({ epoch: -1, endOffset: -1 }) };
    expect(offsetTruncationState(features('2.8'), { epoch: -1, endOffset: -1 }, f)).toMatchObject({ offset: 4, completed: true });
  });
});

describe('KIP-320 fencing', () => {
  it('fences a lower current_leader_epoch and calls a higher one unknown, from 2.1', () => {
    const f = features('2.1');
    expect(checkCurrentLeaderEpoch(f, 4, 5)).toBe('FENCED_LEADER_EPOCH');
    expect(checkCurrentLeaderEpoch(f, 6, 5)).toBe('UNKNOWN_LEADER_EPOCH');
    expect(checkCurrentLeaderEpoch(f, 5, 5)).toBe('NONE');
    expect(checkCurrentLeaderEpoch(f, null, 5)).toBe('NONE');
  });

  it('does not check before 2.1: a zombie follower\'s fetch is served', () => {
    expect(checkCurrentLeaderEpoch(features('2.0'), 4, 5)).toBe('NONE');
  });
});

describe('ISR rules', () => {
  const cfg = { replicaLagTimeMaxMs: 10_000, replicaLagMaxMessages: 4000 };

  function follower(leo: number, lastCaughtUpTimeMs: number, leoUpdateTimeMs = lastCaughtUpTimeMs): FollowerState {
    return { ...newFollowerState(), leo, lastCaughtUpTimeMs, leoUpdateTimeMs };
  }

  it('0.9+: a follower leaves when it has not caught up within replica.lag.time.max.ms and is behind', () => {
    const f = features('2.8');
    const followers = new Map([[2, follower(90, 1_000)], [3, follower(100, 1_000)]]);
    expect(outOfSyncReplicas(f, [1, 2, 3], 1, 100, followers, 11_001, cfg)).toEqual([2]);
    expect(outOfSyncReplicas(f, [1, 2, 3], 1, 100, followers, 11_000, cfg)).toEqual([]);
  });

  it('before 0.9: a follower leaves when stuck for replica.lag.time.max.ms or more than replica.lag.max.messages behind', () => {
    const f = features('0.8.2');
    const followers = new Map([[2, follower(9_000, 0, 5_000)], [3, follower(5_000, 0, 9_999)]]);
    expect(outOfSyncReplicas(f, [1, 2, 3], 1, 10_000, followers, 10_000, cfg)).toEqual([3]);
    expect(outOfSyncReplicas(f, [1, 2, 3], 1, 10_000, followers, 15_001, cfg)).toEqual([2, 3]);
  });

  it('a fetch at the leader LEO, or at the LEO of the previous fetch, counts as caught up', () => {
    const s = newFollowerState();
    resetFollowerOnLeadership(s, false, 10, 0);
    updateFollowerFetchState(s, 10, 12, 100); // reached the LEO the leader had at the previous fetch
    expect(s.lastCaughtUpTimeMs).toBe(0);
    updateFollowerFetchState(s, 12, 15, 200);
    expect(s.lastCaughtUpTimeMs).toBe(100);
    updateFollowerFetchState(s, 15, 15, 300);
    expect(s.lastCaughtUpTimeMs).toBe(300);
    updateFollowerFetchState(s, 15, 20, 400);
    expect(s.lastCaughtUpTimeMs).toBe(300);
  });

  it('joining the ISR needs LEO >= HW, and from 2.1 also the start of the leader epoch (KAFKA-7128)', () => {
    expect(canJoinIsr(features('2.0'), 50, 50, 50, 60)).toBe(true);
    expect(canJoinIsr(features('2.1'), 50, 50, 50, 60)).toBe(false);
    expect(canJoinIsr(features('2.1'), 60, 60, 50, 60)).toBe(true);
    expect(canJoinIsr(features('2.8'), 49, 49, 50, 10)).toBe(false);
  });
});

describe('high watermark rules', () => {
  it('is the minimum LEO over the ISR, plus caught-up followers from 0.10.2, and never decreases', () => {
    const followers = new Map<number, FollowerState>([
      [2, { ...newFollowerState(), leo: 80, lastCaughtUpTimeMs: 9_000 }],
      [3, { ...newFollowerState(), leo: 95, lastCaughtUpTimeMs: 9_500 }],
    ]);
    // Replica 2 is out of the ISR but caught up recently: 0.10.2+ waits for it.
    expect(leaderHighWatermarkCandidate(features('0.10.2'), 1, 100, [1, 2, 3], [1, 3], followers, 10_000, 10_000)).toBe(80);
    expect(leaderHighWatermarkCandidate(features('0.10.1'), 1, 100, [1, 2, 3], [1, 3], followers, 10_000, 10_000)).toBe(95);
    expect(leaderHighWatermarkCandidate(features('2.8'), 1, 100, [1, 2, 3], [1], followers, 30_000, 10_000)).toBe(100);
    expect(nextLeaderHighWatermark(90, 80)).toBe(90);
    expect(nextLeaderHighWatermark(90, 95)).toBe(95);
  });

  it('a follower outside the ISR that never fetched from this leader is never caught up, even early in the run', () => {
    // Kafka's 0L of a wall clock is 1970; simulated time starts at 0, so "never" must not read as "at 0".
    const fresh = new Map<number, FollowerState>([[2, newFollowerState()], [3, newFollowerState()]]);
    resetFollowerOnLeadership(fresh.get(2)!, false, 100, 5_000);
    resetFollowerOnLeadership(fresh.get(3)!, true, 100, 5_000);
    updateFollowerFetchState(fresh.get(3)!, 100, 100, 5_010);
    expect(leaderHighWatermarkCandidate(features('2.8'), 1, 100, [1, 2, 3], [1, 3], fresh, 5_020, 30_000)).toBe(100);
    expect(leaderHighWatermarkCandidate(features('2.8'), 1, 100, [1, 2, 3], [1, 3], new Map([[3, fresh.get(3)!], [2, newFollowerState()]]), 5_020, 30_000)).toBe(100);
  });

  it('a follower\'s HW is the fetch response HW bounded by its own LEO', () => {
    expect(followerHighWatermark(10, 15)).toBe(10);
    expect(followerHighWatermark(20, 15)).toBe(15);
  });
});

describe('acks=all and min.insync.replicas', () => {
  it('refuses before appending when the ISR is below min.insync.replicas, with the version\'s wording', () => {
    expect(notEnoughReplicasBeforeAppend(features('2.8'), -1, [1], 2, 'events-0'))
      .toBe('The size of the current ISR Set(1) is insufficient to satisfy the min.isr requirement of 2 for partition events-0');
    expect(notEnoughReplicasBeforeAppend(features('0.10.2'), -1, [1], 2, 'events-0'))
      .toBe('Number of insync replicas for partition events-0 is [1], below required minimum [2]');
    expect(notEnoughReplicasBeforeAppend(features('2.8'), 1, [1], 2, 'events-0')).toBeNull();
    expect(notEnoughReplicasBeforeAppend(features('2.8'), -1, [1, 2], 2, 'events-0')).toBeNull();
  });

  it('completes when the HW passes the write, with NOT_ENOUGH_REPLICAS_AFTER_APPEND if the ISR shrank meanwhile', () => {
    expect(acksAllStatus(10, 11, 3, 2)).toBe('WAIT');
    expect(acksAllStatus(11, 11, 3, 2)).toBe('NONE');
    expect(acksAllStatus(11, 11, 1, 2)).toBe('NOT_ENOUGH_REPLICAS_AFTER_APPEND');
  });
});
