import type { ReplicaRecoveryInfo } from '../protocol-dt.ts';
import type { Block, DatanodeName, ReplicaState } from '../types.ts';

// BlockRecoveryWorker.RecoveryTaskContiguous.syncBlock, the rule: given what initReplicaRecovery
// returned from each DataNode, which replicas take part and at what length. Pure, so it is tested
// without a cluster.

export interface ReplicaAnswer {
  readonly datanode: DatanodeName;
  readonly info: ReplicaRecoveryInfo;
}

export type SyncPlan =
  | { readonly kind: 'delete'; readonly why: string }
  | { readonly kind: 'sync'; readonly newLength: number; readonly participants: readonly DatanodeName[]; readonly bestState: ReplicaState };

const RANK: { readonly [S in ReplicaState]: number } = { FINALIZED: 0, RBW: 1, RWR: 2, RUR: 3, TEMPORARY: 4 };

export function planSyncBlock(block: Block, answers: readonly ReplicaAnswer[]): SyncPlan {
  // Replicas older than the block or empty do not take part (a stale-GS replica must never win).
  const list = answers.filter((a) => a.info.genStamp >= block.genStamp && a.info.numBytes > 0);
  if (list.length === 0) return { kind: 'delete', why: 'all replicas of the block are stale or empty' };
  let best: ReplicaState = 'TEMPORARY';
  for (const a of list) if (RANK[a.info.originalState] < RANK[best]) best = a.info.originalState;
  if (best === 'FINALIZED') {
    const finalizedLength = list.find((a) => a.info.originalState === 'FINALIZED')!.info.numBytes;
    const participants = list.filter((a) => (a.info.originalState === 'FINALIZED' || a.info.originalState === 'RBW') && a.info.numBytes === finalizedLength);
    return { kind: 'sync', newLength: finalizedLength, participants: participants.map((a) => a.datanode), bestState: best };
  }
  // RBW: the RBW replicas at the shortest of their lengths; RWR (all writers lost): every replica.
  const pool = best === 'RBW' ? list.filter((a) => a.info.originalState === 'RBW') : list;
  const newLength = Math.min(...pool.map((a) => a.info.numBytes));
  return { kind: 'sync', newLength, participants: pool.map((a) => a.datanode), bestState: best };
}
