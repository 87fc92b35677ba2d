import { defineScenario } from '../../sim/harness/scenario.ts';
import { buildMr, mrDefaults, mrWorkloadSchema, summary, systems } from './lib/common.ts';

// The whole stack in one replay (and `dsim bench`'s MapReduce case): HDFS with six DataNodes on two
// racks, YARN with a NodeManager beside each DataNode, an HDFS client writing 4 files of 2 MiB in
// 1 MiB blocks, then a word count over them: 8 maps asking for their block's hosts (data-local
// when the scheduler can), 3 reduces after 5% of the maps, the shuffle from the NodeManagers'
// ShuffleHandlers, the reduces' output written to HDFS and committed with FileOutputCommitter v1.

export default defineScenario({
  name: 'mr-wordcount',
  description: 'HDFS + YARN + MapReduce: a word count over 8 HDFS blocks, data-local maps, shuffle, 3 reduces, FileOutputCommitter; no faults.',
  teaches: 'MRAppMaster asks for each map on its block\'s hosts, racks and *; reduces start after mapreduce.job.reduce.slowstart.completedmaps; reduces fetch their partition from every map\'s NodeManager; each reduce commits once (canCommit, commitTask renames its attempt dir), then commitJob moves the committed files into the output dir and writes _SUCCESS.',
  systems,
  schema: mrWorkloadSchema,
  defaults: mrDefaults,
  faultPhaseMs: 90_000,
  quiesceMs: 30_000,
  expect: { violations: [], why: 'without faults the job succeeds and its output is exactly the fault-free word count' },
  bench: true,
  build(world, cfg) {
    buildMr(world, cfg);
  },
  summary,
});
