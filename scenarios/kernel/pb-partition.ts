import { defineScenario } from '../../sim/harness/scenario.ts';
import { buildPbCluster, pbSummary } from './lib/pb-cluster.ts';
import { pbSchema } from './lib/pb-register.ts';

export default defineScenario({
  name: 'kernel-pb-partition',
  description: 'Primary-backup register: s1 is cut off from s2 and client c3 for 5 s; both servers become primary (split brain).',
  teaches: 'Timeout-based failover without fencing: a partition looks like a crash to both sides, so two primaries take writes, and the one that steps down loses them.',
  systems: [],
  schema: pbSchema,
  faultPhaseMs: 12_000,
  quiesceMs: 3_000,
  faults: `
    at 3s partition s1 | s2,c3 for 5s   # c1 and c2 still see both servers; c3 sees only s2
  `,
  expect: { violations: ['linearizable'], why: 'split brain: the old primary acknowledges writes the new primary never sees, and clients read stale values' },
  build: buildPbCluster,
  summary: pbSummary,
});
