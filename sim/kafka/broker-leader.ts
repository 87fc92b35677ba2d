import { invariant } from '../core/invariant.ts';
import type { ProcessId } from '../core/types.ts';
import type { Broker } from './broker.ts';
import { assertPartitionState } from './election.ts';
import { isAppendError, isReadError } from './log/log.ts';
import {
  PARTITION_OVERHEAD_BYTES, REQUEST_HEADER_BYTES,
  type AlterIsrResponsePartition, type ErrorCode, type Fetch, type FetchResponsePartition, type OffsetsForLeaderEpoch, type Produce, type ProduceResponsePartition,
} from './messages.ts';
import { partitionStateJson, statePath, type Partition, type PendingIsr } from './partition.ts';
import type { AlterIsrItem } from './alter-isr.ts';
import { ProducePurgatory, type DelayedProduce, type ProduceStatus } from './produce-purgatory.ts';
import { readUint32, OFF_CRC } from './records.ts';
import {
  canJoinIsr, checkCurrentLeaderEpoch, leaderHighWatermarkCandidate, NEVER_MS, newFollowerState,
  nextLeaderHighWatermark, notEnoughReplicasBeforeAppend, outOfSyncReplicas, resetFollowerOnLeadership,
  updateFollowerFetchState,
} from './replica-rules.ts';

// The leader side of the broker (Partition, ReplicaManager, KafkaApis for the partitions it leads):
// becoming leader, produce with acks 0/1/all and min.insync.replicas (delayed produce in the
// purgatory), fetch serving with delayed fetch, OffsetsForLeaderEpoch, the HW, ISR shrink and expand
// with the conditional write of the partition state znode on the cached zkVersion, and the ISR
// change notifications (ReplicaManager.maybePropagateIsrChanges).

interface DelayedFetch {
  readonly id: number;
  readonly from: ProcessId;
  readonly msg: Fetch;
  timer: number;
}

const ISR_PROPAGATE_BLACKOUT_MS = 5000;
const ISR_PROPAGATE_MAX_DELAY_MS = 60_000;
const EMPTY = new Uint8Array(0);

export class LeaderSide {
  readonly purgatory: ProducePurgatory;
  /** Parked fetches in arrival order (a few: one per follower fetcher; an array, not a Map). */
  private readonly fetchWaits: DelayedFetch[] = [];
  private readonly isrChanges = new Set<string>();
  private lastIsrChangeMs = 0;
  private lastIsrPropagationMs = 0;

  constructor(private readonly b: Broker) {
    this.purgatory = new ProducePurgatory(
      b.ctx,
      (part) => part.isLeader && b.partitions.get(part.key) === part,
      (id, timeoutMs) => b.setTimer(timeoutMs, { k: 'produce-timeout', id }),
    );
  }

  /** Partition.makeLeader. */
  makeLeader(part: Partition): void {
    this.b.followerSide.stopFetching(part);
    const log = part.log;
    const leo = log.logEndOffset;
    // KAFKA-7415 (2.1): the new leader records (epoch, LEO) in its epoch cache at election.
    if (this.b.settings.features.epochCache21 && log.epochCache !== null) log.epochCache.assign(part.leaderEpoch, leo);
    part.leaderEpochStartOffset = leo;
    part.isLeader = true;
    part.isrWriteInFlight = false;
    const now = this.b.nowMs();
    part.followers.clear();
    for (const r of part.replicas) {
      if (r === this.b.id) continue;
      const s = newFollowerState();
      resetFollowerOnLeadership(s, part.isr.includes(r), leo, now);
      part.followers.set(r, s);
    }
    this.b.ctx.annotate(`broker ${this.b.id} leads ${part.key} at leader epoch ${part.leaderEpoch} with ISR [${part.isr.join(',')}], LEO ${leo}, HW ${log.highWatermark}`);
    this.b.ctx.observe('kafka-leader', { tp: part.key, broker: this.b.id, leaderEpoch: part.leaderEpoch, isr: part.isr.slice(), leo });
    this.maybeIncrementHw(part);
  }

  // ---------------------------------------------------------------- fetch serving

