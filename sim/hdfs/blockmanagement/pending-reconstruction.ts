import { invariant } from '../../core/invariant.ts';
import type { BlockId, DatanodeName } from '../types.ts';

// PendingReconstructionBlocks: blocks whose reconstruction was scheduled, with the targets that
// have not confirmed yet (a RECEIVED_BLOCK in an incremental report decrements). Its monitor runs
// every min(timeout, 5 min) (DEFAULT_RECHECK_INTERVAL) and moves entries older than
// dfs.namenode.reconstruction.pending.timeout-sec (300 s) to the timed-out list, which the
// redundancy monitor puts back into the low-redundancy queues. So a lost transfer is retried
// between one and two timeouts after it was scheduled, as in Hadoop.

/** PendingReconstructionBlocks.DEFAULT_RECHECK_INTERVAL. */
export const PENDING_RECHECK_INTERVAL_US = 5 * 60 * 1_000_000;

interface PendingBlockInfo {
  timeStampUs: number;
  readonly targets: DatanodeName[];
}

export class PendingReconstructionBlocks {
  private readonly pending = new Map<BlockId, PendingBlockInfo>();
  private timedOut: BlockId[] = [];

  constructor(readonly timeoutUs: number) {}

  /** The monitor's period: min(timeout, DEFAULT_RECHECK_INTERVAL). */
  get recheckIntervalUs(): number {
    return Math.min(this.timeoutUs, PENDING_RECHECK_INTERVAL_US);
  }

  /** increment: reconstruction of b to these targets was scheduled now. */
  increment(b: BlockId, targets: readonly DatanodeName[], nowUs: number): void {
    const found = this.pending.get(b);
    if (found === undefined) {
      this.pending.set(b, { timeStampUs: nowUs, targets: [...new Set(targets)] });
      return;
    }
    for (const t of targets) if (!found.targets.includes(t)) found.targets.push(t);
    found.timeStampUs = nowUs;
  }

  /** decrement: dn reported the block; the entry goes when no target is left. */
  decrement(b: BlockId, dn: DatanodeName): boolean {
    const found = this.pending.get(b);
    if (found === undefined) return false;
    const i = found.targets.indexOf(dn);
    if (i < 0) return false;
    found.targets.splice(i, 1);
    if (found.targets.length === 0) this.pending.delete(b);
    return true;
  }

  remove(b: BlockId): void {
    this.pending.delete(b);
  }

  getNumReplicas(b: BlockId): number {
    const n = this.pending.get(b)?.targets.length ?? 0;
    invariant(n >= 0, 'pending reconstruction count is negative');
    return n;
  }

  getTargets(b: BlockId): readonly DatanodeName[] {
    return this.pending.get(b)?.targets ?? [];
  }

  size(): number {
    return this.pending.size;
  }

  /** pendingReconstructionCheck: entries older than the timeout move to the timed-out list. */
  pendingReconstructionCheck(nowUs: number): BlockId[] {
    const expired: BlockId[] = [];
    for (const [b, info] of this.pending) if (nowUs > info.timeStampUs + this.timeoutUs) expired.push(b);
    for (const b of expired) {
      this.pending.delete(b);
      this.timedOut.push(b);
    }
    return expired;
  }

  /** getTimedOutBlocks: takes the timed-out list. */
  takeTimedOutBlocks(): BlockId[] {
    const out = this.timedOut;
    this.timedOut = [];
    return out;
  }

  entries(): { blockId: BlockId; timeStampUs: number; targets: readonly DatanodeName[] }[] {
    return [...this.pending].map(([blockId, i]) => ({ blockId, timeStampUs: i.timeStampUs, targets: i.targets }));
  }
}
