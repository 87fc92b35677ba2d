import { defineScenario } from '../../sim/harness/scenario.ts';
import { buildYarn, summary, yarnScenarioSchema, systems } from './lib/common.ts';

// SLS's scale (its largest published run: 20,000 nodes, 47,000 running applications): 10,000
// NodeManagers of 8 GB heartbeating every second, and 10,000 synthetic applications submitted by
// ten clients over 100 s (an AM, four maps and a reduce each, 20-60 s tasks), under the
// Capacity Scheduler with two queues. No faults. Hadoop's SLS runs this at wall-clock speed. The
// RM's work per heartbeat follows what changed: a full node or a cluster without pending asks costs
// a couple of comparisons, a full queue is skipped before its applications are walked, liveness
// monitors scan on their own intervals, never per heartbeat. `dsim bench` runs it once at full size
// (benchScale: events/s, speed-up, peak memory; sim/yarn/README.md, Performance). The test suite
// runs it at 200 NodeManagers (test/golden/cases.ts TEST_SCALE, and bench --quick).

export default defineScenario({
  name: 'yarn-scale',
  description: '10,000 NodeManagers and 10,000 synthetic applications (SLS scale), no faults: a throughput and speed-up reference.',
  teaches: 'The ResourceManager\'s steady state at scale: 10,000 node heartbeats a second, thousands of AMs allocating, queue usage under the Capacity Scheduler.',
  systems,
  schema: yarnScenarioSchema(['root', 'root.a', 'root.b', 'root.default']),
  defaults: {
    'yarn.scheduler.capacity.root.queues': ['a', 'b'],
    'yarn.scheduler.capacity.root.a.capacity': 60,
    'yarn.scheduler.capacity.root.b.capacity': 40,
    'yarn.scheduler.capacity.root.a.user-limit-factor': 2,
    'yarn.scheduler.capacity.root.b.user-limit-factor': 2,
    'yarn.nodemanagers': 10_000,
    'yarn.racks': 250,
    'workload.apps': 10_000,
    'workload.clients': 10,
    'workload.queues': ['a', 'b'],
    'workload.users': ['u1', 'u2', 'u3', 'u4'],
    'workload.startMs': 5000,
    'workload.submitIntervalMs': 10,
    'workload.maps': 4,
    'workload.reduces': 1,
    'workload.taskMs': 40_000,
    'workload.reportIntervalMs': 10_000,
    'check.livenessBoundMs': 600_000,
  },
  benchScale: { quickOverrides: { 'yarn.nodemanagers': '200', 'workload.apps': '200', 'workload.clients': '2' } },
  faultPhaseMs: 150_000,
  quiesceMs: 150_000,
  expect: { violations: [], why: 'no faults: every application finishes and no node or queue is overcommitted' },
  build(world, cfg) {
    buildYarn(world, cfg);
  },
  summary,
});
