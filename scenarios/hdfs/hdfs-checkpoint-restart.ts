import { SEC } from '../../sim/core/types.ts';
import { defineScenario } from '../../sim/harness/scenario.ts';
import { buildSystem } from '../../sim/harness/system.ts';
import { fileWrites } from '../../sim/hdfs/cluster.ts';
import { hdfsSystem } from '../../sim/hdfs/system.ts';

// The NameNode's metadata under restarts: the SecondaryNameNode checkpoints (roll, download image and
// edits, merge, upload fsimage_<txid>), then the NameNode is killed and restarted from image + edits,
// then its host loses power. Every namespace operation was fsynced before it was acknowledged, so
// nothing acknowledged is lost, and replay rebuilds the same namespace.

export default defineScenario({
  name: 'hdfs-checkpoint-restart',
  description: 'A NameNode, a SecondaryNameNode checkpointing every 2 minutes, 3 DataNodes on 2 racks and a writer of small files; the NameNode is killed, restarted from fsimage + edits, then its host loses power.',
  teaches: 'The NameNode logs each namespace operation to the edit log and fsyncs before answering; a checkpoint merges the edits into fsimage_<txid> (with its .md5); a restart loads the newest image, replays the edits after it (cutting a torn tail) and enters safe mode until the DataNodes report their blocks.',
  systems: [hdfsSystem],
  schema: {},
  defaults: {
    'hdfs.dfs.namenode.checkpoint.period': 120,
    'hdfs.dfs.namenode.checkpoint.check.period': 30,
    'hdfs.dfs.blocksize': 1024 * 1024,
    'hdfs.dfs.namenode.fs-limits.min-block-size': 65536,
  },
  faultPhaseMs: 300_000,
  quiesceMs: 60_000,
  faults: `
    at 150s crash nn for 10s          # kill -9: the page cache keeps the edits
    at 230s power-off nn for 10s      # power loss: only fsynced edits survive
  `,
  expect: { violations: [], why: 'the edit log is fsynced before every answer, so a crash or a power loss loses no acknowledged namespace operation' },
  // Its client never reads its files back: hdfs-durability could only say 'unknown'.
  omitSystemCheckers: ['hdfs-durability'],
  build(world, cfg) {
    buildSystem(world, cfg, hdfsSystem, {
      datanodes: 3,
      racks: 2,
      secondary: true,
      clients: [{ writes: fileWrites('/data', 40, 300 * 1024, cfg), pauseUs: 6 * SEC, reads: [], readEveryUs: 0, verifyAtUs: null }],
    });
  },
});
