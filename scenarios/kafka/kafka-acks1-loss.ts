import { defineScenario } from '../../sim/harness/scenario.ts';
import { producerSettings } from '../../sim/kafka/config.ts';
import { buildKafka, schema, summaryFor, systems } from './lib/common.ts';

// acks=1: the leader answers after its own append. events-0 is assigned [1,2,3]. At 15 s broker-1
// (the leader) is cut off from its followers but still reaches ZooKeeper and the producer: it keeps
// acknowledging writes its followers never fetch. At 22 s, before replica.lag.time.max.ms removes
// them from the ISR, broker-1 dies; the controller elects broker-2 from the ISR, and every write
// acknowledged since the cut is gone: the documented acks=1 risk. With --set kafka.acks=all those
// writes are never acknowledged (the HW cannot move) and nothing acknowledged is lost.

export default defineScenario({
  name: 'kafka-acks1-loss',
  description: 'acks=1: the leader acknowledges writes its followers never fetch, then dies; the new leader lacks them.',
  teaches: 'What acks=1 promises (the leader\'s append) and what it does not (replication), the HW as the line between acknowledged with acks=all and merely appended, and truncation of the returning old leader.',
  systems,
  schema,
  defaults: { 'kafka.acks': '1', 'kafka.min.insync.replicas': 2, 'topic.partitions': 1 },
  faultPhaseMs: 50_000,
  quiesceMs: 40_000,
  faults: 'at 15s cut broker-1 -> broker-2,broker-3\nat 15s cut broker-2,broker-3 -> broker-1\nat 22s crash broker-1\n',
  expect: (cfg) => (producerSettings(cfg).acks === 1
    ? { violations: ['kafka-lost-writes'], why: 'acks=1 writes acknowledged by the isolated leader were never replicated and are lost: the documented acks=1 risk' }
    : { violations: [], why: 'with acks=all the isolated leader cannot acknowledge anything its followers lack' }),
  build(world, cfg) {
    buildKafka(world, cfg, 90_000, { replicaAssignment: [[1, 2, 3]] });
  },
  summary: summaryFor,
});
