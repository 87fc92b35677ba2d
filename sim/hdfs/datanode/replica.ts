import type { Block, BlockId, GenStamp, ReplicaState } from '../types.ts';

// ReplicaInfo and its subclasses (FinalizedReplica, ReplicaBeingWritten, ReplicaWaitingToBeRecovered,
// ReplicaUnderRecovery, ReplicaInPipeline for TEMPORARY), flattened into one record with a state.
//
// Lengths (ReplicaInPipeline): bytesOnDisk is what the block file holds with checksums; bytesAcked
// is what the downstream pipeline acknowledged (the visible length readers may see after hflush);
// numBytes of a FINALIZED replica is its length. Invariant: bytesAcked <= bytesOnDisk <= bytes received.

export interface Replica {
  readonly blockId: BlockId;
  genStamp: GenStamp;
  state: ReplicaState;
  /** Bytes in the block file with their checksums in the meta file. */
  bytesOnDisk: number;
  /** RBW: acknowledged by the downstream pipeline. FINALIZED: the length. */
  bytesAcked: number;
  /** Directory holding the files: 'finalized/subdirA/subdirB', 'rbw' or 'tmp'. */
  dir: string;
  /** RUR: the recovery id (the new generation stamp of the recovery) and the state it came from. */
  recoveryId: GenStamp | null;
  originalState: ReplicaState | null;
  /** The process name of the client or DataNode writing it (an open BlockReceiver), if any. */
  writer: string | null;
}

/** The length a reader may see: a finalized replica's length, an RBW's acked bytes (getVisibleLength). */
export function visibleLength(r: Replica): number {
  return r.state === 'FINALIZED' ? r.bytesOnDisk : r.bytesAcked;
}

export function replicaBlock(r: Replica): Block {
  return { blockId: r.blockId, genStamp: r.genStamp, numBytes: r.state === 'FINALIZED' ? r.bytesOnDisk : r.bytesAcked };
}

/** DatanodeUtil.idToBlockDir: finalized replicas live two directory levels down, by block id. */
export function finalizedDir(blockId: BlockId): string {
  const d1 = Math.floor(blockId / 65536) & 0x1f;
  const d2 = Math.floor(blockId / 256) & 0x1f;
  return `finalized/subdir${d1}/subdir${d2}`;
}

export function blockFileName(blockId: BlockId): string {
  return `blk_${blockId}`;
}

export function metaFileName(blockId: BlockId, genStamp: GenStamp): string {
  return `blk_${blockId}_${genStamp}.meta`;
}

/** Parses `blk_<id>_<gs>.meta`. */
export function parseMetaName(name: string): { blockId: BlockId; genStamp: GenStamp } | null {
  const m = /^blk_(\d+)_(\d+)\.meta$/.exec(name);
  if (m === null) return null;
  return { blockId: Number(m[1]) as BlockId, genStamp: Number(m[2]) as GenStamp };
}
