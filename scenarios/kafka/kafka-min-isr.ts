import { defineScenario } from '../../sim/harness/scenario.ts';
import { buildKafka, schema, summaryFor, systems, topicOf } from './lib/common.ts';
import { brokerSettings, logConfigFor, producerSettings } from '../../sim/kafka/config.ts';

// events-0 is assigned [1,2,3] with min.insync.replicas=2 and acks=all. At 15 s both followers die.
// While the ISR still names them, writes are appended and wait for acks until the ISR shrinks
// (NOT_ENOUGH_REPLICAS_AFTER_APPEND, or a timeout); once the controller has removed them
// (session expiry) the leader refuses acks=all writes before appending (NOT_ENOUGH_REPLICAS).
// Nothing is acknowledged that only one replica holds. At heal the followers return, rejoin the
// ISR and writes succeed again.

export default defineScenario({
  name: 'kafka-min-isr',
  description: 'With the ISR below min.insync.replicas, acks=all writes are refused (NOT_ENOUGH_REPLICAS, ..._AFTER_APPEND) and nothing acknowledged is at risk.',
  teaches: 'min.insync.replicas as the floor for acks=all, the two error codes and when each appears, availability traded for durability, ISR expansion when followers return.',
  systems,
  schema,
  // retries=0 so each refusal reaches the history as the producer's error instead of a retry.
  defaults: { 'kafka.acks': 'all', 'kafka.min.insync.replicas': 2, 'topic.partitions': 1, 'kafka.replica.lag.time.max.ms': 10000, 'kafka.retries': 0 },
  faultPhaseMs: 50_000,
  quiesceMs: 40_000,
  faults: 'at 15s crash broker-2\nat 15s crash broker-3\n',
  expect: (cfg) => {
    const minIsr = logConfigFor(brokerSettings(cfg), topicOf(cfg).config).minInsyncReplicas;
    const acks = producerSettings(cfg).acks;
    return {
      violations: [],
      why: acks === -1
        ? `acks=all with min.insync.replicas=${minIsr} refuses writes rather than acknowledging them on fewer than ${minIsr} replica${minIsr > 1 ? 's' : ''}`
        : `with acks=${acks} min.insync.replicas (${minIsr}) does not apply: the leader acknowledges alone, and it never crashes here, so nothing acknowledged is lost`,
    };
  },
  build(world, cfg) {
    buildKafka(world, cfg, 90_000, { replicaAssignment: [[1, 2, 3]] });
  },
  summary: summaryFor,
});
