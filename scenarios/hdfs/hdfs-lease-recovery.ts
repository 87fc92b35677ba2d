import { SEC } from '../../sim/core/types.ts';
import { defineScenario } from '../../sim/harness/scenario.ts';
import { buildSystem } from '../../sim/harness/system.ts';
import { leaseRecoveryChecker } from '../../sim/hdfs/checkers/lease-recovery.ts';
import { namenodeSettings } from '../../sim/hdfs/config.ts';
import { hdfsSystem } from '../../sim/hdfs/system.ts';

// A writer dies in the middle of a block and never comes back as the same client. Its lease expires:
// past the hard limit (dfs.namenode.lease-hard-limit-sec, 1200 s in 3.3; 1 h before, HDFS-14758)
// the NameNode's lease monitor recovers it: a new generation stamp as the recovery id, the lease
// reassigned to HDFS_NameNode, DNA_RECOVERBLOCK to a primary DataNode, which syncs the replicas to
// a common length and reports commitBlockSynchronization; the NameNode closes the file.

const MiB = 1024 * 1024;

export default defineScenario({
  name: 'hdfs-lease-recovery',
  description: 'A client writing a 64 MiB file (32 MiB blocks) dies in its second block; past the lease hard limit (dfs.namenode.lease-hard-limit-sec, 1200 s in 3.3; a fixed hour before 3.3) the NameNode recovers the lease through block recovery on the DataNodes and closes the file.',
  teaches: 'Leases: a writer renews its lease every 30 s; after the soft limit (60 s) another client may take the file over, after the hard limit the NameNode does it alone (lease recovery: new GS, primary DataNode, replicas synced to a common length, commitBlockSynchronization closes the file).',
  systems: [hdfsSystem],
  schema: {},
  defaults: { 'hdfs.dfs.blocksize': 32 * MiB },
  faultPhaseMs: (cfg) => namenodeSettings(cfg).leaseHardLimitUs / 1000 + 120_000,
  quiesceMs: 30_000,
  faults: 'at 5070ms crash client-1  # the writer dies in its second block; it restarts at the heal as a new client',
  expect: { violations: [], why: 'the NameNode recovers an expired lease on its own and closes the file within the hard limit plus a recovery' },
  build(world, cfg) {
    buildSystem(world, cfg, hdfsSystem, {
      datanodes: 4,
      racks: 2,
      secondary: false,
      clients: [{
        writes: [{ path: '/logs/app.log', fileBytes: 64 * MiB, writeBytes: 64 * 1024, replication: 3, blockSize: cfg.int('hdfs.dfs.blocksize'), hflushEveryBytes: 4 * MiB, hsyncEveryBytes: 0 }],
        pauseUs: 5 * SEC, reads: [], readEveryUs: 0, verifyAtUs: null,
      }],
    });
    world.addChecker(leaseRecoveryChecker({ namenode: 'nn' }));
  },
});
