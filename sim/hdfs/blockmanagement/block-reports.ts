import type { Block, BlockUCState, DatanodeName, ReplicaState } from '../types.ts';
import { blockName } from '../types.ts';
import type { ReceivedDeletedBlockInfo, ReportedReplica } from '../protocol-dn.ts';
import type { BlockInfo } from './block-info.ts';
import type { BlockManager } from './block-manager.ts';
import type { CorruptReason } from './replica-maps.ts';

// Block reports at the NameNode (BlockManager.processReport, processFirstBlockReport,
// processIncrementalBlockReport, processAndHandleReportedBlock, checkReplicaCorrupt,
// findAndMarkBlockAsCorrupt). A full report replaces what the NameNode believed of that storage:
// replicas it lists are added, checked and marked corrupt when their GS, length or state cannot be
// right; replicas it no longer lists are removed; replicas of blocks no file owns are invalidated.
// The first report of a storage while safe mode has not yet populated the replication queues is
// processed as processFirstBlockReport does: unknown blocks are skipped, not invalidated.

/** BlockToMarkCorrupt: why a reported replica is corrupt. */
export interface CorruptVerdict {
  readonly reason: CorruptReason;
  readonly message: string;
}

/**
 * checkReplicaCorrupt: is a reported replica corrupt given the stored block? Pure rule.
 *  - FINALIZED of a COMPLETE/COMMITTED block: GS or length different -> corrupt.
 *  - FINALIZED of a block under construction/recovery: an older GS -> corrupt.
 *  - RBW/RWR of a COMPLETE/COMMITTED block: another GS -> corrupt; same GS: RBW is a late report of
 *    a closed pipeline (ignored), RWR is corrupt (invalid state).
 *  - RUR, TEMPORARY: never reported; corrupt if they are.
 */
export function checkReplicaCorrupt(reported: Block, state: ReplicaState, stored: Pick<BlockInfo, 'genStamp' | 'numBytes'>, ucState: BlockUCState): CorruptVerdict | null {
  switch (state) {
    case 'FINALIZED':
      switch (ucState) {
        case 'COMPLETE':
        case 'COMMITTED':
          if (stored.genStamp !== reported.genStamp) {
            return { reason: 'GENSTAMP_MISMATCH', message: `block is ${ucState} and reported genstamp ${reported.genStamp} does not match genstamp in block map ${stored.genStamp}` };
          }
          if (stored.numBytes !== reported.numBytes) {
            return { reason: 'SIZE_MISMATCH', message: `block is ${ucState} and reported length ${reported.numBytes} does not match length in block map ${stored.numBytes}` };
          }
          return null;
        case 'UNDER_CONSTRUCTION':
        case 'UNDER_RECOVERY':
          if (stored.genStamp > reported.genStamp) {
            return { reason: 'GENSTAMP_MISMATCH', message: `block is ${ucState} and reported genstamp ${reported.genStamp} does not match genstamp in block map ${stored.genStamp}` };
          }
          return null;
      }
      return null;
    case 'RBW':
    case 'RWR': {
      if (!(ucState === 'COMPLETE' || ucState === 'COMMITTED')) return null;
      if (stored.genStamp !== reported.genStamp) {
        return { reason: 'GENSTAMP_MISMATCH', message: `reported ${state} replica with genstamp ${reported.genStamp} does not match ${ucState} block's genstamp in block map ${stored.genStamp}` };
      }
      if (state === 'RBW') return null;
      return { reason: 'INVALID_STATE', message: `reported replica has invalid state ${state}` };
    }
    case 'RUR':
    case 'TEMPORARY':
      return { reason: 'INVALID_STATE', message: `reported replica has invalid state ${state}` };
  }
}

/** isBlockUnderConstruction: a replica the UC feature should learn of. */
function isBlockUnderConstruction(ucState: BlockUCState, state: ReplicaState): boolean {
  switch (state) {
    case 'FINALIZED':
      return ucState === 'UNDER_CONSTRUCTION' || ucState === 'UNDER_RECOVERY';
    case 'RBW':
    case 'RWR':
      return ucState !== 'COMPLETE' && ucState !== 'COMMITTED';
    default:
      return false;
  }
}

/**
 * processAndHandleReportedBlock (and processReportedBlock): one replica on dn.
 * Returns false when the block is unknown (the caller decides to invalidate or skip).
 */
