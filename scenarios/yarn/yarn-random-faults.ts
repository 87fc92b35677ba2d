import { defineScenario } from '../../sim/harness/scenario.ts';
import { workerNames } from '../../sim/yarn/cluster.ts';
import { buildYarn, summary, yarnScenarioSchema, systems } from './lib/common.ts';

// Random faults inside what YARN without RM HA tolerates: NodeManager crashes and restarts (no NM
// recovery: a restarted NM comes back empty), pauses, power loss of workers, partitions, isolation
// and one-way cuts between any hosts (the rm host included). The ResourceManager itself is never
// crashed: without yarn.resourcemanager.recovery.enabled a restarted RM forgets every
// application, as Hadoop's does. Six workers on two racks run a stream of jobs; after the fault
// phase everything heals and every job must end within the liveness bound.

export default defineScenario({
  name: 'yarn-random-faults',
  description: 'Six NodeManagers and a stream of jobs under random NM crashes, restarts, pauses, worker power loss, partitions and cuts; all YARN checkers on.',
  teaches: 'What YARN does with failures it tolerates: ABORTED containers of restarted or lost nodes re-run by their AMs, AM attempts replaced (and not counted when the node failed), allocate() answers lost and repeated, NMs resyncing after a partition.',
  systems,
  schema: yarnScenarioSchema(['root', 'root.a', 'root.b', 'root.default']),
  defaults: {
    'yarn.scheduler.capacity.root.queues': ['a', 'b'],
    'yarn.scheduler.capacity.root.a.capacity': 60,
    'yarn.scheduler.capacity.root.b.capacity': 40,
    'yarn.scheduler.capacity.root.a.user-limit-factor': 1.5,
    'yarn.scheduler.capacity.root.b.user-limit-factor': 2,
    'yarn.scheduler.capacity.maximum-am-resource-percent': 0.3,
    'yarn.nodemanagers': 6,
    'yarn.racks': 2,
    'workload.apps': 8,
    'workload.queues': ['a', 'b'],
    'workload.submitIntervalMs': 10_000,
    'workload.maps': 12,
    'workload.reduces': 2,
    'workload.taskMs': 15_000,
    'check.livenessBoundMs': 600_000,
  },
  faultPhaseMs: 120_000,
  quiesceMs: 700_000,
  nemesis: (cfg) => {
    const workers = workerNames(cfg.int('yarn.nodemanagers'));
    return {
      kinds: ['crash', 'restart', 'pause', 'power-off', 'partition', 'isolate', 'cut'],
      processes: workers.map((_w, i) => `nm-${i + 1}`),
      hosts: ['rm', ...workers],
      powerOffHosts: workers,
      meanIntervalMs: 8000,
      durationMsMin: 1000,
      durationMsMax: 30_000,
      maxDown: 2,
      maxPoweredOff: 2,
      swarm: true,
    };
  },
  expect: { violations: [], why: 'every fault is one YARN tolerates (the RM stays up); lost work is re-run and every job ends after the heal' },
  build(world, cfg) {
    buildYarn(world, cfg);
  },
  summary,
});
