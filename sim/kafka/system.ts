import { closest, parseProperties } from '../core/config.ts';
import { UsageError } from '../core/invariant.ts';
import type { ConfigFileRead, NamedTarget, System } from '../harness/system.ts';
import type { World } from '../world/world.ts';
import { zookeeper } from '../zookeeper/system.ts';
import type { Broker } from './broker.ts';
import { kafkaCheckers } from './checkers/index.ts';
import { addKafkaCluster, liveBrokers, type Cluster, type ClusterOptions } from './cluster.ts';
import { KAFKA_NOT_MODELLED, kafkaSchema, serverPropertiesOverrides } from './config.ts';
import { KAFKA_OBSERVATIONS } from './observations.ts';
import { brokerName } from './partition.ts';
import { describeTopic } from './summary.ts';
import { kafkaNarrator } from './story.ts';

// ZooKeeper-era Kafka as a dsim System (the seam: sim/harness/system.ts). It uses ZooKeeper: its
// builder builds the ensemble through the ZooKeeper System first, and every scenario that composes
// Kafka gets the zookeeper.* keys too. kafka.* keys are read from server.properties and
// producer.properties; the checkers
// are in checkers/; the fault targets are `leader(<topic>-<partition>)`, `follower(<topic>-<partition>)` and `controller()`; the
// summary is `kafka-topics.sh --describe` of the topic it built.

/** What each world's Kafka build made (the summary describes its topic). */
const builtIn = new WeakMap<World, Cluster>();

/** `leader(<topic>-<partition>)`: the live broker leading the partition (the highest leader epoch if a deposed one still thinks it leads). */
const leaderTarget: NamedTarget = {
  name: 'leader',
  usage: 'leader(<topic>-<partition>)',
  arg: /^.+-\d+$/,
  check: (world, tp) => {
    const topics = builtIn.get(world)?.topic === undefined ? [] : [builtIn.get(world)!.topic];
    const m = /^(.+)-(\d+)$/.exec(tp)!;
    const topic = topics.find((t) => t.name === m[1]);
    if (topic === undefined) return `no topic '${m[1]}' (topics: ${topics.map((t) => t.name).join(', ')})`;
    const p = Number(m[2]);
    return p < topic.partitions ? null : `no partition ${p} of '${topic.name}' (it has ${topic.partitions}: 0..${topic.partitions - 1})`;
  },
  resolve: (world, tp) => {
    let best: Broker | null = null;
    let bestEpoch = -1;
    for (const b of liveBrokers(world)) {
      const p = b.partitions.get(tp);
      if (p !== undefined && p.isLeader && p.leaderEpoch > bestEpoch) {
        best = b;
        bestEpoch = p.leaderEpoch;
      }
    }
    return best === null ? null : brokerName(best.id);
  },
};

/**
 * `follower(<topic>-<partition>)`: the live follower of the partition's current leader that the
 * controller would elect next (the first in-sync one in assignment order), else the first live
 * follower; null when the partition has no live leader or no live follower. With `leader(...)` a script can aim at the
 * moments KIP-101 is about: a follower restarting just before its leader goes away.
 */
const followerTarget: NamedTarget = {
  name: 'follower',
  usage: 'follower(<topic>-<partition>)',
  arg: /^.+-\d+$/,
  check: (world, tp) => leaderTarget.check!(world, tp),
  resolve: (world, tp) => {
    const leaderName = leaderTarget.resolve(world, tp);
    if (leaderName === null) return null;
    const live = liveBrokers(world);
    const leader = live.find((b) => brokerName(b.id) === leaderName)!.partitions.get(tp)!;
    const isLiveFollower = (id: number): boolean => brokerName(id) !== leaderName && live.some((b) => b.id === id && b.partitions.has(tp));
    // Assignment order, as the controller's offline election walks it: the first live in-sync
    // follower is the one elected if the leader goes now.
    const chosen = leader.replicas.find((id) => isLiveFollower(id) && leader.isr.includes(id)) ?? leader.replicas.find(isLiveFollower);
    return chosen === undefined ? null : brokerName(chosen);
  },
};

/** `controller()`: the live broker acting as controller (the highest controller epoch). */
const controllerTarget: NamedTarget = {
  name: 'controller',
  usage: 'controller()',
  arg: /^$/,
  resolve: (world) => {
    let best: Broker | null = null;
    for (const b of liveBrokers(world)) {
      if (b.controller !== null && (best === null || b.controller.epoch > best.controller!.epoch)) best = b;
    }
    return best === null ? null : brokerName(best.id);
  },
};

