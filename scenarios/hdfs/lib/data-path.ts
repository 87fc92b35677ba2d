import type { Config } from '../../../sim/core/config.ts';
import { SEC } from '../../../sim/core/types.ts';
import { defineFaultTarget } from '../../../sim/harness/faults.ts';
import { hdfsDurabilityChecker } from '../../../sim/hdfs/checkers/durability.ts';
import { hdfsReplicaConsistencyChecker } from '../../../sim/hdfs/checkers/replica-consistency.ts';
import { DfsClient } from '../../../sim/hdfs/client/client.ts';
import type { World } from '../../../sim/world/world.ts';

// Shared by the data-path scenarios (hdfs-write-read, hdfs-pipeline-recovery, hdfs-corrupt-replica):
// the two data checkers, a fault target naming a DataNode of a live write pipeline.

export function addDataCheckers(world: World, cfg: Config): void {
  world.addChecker(hdfsDurabilityChecker(cfg.int('hdfs.dfs.bytes-per-checksum')));
  world.addChecker(hdfsReplicaConsistencyChecker());
}

/**
 * `pipeline-node(i)`: the i-th DataNode (0 = first) of the write pipeline that `client` has open
 * now, or nobody when it has none (the fault is then skipped).
 */
export function definePipelineTarget(world: World, client: string): void {
  defineFaultTarget(world, 'pipeline-node', {
    usage: 'pipeline-node(<index>)',
    check: (arg) => (/^\d+$/.test(arg) ? null : `'${arg}' is not a pipeline position (0 = the first DataNode)`),
    resolve: (arg) => {
      const a = world.actors[world.pid(client)];
      if (!(a instanceof DfsClient)) return null;
      const nodes = a.pipelineNodes();
      const i = Number(arg);
      return Number.isInteger(i) && i >= 0 && i < nodes.length ? nodes[i]! : null;
    },
  });
}

export const VERIFY_MARGIN_US = 30 * SEC;
