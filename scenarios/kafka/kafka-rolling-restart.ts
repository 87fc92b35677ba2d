import { defineScenario } from '../../sim/harness/scenario.ts';
import { schema, summaryFor, systems } from './lib/common.ts';
import { buildKafkaAsPromised, toleratedExpectation } from './lib/promises.ts';

// Three ZooKeeper peers and three brokers; the topic "events" has 6 partitions with replication
// factor 3; one producer writes with acks=all and min.insync.replicas=2. An operator restarts the
// brokers one at a time (kafka-server-stop.sh: SIGTERM, then start again 10 s later), 25 s apart so
// the restarted broker is back in every ISR before the next one stops.
// On SIGTERM each broker first asks the controller for a controlled shutdown: the controller moves
// the leadership of every partition it leads to another ISR member (and takes it out of the ISRs),
// answers with nothing remaining, and only then does the broker stop: fetchers, LogManager.shutdown
// (flush, checkpoints, clean-shutdown marker), the ZooKeeper session closed. It restarts without log
// recovery, registers, follows the leaders and rejoins the ISRs. When the controller itself is
// restarted, it handles its own request, resigns, and another broker becomes controller.
// The restarts are 25 s apart, so each broker has rejoined every ISR before the next one stops.

export default defineScenario({
  name: 'kafka-rolling-restart',
  description: 'A rolling restart of 3 brokers with controlled shutdown: leadership moves off each broker before it stops; nothing acknowledged is lost.',
  teaches: 'Controlled shutdown (controlled.shutdown.enable): the ControlledShutdown request, the controller\'s shuttingDownBrokerIds and its controlled-shutdown election (first ISR member not shutting down), StopReplica and the ISR removal of the stopping follower, the clean-shutdown marker that lets the restart skip log recovery. '
    + 'With --set kafka.controlled.shutdown.enable=false the broker stops serving at once and its leaders move only when its ZooKeeper session closes at the end of its shutdown: '
    + 'its partitions have no serving leader meanwhile, and the producer\'s requests to it fail (the connection is refused: NETWORK_EXCEPTION), so it refreshes metadata and retries after retry.backoff.ms. '
    + 'With controlled shutdown leadership has moved before the broker stops (seed 1: 1 partition-ms without a serving leader and 1 retried send, against 162 and 6 without).',
  systems,
  schema,
  defaults: { 'kafka.acks': 'all', 'kafka.min.insync.replicas': 2 },
  faultPhaseMs: 110_000,
  quiesceMs: 30_000,
  faults: 'at 35s shutdown broker-1 for 10s\nat 60s shutdown broker-2 for 10s\nat 85s shutdown broker-3 for 10s\n',
  expect: (cfg) => toleratedExpectation(cfg, 'a rolling restart'),
  build(world, cfg) {
    buildKafkaAsPromised(world, cfg, 140_000);
  },
  summary: summaryFor,
});
