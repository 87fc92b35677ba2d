import { describe, expect, it } from 'vitest';
import { resolveScenarioConfig } from '../../sim/harness/run.ts';
import { World } from '../../sim/world/world.ts';
import type { Broker } from '../../sim/kafka/broker.ts';
import { liveBrokers } from '../../sim/kafka/cluster.ts';
import type { LeaderAndIsr, StopReplica } from '../../sim/kafka/messages.ts';
import failover from '../../scenarios/kafka/kafka-leader-failover.ts';

// Broker behaviour on a running cluster (the failover scenario's, before its fault): registration,
// one controller, LeaderAndIsr acceptance by controller epoch and leader epoch.

function cluster(untilMs: number, overrides: Record<string, string> = {}): World {
  const cfg = resolveScenarioConfig(failover, overrides);
  const world = new World({ seed: 7, config: cfg });
  failover.build(world, cfg);
  world.runUntil(untilMs * 1000);
  return world;
}

describe('broker', () => {
  it('registers every broker, elects one controller and brings every partition online with an ISR of 3', () => {
    const w = cluster(15_000);
    const brokers = liveBrokers(w);
    expect(brokers).toHaveLength(3);
    expect(brokers.filter((b) => b.controller !== null)).toHaveLength(1);
    for (let p = 0; p < 6; p++) {
      const leaders = brokers.filter((b) => b.partitions.get(`events-${p}`)?.isLeader === true);
      expect(leaders).toHaveLength(1);
      expect([...leaders[0]!.partitions.get(`events-${p}`)!.isr].sort()).toEqual([1, 2, 3]);
    }
    const view = brokers[0]!.inspect() as { role: string; brokerId: number; ibp: string; partitions: { [tp: string]: { leo: number; hw: number; epochs: unknown } } };
    expect(['broker', 'controller']).toContain(view.role);
    expect(view.ibp).toBe('2.8');
    expect(view.partitions['events-0']!.leo).toBeGreaterThan(0);
  });

  it('returns the same frozen partition view while nothing shown changes, and a new one when the LEO moves', () => {
    const w = cluster(15_000);
    const leader = liveBrokers(w).find((b) => b.partitions.get('events-0')?.isLeader === true)!;
    const part = leader.partitions.get('events-0')!;
    const v1 = part.inspect();
    expect(Object.isFrozen(v1)).toBe(true);
    expect(part.inspect()).toBe(v1);
    w.runUntil(w.nowUs + 2_000_000); // the producer keeps writing
    const v2 = part.inspect() as { leo: number; followers: { [id: string]: { leo: number } } };
    expect(v2).not.toBe(v1);
    expect(v2.leo).toBeGreaterThan((v1 as { leo: number }).leo);
    expect(v2.leo).toBe(part.log.logEndOffset);
    for (const [id, s] of part.followers) expect(v2.followers[String(id)]!.leo).toBe(s.leo);
    // A change the log does not see: a follower's catch-up time, or a new ISR, gives a new view too.
    const [fid, fs] = [...part.followers][0]!;
    fs.lastCaughtUpTimeMs += 1;
    const v3 = part.inspect() as { isr: number[]; followers: { [id: string]: { lastCaughtUpMs: number } } };
    expect(v3).not.toBe(v2);
    expect(v3.followers[String(fid)]!.lastCaughtUpMs).toBe(fs.lastCaughtUpTimeMs);
    part.isr = [...part.isr];
    expect(part.inspect()).not.toBe(v3);
  });

  it('refuses a LeaderAndIsr with a stale controller epoch, leader epoch or broker epoch and applies a current one', () => {
    const w = cluster(15_000);
    const follower = liveBrokers(w).find((b) => b.controller === null && b.partitions.get('events-0')?.isLeader === false) as Broker;
    const part = follower.partitions.get('events-0')!;
    const state = (controllerEpoch: number, leaderEpoch: number, brokerEpoch = follower.brokerEpoch): LeaderAndIsr => ({
      type: 'LeaderAndIsr', correlationId: 1, brokerEpoch, controllerId: 9, controllerEpoch,
      partitions: [{ tp: 'events-0', topic: 'events', partition: 0, leader: follower.id, leaderEpoch, isr: [follower.id], zkVersion: part.zkVersion, replicas: part.replicas }],
    });
    const from = w.pid('zk-1');
    follower.onMessage(from, state(follower.controllerEpoch - 1, part.leaderEpoch + 5));
    expect(part.isLeader).toBe(false);
    follower.onMessage(from, state(follower.controllerEpoch, part.leaderEpoch));
    expect(part.isLeader).toBe(false); // same leader epoch: stale
    expect(follower.brokerEpoch).toBeGreaterThan(0);
    follower.onMessage(from, state(follower.controllerEpoch, part.leaderEpoch + 5, follower.brokerEpoch - 1));
    expect(part.isLeader).toBe(false); // KIP-380: addressed to an older registration of this broker
    follower.onMessage(from, state(follower.controllerEpoch, part.leaderEpoch + 5));
    expect(part.isLeader).toBe(true);
  });

  for (const [ibp, skips] of [['0.10.2', true], ['2.0', true], ['2.1', false], ['2.8', false]] as const) {
    it(`a LeaderAndIsr naming the leader a follower already follows ${skips ? 'leaves its fetcher and log alone (before 2.1)' : 'restarts its fetch state (from 2.1)'}: IBP ${ibp}`, () => {
      const w = cluster(15_000, { 'kafka.inter.broker.protocol.version': ibp });
      const follower = liveBrokers(w).find((b) => b.controller === null && b.partitions.get('events-0')?.isLeader === false) as Broker;
      const part = follower.partitions.get('events-0')!;
      const fetchState = () => follower.followerSide.fetcherFor(w.pid(`broker-${part.leader}`))?.partitions.get('events-0');
      const before = fetchState();
      expect(before).toBeDefined();
      const msg: LeaderAndIsr = {
        type: 'LeaderAndIsr', correlationId: 1, brokerEpoch: follower.brokerEpoch, controllerId: 9, controllerEpoch: follower.controllerEpoch,
        partitions: [{ tp: 'events-0', topic: 'events', partition: 0, leader: part.leader, leaderEpoch: part.leaderEpoch + 1, isr: [...part.isr], zkVersion: part.zkVersion + 1, replicas: part.replicas }],
      };
      const epoch = part.leaderEpoch;
      follower.onMessage(w.pid('zk-1'), msg);
      // The new state is recorded either way.
      expect(part.leaderEpoch).toBe(epoch + 1);
      if (skips) expect(fetchState()).toBe(before);
      else expect(fetchState()).not.toBe(before);
    });
  }

  it('StopReplica (deletePartitions=false) stops fetching the partitions named and keeps their logs; a stale controller epoch is refused', () => {
    const w = cluster(15_000);
    const follower = liveBrokers(w).find((b) => b.controller === null && b.partitions.get('events-0')?.isLeader === false) as Broker;
    const part = follower.partitions.get('events-0')!;
    const leaderPid = w.pid(`broker-${part.leader}`);
    const fetching = (): boolean => follower.followerSide.fetcherFor(leaderPid)?.partitions.has('events-0') === true;
    const stop = (controllerEpoch: number): StopReplica => ({
      type: 'StopReplica', correlationId: 1, brokerEpoch: follower.brokerEpoch, controllerId: 9, controllerEpoch, deletePartitions: false, partitions: ['events-0'],
    });
    expect(fetching()).toBe(true);
    const from = w.pid('zk-1');
    follower.onMessage(from, stop(follower.controllerEpoch - 1));
    expect(fetching()).toBe(true);
    const leo = part.log.logEndOffset;
    follower.onMessage(from, stop(follower.controllerEpoch));
    expect(fetching()).toBe(false);
    expect(follower.partitions.get('events-0')!.log.logEndOffset).toBe(leo);
  });
});
