import { describe, expect, it } from 'vitest';
import { runScenario } from '../../sim/harness/run.ts';
import { applyFault, parseFault } from '../../sim/harness/faults.ts';
import { defineScenario } from '../../sim/harness/scenario.ts';
import { buildKafka, schema, summaryFor, systems } from '../../scenarios/kafka/lib/common.ts';
import type { Broker } from '../../sim/kafka/broker.ts';

// Targeted Kafka runs: one partition [1,2,3] (broker-1 leads) under a short script, with a fault
// fired at the protocol moment a rule guards. Each expects no violation; the bug planted against it
// (test/planted/catalogue.ts, `npm run planted`) makes a checker fire.

function fired(r: ReturnType<typeof runScenario>): string[] {
  return [...new Set(r.violations.map((v) => `${v.checker}: ${v.message}`))];
}

describe('ISR expansion (Partition.maybeExpandIsr): a follower joins the ISR only once its LEO has reached the HW', () => {
  // broker-2 is down for 25 s and leaves the ISR; when it returns it fetches one batch per request
  // (replica.fetch.max.bytes=1), so it needs many fetches to catch up. The moment the leader adds it
  // back to the ISR, the leader dies: the controller elects broker-2, first in the assignment.
  const rejoin = defineScenario({
    name: 'planted-isr-rejoin',
    description: 'broker-2 rejoins the ISR of events-0 and the leader dies at that moment',
    teaches: 'test only',
    systems,
    schema,
    defaults: {
      'kafka.acks': 'all', 'kafka.min.insync.replicas': 2, 'topic.partitions': 1, 'kafka.replica.lag.time.max.ms': 10000,
      'kafka.replica.fetch.max.bytes': 1,
    },
    faults: 'at 5s crash broker-2 for 25s\n',
    faultPhaseMs: 45_000,
    quiesceMs: 30_000,
    expect: { violations: [], why: 'a follower that rejoins the ISR holds everything committed' },
    build(world, cfg) {
      buildKafka(world, cfg, 75_000, { replicaAssignment: [[1, 2, 3]] });
      let done = false;
      world.onObserve('kafka-isr', (_p, o) => {
        // The leader's own write before 2.7-IV2, the controller's write of its AlterIsr from 2.7-IV2 (the default).
        if (done || o.by === 'controller' || world.nowUs < 30_000_000 || !o.isr.includes(2)) return;
        done = true;
        world.schedule(world.nowUs, () => applyFault(world, parseFault(`at 0s crash broker-${o.leader}`, 'planted-isr-rejoin')));
      });
    },
    summary: summaryFor,
  });

  it('the leader dies as a returning follower rejoins the ISR, and nothing committed is lost', () => {
    const r = runScenario(rejoin, { seed: 1 });
    expect(fired(r)).toEqual([]);
    expect(r.world.history.operations().filter((o) => o.f === 'send' && o.status === 'ok').length).toBeGreaterThan(100);
  });
});

describe('log recovery after an unclean shutdown (Log.recoverLog, LogSegment.recover): every batch from the recovery point is validated, CRC included', () => {
  // Every write is fsynced (log.flush.interval.messages=1) so the segment's bytes are on the media.
  // broker-2 is killed at 20 s and stays down long enough to leave the ISR; meanwhile five bits of
  // its segment rot. When it returns, recovery must find the damaged batch, truncate there and fetch
  // the rest again. Later the leader dies and broker-2 (first in the assignment) leads: every
  // acknowledged write must read back intact from it.
  const rot = defineScenario({
    name: 'planted-segment-rot',
    description: 'a bit of broker-2\'s segment rots while it is down; later it leads events-0',
    teaches: 'test only',
    systems,
    schema,
    defaults: { 'kafka.acks': 'all', 'kafka.min.insync.replicas': 2, 'topic.partitions': 1, 'kafka.log.flush.interval.messages': 1 },
    faults: 'at 20s crash broker-2 for 25s\nat 30s corrupt broker-2 broker-2/kafka-logs/events-0/00000000000000000000.log\nat 31s corrupt broker-2 broker-2/kafka-logs/events-0/00000000000000000000.log\nat 32s corrupt broker-2 broker-2/kafka-logs/events-0/00000000000000000000.log\nat 33s corrupt broker-2 broker-2/kafka-logs/events-0/00000000000000000000.log\nat 34s corrupt broker-2 broker-2/kafka-logs/events-0/00000000000000000000.log\nat 70s crash broker-1\n',
    faultPhaseMs: 80_000,
    quiesceMs: 30_000,
    expect: { violations: [], why: 'recovery drops the damaged batch and the replica fetches it again' },
    build(world, cfg) {
      buildKafka(world, cfg, 110_000, { replicaAssignment: [[1, 2, 3]] });
    },
    summary: summaryFor,
  });

  it('a replica whose segment rotted while it was down leads later without serving the damaged batch', () => {
    const r = runScenario(rot, { seed: 1 });
    expect(fired(r)).toEqual([]);
    expect(r.world.actor<Broker>('broker-2')!.partitions.get('events-0')!.isLeader).toBe(true);
  });
});
