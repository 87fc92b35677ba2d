import type { CommitBlockSynchronizationRequest } from '../protocol-dn.ts';
import type { RecoverLeaseRequest } from '../protocol.ts';
import type { Block, GenStamp, TxId } from '../types.ts';
import { blocksOf, checkSafeMode, toBlock, type Answer, type FsContext } from './fs-context.ts';
import { NAMENODE_LEASE_HOLDER } from './leases.ts';
import { hdfsError, type HdfsError, type INodeFile } from './namespace.ts';
import { finalizeFile } from './namesystem-write.ts';

// Lease recovery at the NameNode (FSNamesystem.recoverLeaseInternal, internalReleaseLease,
// commitBlockSynchronization; LeaseManager.checkLeases).
//
// internalReleaseLease closes a file whose blocks are all complete; drops an empty last block that
// no DataNode was ever given; and otherwise starts block recovery of the last block: a new
// generation stamp is the recovery id (OP_SET_GENSTAMP_V2), the lease goes to HDFS_NameNode
// (OP_REASSIGN_LEASE) and the block manager sends DNA_RECOVERBLOCK to a primary DataNode, whose
// commitBlockSynchronization then closes the file (OP_CLOSE) with the length the replicas agreed on.

export type ReleaseResult = { readonly closed: boolean; readonly txid: TxId | null; readonly error?: HdfsError };

export function internalReleaseLease(fs: FsContext, f: INodeFile, recoveryHolder: string): ReleaseResult {
  const src = fs.ns.pathOf(f);
  const n = f.blocks.length;
  const last = f.blocks[n - 1];
  const penultimate = f.blocks[n - 2];
  const penultimateOk = penultimate === undefined || penultimate.state === 'COMPLETE' || fs.bm.isMinimallyReplicated(penultimate.blockId);
  if (last === undefined || (last.state === 'COMPLETE' && penultimateOk)) {
    fs.annotate(() => `lease recovery of ${src}: all blocks complete, closing the file`);
    return { closed: true, txid: finalizeFile(fs, f, blocksOf(f)) };
  }
  if (last.state === 'COMMITTED') {
    if (penultimateOk && fs.bm.isMinimallyReplicated(last.blockId)) return { closed: true, txid: finalizeFile(fs, f, blocksOf(f)) };
    return {
      closed: false, txid: null,
      error: hdfsError('AlreadyBeingCreatedException', `Failed to release lease for file ${src}. Committed blocks are waiting to be minimally replicated. Try again later.`),
    };
  }
  if (!penultimateOk) {
    return {
      closed: false, txid: null,
      error: hdfsError('AlreadyBeingCreatedException', `Failed to release lease for file ${src}. Committed blocks are waiting to be minimally replicated. Try again later.`),
    };
  }
  // UNDER_CONSTRUCTION or UNDER_RECOVERY.
  if (fs.bm.expectedLocations(last.blockId).length === 0 && last.numBytes === 0) {
    // The client never wrote to this block: remove it and close the file.
    fs.annotate(() => `lease recovery of ${src}: last block blk_${last.blockId} has no locations and no bytes; removed`);
    fs.bm.removeBlockFromMap(last.blockId);
    const blocks = blocksOf(f).slice(0, -1);
    fs.log.logEdit({ op: 'OP_UPDATE_BLOCKS', path: src, blocks });
    return { closed: true, txid: finalizeFile(fs, f, blocks) };
  }
  const recoveryId = (fs.ns.genStamp + 1) as GenStamp;
  fs.log.logEdit({ op: 'OP_SET_GENSTAMP_V2', genStamp: recoveryId });
  let txid: TxId | null = null;
  const holder = f.uc!.clientName;
  if (holder !== recoveryHolder) {
    txid = fs.log.logEdit({ op: 'OP_REASSIGN_LEASE', leaseHolder: holder, path: src, newHolder: recoveryHolder }).txid;
    fs.leases.reassignLease(f.id, recoveryHolder, fs.localUs());
  } else {
    fs.leases.renewLease(holder, fs.localUs());
  }
  fs.ns.setBlockState(f, last.blockId, 'UNDER_RECOVERY');
  fs.leases.recoveryStarted(f.id, fs.localUs());
  const started = fs.bm.initializeBlockRecovery(toBlock(last), recoveryId);
  fs.annotate(() => `lease recovery of ${src}: blk_${last.blockId} UNDER_RECOVERY with recovery id ${recoveryId}${started ? '' : ' (no replica location yet)'}`);
  return { closed: false, txid: txid ?? fs.ns.lastAppliedTxId };
}

/**
 * recoverLeaseInternal: another client (create) or recoverLease wants a file someone else holds.
 * Within the soft limit and without force, AlreadyBeingCreatedException; otherwise recovery starts
 * and the caller hears RecoveryInProgressException (create) or false (recoverLease).
 */
