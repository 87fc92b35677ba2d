import { defineScenario } from '../../sim/harness/scenario.ts';
import { features } from '../../sim/kafka/version.ts';
import { buildKafka, schema, summaryFor, systems } from './lib/common.ts';

// KIP-101's first scenario, with three replicas. Four brokers; events-0 is assigned [2,3,4]: broker-2
// leads, broker-3 and broker-4 follow (broker-1, the first to register with seed 1, is the
// controller and stays up). A follower's HW is one fetch behind the leader's. At 20 s the leader
// dies; at 20.5 s broker-3, the replica the controller will elect, dies too (its ZooKeeper session
// is still alive, so the controller does not know yet). The controller elects broker-3 and tells
// broker-4 to follow it:
// - before 0.11 (IBP 0.10.2), broker-4 truncates to its own HW, dropping committed records it holds;
//   when broker-3's session expires the controller elects broker-4 (in the ISR, live), and the
//   acknowledged records it dropped are gone: the durability checker fires.
// - from 0.11 (KIP-101), broker-4 asks the leader for the end offset of its latest epoch
//   (OffsetsForLeaderEpoch) and truncates only to that; the leader is dead, so it truncates nothing,
//   and when it is elected it still holds every committed record.

export default defineScenario({
  name: 'kafka-hw-truncation',
  description: 'KIP-101: a follower truncating to its high watermark on a leader change loses committed data at IBP 0.10.2; leader epochs prevent it from 0.11.',
  teaches: 'Why the follower HW lags the leader HW by one fetch, truncation to the HW before KIP-101, OffsetsForLeaderEpoch and the leader-epoch cache (KIP-101), and how inter.broker.protocol.version selects the behaviour.',
  systems,
  schema,
  defaults: {
    'kafka.acks': 'all', 'kafka.min.insync.replicas': 2, 'kafka.unclean.leader.election.enable': false,
    'kafka.zookeeper.session.timeout.ms': 6000, 'kafka.replica.lag.time.max.ms': 30000,
    'cluster.brokers': 4, 'topic.partitions': 1, 'workload.intervalMs': 5,
  },
  faultPhaseMs: 40_000,
  quiesceMs: 40_000,
  faults: 'at 20s crash broker-2\nat 20.5s crash broker-3\n',
  expect: (cfg) => (features(cfg.str('kafka.inter.broker.protocol.version')).usesLeaderEpochs
    ? { violations: [], why: 'with leader epochs (KIP-101, IBP >= 0.11) the follower keeps its committed records and nothing acknowledged is lost' }
    : { violations: ['kafka-durability', 'kafka-lost-writes'], why: 'before KIP-101 the follower truncates to its stale high watermark and is then elected: acknowledged writes are lost' }),
  build(world, cfg) {
    buildKafka(world, cfg, 80_000, { replicaAssignment: [[2, 3, 4]] });
  },
  summary: summaryFor,
});
