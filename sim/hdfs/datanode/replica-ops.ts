import type { ReplicaRecoveryInfo } from '../protocol-dt.ts';
import type { Block, GenStamp } from '../types.ts';
import type { FsDataset } from './dataset.ts';
import type { Replica } from './replica.ts';

// The replica transitions of FsDatasetImpl that pipeline and block recovery drive. Each returns the
// replica or an error text (Hadoop's IOException / ReplicaNotFoundException message, shortened).
// `stopWriter` is the DataNode's hook that interrupts an open BlockReceiver of the replica
// (ReplicaInPipeline.stopWriter) before its state changes under it.

/**
 * recoverRbw (PIPELINE_SETUP_STREAMING_RECOVERY): the RBW replica of a pipeline that lost a node
 * takes the new generation stamp; bytes beyond the acknowledged length are cut off (HDFS-6937:
 * they may be corrupt and were never acknowledged).
 */
export function recoverRbw(ds: FsDataset, b: Block, newGS: GenStamp, minBytesRcvd: number, maxBytesRcvd: number, stopWriter: (r: Replica) => void): Replica | string {
  const r = ds.get(b.blockId);
  if (r === undefined) return `Cannot recover a non-RBW replica: replica of blk_${b.blockId} not found`;
  if (r.state !== 'RBW') return `Cannot recover a non-RBW replica blk_${b.blockId} in state ${r.state}`;
  if (r.genStamp < b.genStamp || r.genStamp > newGS) {
    return `Unable to recover blk_${b.blockId}: replica GS ${r.genStamp} is not in [${b.genStamp}, ${newGS}]`;
  }
  stopWriter(r);
  if (r.bytesAcked < minBytesRcvd || r.bytesOnDisk > maxBytesRcvd) {
    return `Unmatched length replica blk_${b.blockId}: bytesAcked ${r.bytesAcked} < ${minBytesRcvd} or numBytes ${r.bytesOnDisk} > ${maxBytesRcvd}`;
  }
  const err = ds.bumpGenStamp(r, newGS) ?? (r.bytesOnDisk > r.bytesAcked ? ds.truncate(r, r.bytesAcked) : null);
  return err ?? r;
}

/**
 * recoverClose (PIPELINE_CLOSE_RECOVERY): a FINALIZED or RBW replica of a block whose last packet
 * was sent takes the new GS; an RBW one of the expected length is finalized.
 */
export function recoverClose(ds: FsDataset, b: Block, newGS: GenStamp, expectedLen: number, stopWriter: (r: Replica) => void): Replica | string {
  const r = ds.get(b.blockId);
  if (r === undefined) return `Cannot recover close: replica of blk_${b.blockId} not found`;
  if (r.state !== 'FINALIZED' && r.state !== 'RBW') return `Cannot recover close of blk_${b.blockId} in state ${r.state}`;
  if (r.genStamp < b.genStamp || r.genStamp > newGS) return `Unable to recover close of blk_${b.blockId}: replica GS ${r.genStamp} is not in [${b.genStamp}, ${newGS}]`;
  stopWriter(r);
  if (r.bytesOnDisk !== expectedLen) return `Corrupted replica blk_${b.blockId} with a length of ${r.bytesOnDisk} expected length is ${expectedLen}`;
  const err = ds.bumpGenStamp(r, newGS);
  if (err !== null) return err;
  if (r.state === 'RBW') {
    const f = ds.finalize(r);
    if (f !== null) return f;
  }
  return r;
}

/**
 * initReplicaRecovery (InterDatanodeProtocol, FsDatasetImpl.initReplicaRecovery): the replica
 * becomes RUR with the recovery id; its writer is stopped. A replica older than the block, or one
 * already under a newer recovery, refuses.
 */
export function initReplicaRecovery(ds: FsDataset, b: Block, recoveryId: GenStamp, stopWriter: (r: Replica) => void): ReplicaRecoveryInfo | string {
  const r = ds.get(b.blockId);
  if (r === undefined) return `ReplicaNotFoundException: blk_${b.blockId}`;
  if (r.genStamp < b.genStamp) return `replica.getGenerationStamp() < block.getGenerationStamp(): ${r.genStamp} < ${b.genStamp}`;
  if (r.state === 'TEMPORARY') return `cannot recover TEMPORARY replica blk_${b.blockId}`;
  if (r.state === 'RUR') {
    if (r.recoveryId !== null && r.recoveryId >= recoveryId) return `rur.getRecoveryID() >= recoveryId = ${recoveryId}: ${r.recoveryId}`;
  } else {
    stopWriter(r);
    r.originalState = r.state;
    r.state = 'RUR';
  }
  r.recoveryId = recoveryId;
  return { blockId: r.blockId, genStamp: r.genStamp, numBytes: r.bytesOnDisk, originalState: r.originalState ?? 'RWR' };
}

/**
 * updateReplicaUnderRecovery: the RUR replica takes GS = recoveryId, is cut to newLength and
 * finalized (FsDatasetImpl.updateReplicaUnderRecovery + finalizeReplica).
 */
export function updateReplicaUnderRecovery(ds: FsDataset, b: Block, recoveryId: GenStamp, newLength: number): Replica | string {
  const r = ds.get(b.blockId);
  if (r === undefined) return `ReplicaNotFoundException: blk_${b.blockId}`;
  if (r.state !== 'RUR') return `replica blk_${b.blockId} is not under recovery (${r.state})`;
  if (r.recoveryId !== recoveryId) return `replica.getRecoveryID() != recoveryId: ${r.recoveryId} != ${recoveryId}`;
  if (newLength > r.bytesOnDisk) return `rur.getNumBytes() < newlength = ${newLength}: ${r.bytesOnDisk}`;
  const err = ds.bumpGenStamp(r, recoveryId) ?? (newLength < r.bytesOnDisk ? ds.truncate(r, newLength) : null);
  if (err !== null) return err;
  if (r.originalState === 'FINALIZED') {
    r.state = 'FINALIZED';
    r.recoveryId = null;
    r.originalState = null;
    r.bytesAcked = r.bytesOnDisk;
    return r;
  }
  const f = ds.finalize(r);
  return f ?? r;
}