  onOffsetsForLeaderEpoch(from: ProcessId, msg: OffsetsForLeaderEpoch): void {
    const f = this.b.settings.features;
    const partitions = msg.partitions.map((r) => {
      const part = this.b.partitions.get(r.tp);
      if (part === undefined || !part.isLeader) return { tp: r.tp, error: 'NOT_LEADER_FOR_PARTITION' as ErrorCode, leaderEpoch: -1, endOffset: -1 };
      const check = checkCurrentLeaderEpoch(f, r.currentLeaderEpoch, part.leaderEpoch);
      if (check !== 'NONE') return { tp: r.tp, error: check as ErrorCode, leaderEpoch: -1, endOffset: -1 };
      const a = part.log.endOffsetForEpoch(r.leaderEpoch);
      // v0 (before KIP-279) answers the offset only.
      return { tp: r.tp, error: 'NONE' as ErrorCode, leaderEpoch: f.kip279 ? a.epoch : -1, endOffset: a.endOffset };
    });
    this.b.ctx.send(from, { type: 'OffsetsForLeaderEpochResponse', correlationId: msg.correlationId, partitions }, REQUEST_HEADER_BYTES + partitions.length * 16);
  }

  onFetch(from: ProcessId, msg: Fetch): void {
    const now = this.b.nowMs();
    let hasData = false;
    let hasError = false;
    for (const r of msg.partitions) {
      const part = this.b.partitions.get(r.tp);
      if (part === undefined || !part.isLeader) {
        hasError = true;
        continue;
      }
      if (checkCurrentLeaderEpoch(this.b.settings.features, r.currentLeaderEpoch, part.leaderEpoch) !== 'NONE') {
        hasError = true;
        continue;
      }
      const log = part.log;
      if (r.fetchOffset > log.logEndOffset || r.fetchOffset < log.logStartOffset) {
        hasError = true;
        continue;
      }
      if (r.fetchOffset < log.logEndOffset) hasData = true;
      const s = part.followers.get(msg.replicaId);
      if (s === undefined) continue;
      // Replica.updateLogReadResult, then ISR expansion and the HW (Partition.updateFollowerFetchState).
      updateFollowerFetchState(s, r.fetchOffset, log.logEndOffset, now);
      this.maybeExpandIsr(part, msg.replicaId, r.fetchOffset);
      this.maybeIncrementHw(part);
    }
    if (!hasData && !hasError && msg.maxWaitMs > 0 && msg.minBytes > 0) {
      const id = this.b.nextId();
      const w: DelayedFetch = { id, from, msg, timer: -1 };
      w.timer = this.b.setTimer(msg.maxWaitMs, { k: 'fetch-wait', id });
      this.fetchWaits.push(w);
      return;
    }
    this.respondFetch(from, msg);
  }

  completeFetchWait(id: number): void {
    const i = this.fetchWaits.findIndex((x) => x.id === id);
    if (i < 0) return;
    const w = this.fetchWaits[i]!;
    this.fetchWaits.splice(i, 1);
    this.respondFetch(w.from, w.msg);
  }

  /** New data was appended to a partition this broker leads: parked fetches for it complete. */
  private wakeFetches(part: Partition): void {
    if (this.fetchWaits.length === 0) return;
    const key = part.key;
    for (const w of this.fetchWaits.slice()) {
      if (!fetchesPartition(w.msg, key)) continue;
      this.fetchWaits.splice(this.fetchWaits.indexOf(w), 1);
      this.b.ctx.cancelTimer(w.timer);
      this.respondFetch(w.from, w.msg);
    }
  }

  private respondFetch(from: ProcessId, msg: Fetch): void {
    let bytes = REQUEST_HEADER_BYTES;
    const partitions: FetchResponsePartition[] = msg.partitions.map((r) => {
      const part = this.b.partitions.get(r.tp);
      if (part === undefined || !part.isLeader) return this.fetchError(r.tp, 'NOT_LEADER_FOR_PARTITION');
      const check = checkCurrentLeaderEpoch(this.b.settings.features, r.currentLeaderEpoch, part.leaderEpoch);
      if (check !== 'NONE') return this.fetchError(r.tp, check);
      const read = part.log.read(r.fetchOffset, msg.maxBytes, 'leo');
      const log = part.log;
      if (isReadError(read)) return { tp: r.tp, error: 'OFFSET_OUT_OF_RANGE', highWatermark: log.highWatermark, logStartOffset: log.logStartOffset, logEndOffset: log.logEndOffset, records: EMPTY };
      bytes += PARTITION_OVERHEAD_BYTES + read.records.length;
      return { tp: r.tp, error: 'NONE', highWatermark: read.highWatermark, logStartOffset: read.logStartOffset, logEndOffset: read.logEndOffset, records: read.records };
    });
    this.b.ctx.send(from, { type: 'FetchResponse', correlationId: msg.correlationId, partitions }, bytes);
  }

