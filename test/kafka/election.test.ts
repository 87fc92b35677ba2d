import { describe, expect, it } from 'vitest';
import {
  checkLeaderAndIsrRequest, controlledShutdownPartitionLeaderElection, leaderForControlledShutdown, leaderForOffline, offlinePartitionLeaderElection,
  partitionsToRebalance, preferredReplicaPartitionLeaderElection, removeReplicaFromIsr, type LeaderAndIsr,
} from '../../sim/kafka/election.ts';

const state = (leader: number, leaderEpoch: number, isr: number[]): LeaderAndIsr => ({ leader, leaderEpoch, isr, controllerEpoch: 1 });

describe('controller leader election', () => {
  it('picks the first live ISR member in assignment order, not in ISR order', () => {
    expect(offlinePartitionLeaderElection([3, 1, 2], [1, 2, 3], new Set([1, 2]), false)).toBe(1);
    expect(offlinePartitionLeaderElection([3, 1, 2], [2, 3], new Set([1, 2]), false)).toBe(2);
  });

  it('leaves the partition offline without a live ISR member, unless unclean election is on', () => {
    expect(offlinePartitionLeaderElection([1, 2, 3], [1], new Set([2, 3]), false)).toBeNull();
    expect(offlinePartitionLeaderElection([1, 2, 3], [1], new Set([2, 3]), true)).toBe(2);
  });

  it('keeps the live part of the ISR for a clean election and bumps the leader epoch', () => {
    const r = leaderForOffline([1, 2, 3], state(1, 4, [1, 2, 3]), new Set([2, 3]), false, 7)!;
    expect(r.state).toEqual({ leader: 2, leaderEpoch: 5, isr: [2, 3], controllerEpoch: 7 });
    expect(r.unclean).toBe(false);
  });

  it('an unclean leader starts a new ISR of itself', () => {
    const r = leaderForOffline([1, 2, 3], state(1, 4, [1]), new Set([3]), true, 7)!;
    expect(r.state).toEqual({ leader: 3, leaderEpoch: 5, isr: [3], controllerEpoch: 7 });
    expect(r.unclean).toBe(true);
  });

  it('preferred election only elects the first assigned replica when it is live and in the ISR', () => {
    expect(preferredReplicaPartitionLeaderElection([1, 2, 3], [2, 3, 1], new Set([1, 2, 3]))).toBe(1);
    expect(preferredReplicaPartitionLeaderElection([1, 2, 3], [2, 3], new Set([1, 2, 3]))).toBeNull();
    expect(preferredReplicaPartitionLeaderElection([1, 2, 3], [1, 2, 3], new Set([2, 3]))).toBeNull();
  });

  it('a controlled-shutdown election drops every shutting-down broker from the ISR and bumps the leader epoch', () => {
    expect(leaderForControlledShutdown([1, 2, 3], state(1, 4, [1, 2, 3]), new Set([1, 2, 3]), new Set([1, 3]), 7))
      .toEqual({ leader: 2, leaderEpoch: 5, isr: [2], controllerEpoch: 7 });
    // The ISR is the stopping broker alone: nothing to elect, the partition stays (reported as remaining).
    expect(leaderForControlledShutdown([1, 2, 3], state(1, 4, [1]), new Set([1, 2, 3]), new Set([1]), 7)).toBeNull();
    // A registered broker outside the ISR is not a candidate.
    expect(leaderForControlledShutdown([1, 2, 3], state(1, 4, [1, 3]), new Set([1, 2]), new Set([1]), 7)).toBeNull();
  });

  it('controlled shutdown moves leadership to a live ISR member that is not shutting down', () => {
    expect(controlledShutdownPartitionLeaderElection([1, 2, 3], [1, 2, 3], new Set([1, 2, 3]), new Set([1]))).toBe(2);
    expect(controlledShutdownPartitionLeaderElection([1, 2, 3], [1], new Set([1, 2, 3]), new Set([1]))).toBeNull();
  });
});

describe('controller ISR bookkeeping', () => {
  it('a dead follower leaves the ISR; a dead leader leaves it leaderless', () => {
    expect(removeReplicaFromIsr(state(1, 2, [1, 2, 3]), 3, 5)).toEqual({ leader: 1, leaderEpoch: 3, isr: [1, 2], controllerEpoch: 5 });
    expect(removeReplicaFromIsr(state(1, 2, [1, 2]), 1, 5)).toEqual({ leader: -1, leaderEpoch: 3, isr: [2], controllerEpoch: 5 });
    expect(removeReplicaFromIsr(state(1, 2, [1, 2]), 3, 5)).toBeNull();
  });

  it('never removes the last ISR member', () => {
    expect(removeReplicaFromIsr(state(1, 2, [1]), 1, 5)).toEqual({ leader: -1, leaderEpoch: 3, isr: [1], controllerEpoch: 5 });
  });
});

describe('auto leader rebalance', () => {
  it('triggers preferred elections when more than leader.imbalance.per.broker.percentage of a broker\'s partitions are led elsewhere', () => {
    const partitions = new Map([
      ['t-0', { assignment: [1, 2, 3], state: state(2, 1, [1, 2, 3]) }],
      ['t-1', { assignment: [1, 2, 3], state: state(1, 1, [1, 2, 3]) }],
      ['t-2', { assignment: [2, 3, 1], state: state(2, 1, [2, 3, 1]) }],
      ['t-3', { assignment: [1, 3, 2], state: state(3, 1, [3, 2]) }],
    ]);
    // Broker 1: 2 of 3 led elsewhere (67% > 10%); t-3's preferred replica is not in the ISR.
    expect(partitionsToRebalance(partitions, new Set([1, 2, 3]), 10)).toEqual(['t-0']);
    expect(partitionsToRebalance(partitions, new Set([1, 2, 3]), 70)).toEqual([]);
  });
});

describe('broker: LeaderAndIsr acceptance', () => {
  it('refuses a stale controller epoch and a leader epoch that is not higher', () => {
    expect(checkLeaderAndIsrRequest(3, 4, 10, 9, [1, 2], 1)).toBe('STALE_CONTROLLER_EPOCH');
    expect(checkLeaderAndIsrRequest(4, 4, 9, 9, [1, 2], 1)).toBe('STALE_CONTROLLER_EPOCH');
    expect(checkLeaderAndIsrRequest(4, 4, 10, 9, [1, 2], 1)).toBe('APPLY');
    expect(checkLeaderAndIsrRequest(5, 4, 10, 9, [2, 3], 1)).toBe('NOT_A_REPLICA');
  });
});
