import { describe, expect, it } from 'vitest';
import { Rng } from '../../sim/core/rng.ts';
import { assignReplicasToBrokers, rackAlternatedBrokerList } from '../../sim/kafka/assignment.ts';

const brokers = (ids: number[]) => ids.map((id) => ({ id }));
const asObject = (m: Map<number, number[]>) => Object.fromEntries(m);

describe('AdminUtils.assignReplicasToBrokers', () => {
  it('rack-unaware with fixed start index 0 gives Kafka\'s AdminRackAwareTest.testReplicaAssignment output', () => {
    const a = assignReplicasToBrokers(brokers([0, 1, 2, 3, 4]), 10, 3, null, { fixedStartIndex: 0 });
    expect(asObject(a)).toEqual({
      0: [0, 1, 2], 1: [1, 2, 3], 2: [2, 3, 4], 3: [3, 4, 0], 4: [4, 0, 1],
      5: [0, 2, 3], 6: [1, 3, 4], 7: [2, 4, 0], 8: [3, 0, 1], 9: [4, 1, 2],
    });
  });

  it('sorts brokers by id first', () => {
    const a = assignReplicasToBrokers(brokers([4, 2, 0, 3, 1]), 10, 3, null, { fixedStartIndex: 0 });
    expect(a.get(0)).toEqual([0, 1, 2]);
  });

  it('draws start index and shift from the rng: 3 brokers, 6 partitions, RF 3', () => {
    const a = assignReplicasToBrokers(brokers([1, 2, 3]), 6, 3, new Rng(42));
    const check = new Rng(42);
    const startIndex = check.int(0, 2);
    let shift = check.int(0, 2);
    for (let p = 0; p < 6; p++) {
      if (p > 0 && p % 3 === 0) shift++;
      const f = (p + startIndex) % 3;
      const expected = [f + 1];
      for (let j = 0; j < 2; j++) expected.push(((f + 1 + ((shift + j) % 2)) % 3) + 1);
      expect(a.get(p)).toEqual(expected);
    }
    // Every partition has RF distinct replicas and leaders are spread evenly.
    const leaders = [...a.values()].map((r) => r[0]);
    for (const b of [1, 2, 3]) expect(leaders.filter((l) => l === b)).toHaveLength(2);
    for (const r of a.values()) expect(new Set(r).size).toBe(3);
  });

  it('rejects a replication factor larger than the broker count with Kafka\'s wording', () => {
    expect(() => assignReplicasToBrokers(brokers([0, 1]), 6, 3, new Rng(1)))
      .toThrow('Replication factor: 3 larger than available brokers: 2.');
    expect(() => assignReplicasToBrokers(brokers([0, 1]), 6, 3, new Rng(1)))
      .toThrow(expect.objectContaining({ name: 'InvalidReplicationFactorException' }));
  });

  it('uses the pre-1.0 wording when asked', () => {
    expect(() => assignReplicasToBrokers(brokers([0, 1]), 6, 3, new Rng(1), { legacyWording: true }))
      .toThrow(/^replication factor: 3 larger than available brokers: 2$/);
  });

  it('rejects zero partitions and zero replication factor', () => {
    expect(() => assignReplicasToBrokers(brokers([0, 1]), 0, 1, new Rng(1))).toThrow('Number of partitions must be larger than 0.');
    expect(() => assignReplicasToBrokers(brokers([0, 1]), 3, 0, new Rng(1))).toThrow('Replication factor must be larger than 0.');
  });

  it('rack-aware: rack-alternated list and assignment of AdminRackAwareTest', () => {
    const rackMap = new Map([[0, 'rack1'], [1, 'rack3'], [2, 'rack3'], [3, 'rack2'], [4, 'rack2'], [5, 'rack1']]);
    expect(rackAlternatedBrokerList(rackMap)).toEqual([0, 3, 1, 5, 4, 2]);
    const without5 = new Map(rackMap);
    without5.delete(5);
    expect(rackAlternatedBrokerList(without5)).toEqual([0, 3, 1, 4, 2]);
    const a = assignReplicasToBrokers([...rackMap].map(([id, rack]) => ({ id, rack })), 7, 3, null, { fixedStartIndex: 0, startPartitionId: 0 });
    expect(asObject(a)).toEqual({ 0: [0, 3, 1], 1: [3, 1, 5], 2: [1, 5, 4], 3: [5, 4, 2], 4: [4, 2, 0], 5: [2, 0, 3], 6: [0, 4, 2] });
  });

  it('refuses a mix of brokers with and without racks', () => {
    expect(() => assignReplicasToBrokers([{ id: 0, rack: 'a' }, { id: 1 }], 2, 1, new Rng(1)))
      .toThrow('Not all brokers have rack information for replica rack aware assignment.');
  });
});
