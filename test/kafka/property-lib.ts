import fc from 'fast-check';
import { faultScheduleArb, swarmScheduleArb, type Overrides } from '../../sim/check/property.ts';
import type { Fault } from '../../sim/harness/faults.ts';
import { PROPERTY_FAULT_KINDS, PROPERTY_FAULT_PHASE_MS } from '../../scenarios/kafka/kafka-property.ts';

// Arbitraries of the Kafka property tests: configurations users run, and fault schedules over the
// brokers and ZooKeeper hosts of each configuration (explicit scripts, so fast-check and
// shrinkFaults can shrink them).

export const ZK_HOSTS = ['zk-1', 'zk-2', 'zk-3'];

export interface KafkaGridConfig {
  readonly brokers: number;
  readonly replicationFactor: number;
  readonly acks: 'all' | '1' | '0';
  readonly minInsyncReplicas: number;
  readonly unclean: boolean;
}

/** Brokers 3..5, RF 1..3, acks 0/1/all, min.insync.replicas 1..RF, unclean election on or off. */
export function kafkaConfigArb(): fc.Arbitrary<KafkaGridConfig> {
  return fc.tuple(fc.integer({ min: 3, max: 5 }), fc.integer({ min: 1, max: 3 }))
    .chain(([brokers, rf]) => fc.record({
      brokers: fc.constant(brokers),
      replicationFactor: fc.constant(rf),
      acks: fc.constantFrom('all' as const, '1' as const, '0' as const),
      minInsyncReplicas: fc.integer({ min: 1, max: rf }),
      unclean: fc.boolean(),
    }));
}

export function overridesOf(c: KafkaGridConfig): Overrides {
  return {
    'cluster.brokers': String(c.brokers),
    'topic.replication.factor': String(c.replicationFactor),
    'kafka.acks': c.acks,
    'kafka.min.insync.replicas': String(c.minInsyncReplicas),
    'kafka.unclean.leader.election.enable': String(c.unclean),
  };
}

export const brokersOf = (o: Overrides): string[] =>
  Array.from({ length: Number(o['cluster.brokers'] ?? '3') }, (_, i) => `broker-${i + 1}`);

/** Swarm schedules (a drawn subset of the kinds, rate, durations and maxDown) over this configuration's brokers. */
export function swarmSchedulesFor(o: Overrides, maxFaults: number): fc.Arbitrary<Fault[]> {
  const brokers = brokersOf(o);
  return swarmScheduleArb({
    kinds: PROPERTY_FAULT_KINDS, processes: brokers, hosts: [...brokers, ...ZK_HOSTS],
    meanIntervalMsMin: 2000, meanIntervalMsMax: 10_000, durationMsMin: 500, durationMsMax: 25_000,
    maxDown: 2, faultPhaseMs: PROPERTY_FAULT_PHASE_MS, maxFaults,
  });
}

/** Plain schedules of up to maxFaults faults of every kind, one process down at a time. */
export function schedulesFor(o: Overrides, maxFaults: number): fc.Arbitrary<Fault[]> {
  const brokers = brokersOf(o);
  return faultScheduleArb({
    processes: brokers, hosts: [...brokers, ...ZK_HOSTS], kinds: PROPERTY_FAULT_KINDS,
    faultPhaseMs: PROPERTY_FAULT_PHASE_MS, maxFaults, durationMsMin: 500, durationMsMax: 20_000, maxDown: 1,
  });
}

/**
 * Schedules aimed at the moment the KIP-101 class needs (KIP-101's first scenario): a follower of
 * partition P restarts (before 0.11 it truncates to its own checkpointed high watermark, which lags
 * the leader's), and then P's leader crashes, so the restarted follower, the next in assignment
 * order, is elected without the records it cut. Each window is `restart follower(events-P)` at t then
 * `crash leader(events-P)` 1..5 s later for 1..20 s; the rest of the schedule is plain faults as
 * schedulesFor draws them. The targets resolve when the faults apply, so the windows hit the real
 * follower and leader of that moment on every run seed.
 *
 * Measured (kafka-property, IBP 0.10.2, one window at 10 s, 12 run seeds per gap): a gap of 0.5 s
 * lost acknowledged writes in 1 of 12 runs, 0.7 s in 2, 1 to 5 s in 7 of 12; the same windows at
 * the default version lost nothing (0 of 24).
 */
export function kip101SchedulesFor(o: Overrides, maxFaults: number): fc.Arbitrary<Fault[]> {
  const partitions = Number(o['topic.partitions'] ?? '6');
  const window = fc.record({
    partition: fc.integer({ min: 0, max: partitions - 1 }),
    atMs: fc.integer({ min: 100, max: (PROPERTY_FAULT_PHASE_MS - 6000) / 10 }).map((g) => g * 10),
    gapMs: fc.integer({ min: 100, max: 500 }).map((g) => g * 10),
    downMs: fc.integer({ min: 100, max: 2000 }).map((g) => g * 10),
  }).map(({ partition, atMs, gapMs, downMs }): Fault[] => [
    { atMs, action: { kind: 'restart', target: `follower(events-${partition})` } },
    { atMs: atMs + gapMs, durationMs: downMs, action: { kind: 'crash', target: `leader(events-${partition})` } },
  ]);
  return fc.tuple(fc.array(window, { minLength: 1, maxLength: 3 }), schedulesFor(o, Math.max(0, maxFaults - 6)))
    .map(([windows, rest]) => [...windows.flat(), ...rest].sort((a, b) => a.atMs - b.atMs));
}