export function recoverLeaseInternal(
  fs: FsContext, op: 'CREATE_FILE' | 'RECOVER_LEASE', f: INodeFile, src: string, holder: string, clientMachine: string, force: boolean,
): { err: HdfsError } & ReleaseResult {
  const uc = f.uc!;
  const lease = fs.leases.leaseOf(f.id);
  if (!force && uc.clientName === holder) {
    return { closed: false, txid: null, err: hdfsError('AlreadyBeingCreatedException', `Failed to ${op} ${src} for ${holder} on ${clientMachine} because current leaseholder is trying to recreate file.`) };
  }
  if (force || lease === undefined || fs.leases.expiredSoftLimit(lease, fs.localUs())) {
    const r = internalReleaseLease(fs, f, NAMENODE_LEASE_HOLDER);
    const err = r.error ?? (r.closed
      ? hdfsError('RecoveryInProgressException', `Failed to ${op} ${src} for ${holder} on ${clientMachine}: the lease was recovered and the file closed; try again.`)
      : hdfsError('RecoveryInProgressException', `Failed to ${op} ${src} for ${holder} on ${clientMachine} because lease recovery is in progress. Try again later.`));
    return { ...r, err };
  }
  return {
    closed: false, txid: null,
    err: hdfsError('AlreadyBeingCreatedException', `Failed to ${op} ${src} for ${holder} on ${clientMachine} because this file lease is currently owned by ${uc.clientName} on ${uc.clientMachine}`),
  };
}

/** ClientProtocol.recoverLease: true when the file is closed. */
export function recoverLease(fs: FsContext, req: RecoverLeaseRequest): Answer {
  const sm = checkSafeMode(fs, `recover the lease of ${req.src}`);
  if (sm !== null) return { err: sm };
  const n = fs.ns.resolve(req.src);
  if (n === null || n.kind !== 'file') return { err: hdfsError('FileNotFoundException', `File does not exist: ${req.src}`) };
  if (n.uc === null) return { ok: { type: 'recoverLeaseResponse', result: true }, txid: null };
  const r = recoverLeaseInternal(fs, 'RECOVER_LEASE', n, req.src, req.clientName, '', true);
  if (r.error !== undefined) return { err: r.error };
  return { ok: { type: 'recoverLeaseResponse', result: r.closed }, txid: r.txid, what: `recoverLease ${req.src}` };
}

/** LeaseManager.checkLeases: the lease monitor recovers every lease past the hard limit. Returns the last txid logged. */
export function checkLeases(fs: FsContext): TxId | null {
  let txid: TxId | null = null;
  const now = fs.localUs();
  for (const lease of fs.leases.expiredHard(now)) {
    for (const fileId of [...lease.files].sort((a, b) => a - b)) {
      const f = fs.ns.inode(fileId);
      if (f === undefined || f.kind !== 'file' || f.uc === null) {
        fs.leases.removeLease(lease.holder, fileId);
        continue;
      }
      fs.annotate(() => `lease of ${lease.holder} on ${fs.ns.pathOf(f)} passed the hard limit (${fs.settings.leaseHardLimitUs / 1e6} s): recovering`);
      const r = internalReleaseLease(fs, f, NAMENODE_LEASE_HOLDER);
      if (r.txid !== null) txid = r.txid;
      if (!r.closed && r.error !== undefined) fs.leases.renewLease(lease.holder, now);
    }
  }
  return txid;
}

/** FSNamesystem.commitBlockSynchronization: the end of block recovery. Returns the txid to sync or an error. */
export function commitBlockSynchronization(fs: FsContext, req: CommitBlockSynchronizationRequest): { txid: TxId | null } | { error: string } {
  let file: INodeFile | null = null;
  for (const f of fs.ns.filesUnderConstruction()) {
    const last = f.blocks[f.blocks.length - 1];
    if (last !== undefined && last.blockId === req.block.blockId) file = f;
  }
  if (file === null) {
    // Already closed by an earlier attempt with this recovery id: nothing to do (Hadoop logs and returns).
    return { error: `Block (=blk_${req.block.blockId}_${req.block.genStamp}) not found or its file is not under construction` };
  }
  const last = file.blocks[file.blocks.length - 1]!;
  if (last.state !== 'UNDER_RECOVERY') return { error: `The last block blk_${last.blockId} of ${fs.ns.pathOf(file)} is not under recovery` };
  const err = fs.bm.commitBlockSynchronization(req);
  if (err !== null) return { error: err };
  const src = fs.ns.pathOf(file);
  let blocks: Block[] = blocksOf(file);
  if (req.deleteBlock) {
    fs.bm.removeBlockFromMap(last.blockId);
    blocks = blocks.slice(0, -1);
  } else {
    blocks[blocks.length - 1] = { blockId: last.blockId, genStamp: req.newGenStamp, numBytes: req.newLength };
  }
  if (req.closeFile) {
    fs.annotate(() => `commitBlockSynchronization: ${src} closed with blk_${last.blockId}_${req.newGenStamp} of ${req.newLength} bytes`);
    return { txid: finalizeFile(fs, file, blocks) };
  }
  return { txid: fs.log.logEdit({ op: 'OP_UPDATE_BLOCKS', path: src, blocks }).txid };
}
