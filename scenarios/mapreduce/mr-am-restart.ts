import { defineScenario } from '../../sim/harness/scenario.ts';
import { buildMr, mrDefaults, mrWorkloadSchema, summary, systems } from './lib/common.ts';

// The word count of mr-wordcount, with worker w-5 three times slower (its reduce is still running
// when the others have committed), and at 50 s the NodeManager running the MRAppMaster is killed;
// it comes back 20 s later. The restarted NodeManager
// registers as a new incarnation: the RM completes the old one's containers ABORTED, so the AM's
// attempt fails without counting toward yarn.resourcemanager.am.max-attempts, and attempt 2 starts.
// It recovers (MRAppMaster's recovery from the job history in the staging dir): the tasks attempt 1
// finished are done, committed reduces are moved into attempt 2's dir (FileOutputCommitter v1
// recoverTask), maps whose output was on the restarted node run again after fetch failures, and the
// job commits once, with exactly the fault-free output.

export default defineScenario({
  name: 'mr-am-restart',
  description: 'The MRAppMaster\'s NodeManager dies mid-job and restarts; attempt 2 recovers the finished tasks from the job history and commits the same output.',
  teaches: 'AM attempts and what does not count (ABORTED), job recovery from the history of the previous attempt, FileOutputCommitter.recoverTask, map outputs lost with their NodeManager, exactly-once output through the commit protocol.',
  systems,
  schema: mrWorkloadSchema,
  defaults: { ...mrDefaults, 'workload.verifyAtMs': 170_000, 'workload.slowHost': 'w-5', 'workload.slowFactor': 3 },
  faults: 'at 50s crash mr-am-node() for 20s\n',
  faultPhaseMs: 120_000,
  quiesceMs: 60_000,
  expect: { violations: [], why: 'the second attempt recovers what the first finished and commits the fault-free output once' },
  build(world, cfg) {
    buildMr(world, cfg);
  },
  summary,
});