  private fetchError(tp: string, error: ErrorCode): FetchResponsePartition {
    return { tp, error, highWatermark: -1, logStartOffset: -1, logEndOffset: -1, records: EMPTY };
  }

  // ---------------------------------------------------------------- HW and ISR

  private maybeIncrementHw(part: Partition): void {
    const log = part.log;
    invariant(part.isLeader && part.isr.includes(this.b.id), () => `${part.key}: broker ${this.b.id} moves the HW without leading it (ISR [${part.isr.join(',')}])`);
    // KIP-497: the maximal ISR (committed plus a pending expansion; a pending shrink removes nobody yet).
    const cand = leaderHighWatermarkCandidate(this.b.settings.features, this.b.id, log.logEndOffset, part.replicas, part.maximalIsr, part.followers, this.b.nowMs(), this.b.settings.replicaLagTimeMaxMs);
    const hwBefore = log.highWatermark;
    const moved = log.maybeIncrementHighWatermark(nextLeaderHighWatermark(hwBefore, cand));
    invariant(log.highWatermark >= hwBefore, () => `${part.key}: leader HW went back from ${hwBefore} to ${log.highWatermark}`);
    if (moved) {
      this.b.ctx.observe('kafka-hw', { tp: part.key, broker: this.b.id, hw: log.highWatermark, leaderEpoch: part.leaderEpoch });
      this.purgatory.checkPartition(part);
    }
  }

  private maybeExpandIsr(part: Partition, replica: number, fetchOffset: number): void {
    if (part.isrWriteInFlight || part.pendingIsr !== null || part.isr.includes(replica) || !part.replicas.includes(replica)) return;
    const s = part.followers.get(replica)!;
    if (!canJoinIsr(this.b.settings.features, s.leo, fetchOffset, part.log.highWatermark, part.leaderEpochStartOffset)) return;
    // A replica joins the ISR only once it holds everything the HW exposed; from 2.1 (KAFKA-7128)
    // also everything up to the start of the leader's epoch.
    invariant(s.leo >= part.log.highWatermark, () => `${part.key}: broker ${replica} joins the ISR with LEO ${s.leo} below the HW ${part.log.highWatermark}`);
    invariant(!this.b.settings.features.isrJoinRequiresLeaderEpochStart || (part.leaderEpochStartOffset !== null && fetchOffset >= part.leaderEpochStartOffset),
      () => `${part.key}: broker ${replica} joins the ISR at offset ${fetchOffset} before the leader epoch start offset ${part.leaderEpochStartOffset ?? 'unknown'} (KAFKA-7128)`);
    const isr = [...part.isr, replica].sort((a, b) => a - b);
    this.b.ctx.annotate(`Expanding ISR for partition ${part.key} from ${part.isr.join(',')} to ${isr.join(',')}`);
    this.changeIsr(part, 'expand', isr);
  }

  maybeShrinkIsr(): void {
    const now = this.b.nowMs();
    for (const part of this.b.partitions.values()) {
      if (!part.isLeader || part.isrWriteInFlight || part.pendingIsr !== null) continue;
      const out = outOfSyncReplicas(this.b.settings.features, part.isr, this.b.id, part.log.logEndOffset, part.followers, now, this.b.settings);
      if (out.length === 0) continue;
      const isr = part.isr.filter((r) => !out.includes(r));
      if (this.b.ctx.tracing) {
        const lag = out.map((r) => {
          const t = part.followers.get(r)?.lastCaughtUpTimeMs ?? NEVER_MS;
          return t === NEVER_MS ? `broker ${r} never caught up with this leader` : `broker ${r} last caught up ${((now - t) / 1000).toFixed(1)} s ago`;
        }).join('; ');
        this.b.ctx.annotate(`Shrinking ISR for partition ${part.key} from ${part.isr.join(',')} to ${isr.join(',')}: ${lag}, replica.lag.time.max.ms=${this.b.settings.replicaLagTimeMaxMs}`);
      }
      this.changeIsr(part, 'shrink', isr);
      // Partition.maybeShrinkIsr: "the ISR could be down to 1" (with AlterIsr the maximal ISR still holds the HW).
      if (part.pendingIsr !== null) this.maybeIncrementHw(part);
    }
  }

