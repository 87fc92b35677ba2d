import { defineScenario } from '../../sim/harness/scenario.ts';
import type { NemesisOptions, RandomFaultKind } from '../../sim/harness/nemesis.ts';
import type { Config } from '../../sim/core/config.ts';
import { zkNames } from '../../sim/zookeeper/ensemble.ts';
import { schema, summaryFor, systems } from './lib/common.ts';
import { buildPromised, durabilityPromised } from './lib/promises.ts';

// The cluster of the Kafka property tests (test/kafka/property*.test.ts): any broker count,
// replication factor, acks, min.insync.replicas and unclean setting, under crashes, restarts,
// pauses, partitions and slow disks (no power loss), with exactly the checkers that configuration
// promises (scenarios/kafka/lib/promises.ts says which and why). Phases are shorter than
// kafka-random-faults' so a property can afford many runs. `dsim sweep kafka-property --set ...`
// and `dsim run kafka-property --faults FILE --set ...` replay what the property tests find.

export const PROPERTY_FAULT_PHASE_MS = 40_000;
export const PROPERTY_QUIESCE_MS = 45_000;
/** The fault kinds of kafka-random-faults: the fault model Kafka claims with default flushing. */
export const PROPERTY_FAULT_KINDS: readonly RandomFaultKind[] = ['crash', 'restart', 'pause', 'partition', 'isolate', 'cut', 'slow-disk'];

export function brokerNames(cfg: Config): string[] {
  return Array.from({ length: cfg.int('cluster.brokers') }, (_, i) => `broker-${i + 1}`);
}

export function propertyNemesis(cfg: Config): NemesisOptions {
  const brokers = brokerNames(cfg);
  return {
    kinds: PROPERTY_FAULT_KINDS,
    processes: brokers,
    hosts: [...brokers, ...zkNames(cfg.int('zookeeper.servers'))],
    meanIntervalMs: 4000,
    durationMsMin: 500,
    durationMsMax: 25_000,
    maxDown: 1,
    swarm: true,
  };
}

export default defineScenario({
  name: 'kafka-property',
  description: 'Property-test cluster: any brokers, RF, acks, min.insync.replicas and unclean setting under crashes, partitions and pauses; checks exactly what that configuration promises.',
  teaches: 'Which promises each Kafka configuration makes: the replication invariants always, durability of acknowledged writes only with acks=all and unclean election off.',
  systems,
  schema,
  defaults: { 'kafka.acks': 'all', 'kafka.min.insync.replicas': 2, 'kafka.unclean.leader.election.enable': false, 'check.livenessBoundMs': 40_000 },
  faultPhaseMs: PROPERTY_FAULT_PHASE_MS,
  quiesceMs: PROPERTY_QUIESCE_MS,
  nemesis: propertyNemesis,
  expect: (cfg) => ({
    violations: [],
    why: durabilityPromised(cfg)
      ? 'acks=all with unclean election off promises every acknowledged write survives process crashes, and the replication invariants always hold'
      : 'without acks=all and unclean election off only the replication invariants and liveness are promised (lost writes are the documented risk and are not checked)',
  }),
  build(world, cfg) {
    buildPromised(world, cfg, PROPERTY_FAULT_PHASE_MS + PROPERTY_QUIESCE_MS);
  },
  summary: summaryFor,
});
