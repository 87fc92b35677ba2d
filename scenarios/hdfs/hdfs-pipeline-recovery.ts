import { SEC } from '../../sim/core/types.ts';
import { defineScenario } from '../../sim/harness/scenario.ts';
import { buildSystem } from '../../sim/harness/system.ts';
import { fileWrites } from '../../sim/hdfs/cluster.ts';
import { hdfsSystem } from '../../sim/hdfs/system.ts';
import { definePipelineTarget, VERIFY_MARGIN_US } from './lib/data-path.ts';

// A DataNode of a write pipeline crashes mid-block. The client drops it, asks the NameNode for a
// new generation stamp (updateBlockForPipeline), reopens the pipeline on the survivors with
// PIPELINE_SETUP_STREAMING_RECOVERY, resends the unacknowledged packets and tells the NameNode the
// new pipeline (updatePipeline). Whether a replacement DataNode joins is the
// replace-datanode-on-failure policy's call: with DEFAULT and replication 3, not for a pipeline of
// 2 that was never hflushed; with ALWAYS (--set), a new node gets the RBW replica by TRANSFER_BLOCK
// first. The crashed DataNode comes back with an RWR replica of the old GS: its block report makes
// the NameNode invalidate it, and re-replication restores 3 replicas.

const FAULT_MS = 120_000;
const QUIESCE_MS = 120_000;

export default defineScenario({
  name: 'hdfs-pipeline-recovery',
  description: 'A writer streams files at 1 MiB/s through 3-node pipelines over 5 DataNodes on 2 racks; at 5 s the second DataNode of its pipeline crashes, returning 60 s later.',
  teaches: 'Pipeline recovery: unacked packets back to the data queue, the bad node out, a new GS from updateBlockForPipeline, PIPELINE_SETUP_STREAMING_RECOVERY, updatePipeline; the ReplaceDatanodeOnFailure policy (DEFAULT, ALWAYS, NEVER; best-effort); the stale-GS replica that the returning DataNode reports is invalidated.',
  systems: [hdfsSystem],
  schema: {},
  defaults: {
    'hdfs.dfs.blocksize': 4 * 1024 * 1024,
    'hdfs.dfs.namenode.fs-limits.min-block-size': 65536,
  },
  faultPhaseMs: FAULT_MS,
  quiesceMs: QUIESCE_MS,
  faults: 'at 5s crash pipeline-node(1) for 60s',
  expect: { violations: [], why: 'the surviving replicas keep every acknowledged byte under the new GS; the stale replica is never served' },
  build(world, cfg) {
    const verifyAtUs = (FAULT_MS + QUIESCE_MS) * 1000 - VERIFY_MARGIN_US;
    const writes = fileWrites('/logs', 4, 10 * 1024 * 1024, cfg).map((w) => ({ ...w, bytesPerSec: 1024 * 1024 }));
    buildSystem(world, cfg, hdfsSystem, {
      datanodes: 5,
      racks: 2,
      secondary: false,
      clients: [
        { writes, pauseUs: 2 * SEC, reads: [], readEveryUs: 0, verifyAtUs },
        { writes: [], pauseUs: SEC, reads: writes.map((w) => w.path), readEveryUs: 4 * SEC, verifyAtUs: null },
      ],
    });
    definePipelineTarget(world, 'client-1');
  },
});
