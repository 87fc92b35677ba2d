import { defineScenario } from '../../sim/harness/scenario.ts';
import { buildYarn, summary, twoQueueDefaults, yarnScenarioSchema, systems } from './lib/common.ts';

// One workload, three schedulers. Four workers of 8 GB; queue a submits a big application first,
// then queue b small ones. Under FIFO (--set yarn.resourcemanager.scheduler.class=fifo) b's
// applications wait until a's big one drains; under Capacity (the default, a and b 50% each) b
// gets its half as soon as a's containers finish; under Fair (=fair, equal weights) b's
// instantaneous fair share is half the cluster and it converges there as containers finish.

const ALLOC = `<?xml version="1.0"?>
<allocations>
  <queue name="a"><weight>1</weight></queue>
  <queue name="b"><weight>1</weight></queue>
</allocations>`;

export default defineScenario({
  name: 'yarn-schedulers',
  description: 'One workload (a big application in queue a, then small ones in b) under the FIFO, Capacity or Fair scheduler (--set yarn.resourcemanager.scheduler.class=fifo|capacity|fair).',
  teaches: 'Who waits under each scheduler: FIFO serves strictly in submission order; Capacity guarantees each queue its share (and lets a queue borrow idle capacity up to its user limit); Fair splits the cluster by weight among active queues.',
  // Until sim/yarn has its System (sim/harness/system.ts), the scenario carries the yarn.* keys itself.
  systems,
  schema: yarnScenarioSchema(['root', 'root.a', 'root.b', 'root.default']),
  defaults: {
    ...twoQueueDefaults,
    'yarn.scheduler.capacity.root.a.user-limit-factor': 2,
    'yarn.scheduler.capacity.maximum-am-resource-percent': 0.5,
    'yarn.scheduler.fair.allocation.file': ALLOC,
    'workload.apps': 7,
    'workload.queues': ['a', 'b', 'b', 'b', 'b', 'b', 'b'],
    'workload.submitIntervalMs': 3000,
    'workload.firstAppMaps': 90,
    'workload.maps': 6,
    'workload.reduces': 2,
    'workload.taskMs': 30_000,
  },
  faultPhaseMs: 240_000,
  quiesceMs: 60_000,
  expect: { violations: [], why: 'no faults: every application finishes, no node or queue is overcommitted' },
  build(world, cfg) {
    buildYarn(world, cfg);
  },
  summary,
});