export function processReportedBlock(bm: BlockManager, dn: DatanodeName, reported: Block, state: ReplicaState, delHint: DatanodeName | null): boolean {
  const stored = bm.getStoredBlock(reported.blockId);
  if (stored === undefined) return false;
  // Ignore replicas already scheduled for removal at this generation stamp (InvalidateBlocks.contains).
  if (bm.invalidateBlocks.contains(dn, reported)) return true;
  const corrupt = checkReplicaCorrupt(reported, state, stored, stored.ucState);
  if (corrupt !== null) {
    bm.note(() => `${blockName(reported)} (${state}) on ${dn} is corrupt: ${corrupt.message}`);
    bm.markBlockAsCorrupt(stored, reported, dn, corrupt.reason);
    return true;
  }
  if (isBlockUnderConstruction(stored.ucState, state)) {
    stored.addReplicaIfNotPresent(dn, reported, state);
    // addStoredBlockUnderConstruction: a FINALIZED replica also joins the blocks map.
    if (state === 'FINALIZED' && (!stored.hasStorage(dn) || bm.corruptReplicas.isReplicaCorrupt(stored.blockId, dn))) {
      bm.addStoredBlock(stored, reported, dn, delHint);
    }
    return true;
  }
  if (state === 'FINALIZED') bm.addStoredBlock(stored, reported, dn, delHint);
  return true;
}

/**
 * processReport: a full block report of dn's storage. Returns the replicas that were not known
 * and were queued for deletion (for annotations and tests).
 */
export function processReport(bm: BlockManager, dn: DatanodeName, replicas: readonly ReportedReplica[]): { toInvalidate: Block[] } {
  const d = bm.dm.descriptor(dn);
  if (d === undefined) return { toInvalidate: [] };
  const first = d.blockReportCount === 0 && !bm.isPopulatingReplQueues();
  const toInvalidate: Block[] = [];
  const reportedIds = new Set<number>();
  for (const r of replicas) {
    reportedIds.add(r.block.blockId);
    const known = processReportedBlock(bm, dn, r.block, r.state, null);
    if (!known && !first) {
      toInvalidate.push(r.block);
      bm.addToInvalidates(r.block, dn);
    }
  }
  // Replicas the NameNode believed on this storage and the report no longer lists (toRemove).
  for (const id of [...d.blocks]) {
    if (reportedIds.has(id)) continue;
    const b = bm.getStoredBlock(id);
    if (b !== undefined) bm.removeStoredBlock(b, dn);
    else d.blocks.delete(id);
  }
  d.blockReportCount++;
  bm.note(() => `block report from ${dn}: ${replicas.length} replicas${toInvalidate.length > 0 ? `, ${toInvalidate.length} of blocks no file owns queued for deletion` : ''}`);
  return { toInvalidate };
}

/** processIncrementalBlockReport: RECEIVING_BLOCK (RBW), RECEIVED_BLOCK (FINALIZED), DELETED_BLOCK. */
export function processIncrementalBlockReport(bm: BlockManager, dn: DatanodeName, blocks: readonly ReceivedDeletedBlockInfo[]): void {
  for (const r of blocks) {
    switch (r.status) {
      case 'DELETED_BLOCK': {
        const b = bm.getStoredBlock(r.block.blockId);
        if (b !== undefined) bm.removeStoredBlock(b, dn);
        break;
      }
      case 'RECEIVED_BLOCK': {
        // addBlock: a reconstruction target confirms; the scheduled count drops.
        const b = bm.getStoredBlock(r.block.blockId);
        if (b !== undefined && bm.pendingReconstruction.decrement(b.blockId, dn)) bm.dm.descriptor(dn)?.decrementBlocksScheduled(bm.host.nowUs());
        if (!processReportedBlock(bm, dn, r.block, 'FINALIZED', r.delHint)) bm.addToInvalidates(r.block, dn);
        break;
      }
      case 'RECEIVING_BLOCK':
        if (!processReportedBlock(bm, dn, r.block, 'RBW', null)) bm.addToInvalidates(r.block, dn);
        break;
    }
  }
}

/**
 * findAndMarkBlockAsCorrupt (reportBadBlocks from a client or a DataNode): the replica of `block`
 * on dn failed its checksum. A block no file owns, or a replica the NameNode does not know on that
 * node, is ignored (the DataNode's next report settles it).
 */
export function findAndMarkBlockAsCorrupt(bm: BlockManager, block: Block, dn: DatanodeName, reason: string): void {
  const stored = bm.getStoredBlock(block.blockId);
  if (stored === undefined) {
    bm.note(() => `reportBadBlocks: ${blockName(block)} on ${dn} belongs to no file (${reason})`);
    return;
  }
  const d = bm.dm.descriptor(dn);
  if (d === undefined || !d.alive || !stored.hasStorage(dn)) {
    bm.note(() => `reportBadBlocks: ${blockName(block)} not found on ${dn}`);
    return;
  }
  bm.markBlockAsCorrupt(stored, block, dn, 'CORRUPTION_REPORTED');
}
