import { defineScenario } from '../../sim/harness/scenario.ts';
import { buildKafka, schema, summaryFor, systems } from './lib/common.ts';

// events-0 is assigned [1,2]; min.insync.replicas=1, acks=all. At 15 s broker-2 is cut off from
// broker-1 (both still reach ZooKeeper). After replica.lag.time.max.ms broker-1 shrinks the ISR to
// itself and keeps acknowledging writes alone. At 40 s broker-1 dies. With unclean election on, the
// controller elects broker-2, which is not in the ISR: every write acknowledged since the cut is
// gone, and broker-1, back at heal, truncates them away. With
// --set kafka.unclean.leader.election.enable=false the partition stays offline until broker-1
// returns and nothing is lost.

export default defineScenario({
  name: 'kafka-unclean-election',
  description: 'Unclean leader election: a follower that left the ISR is elected after the leader dies, and acknowledged writes are lost.',
  teaches: 'ISR shrink by replica.lag.time.max.ms, min.insync.replicas=1 letting a lone leader acknowledge, unclean.leader.election.enable trading durability for availability, truncation of the old leader when it returns.',
  systems,
  schema,
  defaults: {
    'kafka.acks': 'all', 'kafka.min.insync.replicas': 1, 'kafka.unclean.leader.election.enable': true,
    'kafka.replica.lag.time.max.ms': 10000, 'cluster.brokers': 2, 'topic.partitions': 1, 'topic.replication.factor': 2,
  },
  faultPhaseMs: 70_000,
  quiesceMs: 40_000,
  faults: 'at 15s cut broker-2 -> broker-1\nat 15s cut broker-1 -> broker-2\nat 40s crash broker-1\n',
  expect: (cfg) => (cfg.get('kafka.unclean.leader.election.enable') === true
    ? { violations: ['kafka-lost-writes'], why: 'the unclean leader lacks every write broker-1 acknowledged alone: they are lost (durability is not promised with unclean election on)' }
    : { violations: [], why: 'without unclean election the partition waits for broker-1, which holds every acknowledged write' }),
  build(world, cfg) {
    buildKafka(world, cfg, 110_000, { replicaAssignment: [[1, 2]] });
  },
  summary: summaryFor,
});
