import { defineScenario } from '../../sim/harness/scenario.ts';
import { buildMr, mrDefaults, mrWorkloadSchema, summary, systems } from './lib/common.ts';

// The word count of mr-wordcount, and at 42 s (maps done on some nodes, reduces shuffling) the
// NodeManager nm-3 dies (kill -9, its host stays up: connections reset). Its map outputs are gone:
// the reduces' fetches from it fail, they report the failures in their status updates, and after
// 3 reports (mapreduce.reduce.shuffle.max-fetch-failures-notifications) from at least half of the
// shuffling reduces the AM fails those map attempts (they count) and runs the maps again elsewhere;
// the reduces are told the old outputs are OBSOLETE. Attempts still running on nm-3 end when the RM
// declares the node LOST after 600 s: ABORTED, KILLED, not counted. The job's output is unchanged.

export default defineScenario({
  name: 'mr-nodemanager-loss',
  description: 'A NodeManager dies during the shuffle: its completed maps re-run after fetch failures, its running attempts end ABORTED (not counted) at the 600 s expiry; the output is unchanged.',
  teaches: 'Map output lives on the NodeManager\'s disk: losing the node loses completed work. Fetch failures (JobImpl: 3 notifications, half the shuffling reduces) fail the map attempt and re-run it; OBSOLETE map completion events; ABORTED containers of a lost node are TA_KILL, not failures.',
  systems,
  schema: mrWorkloadSchema,
  defaults: { ...mrDefaults, 'workload.verifyAtMs': 750_000 },
  faults: 'at 42s crash nm-3\n',
  faultPhaseMs: 700_000,
  quiesceMs: 60_000,
  expect: { violations: [], why: 'lost map outputs are recomputed, the framework\'s kills do not count, and the committed output is exactly the fault-free word count' },
  build(world, cfg) {
    buildMr(world, cfg);
  },
  summary,
});
