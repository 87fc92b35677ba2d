import type { CommitBlockSynchronizationRequest, RecoveringBlock } from '../protocol-dn.ts';
import type { BlockId, DatanodeName, GenStamp } from '../types.ts';
import { blockName } from '../types.ts';
import type { BlockInfo } from './block-info.ts';
import type { BlockManager } from './block-manager.ts';

// Lease recovery on the NameNode side (FSNamesystem.internalReleaseLease's block part,
// BlockUnderConstructionFeature.initializeBlockRecovery, DatanodeManager.getBlockRecoveryCommand,
// FSNamesystem.commitBlockSynchronization's block part). The NameNode takes a new GS as the
// recovery id (OP_SET_GENSTAMP_V2, hdfs-nn), the BlockManager marks the last block
// UNDER_RECOVERY and picks a primary among the live expected replicas (the most recently heard
// from, not chosen before); the primary gets DNA_RECOVERBLOCK with its next heartbeat, syncs the
// replicas to a common length and calls commitBlockSynchronization.

/** PendingRecoveryBlocks: a recovery attempt expires after 30 x the heartbeat interval (BLOCK_RECOVERY_TIMEOUT_MULTIPLIER). */
export const BLOCK_RECOVERY_TIMEOUT_MULTIPLIER = 30;

/**
 * addBlockRecoveryAttempt: false while a previous attempt for this block has not timed out (the
 * caller then waits, as internalReleaseLease does).
 */
export function addBlockRecoveryAttempt(bm: BlockManager, id: BlockId): boolean {
  const now = bm.host.nowUs();
  const until = bm.pendingRecovery.get(id);
  if (until !== undefined && now < until) return false;
  bm.pendingRecovery.set(id, now + BLOCK_RECOVERY_TIMEOUT_MULTIPLIER * bm.settings.heartbeatIntervalUs);
  return true;
}

export type InitRecoveryResult =
  | { readonly kind: 'started'; readonly primary: DatanodeName }
  /** No expected location and no reported replica: the block can be dropped if empty (lease recovery removes it). */
  | { readonly kind: 'no-replicas' }
  /** A previous attempt is still running. */
  | { readonly kind: 'in-progress' }
  | { readonly kind: 'no-live-primary' };

/**
 * initializeBlockRecovery for the last block of a file under lease recovery, with the recovery id
 * the NameNode just generated. With no expected locations, the replicas the blocks map knows are
 * used (internalReleaseLease: setExpectedLocations(getStorages(lastBlock))).
 */
export function initializeBlockRecovery(bm: BlockManager, id: BlockId, recoveryId: GenStamp): InitRecoveryResult {
  const b = bm.getStoredBlock(id);
  if (b === undefined || b.isComplete()) return { kind: 'no-replicas' };
  if (b.expected.length === 0) b.setExpectedLocations(b.storages);
  if (b.expected.length === 0) return { kind: 'no-replicas' };
  if (!addBlockRecoveryAttempt(bm, id)) return { kind: 'in-progress' };
  b.ucState = 'UNDER_RECOVERY';
  b.blockRecoveryId = recoveryId;
  const isAlive = (dn: DatanodeName): boolean => bm.dm.descriptor(dn)?.alive ?? false;
  let allTried = true;
  for (const r of b.expected) {
    if (isAlive(r.datanode)) {
      allTried = r.chosenAsPrimary;
      if (!allTried) break;
    }
  }
  if (allTried) for (const r of b.expected) r.chosenAsPrimary = false;
  let primary: (typeof b.expected)[number] | null = null;
  let mostRecent = -Infinity;
  for (const r of b.expected) {
    if (!isAlive(r.datanode) || r.chosenAsPrimary) continue;
    const last = bm.dm.descriptor(r.datanode)?.lastUpdateUs ?? -Infinity;
    if (last > mostRecent) {
      mostRecent = last;
      primary = r;
    }
  }
  if (primary === null) {
    b.primary = null;
    return { kind: 'no-live-primary' };
  }
  primary.chosenAsPrimary = true;
  b.primary = primary.datanode;
  bm.dm.descriptor(primary.datanode)?.recoverBlocks.push(id);
  const p = primary.datanode;
  bm.note(() => `block recovery of ${blockName(b)}: recovery id ${recoveryId}, primary ${p} of [${b.expected.map((e) => e.datanode).join(', ')}]`);
  return { kind: 'started', primary: p };
}

