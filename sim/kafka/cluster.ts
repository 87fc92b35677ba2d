import type { Config } from '../core/config.ts';
import type { World } from '../world/world.ts';
import { Broker, type TopicSpec } from './broker.ts';
import { brokerSettings, logConfigFor } from './config.ts';
import { brokerName } from './partition.ts';
import { Producer } from './producer.ts';

// Building a ZooKeeper-era Kafka cluster into a world (after its ZooKeeper ensemble, zk-1..): brokers
// broker-1..N each on its own host, producers on hosts p-1.., and the end-of-run reader (a read of
// every partition's log at its final leader, up to the HW, as a consumer from offset 0 would see it).

export interface ClusterOptions {
  readonly brokers: number;
  readonly topic: TopicSpec;
  readonly producers: number;
  readonly produceIntervalMs: number;
  readonly keys: number;
  readonly produceStartMs: number;
  readonly produceStopMs: number;
}

export interface Cluster {
  readonly zk: readonly string[];
  readonly brokers: readonly string[];
  readonly producers: readonly string[];
  readonly topic: TopicSpec;
}

/** Adds brokers and producers to a world whose ZooKeeper ensemble `zk` exists (the Kafka System's builder; sim/kafka/system.ts). */
export function addKafkaCluster(world: World, cfg: Config, zk: readonly string[], opts: ClusterOptions): Cluster {
  const brokers: string[] = [];
  for (let id = 1; id <= opts.brokers; id++) {
    const name = brokerName(id);
    world.addHost(name);
    world.addProcess(name, name, (ctx) => new Broker(ctx, { brokerId: id, zkServers: zk, topics: [opts.topic], expectedBrokers: opts.brokers }), { system: 'kafka', role: 'broker' });
    brokers.push(name);
  }
  const producers: string[] = [];
  for (let i = 1; i <= opts.producers; i++) {
    const name = `producer-${i}`;
    world.addHost(`p-${i}`);
    world.addProcess(name, `p-${i}`, (ctx) => new Producer(ctx, {
      bootstrap: brokers, topic: opts.topic.name, intervalMs: opts.produceIntervalMs, keys: opts.keys,
      startMs: opts.produceStartMs + i * 7, stopMs: opts.produceStopMs,
    }), { system: 'kafka', role: 'producer' });
    producers.push(name);
  }
  return { zk, brokers, producers, topic: opts.topic };
}

/** The topic spec from the scenario keys (kafka.topic.config overrides apply to it). */
export function topicFromConfig(cfg: Config, name: string, partitions: number, replicationFactor: number): TopicSpec {
  const s = brokerSettings(cfg);
  return { name, partitions, replicationFactor, config: s.topicOverrides };
}

/** Whether the topic's configuration promises acknowledged acks=all writes survive (unclean election off). */
export function uncleanEnabled(cfg: Config, topic: TopicSpec): boolean {
  return logConfigFor(brokerSettings(cfg), topic.config).uncleanLeaderElectionEnable;
}

export interface FinalRecord {
  readonly offset: number;
  readonly value: string | null;
}

export interface FinalPartition {
  readonly tp: string;
  /** The broker the read came from (the live leader with the highest epoch), or null: no leader. */
  readonly leader: number | null;
  readonly leaderEpoch: number;
  readonly hw: number;
  readonly records: readonly FinalRecord[];
}

/** Every live broker actor. */
export function liveBrokers(world: World): Broker[] {
  const out: Broker[] = [];
  for (let p = 0; p < world.processCount; p++) {
    if (world.procSystem[p] !== 'kafka' || world.procRole[p] !== 'broker') continue;
    const a = world.actors[p];
    if (a instanceof Broker) out.push(a);
  }
  return out;
}

/**
 * The end-of-run reader: for each partition of the topic, the live broker that leads it with the
 * highest leader epoch, and its records below the HW (consumer isolation).
 */
export function readFinalLogs(world: World, topic: TopicSpec): FinalPartition[] {
  const brokers = liveBrokers(world);
  const out: FinalPartition[] = [];
  for (let p = 0; p < topic.partitions; p++) {
    const tp = `${topic.name}-${p}`;
    let best: Broker | null = null;
    let bestEpoch = -1;
    for (const b of brokers) {
      const part = b.partitions.get(tp);
      if (part !== undefined && part.isLeader && part.leaderEpoch > bestEpoch) {
        best = b;
        bestEpoch = part.leaderEpoch;
      }
    }
    if (best === null) {
      out.push({ tp, leader: null, leaderEpoch: -1, hw: 0, records: [] });
      continue;
    }
    const log = best.partitions.get(tp)!.log;
    const hw = log.highWatermark;
    const records = log.records().filter((r) => r.offset < hw).map((r) => ({ offset: r.offset, value: r.value }));
    out.push({ tp, leader: best.id, leaderEpoch: bestEpoch, hw, records });
  }
  return out;
}
