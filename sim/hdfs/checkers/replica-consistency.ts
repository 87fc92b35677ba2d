import type { Checker, CheckStatus } from '../../world/checker.ts';
import type { World } from '../../world/world.ts';
import { chunksDigest } from '../content.ts';
import { DataNode, type ReplicaContent } from '../datanode/datanode.ts';
import '../observations-dn.ts';

// hdfs-replica-consistency: the generation stamp is HDFS's version of a replica.
// - During the run: a DataNode never serves a reader a replica whose GS is older than the GS the
//   reader asked for (the NameNode's current GS of the block): a stale-GS replica is never served
//   as current (BlockSender's check).
// - At the end: FINALIZED replicas of a block with the same GS have the same length and the same
//   content digest, across all live DataNodes. Replicas failing their own checksums are detected
//   corruption (the scanner and readers deal with them), not an inconsistency, and are left out.

export function hdfsReplicaConsistencyChecker(): Checker {
  return {
    name: 'hdfs-replica-consistency',
    kind: 'safety',
    description: 'finalized replicas with the same GS have the same length and digest; a stale-GS replica is never served as current',
    attach(world: World): void {
      world.onObserve('hdfs-read-served', (_p, d) => {
        if (d.genStamp < d.requestedGenStamp) {
          world.reportViolation('hdfs-replica-consistency', `${d.datanode} served blk_${d.blockId} from a ${d.state} replica with GS ${d.genStamp}, older than the requested GS ${d.requestedGenStamp}`);
        }
      });
    },
    finish(world: World): CheckStatus {
      const groups = new Map<string, ReplicaContent[]>();
      for (const a of world.actors) {
        if (!(a instanceof DataNode)) continue;
        for (const r of a.replicaContents()) {
          if (r.state !== 'FINALIZED' || !r.checksumsOk) continue;
          const k = `${r.blockId}_${r.genStamp}`;
          let g = groups.get(k);
          if (g === undefined) {
            g = [];
            groups.set(k, g);
          }
          g.push(r);
        }
      }
      for (const [k, g] of [...groups].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
        const first = g[0]!;
        const d0 = chunksDigest(first.words, first.lens);
        for (const r of g.slice(1)) {
          const d = chunksDigest(r.words, r.lens);
          if (r.length !== first.length || d !== d0) {
            world.reportViolation('hdfs-replica-consistency', `finalized replicas of blk_${k} differ: ${first.datanode} has ${first.length} bytes (${d0}), ${r.datanode} has ${r.length} bytes (${d})`);
            break;
          }
        }
      }
      return 'pass';
    },
  };
}