/**
 * getBlockRecoveryCommand: the recoveries queued for a DataNode. Stale replicas are left out when
 * more than one fresh one remains (HDFS-3703).
 */
export function takeRecoveringBlocks(bm: BlockManager, dn: DatanodeName): RecoveringBlock[] {
  const d = bm.dm.descriptor(dn);
  if (d === undefined || d.recoverBlocks.length === 0) return [];
  const now = bm.host.nowUs();
  const out: RecoveringBlock[] = [];
  for (const id of d.recoverBlocks.splice(0)) {
    const b = bm.getStoredBlock(id);
    if (b === undefined || b.ucState !== 'UNDER_RECOVERY') continue;
    const all = b.expected.map((e) => e.datanode);
    const fresh = all.filter((n) => !(bm.dm.descriptor(n)?.isStale(now, bm.settings.staleIntervalUs) ?? true));
    out.push({ block: b.toBlock(), locations: fresh.length > 1 ? fresh : all, newGenStamp: b.blockRecoveryId as GenStamp });
  }
  return out;
}

export type CommitSyncOutcome =
  | { readonly ok: true; readonly block: BlockInfo; readonly closeFile: boolean; readonly deleteBlock: boolean }
  | { readonly ok: false; readonly message: string };

/**
 * commitBlockSynchronization, the block part: the recovery id must be the current one; the block
 * takes the new GS and length and the synchronized nodes as its replicas; with closeFile it is
 * committed (and complete if minReplication of them are known). The namespace part (remove the
 * block if deleteBlock, close the file or persist its blocks, release the lease, log and sync) is
 * the NameNode's, which answers the DataNode.
 */
export function commitBlockSynchronization(bm: BlockManager, req: CommitBlockSynchronizationRequest): CommitSyncOutcome {
  const b = bm.getStoredBlock(req.block.blockId);
  if (b === undefined) return { ok: false, message: `Block (=${blockName(req.block)}) not found` };
  if (b.isComplete()) {
    return { ok: false, message: `Unexpected block (=${blockName(req.block)}) since the file is not under construction` };
  }
  if (b.ucState !== 'UNDER_RECOVERY' || b.blockRecoveryId !== req.newGenStamp) {
    return { ok: false, message: `The recovery id ${req.newGenStamp} does not match current recovery id ${b.blockRecoveryId} for block ${blockName(req.block)}` };
  }
  bm.pendingRecovery.delete(b.blockId);
  if (req.deleteBlock) return { ok: true, block: b, closeFile: req.closeFile, deleteBlock: true };
  const oldBlock = b.toBlock();
  b.genStamp = req.newGenStamp;
  b.numBytes = req.newLength;
  // With closeFile the synchronized replicas join the blocks map (they are finalized at the new GS).
  if (req.closeFile) for (const dn of req.newTargets) if (bm.dm.descriptor(dn)?.alive === true) bm.attach(b, dn);
  // markBlockReplicasAsCorrupt: known replicas that were not synchronized keep the old GS/length.
  for (const dn of [...b.storages]) if (!req.newTargets.includes(dn)) bm.markBlockAsCorrupt(b, oldBlock, dn, 'GENSTAMP_MISMATCH');
  b.setExpectedLocations(req.newTargets.filter((n) => bm.dm.descriptor(n) !== undefined));
  if (req.closeFile) {
    b.ucState = 'COMMITTED';
    if (bm.hasMinStorage(bm.countNodes(b).live)) {
      bm.completeBlock(b);
      bm.updateNeededReconstructions(b, 0, 0);
    }
  } else {
    b.ucState = 'UNDER_CONSTRUCTION';
    b.blockRecoveryId = 0;
  }
  bm.note(() => `commitBlockSynchronization: ${blockName(b)} length ${b.numBytes} on [${req.newTargets.join(', ')}]${req.closeFile ? ', file closes' : ''}`);
  return { ok: true, block: b, closeFile: req.closeFile, deleteBlock: false };
}
