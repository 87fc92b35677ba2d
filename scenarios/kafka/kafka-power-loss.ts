import { defineScenario } from '../../sim/harness/scenario.ts';
import { brokerSettings } from '../../sim/kafka/config.ts';
import { buildKafka, schema, summaryFor, systems } from './lib/common.ts';

// The case KIP-966 describes, at the current version. events-0 is assigned [1,2], min.insync.replicas
// =1, acks=all, unclean election off. At 10 s broker-2 is cut off from broker-1; after
// replica.lag.time.max.ms the ISR is broker-1 alone, which keeps acknowledging writes (they are
// committed: the whole ISR has them). With default flushing they sit in the page cache. At 30 s
// broker-1's host loses power: the unflushed tail is gone. Power returns 5 s later; log recovery
// truncates to what reached the disk; broker-1 is the only ISR member and is elected again, without
// the acknowledged writes. Real ZooKeeper-era Kafka loses them; the simulator shows it. With
// --set kafka.log.flush.interval.messages=1 every write is fsynced before it is acknowledged and
// nothing is lost.

export default defineScenario({
  name: 'kafka-power-loss',
  description: 'A leader alone in the ISR loses its unflushed tail in a power loss and is re-elected: acknowledged writes are lost with default flushing (KIP-966), not with log.flush.interval.messages=1.',
  teaches: 'Page cache versus fsync, log.flush.interval.messages, log recovery on restart (CRC scan from the recovery point, torn tail), why Kafka relies on replication instead of fsync, and where that fails (an ISR of one).',
  systems,
  schema,
  defaults: {
    'kafka.acks': 'all', 'kafka.min.insync.replicas': 1, 'kafka.unclean.leader.election.enable': false,
    'kafka.replica.lag.time.max.ms': 10000, 'cluster.brokers': 2, 'topic.partitions': 1, 'topic.replication.factor': 2,
  },
  faultPhaseMs: 60_000,
  quiesceMs: 40_000,
  faults: 'at 10s cut broker-2 -> broker-1\nat 10s cut broker-1 -> broker-2\nat 30s power-off broker-1 for 5s\n',
  expect: (cfg) => (brokerSettings(cfg).logDefaults.flushIntervalMessages === 1
    ? { violations: [], why: 'every write is fsynced before it is acknowledged, so the power loss takes nothing acknowledged' }
    : { violations: ['kafka-durability', 'kafka-lost-writes'], why: 'with default flushing the lone ISR member loses its unflushed acknowledged writes and is re-elected (KIP-966): real Kafka loses them too' }),
  build(world, cfg) {
    buildKafka(world, cfg, 100_000, { replicaAssignment: [[1, 2]] });
  },
  summary: summaryFor,
});
