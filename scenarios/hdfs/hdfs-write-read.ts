import { SEC } from '../../sim/core/types.ts';
import { defineScenario } from '../../sim/harness/scenario.ts';
import { buildSystem } from '../../sim/harness/system.ts';
import { fileWrites } from '../../sim/hdfs/cluster.ts';
import { hdfsSystem } from '../../sim/hdfs/system.ts';
import { VERIFY_MARGIN_US } from './lib/data-path.ts';

// The reference HDFS run (and `dsim bench`'s HDFS case): a NameNode, a SecondaryNameNode, six
// DataNodes on two racks, two writers of multi-block files and two readers. No faults: placement,
// pipelines and reads as a healthy cluster does them.

const FAULT_MS = 90_000;
const QUIESCE_MS = 60_000;

export default defineScenario({
  name: 'hdfs-write-read',
  description: 'NameNode, SecondaryNameNode, 6 DataNodes on 2 racks; two writers of 10 MiB files in 4 MiB blocks and two readers; no faults.',
  teaches: 'A write: create, addBlock (replica 1 near the writer, 2 on the other rack, 3 beside 2), WRITE_BLOCK down a 3-node pipeline, 64 KiB packets acknowledged in order by all three, the last packet finalizing the replicas, complete. A read: getBlockLocations, the nearest replica, every chunk checked against its CRC32C.',
  systems: [hdfsSystem],
  schema: {},
  defaults: {
    'hdfs.dfs.blocksize': 4 * 1024 * 1024,
    'hdfs.dfs.namenode.fs-limits.min-block-size': 65536,
  },
  faultPhaseMs: FAULT_MS,
  quiesceMs: QUIESCE_MS,
  expect: { violations: [], why: 'without faults every closed file is read back whole, and every replica of a block agrees' },
  bench: true,
  build(world, cfg) {
    const verifyAtUs = (FAULT_MS + QUIESCE_MS) * 1000 - VERIFY_MARGIN_US;
    const writes = (w: string) => fileWrites(`/data/${w}`, 6, 10 * 1024 * 1024, cfg);
    const paths = [0, 1, 2].flatMap((i) => [`/data/w1/file-${i}`, `/data/w2/file-${i}`]);
    buildSystem(world, cfg, hdfsSystem, {
      datanodes: 6,
      racks: 2,
      secondary: true,
      clients: [
        { writes: writes('w1'), pauseUs: 2 * SEC, reads: [], readEveryUs: 0, verifyAtUs },
        { writes: writes('w2'), pauseUs: 3 * SEC, reads: [], readEveryUs: 0, verifyAtUs },
        { writes: [], pauseUs: SEC, reads: paths, readEveryUs: 2 * SEC, verifyAtUs: null },
        { writes: [], pauseUs: SEC, reads: [...paths].reverse(), readEveryUs: 3 * SEC, verifyAtUs: null },
      ],
    });
  },
});
