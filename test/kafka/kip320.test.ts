import { describe, expect, it } from 'vitest';
import { runScenario } from '../../sim/harness/run.ts';
import randomFaults from '../../scenarios/kafka/kafka-random-faults.ts';

// A follower that missed leader epochs of the leader it already follows. Before 2.1,
// Partition.makeFollower returns false when the LeaderAndIsr names the leader the replica already
// follows, and ReplicaManager.makeFollowers skips the become-follower steps: no truncation. From 2.1
// (with KIP-320) only an unchanged leader epoch is skipped: a follower that missed epochs may hold
// records its leader truncated meanwhile, so it must truncate again.
// kafka-random-faults seed 66: broker-1 follows broker-2 on events-0 at epoch 0, misses epochs 1 and
// 2 (broker-3 leads, broker-2 truncates as its follower), and receives epoch 3 with broker-2 leading
// again. Before 2.1 it keeps its old records at offsets broker-2 replaced: the logs diverge.

const SEED = 66;
const checkersAt = (ibp: string): string[] =>
  [...new Set(runScenario(randomFaults, { seed: SEED, overrides: { 'kafka.inter.broker.protocol.version': ibp } }).violations.map((v) => v.checker))];

describe('a follower told of a later epoch of the leader it already follows (KIP-320, 2.1)', () => {
  it('keeps records its leader truncated, and the logs diverge, at IBP 0.11.0 and 2.0', () => {
    expect(checkersAt('0.11.0')).toContain('kafka-log-matching');
    expect(checkersAt('2.0')).toContain('kafka-log-matching');
  }, 30_000);

  it('truncates by leader epoch and stays consistent from 2.1', () => {
    expect(checkersAt('2.1')).toEqual([]);
    expect(checkersAt('2.8')).toEqual([]);
  }, 30_000);
});
