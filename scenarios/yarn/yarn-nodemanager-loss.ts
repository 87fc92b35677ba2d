import { defineScenario } from '../../sim/harness/scenario.ts';
import { buildYarn, summary, yarnScenarioSchema, systems } from './lib/common.ts';

// Six workers run three jobs. At 40 s the NodeManager nm-3 dies (kill -9; its host stays up, so
// its TCP connections reset, but nothing tells the RM): its containers are gone, but the RM only
// knows after yarn.nm.liveness-monitor.expiry-interval-ms (600 s) without a heartbeat, checked
// every third of that. Then node w-3 is LOST, its containers complete ABORTED (exit -100, which
// does not count as a task failure, nor as an AM attempt failure), and each AM asks for new
// containers for its lost tasks; an AM that ran on w-3 is replaced by attempt 2. The jobs wait
// out the expiry, then finish. The NodeManager comes back at the heal and registers again.

export default defineScenario({
  name: 'yarn-nodemanager-loss',
  description: 'A NodeManager dies mid-job; after the 600 s expiry its containers end ABORTED and the jobs re-run the lost tasks and finish.',
  teaches: 'NMLivelinessMonitor and its expiry (checked every third of the interval), RMNode LOST, ABORTED containers, AMs re-asking for lost containers, AM attempts that do not count against am.max-attempts.',
  systems,
  schema: yarnScenarioSchema(['root', 'root.default']),
  defaults: {
    'yarn.nodemanagers': 6,
    'yarn.racks': 2,
    'workload.apps': 3,
    'workload.startMs': 1000,
    'workload.submitIntervalMs': 5000,
    'workload.maps': 30,
    'workload.reduces': 2,
    'workload.taskMs': 60_000,
    'check.livenessBoundMs': 400_000,
  },
  faults: 'at 40s crash nm-3\n',
  faultPhaseMs: 900_000,
  quiesceMs: 300_000,
  expect: { violations: [], why: 'the lost node\'s containers are aborted after the expiry, never before, and every job re-runs what it lost and finishes' },
  build(world, cfg) {
    buildYarn(world, cfg);
  },
  summary,
});
