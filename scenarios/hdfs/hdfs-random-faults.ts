import { MS, SEC } from '../../sim/core/types.ts';
import { defineScenario } from '../../sim/harness/scenario.ts';
import { hdfsDeadIntervalChecker } from '../../sim/hdfs/checkers/dead-interval.ts';
import { hdfsLivenessChecker } from '../../sim/hdfs/checkers/liveness.ts';
import { namespaceDurabilityChecker } from '../../sim/hdfs/checkers/namespace-durability.ts';
import { hdfsPlacementChecker } from '../../sim/hdfs/checkers/placement.ts';
import { hdfsRedundancyRestoredChecker } from '../../sim/hdfs/checkers/redundancy-restored.ts';
import { hdfsSafeModeChecker, safeModeCheckerOptions } from '../../sim/hdfs/checkers/safemode.ts';
import { buildHdfsCluster, fileWrites, livenessProbe } from '../../sim/hdfs/cluster.ts';
import { hdfsSystem } from '../../sim/hdfs/system.ts';
import { addDataCheckers } from './lib/data-path.ts';

// Random faults inside the fault model HDFS claims to tolerate with replication 3: DataNode
// crashes (kill -9: the page cache survives) and restarts, pauses of DataNodes and of the NameNode,
// NameNode crashes and restarts (its edits are fsynced before every answer), partitions, isolation
// and one-way cuts between any hosts, slow disks and full DataNode disks. At most two processes are
// down or paused at once, so a closed block always keeps a replica somewhere. No power loss
// (dfs.datanode.synconclose is false by default: HDFS itself loses closed blocks whose every replica
// host loses power before the page cache is written back; that is hdfs-durability's own test), no
// client crash (lease recovery is hdfs-lease-recovery) and no corruption (hdfs-corrupt-replica).
// After the heal every DataNode is back: every block must return to three replicas on two racks,
// the NameNode must serve writes and reads, and everything acknowledged must read back.

const FAULT_MS = 120_000;
// A reconstruction whose transfer died with its target (a crash, a cut) stays pending until
// dfs.namenode.reconstruction.pending.timeout-sec (300 s) has passed at a run of the pending
// monitor, which runs every min(timeout, 5 min) from the NameNode's start: it is scheduled again
// 300 to 600 s after it was first scheduled, as in Hadoop. A block may therefore be restored only
// about 10 min after the heal; the bound and the quiesce phase leave room for that.
const QUIESCE_MS = 660_000;
const MiB = 1024 * 1024;

export default defineScenario({
  name: 'hdfs-random-faults',
  description: 'A NameNode, 6 DataNodes on 2 racks, two writers (multi-block files, some hsynced) and a reader under random DataNode and NameNode crashes, restarts and pauses, partitions, cuts, slow and full disks; replication 3.',
  teaches: 'What HDFS tolerates: pipeline recovery with new generation stamps around crashed, cut or full DataNodes, NameNode restarts through safe mode, client retries of lost calls, stale replicas invalidated and blocks re-replicated after the heal.',
  systems: [hdfsSystem],
  schema: {},
  defaults: {
    'hdfs.dfs.blocksize': MiB,
    'hdfs.dfs.namenode.fs-limits.min-block-size': 65536,
    // A file whose writer failed (its stream died, or addBlock was refused in safe mode) stays open
    // with its last block under construction; while a replica of that block is RWR (its DataNode
    // restarted) no reader can get its length (CannotObtainBlockLengthException, as in Hadoop) until
    // the lease monitor recovers the lease after the hard limit. 120 s instead of 1200 s lets that
    // happen before the final read-back, 5 min after the heal.
    'hdfs.dfs.namenode.lease-hard-limit-sec': 120,
  },
  faultPhaseMs: FAULT_MS,
  quiesceMs: QUIESCE_MS,
  nemesis: () => {
    const dns = [1, 2, 3, 4, 5, 6].map((i) => `dn-${i}`);
    const workers = [1, 2, 3, 4, 5, 6].map((i) => `w-${i}`);
    return {
      kinds: ['crash', 'restart', 'pause', 'partition', 'isolate', 'cut', 'slow-disk', 'disk-full'],
      processes: ['nn', ...dns],
      hosts: ['nn', ...workers, 'c-1', 'c-2'],
      // Full disks on DataNode hosts only: a NameNode whose edits volume fills is
      // NameNodeResourceChecker's business (not modelled), a client's disk holds nothing of HDFS.
      diskFullHosts: workers,
      meanIntervalMs: 6000,
      durationMsMin: 1000,
      durationMsMax: 30_000,
      maxDown: 2,
      swarm: true,
    };
  },
  expect: {
    violations: [],
    why: 'crashes, pauses, partitions, slow and full disks of at most two processes at a time are inside what HDFS tolerates with replication 3: nothing acknowledged is lost, and after the heal the cluster serves and restores every block',
  },
  build(world, cfg) {
    const healUs = FAULT_MS * MS;
    const verifyAtUs = healUs + 300 * SEC;
    const paths = [0, 1, 2, 3].flatMap((i) => [`/data/w1/file-${i}`, `/data/w2/file-${i}`]);
    buildHdfsCluster(world, cfg, {
      datanodes: 6,
      racks: 2,
      secondary: false,
      clients: [
        { writes: fileWrites('/data/w1', 8, 2.5 * MiB, cfg), pauseUs: 3 * SEC, reads: [], readEveryUs: 0, verifyAtUs, probe: livenessProbe(cfg, healUs) },
        { writes: fileWrites('/data/w2', 12, 1.5 * MiB, cfg, 512 * 1024), pauseUs: 4 * SEC, reads: paths, readEveryUs: 5 * SEC, verifyAtUs },
      ],
    });
    addDataCheckers(world, cfg);
    world.addChecker(namespaceDurabilityChecker());
    world.addChecker(hdfsPlacementChecker());
    world.addChecker(hdfsDeadIntervalChecker());
    world.addChecker(hdfsSafeModeChecker(safeModeCheckerOptions(cfg)));
    world.addChecker(hdfsLivenessChecker({ withinMs: 90_000 }));
    world.addChecker(hdfsRedundancyRestoredChecker({ withinMs: 630_000, pollMs: 10_000 }));
  },
});
