import type { EpochEndOffset } from './log/epoch-cache.ts';
import { UNDEFINED_EPOCH, UNDEFINED_EPOCH_OFFSET } from './log/epoch-cache.ts';
import { atLeast, KAFKA_2_1_IV0, type Features } from './version.ts';

// The replication rules of a partition as pure functions of the state they read, one per rule and
// version, so the broker applies them and tests check them without a cluster. Sources:
// kafka.cluster.Partition / Replica (0.8.2, 0.10.2, 2.1, 2.8), kafka.server.AbstractFetcherThread
// and ReplicaFetcherThread (0.11, 2.0, 2.1), ../shared/REFERENCE.md "Replication" and "Truncation".

// ------------------------------------------------------------------ the leader's view of a follower

/** What the leader remembers about a follower replica (kafka.cluster.Replica on the leader). */
export interface FollowerState {
  /** The follower's LEO as of its last fetch (the fetch offset). -1 until it fetches. */
  leo: number;
  /** Last time the follower's fetch reached the leader's LEO as of then (0.9+). */
  lastCaughtUpTimeMs: number;
  lastFetchLeaderLogEndOffset: number;
  lastFetchTimeMs: number;
  /** Last time the follower's LEO changed (the pre-0.9 "stuck" rule). */
  leoUpdateTimeMs: number;
}

/**
 * "Never", for the times above. Kafka initialises them to 0L of a wall clock, which is 1970: long
 * before any fetch. Simulated time starts at 0, so 0 here would mean "at the start of the run" and
 * a follower that never fetched would count as caught up for the first replica.lag.time.max.ms.
 */
export const NEVER_MS = Number.MIN_SAFE_INTEGER;

export function newFollowerState(): FollowerState {
  return { leo: -1, lastCaughtUpTimeMs: NEVER_MS, lastFetchLeaderLogEndOffset: -1, lastFetchTimeMs: NEVER_MS, leoUpdateTimeMs: 0 };
}

/**
 * Partition.makeLeader: a new leader resets its followers' fetch state. Followers in the ISR count as
 * caught up now; the others as never (Kafka's 0L, NEVER_MS here).
 */
export function resetFollowerOnLeadership(s: FollowerState, inIsr: boolean, leaderLeo: number, nowMs: number): void {
  s.lastFetchLeaderLogEndOffset = leaderLeo;
  s.lastFetchTimeMs = nowMs;
  s.lastCaughtUpTimeMs = inIsr ? nowMs : NEVER_MS;
  s.leo = -1;
  s.leoUpdateTimeMs = nowMs;
}

/**
 * Replica.updateLogReadResult: a fetch at `fetchOffset` arrived when the leader's LEO was
 * `leaderLeo`. The follower caught up now if it fetched from the leader's current LEO, or as of its
 * previous fetch if it reached the LEO the leader had then (so a stream of small produces does not
 * keep a fast follower out of the ISR).
 */
export function updateFollowerFetchState(s: FollowerState, fetchOffset: number, leaderLeo: number, fetchTimeMs: number): void {
  if (fetchOffset >= leaderLeo) s.lastCaughtUpTimeMs = Math.max(s.lastCaughtUpTimeMs, fetchTimeMs);
  else if (fetchOffset >= s.lastFetchLeaderLogEndOffset) s.lastCaughtUpTimeMs = Math.max(s.lastCaughtUpTimeMs, s.lastFetchTimeMs);
  if (fetchOffset !== s.leo) s.leoUpdateTimeMs = fetchTimeMs;
  s.leo = fetchOffset;
  s.lastFetchLeaderLogEndOffset = leaderLeo;
  s.lastFetchTimeMs = fetchTimeMs;
}

// ------------------------------------------------------------------ ISR shrink and expand

export interface IsrSettings {
  readonly replicaLagTimeMaxMs: number;
  readonly replicaLagMaxMessages: number;
}

/**
 * Partition.getOutOfSyncReplicas: the ISR members (other than the leader) to remove.
 * - 0.9+: a follower whose LEO differs from the leader's and that has not caught up within
 *   replica.lag.time.max.ms.
 * - Before 0.9: a follower whose LEO has not moved for replica.lag.time.max.ms (stuck), or that is
 *   more than replica.lag.max.messages behind (slow).
 */
