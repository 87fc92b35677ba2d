import { defineScenario } from '../../sim/harness/scenario.ts';
import { buildMr, mrDefaults, mrWorkloadSchema, summary, systems } from './lib/common.ts';

// The word count under random faults that HDFS and YARN without HA tolerate: NodeManager crashes
// and restarts (taking AMs, tasks and map outputs with them), pauses, power loss of workers
// (DataNode and NodeManager together), partitions, isolation and one-way cuts between any hosts.
// The NameNode and the ResourceManager are never crashed. After the heal the job must end, and if
// it committed, with exactly the word count of the input it listed.

const WORKERS = 6;

export default defineScenario({
  name: 'mr-random-faults',
  description: 'The word count under random NodeManager crashes, restarts, pauses, worker power loss, partitions and cuts; every HDFS, YARN and MapReduce checker on.',
  teaches: 'Everything MapReduce does about failures at once: killed and failed attempts, re-run maps after fetch failures, AM attempts that recover the job, and a commit protocol that keeps the output exact.',
  systems,
  schema: mrWorkloadSchema,
  defaults: { ...mrDefaults, 'workload.verifyAtMs': 880_000, 'workload.submitAtMs': 20_000 },
  faultPhaseMs: 150_000,
  quiesceMs: 750_000,
  nemesis: () => {
    const workers = Array.from({ length: WORKERS }, (_, i) => `w-${i + 1}`);
    return {
      kinds: ['crash', 'restart', 'pause', 'power-off', 'partition', 'isolate', 'cut'],
      processes: workers.map((_w, i) => `nm-${i + 1}`),
      hosts: ['rm', 'nn', ...workers],
      powerOffHosts: workers,
      meanIntervalMs: 10_000,
      durationMsMin: 1000,
      durationMsMax: 30_000,
      maxDown: 2,
      maxPoweredOff: 1,
      swarm: true,
    };
  },
  expect: { violations: [], why: 'every fault is one HDFS and YARN tolerate; a committed output is exactly the word count of the input' },
  build(world, cfg) {
    buildMr(world, cfg);
  },
  summary,
});
