import type { Config } from '../../sim/core/config.ts';
import { MS, SEC } from '../../sim/core/types.ts';
import type { NemesisOptions, RandomFaultKind } from '../../sim/harness/nemesis.ts';
import { defineScenario } from '../../sim/harness/scenario.ts';
import { hdfsLivenessChecker } from '../../sim/hdfs/checkers/liveness.ts';
import { namespaceDurabilityChecker } from '../../sim/hdfs/checkers/namespace-durability.ts';
import { hdfsPlacementChecker } from '../../sim/hdfs/checkers/placement.ts';
import { hdfsSafeModeChecker, safeModeCheckerOptions } from '../../sim/hdfs/checkers/safemode.ts';
import { buildHdfsCluster, fileWrites, livenessProbe } from '../../sim/hdfs/cluster.ts';
import { hdfsSystem } from '../../sim/hdfs/system.ts';
import { addDataCheckers } from './lib/data-path.ts';

// The cluster of the HDFS property tests (test/hdfs/property.test.ts): any number of DataNodes (3-9)
// on 1-3 racks, any replication (1-3) and replace-datanode-on-failure setting, a writer of small
// multi-block files and a reader. Its nemesis is hdfs-random-faults' fault model (crashes, restarts
// and pauses of DataNodes and the NameNode, partitions, cuts, slow and full DataNode disks) with
// shorter phases, so a property can afford many runs. Under it HDFS promises, for every such
// configuration, that everything acknowledged reads back (a kill -9 keeps the page cache), that
// the namespace survives, placement holds, and that after the heal the cluster serves again.
// Power loss is not in this nemesis: what it costs depends on the configuration (replication 1
// loses a block whose only host loses power before writeback), and the tests script it on purpose.

export const PROPERTY_FAULT_PHASE_MS = 60_000;
export const PROPERTY_QUIESCE_MS = 60_000;
export const PROPERTY_FAULT_KINDS: readonly RandomFaultKind[] = ['crash', 'restart', 'pause', 'partition', 'isolate', 'cut', 'slow-disk', 'disk-full'];

export function workerHosts(cfg: Config): string[] {
  return Array.from({ length: cfg.int('cluster.datanodes') }, (_, i) => `w-${i + 1}`);
}

export function propertyNemesis(cfg: Config): NemesisOptions {
  const workers = workerHosts(cfg);
  return {
    kinds: PROPERTY_FAULT_KINDS,
    processes: ['nn', ...workers.map((_w, i) => `dn-${i + 1}`)],
    hosts: ['nn', ...workers, 'c-1'],
    diskFullHosts: workers,
    meanIntervalMs: 5000,
    durationMsMin: 1000,
    durationMsMax: 20_000,
    maxDown: 2,
    swarm: true,
  };
}

export default defineScenario({
  name: 'hdfs-property',
  description: 'Property-test cluster: 3-9 DataNodes on 1-3 racks, replication 1-3, any replace-datanode-on-failure setting; a writer and a reader under DataNode and NameNode crashes, pauses, partitions, slow and full disks.',
  teaches: 'What HDFS promises for each configuration under the faults it tolerates: acknowledged data and namespace operations survive, placement spreads replicas over the racks there are, and the cluster serves again after the heal.',
  systems: [hdfsSystem],
  schema: {
    'cluster.datanodes': { type: 'int', default: 5, min: 3, max: 9, doc: 'DataNodes dn-1..N on hosts w-1..N' },
    'cluster.racks': { type: 'int', default: 2, min: 1, max: 3, doc: 'racks /rack-1..R, the workers spread round-robin' },
  },
  defaults: {
    'hdfs.dfs.blocksize': 512 * 1024,
    'hdfs.dfs.namenode.fs-limits.min-block-size': 65536,
  },
  faultPhaseMs: PROPERTY_FAULT_PHASE_MS,
  quiesceMs: PROPERTY_QUIESCE_MS,
  nemesis: propertyNemesis,
  expect: {
    violations: [],
    why: 'crashes, pauses, partitions, slow and full disks of at most two processes at a time lose nothing acknowledged at any replication (the page cache survives a kill -9), and the cluster serves after the heal',
  },
  build(world, cfg) {
    const healUs = PROPERTY_FAULT_PHASE_MS * MS;
    buildHdfsCluster(world, cfg, {
      datanodes: cfg.int('cluster.datanodes'),
      racks: cfg.int('cluster.racks'),
      secondary: false,
      clients: [
        {
          writes: fileWrites('/p', 10, 1.25 * 512 * 1024, cfg, 256 * 1024), pauseUs: 2 * SEC, reads: ['/p/file-0', '/p/file-3'], readEveryUs: 7 * SEC,
          verifyAtUs: healUs + 45 * SEC, probe: livenessProbe(cfg, healUs),
        },
      ],
    });
    addDataCheckers(world, cfg);
    world.addChecker(namespaceDurabilityChecker());
    world.addChecker(hdfsPlacementChecker());
    world.addChecker(hdfsSafeModeChecker(safeModeCheckerOptions(cfg)));
    world.addChecker(hdfsLivenessChecker({ withinMs: 40_000 }));
  },
});
