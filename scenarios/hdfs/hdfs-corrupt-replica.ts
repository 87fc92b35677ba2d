import { SEC } from '../../sim/core/types.ts';
import { defineScenario } from '../../sim/harness/scenario.ts';
import { buildSystem } from '../../sim/harness/system.ts';
import { clientFactory } from '../../sim/hdfs/client/client.ts';
import { fileWrites } from '../../sim/hdfs/cluster.ts';
import { hdfsSystem } from '../../sim/hdfs/system.ts';
import { VERIFY_MARGIN_US } from './lib/data-path.ts';

// A bit flips in a block or meta file on w-1. A client on w-1 (as a MapReduce task would run there)
// reads the local replica first, finds a chunk whose CRC32C does not match, reads the block from
// another replica instead, and reports the bad one (reportBadBlocks). The NameNode marks it
// corrupt, re-replicates the block from a good replica, then invalidates the corrupt one.

const FAULT_MS = 120_000;
const QUIESCE_MS = 120_000;

export default defineScenario({
  name: 'hdfs-corrupt-replica',
  description: 'Four DataNodes on 2 racks; a client on w-1 writes three 6 MiB files and keeps reading them; at 60 s a bit flips in a stored file on w-1.',
  teaches: 'Checksums: a CRC32C per 512-byte chunk in the .meta file; the reader verifies, moves to the next replica and reports; the NameNode re-replicates a corrupt block first and invalidates the corrupt replica after.',
  systems: [hdfsSystem],
  schema: {},
  defaults: {
    'hdfs.dfs.blocksize': 4 * 1024 * 1024,
    'hdfs.dfs.namenode.fs-limits.min-block-size': 65536,
  },
  faultPhaseMs: FAULT_MS,
  quiesceMs: QUIESCE_MS,
  faults: 'at 60s corrupt w-1',
  expect: { violations: [], why: 'the corrupt chunk fails its checksum wherever it is read, so no reader ever gets wrong bytes, and the block regains three good replicas' },
  build(world, cfg) {
    const verifyAtUs = (FAULT_MS + QUIESCE_MS) * 1000 - VERIFY_MARGIN_US;
    const writes = fileWrites('/warehouse', 3, 6 * 1024 * 1024, cfg);
    buildSystem(world, cfg, hdfsSystem, { datanodes: 4, racks: 2, secondary: false, clients: [] });
    // The client runs on w-1: replica 1 of every block is on dn-1 and reads prefer it (distance 0).
    world.addProcess('client-1', 'w-1', clientFactory({
      namenode: 'nn', writes, pauseUs: 2 * SEC, reads: writes.map((w) => w.path), readEveryUs: 3 * SEC, verifyAtUs,
    }), { system: 'hdfs', role: 'client' });
  },
});
