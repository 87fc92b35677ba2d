import { defineScenario } from '../../sim/harness/scenario.ts';
import { fairShareChecker } from '../../sim/yarn/checkers/index.ts';
import { FAIR_CLASS } from '../../sim/yarn/config.ts';
import { buildYarn, summary, yarnScenarioSchema, systems } from './lib/common.ts';

// The Fair Scheduler with three queues of weights 1, 2 and 1 (c also has a min share of 8 GB) on
// six 8 GB workers. Jobs arrive in a first, then b, then c, each wanting more than the cluster.
// Steady fair shares are 12, 24 and 12 GB; instantaneous shares count only active queues, so a
// gets the whole cluster alone, then a third with b, then its quarter. Tasks are short, so
// allocations converge to the instantaneous shares as containers finish (no preemption needed);
// yarn-fair-share checks it within three task lengths.

const ALLOC = `<?xml version="1.0"?>
<allocations>
  <queue name="a"><weight>1</weight></queue>
  <queue name="b"><weight>2</weight></queue>
  <queue name="c"><weight>1</weight><minResources>8192 mb, 8 vcores</minResources></queue>
  <defaultQueueSchedulingPolicy>fair</defaultQueueSchedulingPolicy>
</allocations>`;

export default defineScenario({
  name: 'yarn-fair-shares',
  description: 'Fair Scheduler queues of weights 1:2:1 (c with a min share) become active one after another; allocations converge to the instantaneous fair shares.',
  teaches: 'ComputeFairShares: steady versus instantaneous fair share, weights, min shares (needy queues first), the FairSharePolicy comparator (usage over weight) at each node heartbeat, convergence as containers finish.',
  systems,
  schema: yarnScenarioSchema(['root', 'root.default']),
  defaults: {
    'yarn.resourcemanager.scheduler.class': FAIR_CLASS,
    'yarn.scheduler.fair.allocation.file': ALLOC,
    'yarn.nodemanagers': 6,
    'workload.apps': 3,
    'workload.queues': ['a', 'b', 'c'],
    'workload.startMs': 1000,
    'workload.submitIntervalMs': 40_000,
    'workload.maps': 240,
    'workload.reduces': 1,
    'workload.taskMs': 20_000,
  },
  faultPhaseMs: 400_000,
  quiesceMs: 200_000,
  expect: { violations: [], why: 'containers are short, so each node heartbeat hands freed space to the queue furthest below its share and the queues settle at their instantaneous fair shares' },
  build(world, cfg) {
    buildYarn(world, cfg);
    world.addChecker(fairShareChecker({ boundMs: 3 * 1.5 * cfg.int('workload.taskMs'), toleranceMb: 2 * cfg.int('workload.containerMb') }));
  },
  summary,
});
