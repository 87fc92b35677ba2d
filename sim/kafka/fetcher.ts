import type { ProcessId } from '../core/types.ts';
import type { BrokerSettings } from './config.ts';
import type { EpochResponsePartition, Fetch, FetchResponse, FetchResponsePartition, OffsetsForLeaderEpoch, OffsetsForLeaderEpochResponse } from './messages.ts';
import { PARTITION_OVERHEAD_BYTES, REQUEST_HEADER_BYTES } from './messages.ts';
import type { Partition } from './partition.ts';
import { offsetTruncationState, type FollowerLogView } from './replica-rules.ts';

// The follower's fetcher for one leader broker (ReplicaFetcherThread / AbstractFetcherThread): all
// partitions this broker follows on that leader share one Fetch, as in Kafka. A partition starts
// either truncating (IBP >= 0.11.0-IV2 with a known epoch: OffsetsForLeaderEpoch first, KIP-101;
// iterated per KIP-279 from 2.0) or fetching (it was truncated to its HW when it became a
// follower). One request in flight at a time; an error backs off replica.fetch.backoff.ms; a
// request unanswered for replica.socket.timeout.ms is abandoned and sent again.
//
// Deviation: from 2.7 Kafka truncates on fetch (KIP-595, diverging_epoch in the Fetch response);
// dsim keeps the OffsetsForLeaderEpoch round trip for every IBP >= 0.11, which reaches the same
// truncation offsets one round trip earlier.

export interface FetcherHost {
  readonly brokerId: number;
  readonly settings: BrokerSettings;
  send(to: ProcessId, msg: Fetch | OffsetsForLeaderEpoch, bytes: number): void;
  setFetcherTimer(leader: number, delayMs: number, gen: number): number;
  cancelTimer(id: number): void;
  nextCorrelationId(): number;
  /** Truncates the follower's log (through the LogManager) and reports it. */
  truncate(p: Partition, offset: number, why: string): void;
  truncateFullyAndStartAt(p: Partition, offset: number): void;
  /**
   * Appends fetched batches; returns the offset whose flush must complete first, or null; 'error'
   * backs the partition off; 'failed' is an append Kafka does not recover from (out-of-order offsets).
   */
  appendAsFollower(p: Partition, records: Uint8Array, leaderHw: number): number | null | 'error' | 'failed';
  annotate(text: string): void;
}

interface FetchState {
  readonly part: Partition;
  truncating: boolean;
  /** The leader epoch this partition follows under (KIP-320's current_leader_epoch). */
  leaderEpoch: number;
  /** Backed off until this time (ms) after an error. */
  delayedUntilMs: number;
  /** The fetch offset this state was last fetched at (-1: never; a new state after addPartition). */
  requestedOffset: number;
}

function followerView(p: Partition): FollowerLogView {
  const log = p.log;
  return {
    logEndOffset: log.logEndOffset,
    highWatermark: log.highWatermark,
    latestEpoch: log.latestEpoch(),
    endOffsetFor: (e) => log.endOffsetForEpoch(e),
  };
}

export class ReplicaFetcher {
  readonly partitions = new Map<string, FetchState>();
  private inflight = 0;
  private timer = -1;
  private gen = 0;
  /** Waiting for a flush of appended data before the next fetch. */
  private awaitingFlush = false;
  /**
   * Before 2.3 (KIP-461): the fetcher thread died on an unexpected append error. It keeps the
   * partitions given to it (AbstractFetcherManager reuses the thread of that leader) and fetches
   * nothing until it has none left.
   */
  dead = false;

  constructor(private readonly host: FetcherHost, readonly leaderId: number, readonly leaderPid: ProcessId, private readonly nowMs: () => number) {}

  addPartition(part: Partition, leaderEpoch: number, truncating: boolean): void {
    this.partitions.set(part.key, { part, truncating, leaderEpoch, delayedUntilMs: 0, requestedOffset: -1 });
    this.maybeSend();
  }

  removePartition(key: string): void {
    this.partitions.delete(key);
  }

