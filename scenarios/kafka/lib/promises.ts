import type { Config } from '../../../sim/core/config.ts';
import type { World } from '../../../sim/world/world.ts';
import { uncleanEnabled, type Cluster } from '../../../sim/kafka/cluster.ts';
import { brokerSettings, logConfigFor, producerSettings } from '../../../sim/kafka/config.ts';
import type { Expectation } from '../../../sim/harness/scenario.ts';
import { buildKafka, topicOf } from './common.ts';

// What a Kafka configuration promises, as Kafka documents it and as the checkers encode it, for a
// fault model of process crashes (kill -9: the page cache survives), restarts, pauses, network
// partitions and slow disks, with no power loss (default flushing does not claim to survive it).
//
// Every configuration promises the replication protocol's invariants:
//   kafka-log-matching (log matching, and WeakIsr below a live leader's HW), kafka-leader-in-isr,
//   kafka-one-leader-per-epoch, kafka-epochs-monotonic, kafka-hw-monotonic, and kafka-liveness
//   (after heal every partition has a leader and takes a write).
// Durability is promised exactly when acks=all and unclean.leader.election.enable=false:
//   kafka-durability (StrongIsr at every election, every acks=all offset read back) and
//   kafka-lost-writes (every acknowledged write read back). min.insync.replicas does not enter:
//   a leader alone in the ISR that acknowledges alone (min.insync.replicas=1) still holds the
//   write in its page cache across kill -9, and with unclean election off nobody else can lead
//   until it returns. min.insync.replicas guards against losing that last replica's disk (power
//   loss, a dead machine), which this fault model leaves out (kafka-power-loss covers it).
//   RF=1 is the extreme of the same case: durable under kill -9, unavailable while the broker is down.
// Not promised: with acks=1 the leader acknowledges before any follower has the write, and with
//   acks=0 nobody acknowledges anything; with unclean election a replica outside the ISR may lead.
//   kafka-lost-writes is the documented risk there, not a bug. kafka-duplicates and
//   kafka-reordered are promised only with enable.idempotence or max.in.flight=1 (the checkers
//   decide that themselves; the property grid leaves those keys at their defaults).

/** Checkers whose verdict every configuration promises (under the fault model above). */
export const ALWAYS_PROMISED: readonly string[] = [
  'kafka-log-matching', 'kafka-leader-in-isr', 'kafka-one-leader-per-epoch', 'kafka-epochs-monotonic', 'kafka-hw-monotonic', 'kafka-liveness',
];
/** Checkers promised only where durability is: acks=all and unclean leader election off. */
export const DURABILITY_PROMISED: readonly string[] = ['kafka-durability', 'kafka-lost-writes'];

/** Whether the topic's configuration promises that acknowledged writes survive process crashes. */
export function durabilityPromised(cfg: Config): boolean {
  return producerSettings(cfg).acks === -1 && !uncleanEnabled(cfg, topicOf(cfg));
}

/** The names of the checkers the configuration promises (duplicates and order decide for themselves). */
export function promisedCheckers(cfg: Config): string[] {
  return [...ALWAYS_PROMISED, ...(durabilityPromised(cfg) ? DURABILITY_PROMISED : []), 'kafka-duplicates', 'kafka-reordered'];
}

/**
 * The cluster of buildKafka, with only the checkers its configuration promises: a run with no
 * violation is one in which Kafka kept every promise it makes for that configuration.
 */
export function buildPromised(world: World, cfg: Config, endMs: number): Cluster {
  const promised = new Set(promisedCheckers(cfg));
  return buildKafka(world, cfg, endMs, { keepChecker: (name) => promised.has(name) });
}

/**
 * The settings a Kafka expectation rests on, in words, from the resolved configuration (so the text
 * never contradicts --set or a --config file): "acks=all, min.insync.replicas=2, replication factor 3
 * and unclean leader election off".
 */
export function settingsWords(cfg: Config): string {
  const p = producerSettings(cfg);
  const topic = topicOf(cfg);
  const lc = logConfigFor(brokerSettings(cfg), topic.config);
  return `acks=${p.acks === -1 ? 'all' : p.acks}, min.insync.replicas=${lc.minInsyncReplicas}, replication factor ${topic.replicationFactor} and unclean leader election ${lc.uncleanLeaderElectionEnable ? 'on' : 'off'}`;
}

/** Why this configuration makes no durability promise, or null when it makes one. */
export function noDurabilityReason(cfg: Config): string | null {
  const p = producerSettings(cfg);
  if (p.acks !== -1) return `with acks=${p.acks} the leader acknowledges before its followers have the write`;
  if (uncleanEnabled(cfg, topicOf(cfg))) return 'with unclean leader election on (the default before 0.11) a replica outside the ISR may become leader';
  return null;
}

/**
 * The expectation of a scenario whose faults Kafka tolerates: no violation, with the reason in the
 * configuration's own terms. Where the configuration promises no durability, the durability
 * checkers are not attached (buildKafkaAsPromised) and the text says so.
 */
export function toleratedExpectation(cfg: Config, what: string): Expectation {
  const why = noDurabilityReason(cfg);
  if (why === null) return { violations: [], why: `with ${settingsWords(cfg)}, ${what} loses nothing acknowledged` };
  return {
    violations: [],
    why: `${settingsWords(cfg)}: no durability is promised (${why}), so kafka-durability and kafka-lost-writes are not checked; every other promise must hold`,
  };
}

/** buildKafka with every checker, except the durability checkers where the configuration promises no durability. */
export function buildKafkaAsPromised(world: World, cfg: Config, endMs: number): Cluster {
  const promised = durabilityPromised(cfg);
  return buildKafka(world, cfg, endMs, { keepChecker: (name) => promised || !DURABILITY_PROMISED.includes(name) });
}
