import { defineScenario } from '../../sim/harness/scenario.ts';
import { schema, summaryFor, TOPIC, systems } from './lib/common.ts';
import { buildKafkaAsPromised, toleratedExpectation } from './lib/promises.ts';

// Three ZooKeeper peers and three brokers; the topic "events" has 6 partitions with replication
// factor 3; one producer writes with acks=all and min.insync.replicas=2. At 20 s the broker that
// leads events-0 is killed (kill -9: its page cache survives). Its ZooKeeper session expires
// (zookeeper.session.timeout.ms, 18 s at 2.8), the controller sees /brokers/ids/<id> go away, and
// elects for every partition it led the first live replica of the assignment that is in the ISR.
// The producer's requests to the dead broker time out, it refreshes metadata and retries on the
// new leaders. The dead broker comes back at heal, recovers its logs, truncates as a follower and
// rejoins the ISR. The fault script names its target by role: `leader(events-0)` is resolved when
// the fault applies (see sim/kafka/cluster.ts), so it is the leader whatever the seed.

export default defineScenario({
  name: 'kafka-leader-failover',
  description: 'The leader of events-0 crashes; the controller elects a new leader from the ISR; nothing acknowledged with acks=all is lost.',
  teaches: 'Broker registration in ZooKeeper, session expiry as failure detection, the controller\'s offline-partition election (first live in-ISR replica in assignment order), leader epochs, ISR shrink and expand, the high watermark, acks=all with min.insync.replicas, producer retries after NOT_LEADER_FOR_PARTITION.',
  systems,
  schema,
  defaults: { 'kafka.acks': 'all', 'kafka.min.insync.replicas': 2 },
  faults: `at 20s crash leader(${TOPIC}-0)\n`,
  faultPhaseMs: 50_000,
  quiesceMs: 40_000,
  expect: (cfg) => toleratedExpectation(cfg, 'a single broker crash'),
  bench: true,
  build(world, cfg) {
    buildKafkaAsPromised(world, cfg, 90_000);
  },
  summary: summaryFor,
});
