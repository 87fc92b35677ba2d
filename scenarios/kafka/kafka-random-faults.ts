import { defineScenario } from '../../sim/harness/scenario.ts';
import { zkNames } from '../../sim/zookeeper/ensemble.ts';
import { schema, summaryFor, systems } from './lib/common.ts';
import { buildKafkaAsPromised, toleratedExpectation } from './lib/promises.ts';

// Random faults inside the fault model ZooKeeper-era Kafka claims to tolerate with default flushing:
// process crashes and restarts (kill -9: the page cache survives), network partitions between
// brokers and between brokers and ZooKeeper, pauses shorter and longer than the session and lag
// timeouts, slow disks. No power loss (that is kafka-power-loss). acks=all, min.insync.replicas=2,
// RF 3, unclean election off, at the default version: no checker may fire, and after heal every
// partition must have a leader and take writes.

export default defineScenario({
  name: 'kafka-random-faults',
  description: 'Random crashes, restarts, partitions, pauses and slow disks against acks=all, min.insync.replicas=2, RF 3: no acknowledged write is lost.',
  teaches: 'What Kafka tolerates with default flushing (everything but correlated power loss), leader and controller failover under churn, ISR shrink and expand, truncation on every leader change, and recovery after heal.',
  systems,
  schema,
  defaults: { 'kafka.acks': 'all', 'kafka.min.insync.replicas': 2 },
  faultPhaseMs: 60_000,
  quiesceMs: 60_000,
  nemesis: (cfg) => {
    const brokers = Array.from({ length: cfg.int('cluster.brokers') }, (_, i) => `broker-${i + 1}`);
    const zk = zkNames(cfg.int('zookeeper.servers'));
    return {
      kinds: ['crash', 'restart', 'pause', 'partition', 'isolate', 'cut', 'slow-disk'],
      processes: brokers,
      hosts: [...brokers, ...zk],
      meanIntervalMs: 4000,
      durationMsMin: 500,
      durationMsMax: 25_000,
      maxDown: 1,
      swarm: true,
    };
  },
  expect: (cfg) => toleratedExpectation(cfg, 'a stream of process crashes, partitions, pauses and slow disks (the fault model Kafka tolerates with default flushing)'),
  build(world, cfg) {
    buildKafkaAsPromised(world, cfg, 120_000);
  },
  summary: summaryFor,
});
