import { invariant } from '../../core/invariant.ts';
import { SEC } from '../../core/types.ts';
import type { Block, BlockId, DatanodeName } from '../types.ts';

// DatanodeDescriptor: what the NameNode knows of one DataNode (and of its single storage,
// DatanodeStorageInfo): liveness from heartbeats, the last storage report, the blocks it holds, and
// the work queued for it until its next heartbeat (replicateBlocks, invalidateBlocks,
// recoverBlocks).

/** BlockTargetPair: a block to copy and where to. */
export interface BlockTargetPair {
  readonly block: Block;
  readonly targets: readonly DatanodeName[];
}

/** DatanodeDescriptor.BLOCKS_SCHEDULED_ROLL_INTERVAL: the scheduled-blocks estimate rolls every 10 minutes. */
export const BLOCKS_SCHEDULED_ROLL_INTERVAL_US = 600 * SEC;

export class DatanodeDescriptor {
  hostName: string;
  rack: string;
  storageId: string;
  /** Time of the last heartbeat (or registration), microseconds (lastUpdateMonotonic). */
  lastUpdateUs: number;
  /** In the HeartbeatManager's list: registered and not declared dead. */
  alive = false;
  heartbeatedSinceRegistration = false;
  /** Full block reports processed since the last registration (DatanodeStorageInfo.blockReportCount). */
  blockReportCount = 0;
  capacity = 0;
  dfsUsed = 0;
  remaining = 0;
  xceiverCount = 0;
  failedVolumes = 0;
  /** The blocks this node's storage holds as far as the NameNode knows (the storage's triplets). */
  readonly blocks = new Set<BlockId>();
  /** Work queued until the next heartbeat. */
  readonly replicateBlocks: BlockTargetPair[] = [];
  readonly invalidateBlocks: Block[] = [];
  readonly recoverBlocks: BlockId[] = [];
  /** Approximate blocks scheduled to be written here (currApproxBlocksScheduled + prev), rolled every 10 min. */
  private currApproxBlocksScheduled = 0;
  private prevApproxBlocksScheduled = 0;
  private lastBlocksScheduledRollUs: number;

  constructor(readonly name: DatanodeName, hostName: string, rack: string, storageId: string, nowUs: number) {
    this.hostName = hostName;
    this.rack = rack;
    this.storageId = storageId;
    this.lastUpdateUs = nowUs;
    this.lastBlocksScheduledRollUs = nowUs;
  }

  /** DatanodeInfo.isStale: no heartbeat for the stale interval. */
  isStale(nowUs: number, staleIntervalUs: number): boolean {
    return nowUs - this.lastUpdateUs >= staleIntervalUs;
  }

  /** getNumberOfBlocksToBeReplicated: transfers queued here and not yet handed out in a heartbeat. */
  numberOfBlocksToBeReplicated(): number {
    return this.replicateBlocks.length;
  }

  getBlocksScheduled(nowUs: number): number {
    this.rollBlocksScheduled(nowUs);
    return this.currApproxBlocksScheduled + this.prevApproxBlocksScheduled;
  }

  incrementBlocksScheduled(nowUs: number): void {
    this.rollBlocksScheduled(nowUs);
    this.currApproxBlocksScheduled++;
  }

  /** A scheduled block arrived (or its scheduling timed out): one less expected. */
  decrementBlocksScheduled(nowUs: number): void {
    this.rollBlocksScheduled(nowUs);
    if (this.prevApproxBlocksScheduled > 0) this.prevApproxBlocksScheduled--;
    else if (this.currApproxBlocksScheduled > 0) this.currApproxBlocksScheduled--;
    invariant(this.currApproxBlocksScheduled >= 0 && this.prevApproxBlocksScheduled >= 0, 'blocks scheduled went negative');
  }

  private rollBlocksScheduled(nowUs: number): void {
    if (nowUs - this.lastBlocksScheduledRollUs > BLOCKS_SCHEDULED_ROLL_INTERVAL_US) {
      this.prevApproxBlocksScheduled = this.currApproxBlocksScheduled;
      this.currApproxBlocksScheduled = 0;
      this.lastBlocksScheduledRollUs = nowUs;
    }
  }

  /** DatanodeDescriptor.resetBlocks: forget queued work (the node was declared dead). */
  resetBlocks(): void {
    this.replicateBlocks.length = 0;
    this.invalidateBlocks.length = 0;
    this.recoverBlocks.length = 0;
    this.currApproxBlocksScheduled = 0;
    this.prevApproxBlocksScheduled = 0;
  }
}