/** server.properties: modelled keys as kafka.* values, addresses/threads/paths unmodelled, the rest unknown. */
function readServerProperties(fileName: string, text: string): ConfigFileRead {
  const { overrides, ignored } = serverPropertiesOverrides(text, fileName);
  const known = Object.keys(kafkaSchema);
  const values: { [key: string]: string } = {};
  const unknown: { key: string; closest: string | null }[] = [];
  for (const [key, v] of Object.entries(overrides)) {
    if (known.includes(key)) values[key] = v;
    else {
      const near = closest(key, known);
      unknown.push({ key: key.slice(kafka.configPrefix.length), closest: near === null ? null : near.slice(kafka.configPrefix.length) });
    }
  }
  return { values, unmodelled: ignored, unknown };
}

/** producer.properties keys dsim models, and the kafka.* key each sets (request.timeout.ms is the producer's own key). */
const PRODUCER_KEYS: { readonly [key: string]: string } = {
  'acks': 'kafka.acks',
  'retries': 'kafka.retries',
  'batch.size': 'kafka.batch.size',
  'linger.ms': 'kafka.linger.ms',
  'max.in.flight.requests.per.connection': 'kafka.max.in.flight.requests.per.connection',
  'enable.idempotence': 'kafka.enable.idempotence',
  'delivery.timeout.ms': 'kafka.delivery.timeout.ms',
  'retry.backoff.ms': 'kafka.retry.backoff.ms',
  'request.timeout.ms': 'kafka.producer.request.timeout.ms',
};

/** ProducerConfig keys that do not change what dsim's producer does (addresses, serializers, buffers, security). */
const UNMODELLED_PRODUCER_KEYS: readonly string[] = [
  'bootstrap.servers', 'client.id', 'key.serializer', 'value.serializer', 'compression.type', 'buffer.memory',
  'max.block.ms', 'max.request.size', 'send.buffer.bytes', 'receive.buffer.bytes', 'partitioner.class',
  'interceptor.classes', 'metadata.max.age.ms', 'connections.max.idle.ms', 'reconnect.backoff.ms',
  'reconnect.backoff.max.ms', 'security.protocol', 'client.dns.lookup', 'metric.reporters',
  'metrics.num.samples', 'metrics.sample.window.ms', 'metrics.recording.level',
];

/** producer.properties (the console producer's --producer.config): the producer keys dsim models. */
function readProducerProperties(fileName: string, text: string): ConfigFileRead {
  const values: { [key: string]: string } = {};
  const unmodelled: string[] = [];
  const unknown: { key: string; closest: string | null }[] = [];
  for (const [key, v] of parseProperties(text, fileName)) {
    const to = PRODUCER_KEYS[key];
    if (to !== undefined) values[to] = v;
    else if (UNMODELLED_PRODUCER_KEYS.includes(key) || key.startsWith('ssl.') || key.startsWith('sasl.')) unmodelled.push(key);
    else unknown.push({ key, closest: closest(key, [...Object.keys(PRODUCER_KEYS), ...UNMODELLED_PRODUCER_KEYS]) });
  }
  return { values, unmodelled, unknown };
}

export const kafka: System<ClusterOptions, Cluster> = {
  name: 'kafka',
  description: 'ZooKeeper-era Kafka (0.10.2 to 2.8): brokers, the controller, replication (ISR, HW, leader epochs), logs on disk, the producer',
  configPrefix: 'kafka.',
  schema: kafkaSchema,
  configFiles: [
    { fileNames: ['server.properties'], read: readServerProperties },
    { fileNames: ['producer.properties'], read: readProducerProperties },
  ],
  uses: [zookeeper],
  build: (world, cfg, options) => {
    // kafka-topics.sh --create refuses before anything runs (AdminUtils.assignReplicasToBrokers,
    // InvalidReplicationFactorException): an impossible topic is bad input, exit 2, not a run that fails.
    if (options.topic.replicationFactor > options.brokers) {
      throw new UsageError(`Replication factor: ${options.topic.replicationFactor} larger than available brokers: ${options.brokers}.`);
    }
    const zk = zookeeper.build(world, cfg, {});
    const cluster = addKafkaCluster(world, cfg, zk.names, options);
    builtIn.set(world, cluster);
    return cluster;
  },
  checkers: (cfg, cluster, check) => kafkaCheckers(cfg, cluster, { livenessBoundMs: check.livenessBoundMs }),
  faultTargets: [leaderTarget, followerTarget, controllerTarget],
  observations: KAFKA_OBSERVATIONS,
  notModelled: KAFKA_NOT_MODELLED,
  narrate: (world) => {
    const cluster = builtIn.get(world);
    return cluster === undefined ? { tell: () => [] } : kafkaNarrator(world, cluster.topic);
  },
  summary: (world) => {
    const cluster = builtIn.get(world);
    return cluster === undefined ? '' : describeTopic(world, cluster.topic);
  },
};