export function outOfSyncReplicas(
  f: Features,
  isr: readonly number[],
  leaderId: number,
  leaderLeo: number,
  followers: ReadonlyMap<number, FollowerState>,
  nowMs: number,
  cfg: IsrSettings,
): number[] {
  const out: number[] = [];
  for (const id of isr) {
    if (id === leaderId) continue;
    const s = followers.get(id);
    if (s === undefined) {
      out.push(id);
      continue;
    }
    if (f.messageLagIsrRule) {
      const stuck = nowMs - s.leoUpdateTimeMs > cfg.replicaLagTimeMaxMs;
      const slow = s.leo >= 0 && leaderLeo - s.leo > cfg.replicaLagMaxMessages;
      if (stuck || slow) out.push(id);
    } else if (s.leo !== leaderLeo && nowMs - s.lastCaughtUpTimeMs > cfg.replicaLagTimeMaxMs) {
      out.push(id);
    }
  }
  return out;
}

/**
 * Partition.maybeExpandIsr: may a follower outside the ISR join it after this fetch?
 * - Its LEO must have reached the leader's HW.
 * - From 2.1 (KAFKA-7128) its fetch offset must also have reached the start offset of the leader's
 *   current epoch: otherwise committed data between the HW and the leader's LEO could be lost if
 *   it became leader before fetching it.
 */
export function canJoinIsr(f: Features, followerLeo: number, fetchOffset: number, leaderHw: number, leaderEpochStartOffset: number | null): boolean {
  if (followerLeo < leaderHw) return false;
  if (!f.isrJoinRequiresLeaderEpochStart) return true;
  return leaderEpochStartOffset !== null && fetchOffset >= leaderEpochStartOffset;
}

// ------------------------------------------------------------------ high watermark

/**
 * Partition.maybeIncrementLeaderHW: the HW candidate is the minimum LEO over the ISR, and from
 * 0.10.2 (KAFKA-4485) also over followers that caught up within replica.lag.time.max.ms. The leader
 * raises its HW to it only if it is larger (the HW never decreases): see nextLeaderHighWatermark.
 */
export function leaderHighWatermarkCandidate(
  f: Features,
  leaderId: number,
  leaderLeo: number,
  replicas: readonly number[],
  isr: readonly number[],
  followers: ReadonlyMap<number, FollowerState>,
  nowMs: number,
  replicaLagTimeMaxMs: number,
): number {
  let min = leaderLeo;
  for (const id of replicas) {
    if (id === leaderId) continue;
    const s = followers.get(id);
    const inIsr = isr.includes(id);
    const counted = inIsr || (f.hwCountsCaughtUpFollowers && s !== undefined && nowMs - s.lastCaughtUpTimeMs <= replicaLagTimeMaxMs);
    if (!counted) continue;
    const leo = s === undefined ? -1 : s.leo;
    // A member with an unknown LEO (-1: not fetched since the leader took over) holds the HW back.
    if (leo < min) min = leo;
  }
  return min;
}

/** The leader's new HW: the candidate if larger than the current one, else the current one. */
export function nextLeaderHighWatermark(currentHw: number, candidate: number): number {
  return candidate > currentHw ? candidate : currentHw;
}

/** ReplicaFetcherThread.processPartitionData: a follower's HW is min(its LEO, the HW in the fetch response). */
export function followerHighWatermark(followerLeo: number, responseHw: number): number {
  return Math.min(followerLeo, responseHw);
}

// ------------------------------------------------------------------ acks

/**
 * Partition.appendRecordsToLeader: with acks=all, an ISR smaller than min.insync.replicas refuses
 * the write before appending (NOT_ENOUGH_REPLICAS). Returns Kafka's message (its 2.1 wording, or the
 * older one before) or null.
 */
export function notEnoughReplicasBeforeAppend(f: Features, acks: number, isr: readonly number[], minIsr: number, partition: string): string | null {
  if (acks !== -1 || isr.length >= minIsr) return null;
  if (!atLeast(f.version, KAFKA_2_1_IV0)) return `Number of insync replicas for partition ${partition} is [${isr.length}], below required minimum [${minIsr}]`;
  return `The size of the current ISR Set(${isr.join(', ')}) is insufficient to satisfy the min.isr requirement of ${minIsr} for partition ${partition}`;
}

export type AcksAllStatus = 'WAIT' | 'NONE' | 'NOT_ENOUGH_REPLICAS_AFTER_APPEND';

/**
 * Partition.checkEnoughReplicasReachOffset (DelayedProduce): an acks=all write ending at
 * requiredOffset (its last offset + 1) completes when the leader's HW reaches it; if the ISR shrank
 * below min.insync.replicas meanwhile it completes with NOT_ENOUGH_REPLICAS_AFTER_APPEND (the
 * records stay in the log).
 */
export function acksAllStatus(leaderHw: number, requiredOffset: number, isrSize: number, minIsr: number): AcksAllStatus {
  if (leaderHw < requiredOffset) return 'WAIT';
  return isrSize >= minIsr ? 'NONE' : 'NOT_ENOUGH_REPLICAS_AFTER_APPEND';
}

