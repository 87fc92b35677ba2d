import type { ProcessId } from '../../core/types.ts';
import type { Checker } from '../../world/checker.ts';
import type { World } from '../../world/world.ts';
import '../observations-bm.ts';

// hdfs-placement (issue 12): every placement the NameNode makes follows BlockPlacementPolicyDefault
// over the racks the hosts really are on (the world's topology, not the NameNode's idea of it):
//  - targets are distinct DataNodes that neither hold the block already nor were excluded;
//  - no rack gets more than maxNodesPerRack = (total - 1) / racks + 2 replicas (one less when that
//    equals the total; total = the replicas there were plus those asked for), counted over the real racks of the DataNodes the NameNode had live; for a
//    reconstruction, a rack already at or above that may not gain a replica.
// With replication 2 or 3 on two or more racks the limit forces two racks, so a NameNode that
// believes everything is on one rack (a broken topology script) is caught here.

const NAME = 'hdfs-placement';

/** getMaxNodesPerRack, restated from Hadoop for the checker (not imported from the code it checks). */
export function maxNodesPerRack(total: number, clusterSize: number, racks: number): number {
  const t = Math.min(total, clusterSize);
  if (racks <= 1 || t <= 1) return t;
  const max = Math.floor((t - 1) / racks) + 2;
  return max === t ? max - 1 : max;
}

export function hdfsPlacementChecker(): Checker {
  let checked = 0;
  return {
    name: NAME,
    kind: 'safety',
    description: 'new blocks and reconstructions follow the default placement policy over the real racks: distinct, not excluded, no rack above (replicas - 1) / racks + 2',
    attach(world: World) {
      const rackOf = (dn: string): string => {
        if (!world.hasProcess(dn)) return `?${dn}`;
        return world.hostRacks[world.procHost[world.pid(dn)] as number] ?? '/default-rack';
      };
      world.onObserve('hdfs-bm-placed', (p: ProcessId, d) => {
        checked++;
        const who = `${world.procNames[p]}: ${d.purpose === 'new-block' ? 'new block' : `reconstruction of blk_${d.blockId}`}`;
        const seen = new Set<string>();
        for (const t of d.targets) {
          if (seen.has(t)) world.reportViolation(NAME, `${who} chose ${t} twice: [${d.targets.join(', ')}]`);
          seen.add(t);
          if (d.existing.includes(t)) world.reportViolation(NAME, `${who} chose ${t}, which already holds the block`);
          if (d.excluded.includes(t)) world.reportViolation(NAME, `${who} chose ${t}, which was excluded`);
        }
        const racks = new Set(d.live.map(rackOf)).size;
        // getMaxNodesPerRack counts the replicas asked for (chosen + numOfReplicas), not those found:
        // when excluded, full or stale nodes leave fewer good targets than asked, the per-rack limit
        // stays the one of the full request (a 3-replica write that finds only two targets may put
        // both on one rack).
        const total = d.existing.length + Math.max(d.targets.length, d.requested);
        const max = maxNodesPerRack(total, d.live.length, racks);
        const count = (list: readonly string[], rack: string): number => list.filter((n) => rackOf(n) === rack).length;
        for (const rack of new Set(d.targets.map(rackOf))) {
          const all = count(d.existing, rack) + count(d.targets, rack);
          if (all > Math.max(max, count(d.existing, rack))) {
            world.reportViolation(NAME, `${who} put ${all} of ${total} replicas on rack ${rack}, above maxNodesPerRack ${max} (${racks} racks among ${d.live.length} live DataNodes): [${d.targets.map((t) => `${t}@${rackOf(t)}`).join(', ')}]`);
          }
        }
      });
    },
    finish() {
      return checked === 0 ? 'unknown' : 'pass';
    },
  };
}
