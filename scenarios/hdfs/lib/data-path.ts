import type { Config } from '../../../sim/core/config.ts';
import { SEC } from '../../../sim/core/types.ts';
import { defineFaultTarget } from '../../../sim/harness/faults.ts';
import { hdfsDurabilityChecker } from '../../../sim/hdfs/checkers/durability.ts';
import { hdfsReplicaConsistencyChecker } from '../../../sim/hdfs/checkers/replica-consistency.ts';
import { DfsClient } from '../../../sim/hdfs/client/client.ts';
import type { World } from '../../../sim/world/world.ts';

// Shared by the data-path scenarios (hdfs-write-read, hdfs-pipeline-recovery, hdfs-corrupt-replica):
// the two data checkers, a fault target naming a DataNode of a live write pipeline, and a summary
// of replicas per DataNode.

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

/** `hdfs dfsadmin -report`-like lines: each DataNode's replicas by state. */
export function datanodeSummary(world: World): string {
  const lines: string[] = [];
  for (let p = 0; p < world.procNames.length; p++) {
    const name = world.procNames[p]!;
    if (!/^dn-\d+$/.test(name)) continue;
    if (!world.isUp(world.pid(name))) {
      lines.push(`${name}: down`);
      continue;
    }
    const v = world.inspect(world.pid(name)) as { replicas: { state: string; bytes: number }[]; corruptFound: number };
    const byState = new Map<string, number>();
    let bytes = 0;
    for (const r of v.replicas) {
      byState.set(r.state, (byState.get(r.state) ?? 0) + 1);
      bytes += r.bytes;
    }
    const states = [...byState].sort().map(([s, n]) => `${n} ${s}`).join(', ') || 'no replicas';
    lines.push(`${name} (${world.hostRacks[world.procHost[p]!]}): ${states}; DFS Used: ${bytes} B${v.corruptFound > 0 ? `; scanner found ${v.corruptFound} corrupt` : ''}`);
  }
  return lines.join('\n');
}

export const VERIFY_MARGIN_US = 30 * SEC;
