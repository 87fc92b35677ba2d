import { SEC } from '../../sim/core/types.ts';
import { defineScenario } from '../../sim/harness/scenario.ts';
import { buildSystem } from '../../sim/harness/system.ts';
import { hdfsRedundancyRestoredChecker } from '../../sim/hdfs/checkers/redundancy-restored.ts';
import { fileWrites } from '../../sim/hdfs/cluster.ts';
import { hdfsSystem } from '../../sim/hdfs/system.ts';

// A DataNode dies silently (its process is killed and stays down, so it never says goodbye). The
// NameNode only learns of it from missing heartbeats: the node is stale after 30 s and declared dead
// after 2 x dfs.namenode.heartbeat.recheck-interval + 10 x dfs.heartbeat.interval = 630 s, at the
// next heartbeat check (every 300 s), so about 15 minutes after it died here. Then its replicas
// leave the blocks map, its blocks enter the low-redundancy queues, and the redundancy monitor
// copies them, live DataNodes x 2 blocks every 3 s, at most 2 streams per source, keeping two racks.
// At the heal the node comes back with its old replicas: they are excess, and deleted.

const MiB = 1024 * 1024;

export default defineScenario({
  name: 'hdfs-datanode-death',
  description: 'A NameNode, 6 DataNodes on 2 racks and a writer of 2-block files (replication 3); at 60 s dn-1 dies silently and stays down until the heal at 20 min.',
  teaches: 'A dead DataNode is noticed only after the dead interval (630 s by default, at the next 300 s heartbeat check); until then its replicas still count and the node is merely stale. Once declared dead, its blocks are re-replicated at the redundancy monitor\'s pace over two racks; when it returns, the extra replicas are deleted.',
  systems: [hdfsSystem],
  schema: {},
  defaults: {
    'hdfs.dfs.blocksize': MiB,
    'hdfs.dfs.namenode.fs-limits.min-block-size': 65536,
  },
  faultPhaseMs: 1_200_000,
  quiesceMs: 300_000,
  faults: `
    at 60s crash dn-1          # no goodbye, no restart until the heal
  `,
  expect: {
    violations: [],
    why: 'dn-1 is declared dead only after 630 s of silence; every block is back at three replicas on two racks before the heal, and every closed file reads back whole',
  },
  build(world, cfg) {
    buildSystem(world, cfg, hdfsSystem, {
      datanodes: 6,
      racks: 2,
      secondary: false,
      clients: [{ writes: fileWrites('/data', 10, 2 * MiB, cfg), pauseUs: 4 * SEC, reads: [], readEveryUs: 0, verifyAtUs: 1_450 * SEC }],
    });
    world.addChecker(hdfsRedundancyRestoredChecker({ withinMs: 300_000, pollMs: 5000 }));
  },
});
