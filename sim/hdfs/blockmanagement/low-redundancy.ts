import { invariant } from '../../core/invariant.ts';
import type { BlockId } from '../types.ts';
import { LinkedSet } from './linked-set.ts';

// LowRedundancyBlocks (neededReconstruction): five priority queues of blocks that need more
// replicas or better placement. Priorities are LowRedundancyBlocks.getPriority's for contiguous
// blocks (Hadoop 3.x; UnderReplicatedBlocks in 2.x had the same levels):
//   0 QUEUE_HIGHEST_PRIORITY       one live replica left (or only out-of-service ones)
//   1 QUEUE_VERY_LOW_REDUNDANCY    live x 3 < expected
//   2 QUEUE_LOW_REDUNDANCY         the other under-replicated blocks
//   3 QUEUE_REPLICAS_BADLY_DISTRIBUTED  enough replicas, too few racks
//   4 QUEUE_WITH_CORRUPT_BLOCKS    no live replica: only corrupt ones (never scheduled)

export const QUEUE_HIGHEST_PRIORITY = 0;
export const QUEUE_VERY_LOW_REDUNDANCY = 1;
export const QUEUE_LOW_REDUNDANCY = 2;
export const QUEUE_REPLICAS_BADLY_DISTRIBUTED = 3;
export const QUEUE_WITH_CORRUPT_BLOCKS = 4;
export const LEVEL = 5;

/**
 * LowRedundancyBlocks.getPriority (contiguous blocks). readOnly and outOfService replicas
 * (read-only shared storage, decommissioning and maintenance nodes) are 0 in dsim, which does not
 * model them; the parameters keep the rule whole.
 */
export function getPriority(curReplicas: number, readOnlyReplicas: number, outOfServiceReplicas: number, expectedReplicas: number): number {
  invariant(curReplicas >= 0, 'Negative replicas!');
  if (curReplicas >= expectedReplicas) return QUEUE_REPLICAS_BADLY_DISTRIBUTED;
  if (curReplicas === 0) {
    if (outOfServiceReplicas > 0) return QUEUE_HIGHEST_PRIORITY;
    if (readOnlyReplicas > 0) return QUEUE_HIGHEST_PRIORITY;
    return QUEUE_WITH_CORRUPT_BLOCKS;
  }
  if (curReplicas === 1) return QUEUE_HIGHEST_PRIORITY;
  if (curReplicas * 3 < expectedReplicas) return QUEUE_VERY_LOW_REDUNDANCY;
  return QUEUE_LOW_REDUNDANCY;
}

export class LowRedundancyBlocks {
  private readonly queues: LinkedSet<BlockId>[] = [];

  constructor() {
    for (let i = 0; i < LEVEL; i++) this.queues.push(new LinkedSet<BlockId>());
  }

  size(): number {
    return this.queues.reduce((s, q) => s + q.size, 0);
  }

  /** getLowRedundancyBlockCount: all but the corrupt queue. */
  lowRedundancyBlockCount(): number {
    return this.size() - this.corruptBlockSize();
  }

  corruptBlockSize(): number {
    return this.queue(QUEUE_WITH_CORRUPT_BLOCKS).size;
  }

  contains(b: BlockId): boolean {
    return this.queues.some((q) => q.has(b));
  }

  /** The level a block is queued at, or -1. */
  levelOf(b: BlockId): number {
    return this.queues.findIndex((q) => q.has(b));
  }

  add(b: BlockId, cur: number, readOnly: number, outOfService: number, expected: number): boolean {
    const added = this.queue(getPriority(cur, readOnly, outOfService, expected)).add(b);
    this.checkUnique(b);
    return added;
  }

  /** remove(block, priLevel): tries the hinted level first, then every level. */
  remove(b: BlockId, priLevel: number): boolean {
    if (priLevel >= 0 && priLevel < LEVEL && this.queue(priLevel).delete(b)) return true;
    for (let i = 0; i < LEVEL; i++) if (i !== priLevel && this.queue(i).delete(b)) return true;
    return false;
  }

  /** update: recomputes the level after a change of live replicas or expected replication. */
  update(b: BlockId, cur: number, readOnly: number, outOfService: number, curExpected: number, curDelta: number, expectedDelta: number): void {
    const oldPri = getPriority(Math.max(0, cur - curDelta), readOnly, outOfService, curExpected - expectedDelta);
    const curPri = getPriority(cur, readOnly, outOfService, curExpected);
    this.remove(b, oldPri);
    this.queue(curPri).add(b);
    this.checkUnique(b);
  }

  /**
   * chooseLowRedundancyBlocks: up to blocksToProcess blocks, by priority, each level resumed at its
   * bookmark; the corrupt level is skipped. When the scan passes the last level, every bookmark
   * goes back to its head.
   */
  chooseLowRedundancyBlocks(blocksToProcess: number): BlockId[][] {
    const out: BlockId[][] = [];
    let count = 0;
    let priority = 0;
    for (; count < blocksToProcess && priority < LEVEL; priority++) {
      if (priority === QUEUE_WITH_CORRUPT_BLOCKS) {
        out.push([]);
        continue;
      }
      const taken = this.queue(priority).takeFromBookmark(blocksToProcess - count);
      count += taken.length;
      out.push(taken);
    }
    if (priority === LEVEL) for (const q of this.queues) q.resetBookmark();
    while (out.length < LEVEL) out.push([]);
    return out;
  }

  /** The blocks of each level, for inspect() and fsck. */
  levels(): BlockId[][] {
    return this.queues.map((q) => q.values());
  }

  clear(): void {
    for (const q of this.queues) q.clear();
  }

  private queue(level: number): LinkedSet<BlockId> {
    const q = this.queues[level];
    invariant(q !== undefined, () => `no low-redundancy level ${level}`);
    return q;
  }

  private checkUnique(b: BlockId): void {
    invariant(this.queues.filter((q) => q.has(b)).length <= 1, () => `blk_${b} is in more than one low-redundancy queue`);
  }
}