  /** Before 2.7-IV2 the leader writes the new ISR to ZooKeeper itself; from 2.7-IV2 it asks the controller (KIP-497). */
  private changeIsr(part: Partition, kind: 'expand' | 'shrink', isr: number[]): void {
    if (!this.b.settings.features.alterIsr) return this.writeIsr(part, isr);
    assertPartitionState(part.key, this.b.id, isr, part.replicas);
    this.sendAlterIsr(part, { kind, isr: part.isr, proposed: isr, maximal: kind === 'expand' ? isr : part.isr });
  }

  /** Partition.sendAlterIsrRequest: the partition is pending until the controller answers. */
  private sendAlterIsr(part: Partition, proposed: PendingIsr): void {
    part.pendingIsr = proposed;
    const ok = this.b.alterIsr.submit({ part, proposed, leaderEpoch: part.leaderEpoch, zkVersion: part.zkVersion });
    // One pending change per partition: the manager holds none while isrState is committed.
    invariant(ok, () => `${part.key}: an AlterIsr for broker ${this.b.id} was already pending while the ISR was committed`);
  }

  /** Partition.handleAlterIsrResponse: one partition's answer to an AlterIsr request. */
  onAlterIsrResult(item: AlterIsrItem, a: AlterIsrResponsePartition): void {
    const part = item.part;
    const b = this.b;
    if (part.pendingIsr !== item.proposed || b.partitions.get(part.key) !== part) {
      if (b.ctx.tracing) b.ctx.annotate(`${part.key}: ignoring AlterIsr answer ${a.error} for ISR [${item.proposed.proposed.join(',')}]: the ISR state changed meanwhile`);
      return;
    }
    if (a.error !== 'NONE') {
      if (a.error === 'UNKNOWN_TOPIC_OR_PARTITION' || a.error === 'FENCED_LEADER_EPOCH' || a.error === 'INVALID_UPDATE_VERSION') {
        // Non-retriable: the partition stays pending (no further ISR change, the maximal ISR holds
        // the HW) until the next LeaderAndIsr.
        b.ctx.annotate(`Failed to update ISR of ${part.key} to [${item.proposed.proposed.join(',')}]: ${a.error}. Giving up.`);
        return;
      }
      b.ctx.annotate(`Failed to update ISR of ${part.key} to [${item.proposed.proposed.join(',')}] due to unexpected ${a.error}. Retrying.`);
      return this.sendAlterIsr(part, item.proposed);
    }
    if (a.leaderEpoch !== part.leaderEpoch) {
      b.ctx.annotate(`${part.key}: ignoring new ISR [${a.isr.join(',')}] at leader epoch ${a.leaderEpoch}: we have leader epoch ${part.leaderEpoch}`);
      return;
    }
    if (a.currentIsrVersion <= part.zkVersion) {
      b.ctx.annotate(`${part.key}: ignoring new ISR [${a.isr.join(',')}] since we have a newer version ${part.zkVersion}`);
      return;
    }
    part.pendingIsr = null;
    part.isr = a.isr.slice();
    part.zkVersion = a.currentIsrVersion;
    b.ctx.annotate(`${part.key}: ISR updated to ${part.isr.join(',')} and version updated to [${part.zkVersion}]`);
    this.maybeIncrementHw(part);
    this.purgatory.checkPartition(part);
  }

  /** Partition.updateIsr (pre-2.7): the conditional write of the state znode on the cached zkVersion. */
  private writeIsr(part: Partition, isr: number[]): void {
    assertPartitionState(part.key, this.b.id, isr, part.replicas);
    part.isrWriteInFlight = true;
    const client = this.b.zk;
    const epoch = part.leaderEpoch;
    const data = partitionStateJson(this.b.id, epoch, isr, part.controllerEpoch);
    const path = statePath(part.tp.topic, part.tp.partition);
    const applied = (version: number): void => {
      part.isr = isr;
      part.zkVersion = version;
      this.b.ctx.observe('kafka-isr', { tp: part.key, leader: this.b.id, leaderEpoch: epoch, isr: isr.slice(), zkVersion: version, by: 'leader' });
      this.isrChanges.add(part.key);
      this.lastIsrChangeMs = this.b.nowMs();
      this.maybeIncrementHw(part);
      this.purgatory.checkPartition(part);
    };
    client.setData(path, data, part.zkVersion, (err, stat) => {
      this.b.guard(() => {
        if (!part.isLeader || part.leaderEpoch !== epoch) {
          part.isrWriteInFlight = false;
          return;
        }
        if (err === null && stat !== null) {
          part.isrWriteInFlight = false;
          return applied(stat.version);
        }
        // ReplicationUtils.checkLeaderAndIsrZkData (KAFKA-1382): a write whose answer was lost
        // (CONNECTIONLOSS) or that now meets a newer version may have been applied by this very
        // request; if the znode holds exactly what we wrote, it was.
        client.getData(path, {}, (e2, current, st2) => {
          this.b.guard(() => {
            part.isrWriteInFlight = false;
            if (!part.isLeader || part.leaderEpoch !== epoch) return;
            if (e2 === null && current === data && st2 !== null) return applied(st2.version);
            this.b.ctx.annotate(err === 'BADVERSION'
              ? `Cached zkVersion [${part.zkVersion}] not equal to that in zookeeper, skip updating ISR for ${part.key}`
              : `ISR update for ${part.key} failed: ${err ?? 'no stat'}`);
          });
        });
      });
    });
  }

