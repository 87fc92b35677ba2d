import { invariant } from '../core/invariant.ts';
import type { ProcessId } from '../core/types.ts';
import type { Broker } from './broker.ts';
import { ReplicaFetcher, type FetcherHost } from './fetcher.ts';
import { isAppendError } from './log/log.ts';
import { brokerName, type Partition } from './partition.ts';
import { batchBaseOffset, batchLastOffset, batchSizeAt, readUint32, OFF_CRC } from './records.ts';
import { followerHighWatermark, truncateToHighWatermark, usesEpochTruncation } from './replica-rules.ts';

// The follower side of the broker (Partition.makeFollower, ReplicaManager.makeFollowers,
// ReplicaFetcherManager): stop leading, truncate by IBP (to the HW before leader epochs; else the
// fetcher's OffsetsForLeaderEpoch round trip), then a ReplicaFetcher per leader broker appends what
// it fetches through appendAsFollower.

export class FollowerSide {
  private readonly fetchers = new Map<number, ReplicaFetcher>();
  private readonly fetcherHost: FetcherHost;

  constructor(private readonly b: Broker) {
    this.fetcherHost = {
      brokerId: b.id,
      settings: b.settings,
      send: (to, msg, bytes) => b.ctx.send(to, msg, bytes),
      setFetcherTimer: (leader, delayMs, gen) => b.setTimer(delayMs, { k: 'fetcher', leader, gen }),
      cancelTimer: (id) => b.ctx.cancelTimer(id),
      nextCorrelationId: () => b.nextId(),
      truncate: (p, offset, why) => this.truncate(p, offset, why),
      truncateFullyAndStartAt: (p, offset) => {
        b.logs.truncateFullyAndStartAt(p.tp, offset);
        b.ctx.observe('kafka-truncate', { tp: p.key, broker: b.id, offset: 0 });
      },
      appendAsFollower: (p, records, hw) => this.appendAsFollower(p, records, hw),
      annotate: (text) => b.ctx.annotate(text),
    };
  }

  /** ReplicaManager.shutdown: every fetcher stops. */
  shutdown(): void {
    for (const f of this.fetchers.values()) for (const key of [...f.partitions.keys()]) f.removePartition(key);
    this.fetchers.clear();
  }

  onFetcherTimer(leader: number, gen: number): void {
    this.fetchers.get(leader)?.onTimer(gen);
  }

  /**
   * Partition.makeFollower + ReplicaManager.makeFollowers: stop leading, truncate by IBP, fetch from
   * the leader. `previousLeader` is the leader the last applied LeaderAndIsr named (-1: none).
   */
  makeFollower(part: Partition, previousLeader: number): void {
    if (this.b.settings.features.followerSkipsSameLeader && part.leader >= 0 && part.leader === previousLeader) {
      // Before 2.1: the new state (epoch, ISR, zkVersion) is recorded, the fetcher and the log stay as they are.
      if (this.b.ctx.tracing) this.b.ctx.annotate(`Skipped the become-follower state change for partition ${part.key} since the new leader ${part.leader} is the same as the old leader`);
      return;
    }
    const wasLeader = part.isLeader;
    part.isLeader = false;
    part.followers.clear();
    part.leaderEpochStartOffset = null;
    if (wasLeader) this.b.leaderSide.purgatory.checkPartition(part);
    this.stopFetching(part);
    if (part.leader < 0) return;
    const log = part.log;
    const view = { logEndOffset: log.logEndOffset, highWatermark: log.highWatermark, latestEpoch: log.latestEpoch(), endOffsetFor: (e: number) => log.endOffsetForEpoch(e) };
    const epochs = usesEpochTruncation(this.b.settings.features, view);
    if (!epochs) {
      const d = truncateToHighWatermark(view);
      this.truncate(part, d.offset, d.why);
    }
    this.fetcherForLeader(part.leader).addPartition(part, part.leaderEpoch, epochs);
  }

  stopFetching(part: Partition): void {
    for (const f of this.fetchers.values()) f.removePartition(part.key);
  }

  /**
   * AbstractFetcherManager.shutdownIdleFetcherThreads, at the end of every LeaderAndIsr: a dead
   * fetcher thread (before 2.3) left without partitions goes, so the next partition to follow that
   * leader gets a new one. One that still has partitions, or was given them again, stays dead.
   */
  shutdownIdleFetchers(): void {
    for (const [id, f] of this.fetchers) if (f.dead && f.idle) this.fetchers.delete(id);
  }