  get idle(): boolean {
    return this.partitions.size === 0;
  }

  /** The connection to the leader closed: whatever was in flight is lost. */
  onDisconnect(): void {
    if (this.inflight === 0) return;
    this.inflight = 0;
    this.backoffAll();
  }

  onTimer(gen: number): void {
    if (gen !== this.gen) return;
    this.timer = -1;
    if (this.inflight !== 0) {
      // replica.socket.timeout.ms passed without an answer: abandon it.
      this.inflight = 0;
    }
    this.maybeSend();
  }

  private arm(delayMs: number): void {
    if (this.timer !== -1) this.host.cancelTimer(this.timer);
    this.gen++;
    this.timer = this.host.setFetcherTimer(this.leaderId, delayMs, this.gen);
  }

  private backoffAll(): void {
    const until = this.nowMs() + this.host.settings.replicaFetchBackoffMs;
    for (const s of this.partitions.values()) s.delayedUntilMs = until;
    this.arm(this.host.settings.replicaFetchBackoffMs);
  }

  maybeSend(): void {
    if (this.dead || this.inflight !== 0 || this.awaitingFlush || this.partitions.size === 0) return;
    const now = this.nowMs();
    const f = this.host.settings.features;
    const truncating: FetchState[] = [];
    const fetching: FetchState[] = [];
    let nextReadyMs = Infinity;
    for (const s of this.partitions.values()) {
      if (s.delayedUntilMs > now) {
        if (s.delayedUntilMs < nextReadyMs) nextReadyMs = s.delayedUntilMs;
        continue;
      }
      (s.truncating ? truncating : fetching).push(s);
    }
    const correlationId = this.host.nextCorrelationId();
    if (truncating.length > 0) {
      const msg: OffsetsForLeaderEpoch = {
        type: 'OffsetsForLeaderEpoch', correlationId, replicaId: this.host.brokerId,
        partitions: truncating.map((s) => ({ tp: s.part.key, leaderEpoch: s.part.log.latestEpoch(), currentLeaderEpoch: f.kip320 ? s.leaderEpoch : null })),
      };
      this.inflight = correlationId;
      this.host.send(this.leaderPid, msg, REQUEST_HEADER_BYTES + truncating.length * PARTITION_OVERHEAD_BYTES);
      this.arm(this.host.settings.replicaSocketTimeoutMs);
      return;
    }
    if (fetching.length === 0) {
      if (nextReadyMs !== Infinity) this.arm(nextReadyMs - now);
      return;
    }
    const st = this.host.settings;
    const msg: Fetch = {
      type: 'Fetch', correlationId, replicaId: this.host.brokerId, maxWaitMs: st.replicaFetchWaitMaxMs, minBytes: st.replicaFetchMinBytes,
      maxBytes: st.replicaFetchMaxBytes,
      partitions: fetching.map((s) => ({ tp: s.part.key, fetchOffset: s.part.log.logEndOffset, currentLeaderEpoch: f.kip320 ? s.leaderEpoch : null })),
    };
    for (const s of fetching) s.requestedOffset = s.part.log.logEndOffset;
    this.inflight = correlationId;
    this.host.send(this.leaderPid, msg, REQUEST_HEADER_BYTES + fetching.length * PARTITION_OVERHEAD_BYTES);
    this.arm(st.replicaSocketTimeoutMs);
  }

  onEpochResponse(msg: OffsetsForLeaderEpochResponse): void {
    if (msg.correlationId !== this.inflight) return;
    this.inflight = 0;
    let error = false;
    for (const r of msg.partitions) {
      const s = this.partitions.get(r.tp);
      if (s === undefined || !s.truncating) continue;
      if (r.error !== 'NONE') {
        error = true;
        s.delayedUntilMs = this.nowMs() + this.host.settings.replicaFetchBackoffMs;
        continue;
      }
      this.truncateFrom(s, r);
    }
    if (error) this.arm(this.host.settings.replicaFetchBackoffMs);
    else if (this.timer !== -1) {
      this.host.cancelTimer(this.timer);
      this.timer = -1;
    }
    this.maybeSend();
  }