  /** ReplicaManager.maybePropagateIsrChanges: /isr_change_notification/isr_change_<seq>. */
  maybePropagateIsrChanges(): void {
    if (this.isrChanges.size === 0) return;
    const now = this.b.nowMs();
    if (now - this.lastIsrChangeMs < ISR_PROPAGATE_BLACKOUT_MS && now - this.lastIsrPropagationMs < ISR_PROPAGATE_MAX_DELAY_MS) return;
    const parts = [...this.isrChanges].sort().map((k) => {
      const p = this.b.partitions.get(k)!;
      return `{"topic":"${p.tp.topic}","partition":${p.tp.partition}}`;
    });
    this.isrChanges.clear();
    this.lastIsrPropagationMs = now;
    this.b.zk.create('/isr_change_notification/isr_change_', `{"version":1,"partitions":[${parts.join(',')}]}`, { sequential: true }, () => {});
  }

  // ---------------------------------------------------------------- produce

  onProduce(from: ProcessId, msg: Produce): void {
    const f = this.b.settings.features;
    const done: ProduceResponsePartition[] = [];
    const waiting: ProduceStatus[] = [];
    let flushPart: Partition | null = null;
    let flushOffset = -1;
    for (const r of msg.partitions) {
      const part = this.b.partitions.get(r.tp);
      if (part === undefined || !part.isLeader) {
        done.push({ tp: r.tp, error: 'NOT_LEADER_FOR_PARTITION', baseOffset: -1, errorMessage: `This server is not the leader for partition ${r.tp}` });
        continue;
      }
      const minIsr = part.log.config.minInsyncReplicas;
      const notEnough = notEnoughReplicasBeforeAppend(f, msg.acks, part.isr, minIsr, part.key);
      if (notEnough !== null) {
        done.push({ tp: r.tp, error: 'NOT_ENOUGH_REPLICAS', baseOffset: -1, errorMessage: notEnough });
        continue;
      }
      const info = part.log.appendAsLeader(r.records, part.leaderEpoch);
      if (isAppendError(info)) {
        done.push({ tp: r.tp, error: 'CORRUPT_MESSAGE', baseOffset: -1, errorMessage: info.message });
        continue;
      }
      this.b.ctx.observe('kafka-append', { tp: part.key, broker: this.b.id, base: info.firstOffset, last: info.lastOffset, crc: readUint32(r.records, OFF_CRC) });
      if (info.flushOffset !== null && info.flushOffset > flushOffset) {
        flushOffset = info.flushOffset;
        flushPart = part;
      }
      this.wakeFetches(part);
      this.maybeIncrementHw(part);
      if (msg.acks === -1) waiting.push({ part, requiredOffset: info.lastOffset + 1, baseOffset: info.firstOffset, error: null, errorMessage: null });
      else done.push({ tp: r.tp, error: 'NONE', baseOffset: info.firstOffset, errorMessage: null });
    }
    if (msg.acks === 0) return;
    const p: DelayedProduce = { id: this.b.nextId(), from, correlationId: msg.correlationId, done, waiting, timer: -1 };
    // With log.flush.interval.messages reached, the request thread blocks in the fsync: answer after it.
    if (flushPart !== null) flushPart.log.awaitFlush(flushOffset, () => this.b.guard(() => this.purgatory.add(p, msg.timeoutMs)));
    else this.purgatory.add(p, msg.timeoutMs);
  }
}

function fetchesPartition(msg: Fetch, tp: string): boolean {
  for (let i = 0; i < msg.partitions.length; i++) if (msg.partitions[i]!.tp === tp) return true;
  return false;
}