// ------------------------------------------------------------------ leader epochs (KIP-320)

export type EpochCheck = 'NONE' | 'FENCED_LEADER_EPOCH' | 'UNKNOWN_LEADER_EPOCH';

/**
 * Partition.checkCurrentLeaderEpoch (2.1+, KIP-320): a Fetch or OffsetsForLeaderEpoch request
 * carrying current_leader_epoch lower than the replica's is fenced; higher is unknown (the replica
 * has not heard of the new epoch yet). Before 2.1 requests carry no epoch (pass null): no check.
 */
export function checkCurrentLeaderEpoch(f: Features, requestEpoch: number | null, localEpoch: number): EpochCheck {
  if (!f.kip320 || requestEpoch === null || requestEpoch < 0) return 'NONE';
  if (localEpoch > requestEpoch) return 'FENCED_LEADER_EPOCH';
  if (localEpoch < requestEpoch) return 'UNKNOWN_LEADER_EPOCH';
  return 'NONE';
}

// ------------------------------------------------------------------ follower truncation

/** The follower's side of the truncation decision. */
export interface FollowerLogView {
  readonly logEndOffset: number;
  /** The follower's HW (what it truncates to without leader epochs). */
  readonly highWatermark: number;
  /** The follower's latest cached epoch, -1 if none. */
  readonly latestEpoch: number;
  /** The follower's own epoch cache answer for an epoch. */
  endOffsetFor(epoch: number): EpochEndOffset;
}

export interface TruncationDecision {
  readonly offset: number;
  /** False: truncate there and ask again with the (now lower) latest epoch (KIP-279's iteration). */
  readonly completed: boolean;
  /** Which rule decided, for the trace. */
  readonly why: string;
}

/**
 * Whether the follower asks the leader at all: OffsetsForLeaderEpoch needs IBP >= 0.11.0-IV2 and a
 * known epoch (KAFKA-6859); otherwise it truncates to its high watermark.
 */
export function usesEpochTruncation(f: Features, follower: FollowerLogView): boolean {
  return f.usesLeaderEpochs && follower.latestEpoch !== UNDEFINED_EPOCH;
}

/** Truncation without leader epochs (before KIP-101, or no epoch known): to the follower's HW. */
export function truncateToHighWatermark(follower: FollowerLogView): TruncationDecision {
  return { offset: Math.min(follower.highWatermark, follower.logEndOffset), completed: true, why: `truncating to high watermark ${follower.highWatermark}` };
}

/**
 * The truncation offset from the leader's OffsetsForLeaderEpoch answer.
 * - KIP-101 (0.11 to 1.1, response v0: the offset only): UNDEFINED -> the follower's HW; an end
 *   offset at or beyond the follower's LEO -> no truncation; otherwise the end offset.
 * - KIP-279 (2.0+, AbstractFetcherThread.getOffsetTruncationState): UNDEFINED offset -> HW; no epoch
 *   in the answer -> min(offset, LEO); an epoch the follower does not know -> truncate to the end of
 *   the follower's largest epoch below it and ask again; else min(leader's end offset, follower's end
 *   offset for that epoch, LEO).
 */
export function offsetTruncationState(f: Features, answer: EpochEndOffset, follower: FollowerLogView): TruncationDecision {
  const leo = follower.logEndOffset;
  if (answer.endOffset === UNDEFINED_EPOCH_OFFSET) {
    return { ...truncateToHighWatermark(follower), why: `leader replied with an unknown offset: truncating to high watermark ${follower.highWatermark}` };
  }
  if (!f.kip279 || answer.epoch === UNDEFINED_EPOCH) {
    const offset = Math.min(answer.endOffset, leo);
    return { offset, completed: true, why: answer.endOffset >= leo ? `leader's end offset ${answer.endOffset} >= log end offset ${leo}: no truncation` : `truncating to the leader's end offset ${answer.endOffset}` };
  }
  const mine = follower.endOffsetFor(answer.epoch);
  if (mine.endOffset === UNDEFINED_EPOCH_OFFSET) {
    return { offset: Math.min(answer.endOffset, leo), completed: true, why: `leader replied with epoch ${answer.epoch} below every epoch the follower tracks: truncating to the leader's offset ${answer.endOffset}` };
  }
  if (mine.epoch !== answer.epoch) {
    const offset = Math.min(mine.endOffset, leo);
    return { offset, completed: false, why: `leader replied with epoch ${answer.epoch} unknown to the follower: truncating to ${offset} and asking again` };
  }
  const offset = Math.min(mine.endOffset, answer.endOffset, leo);
  return { offset, completed: true, why: `largest common epoch ${answer.epoch} ends at ${offset}` };
}