  private truncateFrom(s: FetchState, r: EpochResponsePartition): void {
    const d = offsetTruncationState(this.host.settings.features, { epoch: r.leaderEpoch, endOffset: r.endOffset }, followerView(s.part));
    this.host.truncate(s.part, d.offset, d.why);
    if (d.completed) s.truncating = false;
  }

  onFetchResponse(msg: FetchResponse): void {
    if (msg.correlationId !== this.inflight) return;
    this.inflight = 0;
    if (this.timer !== -1) {
      this.host.cancelTimer(this.timer);
      this.timer = -1;
    }
    let error = false;
    let flushOffset = -1;
    let flushPart: Partition | null = null;
    for (const r of msg.partitions) {
      const s = this.partitions.get(r.tp);
      if (s === undefined || s.truncating) continue;
      // AbstractFetcherThread.processFetchRequest: data is used only if the partition's fetch state is
      // still the one the request was built from, at the same fetch offset. A LeaderAndIsr that made
      // this broker follow again (and truncate to its HW before leader epochs) while the request was
      // in flight leaves the answer for an older offset: appending it would leave a gap in the log.
      if (s.requestedOffset !== s.part.log.logEndOffset) continue;
      const outcome = this.processPartition(s, r);
      if (outcome === 'failed') {
        if (!this.host.settings.features.fetcherFailsPartitionOnly) {
          // AbstractFetcherThread (before 2.3): KafkaException("Error processing data for partition ...")
          // out of doWork: ShutdownableThread logs "Error due to" and the thread ends.
          this.dead = true;
          if (this.timer !== -1) this.host.cancelTimer(this.timer);
          this.timer = -1;
          this.host.annotate(`ReplicaFetcherThread-0-${this.leaderId}: Error due to KafkaException: Error processing data for partition ${r.tp} offset ${s.requestedOffset}; the fetcher thread stopped: [${[...this.partitions.keys()].sort().join(',')}] no longer fetched from broker ${this.leaderId}`);
          return;
        }
        // KIP-461 (2.3+): markPartitionFailed; the other partitions go on.
        this.partitions.delete(r.tp);
        this.host.annotate(`ReplicaFetcherThread-0-${this.leaderId}: Unexpected error occurred while processing data for partition ${r.tp} at offset ${s.requestedOffset}: partition marked as failed`);
        continue;
      }
      if (outcome === 'error') error = true;
      else if (outcome !== null && outcome > flushOffset) {
        flushOffset = outcome;
        flushPart = s.part;
      }
    }
    if (error) this.arm(this.host.settings.replicaFetchBackoffMs);
    if (flushPart !== null) {
      // The fetcher thread blocks in the fsync that log.flush.interval.messages triggers: the LEO it
      // reports in its next fetch is durable.
      this.awaitingFlush = true;
      flushPart.log.awaitFlush(flushOffset, () => {
        this.awaitingFlush = false;
        this.maybeSend();
      });
      return;
    }
    this.maybeSend();
  }

  private processPartition(s: FetchState, r: FetchResponsePartition): number | null | 'error' | 'failed' {
    const log = s.part.log;
    switch (r.error) {
      case 'NONE':
        return r.records.length > 0 || r.highWatermark !== log.highWatermark ? this.host.appendAsFollower(s.part, r.records, r.highWatermark) : null;
      case 'OFFSET_OUT_OF_RANGE':
        // ReplicaFetcherThread.handleOffsetOutOfRange: a follower ahead of the leader (possible after
        // an unclean election) truncates to the leader's LEO; one behind its log start starts over.
        if (log.logEndOffset > r.logEndOffset) this.host.truncate(s.part, r.logEndOffset, `fetch offset ${log.logEndOffset} beyond the leader's log end offset ${r.logEndOffset}`);
        else this.host.truncateFullyAndStartAt(s.part, r.logStartOffset);
        return null;
      default:
        s.delayedUntilMs = this.nowMs() + this.host.settings.replicaFetchBackoffMs;
        return 'error';
    }
  }
}
