import type { ProcessId } from '../../core/types.ts';
import '../namenode/observations.ts';
import type { Checker } from '../../world/checker.ts';
import type { World } from '../../world/world.ts';

// hdfs-namespace-durability (issue 12): the NameNode's metadata survives what HDFS promises it
// survives. From the NameNode's observations:
//  - hdfs-nn-op-acked {txid, digest}: a namespace mutation was answered. Every acknowledged txid must
//    be there after any later restart (hdfs-nn-loaded.lastTxId >= the highest acknowledged txid):
//    the edit log was synced before the answer (FSEditLog.logSync), and an fsync survives a crash
//    and a power loss.
//  - hdfs-nn-loaded {lastTxId, digest, segments}: a restart loaded image + edits. Where the namespace
//    digest at lastTxId is known from before (an acknowledged op or a finalized segment), the
//    loaded namespace must have the same digest: replay rebuilds exactly what was there.
//  - hdfs-nn-segment {start, end, digest}: a finalized segment. Txids are contiguous across segments:
//    each starts right after the previous one ended (also the segments a restart replayed).
//  - hdfs-nn-checkpoint {txid, digest}: an image was stored (saveNamespace, or uploaded by the
//    SecondaryNameNode); its namespace must equal the NameNode's at that txid.

const NAME = 'hdfs-namespace-durability';

interface NnState {
  ackedMax: number;
  ackedMaxWhat: string;
  /** Known namespace digests by txid (acknowledged ops, segment ends). */
  readonly digests: Map<number, string>;
  lastSegmentEnd: number | null;
}

export function namespaceDurabilityChecker(): Checker {
  const state = new Map<ProcessId, NnState>();
  const of = (p: ProcessId): NnState => {
    let s = state.get(p);
    if (s === undefined) {
      s = { ackedMax: 0, ackedMaxWhat: '', digests: new Map(), lastSegmentEnd: null };
      state.set(p, s);
    }
    return s;
  };

  const segment = (world: World, p: ProcessId, s: NnState, start: number, end: number): void => {
    if (s.lastSegmentEnd !== null && start !== s.lastSegmentEnd + 1 && start > s.lastSegmentEnd) {
      world.reportViolation(NAME, `${world.procNames[p]}: edit-log segment ${start}-${end} does not follow the segment that ended at txid ${s.lastSegmentEnd} (txids are not contiguous)`);
    }
    if (s.lastSegmentEnd === null || end > s.lastSegmentEnd) s.lastSegmentEnd = end;
  };

  return {
    name: NAME,
    kind: 'safety',
    description: 'acknowledged namespace operations survive NameNode restarts; image + edits replay rebuilds the same namespace; edit-log txids are contiguous; a checkpoint equals the namespace at its txid',
    attach(world: World) {
      world.onObserve('hdfs-nn-op-acked', (p, d) => {
        const s = of(p);
        if (d.txid > s.ackedMax) {
          s.ackedMax = d.txid;
          s.ackedMaxWhat = d.what;
        }
        if (d.digest !== null) s.digests.set(d.txid, d.digest);
      });
      world.onObserve('hdfs-nn-segment', (p, d) => {
        const s = of(p);
        s.digests.set(d.end, d.digest);
        segment(world, p, s, d.start, d.end);
      });
      world.onObserve('hdfs-nn-loaded', (p, d) => {
        const s = of(p);
        const last = d.lastTxId;
        const name = world.procNames[p];
        if (last < s.ackedMax) {
          world.reportViolation(NAME, `${name} restarted with edits up to txid ${last}, but txid ${s.ackedMax} (${s.ackedMaxWhat}) was acknowledged: acknowledged namespace operations were lost`);
        }
        const before = s.digests.get(last);
        const after = d.digest;
        if (before !== undefined && before !== after) {
          world.reportViolation(NAME, `${name} replayed image + edits to txid ${last} and got namespace ${after}, but it was ${before} at that txid before the restart`);
        }
        for (const [start, end] of d.segments) segment(world, p, s, start, end);
        // Ops past `last` were never acknowledged (or the violation above was reported): forget them.
        for (const t of [...s.digests.keys()]) if (t > last) s.digests.delete(t);
        s.digests.set(last, after);
        if (s.lastSegmentEnd !== null && s.lastSegmentEnd > last) s.lastSegmentEnd = last;
        s.ackedMax = Math.min(s.ackedMax, last);
      });
      world.onObserve('hdfs-nn-checkpoint', (p, d) => {
        const s = of(p);
        const expected = s.digests.get(d.txid);
        if (expected !== undefined && d.digest !== expected) {
          world.reportViolation(NAME, `${world.procNames[p]} stored fsimage_${d.txid} (${d.source}) with namespace ${d.digest}, but the namespace at txid ${d.txid} was ${expected}`);
        }
      });
    },
  };
}
