import type { Json, ProcessId } from '../../sim/core/types.ts';
import { MS, SEC } from '../../sim/core/types.ts';
import { defineScenario } from '../../sim/harness/scenario.ts';
import { buildSystem } from '../../sim/harness/system.ts';
import { hdfsLivenessChecker } from '../../sim/hdfs/checkers/liveness.ts';
import { hdfsSafeModeChecker, safeModeCheckerOptions } from '../../sim/hdfs/checkers/safemode.ts';
import { fileWrites, livenessProbe } from '../../sim/hdfs/cluster.ts';
import { hdfsSystem } from '../../sim/hdfs/system.ts';

// A fresh cluster with min.datanodes = 4 is itself in safe mode for its first 30 s (the extension
// after the fourth DataNode registered), so the writers start after it. Then a whole-cluster restart: the NameNode and every DataNode go down at 60 s, the NameNode comes back
// at 90 s and the DataNodes one by one, every 20 s from 100 s. The NameNode rebuilds its namespace
// from fsimage + edits but knows no replica (the blocks map is not persisted): it stays in safe mode,
// refusing every mutation with SafeModeException, until the block reports make floor(total x 0.999)
// blocks minimally replicated and dfs.namenode.safemode.min.datanodes (4 here) DataNodes are live,
// then 30 s more (the extension), then leaves and starts re-replication. A client that keeps writing
// during the restart sees its creates refused; after the heal a probe writes and reads a file.

const MiB = 1024 * 1024;
const FAULT_PHASE_MS = 300_000;

export default defineScenario({
  name: 'hdfs-safemode',
  description: 'A NameNode and 6 DataNodes on 2 racks holding 16 files (replication 3); all go down at 60 s, the NameNode restarts at 90 s and the DataNodes one every 20 s from 100 s; min.datanodes = 4.',
  teaches: 'Safe mode after a NameNode restart: the blocks map is rebuilt only from block reports, so the NameNode refuses writes until 99.9 % of the blocks have a reported replica and min.datanodes DataNodes are live, then waits the 30 s extension (counted from the first time the thresholds held) before leaving and re-replicating.',
  systems: [hdfsSystem],
  schema: {},
  defaults: {
    'hdfs.dfs.blocksize': MiB,
    'hdfs.dfs.namenode.fs-limits.min-block-size': 65536,
    'hdfs.dfs.namenode.safemode.min.datanodes': 4,
  },
  faultPhaseMs: FAULT_PHASE_MS,
  quiesceMs: 60_000,
  faults: `
    at 60s crash nn for 30s
    at 60s crash dn-1 for 40s
    at 60s crash dn-2 for 60s
    at 60s crash dn-3 for 80s
    at 60s crash dn-4 for 100s
    at 60s crash dn-5 for 120s
    at 60s crash dn-6 for 140s
  `,
  expect: {
    violations: [],
    why: 'safe mode ends once the reports cover the threshold and 4 DataNodes are live, plus the 30 s extension, never earlier and within a second of it; no acknowledged file or namespace operation is lost, and after the heal writes and reads work',
  },
  build(world, cfg) {
    buildSystem(world, cfg, hdfsSystem, {
      datanodes: 6,
      racks: 2,
      secondary: false,
      clients: [
        { writes: fileWrites('/data', 16, MiB, cfg), pauseUs: 1 * SEC, firstPauseUs: 32 * SEC, reads: [], readEveryUs: 0, verifyAtUs: (FAULT_PHASE_MS + 40_000) * MS },
        // writes on through the restart: refused in safe mode, then accepted again
        { writes: fileWrites('/late', 30, 256 * 1024, cfg), pauseUs: 6 * SEC, firstPauseUs: 40 * SEC, reads: [], readEveryUs: 0, verifyAtUs: (FAULT_PHASE_MS + 45_000) * MS, probe: livenessProbe(cfg, FAULT_PHASE_MS * MS) },
      ],
    });
    world.addChecker(hdfsSafeModeChecker(safeModeCheckerOptions(cfg, 2000)));
    world.addChecker(hdfsLivenessChecker({ withinMs: 30_000 }));
  },
  summary(world) {
    const v = world.inspect(world.pid('nn') as ProcessId) as { [k: string]: Json };
    const bm = (v['blockManager'] ?? {}) as { [k: string]: Json };
    const c = world.inspect(world.pid('client-2') as ProcessId) as { [k: string]: Json };
    return [
      `nn safe mode: ${JSON.stringify(v['safeMode'] ?? null)}; counts at the end ${JSON.stringify(bm['safeMode'] ?? null)}`,
      `client-2 (writing through the restart): ${c['written']} files written, ${c['writeFailures']} refused or failed`,
    ].join('\n');
  },
});
