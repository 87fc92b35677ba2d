import type { Config, ConfigSchema } from '../../../sim/core/config.ts';
import type { World } from '../../../sim/world/world.ts';
import type { TopicSpec } from '../../../sim/kafka/broker.ts';
import { topicFromConfig, type Cluster } from '../../../sim/kafka/cluster.ts';
import { kafka } from '../../../sim/kafka/system.ts';

// Shared setup of the Kafka scenarios, through the Kafka System (sim/kafka/system.ts): 3 ZooKeeper
// peers, N brokers, one topic, producers, the Kafka checkers, and the kafka-topics.sh --describe
// summary. The scenarios compose `systems` (Kafka, which brings ZooKeeper) and add `schema`.

export const TOPIC = 'events';

export const workloadSchema: ConfigSchema = {
  'cluster.brokers': { type: 'int', default: 3, min: 1, max: 9, doc: 'number of brokers (broker-1..N, one host each)' },
  'topic.partitions': { type: 'int', default: 6, min: 1, max: 100, doc: 'partitions of the topic "events"' },
  'topic.replication.factor': { type: 'int', default: 3, min: 1, max: 9, doc: 'replication factor of the topic "events"' },
  'workload.producers': { type: 'int', default: 1, min: 0, max: 20, doc: 'producers (producer-1.., hosts p-1..)' },
  'workload.intervalMs': { type: 'int', default: 20, min: 1, doc: 'ms between two records of one producer' },
  'workload.keys': { type: 'int', default: 1000, min: 0, doc: 'distinct record keys (murmur2 partitioning); 0: null keys' },
  'workload.startMs': { type: 'int', default: 8000, min: 0, doc: 'when producers start (after the cluster formed)' },
  'check.livenessBoundMs': { type: 'int', default: 60_000, min: 1, doc: 'kafka-liveness: after heal, every partition has a leader and an acked write within this long' },
};

/** The systems every Kafka scenario composes (Kafka uses ZooKeeper, so its keys come too). */
export const systems = [kafka];

/** The Kafka scenarios' own keys (the systems' keys are added from `systems`). */
export const schema: ConfigSchema = workloadSchema;

export interface BuildOptions {
  /** Fixed replicas per partition (so a fault script can name the leader). */
  readonly replicaAssignment?: readonly (readonly number[])[];
  /** Which of the Kafka checkers to attach (default: all). */
  readonly keepChecker?: (name: string) => boolean;
}

/** The scenario topic as the `topic.*` and `kafka.topic.config` keys describe it. */
export function topicOf(cfg: Config): TopicSpec {
  return topicFromConfig(cfg, TOPIC, cfg.int('topic.partitions'), cfg.int('topic.replication.factor'));
}

export function buildKafka(world: World, cfg: Config, endMs: number, opts: BuildOptions = {}): Cluster {
  const base = topicOf(cfg);
  const topic = opts.replicaAssignment === undefined ? base : { ...base, replicaAssignment: opts.replicaAssignment };
  const cluster = kafka.build(world, cfg, {
    brokers: cfg.int('cluster.brokers'),
    topic,
    producers: cfg.int('workload.producers'),
    produceIntervalMs: cfg.int('workload.intervalMs'),
    keys: cfg.int('workload.keys'),
    produceStartMs: cfg.int('workload.startMs'),
    produceStopMs: endMs,
  });
  for (const c of kafka.checkers(cfg, cluster, { livenessBoundMs: cfg.int('check.livenessBoundMs') })) {
    if (opts.keepChecker === undefined || opts.keepChecker(c.name)) world.addChecker(c);
  }
  return cluster;
}

export function summaryFor(world: World): string {
  return kafka.summary(world);
}