  // ---------------------------------------------------------------- follower side

  fetcherFor(pid: ProcessId): ReplicaFetcher | undefined {
    for (const f of this.fetchers.values()) if (f.leaderPid === pid) return f;
    return undefined;
  }

  private fetcherForLeader(leader: number): ReplicaFetcher {
    let f = this.fetchers.get(leader);
    if (f === undefined) {
      f = new ReplicaFetcher(this.fetcherHost, leader, this.b.ctx.lookup(brokerName(leader)), () => this.b.nowMs());
      this.fetchers.set(leader, f);
    }
    return f;
  }


  private truncate(part: Partition, offset: number, why: string): void {
    const log = part.log;
    if (this.b.ctx.tracing) this.b.ctx.annotate(`${part.key}: ${why} (LEO ${log.logEndOffset}, HW ${log.highWatermark})`);
    if (offset >= log.logEndOffset) {
      // Still lets 2.1+ drop an epoch-cache entry assigned past the LEO.
      log.truncateTo(offset);
      return;
    }
    this.b.logs.truncateTo(new Map([[part.key, offset]]));
    this.b.ctx.observe('kafka-truncate', { tp: part.key, broker: this.b.id, offset: log.logEndOffset });
  }

  private appendAsFollower(part: Partition, records: Uint8Array, leaderHw: number): number | null | 'error' | 'failed' {
    const log = part.log;
    let data = records;
    if (data.length > 0) {
      // Skip batches wholly below our LEO (an answer for an older offset; the fetcher drops those).
      let p = 0;
      while (p < data.length && batchLastOffset(data, p) < log.logEndOffset) p += batchSizeAt(data, p);
      if (p > 0) data = data.subarray(p);
      if (data.length > 0 && batchBaseOffset(data, 0) < log.logEndOffset) {
        const first = batchBaseOffset(data, 0);
        const f = this.b.settings.features;
        if (f.appendBelowLogStartRecovers && first < log.logStartOffset && log.logEndOffset === log.logStartOffset) {
          // KAFKA-6975 (Partition.appendRecordsToFollowerOrFutureReplica): the first append to a log
          // that starts inside this batch starts the log again at the batch's base offset.
          this.b.ctx.annotate(`Unexpected offset in append to ${part.key}. First offset ${first} is less than log start offset ${log.logStartOffset}. Since this is the first record to be appended to the follower's log, will start the log from offset ${first}.`);
          this.fetcherHost.truncateFullyAndStartAt(part, first);
        } else {
          // Log.append with assignOffsets = false: a batch starting below the LEO (our LEO sits inside
          // the leader's batch: the logs' batch boundaries differ after a truncation that KIP-279
          // would have placed elsewhere). 0.8 to 1.x: IllegalArgumentException "Out of order offsets";
          // 2.x: UnexpectedAppendOffsetException. Neither is recovered: the fetcher stops.
          this.b.ctx.annotate(f.appendBelowLogStartRecovers
            ? `${part.key}: UnexpectedAppendOffsetException: Unexpected offset in append to ${part.key}. First offset or last offset of the first batch ${first} is less than the next offset ${log.logEndOffset}.`
            : `${part.key}: IllegalArgumentException: Out of order offsets found in append to ${part.key}: first offset ${first} below the log end offset ${log.logEndOffset}`);
          return 'failed';
        }
      }
    }
    let flush: number | null = null;
    if (data.length > 0) {
      const info = log.appendAsFollower(data);
      if (isAppendError(info)) {
        this.b.ctx.annotate(`${part.key}: follower append failed: ${info.message}`);
        return 'error';
      }
      this.observeAppends(part, data);
      flush = info.flushOffset;
    }
    log.updateHighWatermark(followerHighWatermark(log.logEndOffset, leaderHw));
    invariant(leaderHw < 0 || log.highWatermark <= leaderHw || log.highWatermark === log.logStartOffset,
      () => `${part.key}: follower HW ${log.highWatermark} ahead of the leader's ${leaderHw}`);
    return flush;
  }

  private observeAppends(part: Partition, data: Uint8Array): void {
    let p = 0;
    while (p < data.length) {
      const size = batchSizeAt(data, p);
      this.b.ctx.observe('kafka-append', { tp: part.key, broker: this.b.id, base: batchBaseOffset(data, p), last: batchLastOffset(data, p), crc: readUint32(data, p + OFF_CRC) });
      p += size;
    }
  }

}
