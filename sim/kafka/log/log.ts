import { invariant } from '../../core/invariant.ts';
import type { Json } from '../../core/types.ts';
import { copyBytes } from '../../core/bytes.ts';
import { LOG_OVERHEAD, OFF_LEADER_EPOCH, batchBaseOffset, checkBatch, readInt32 } from '../records.ts';
import type { LogConfig } from '../config.ts';
import type { Features } from '../version.ts';
import { LeaderEpochFileCache, type EpochEndOffset } from './epoch-cache.ts';
import { LEADER_EPOCH_CHECKPOINT, tpKey, type TopicPartition } from './files.ts';
import { check, KafkaStorageError, type LogIO } from './io.ts';
import { analyzeAndValidate } from './log-append.ts';
import { floorSegmentIndex, loadSegmentFiles } from './log-load.ts';
import { segmentConfig, type AppendError, type FetchData, type LogAppendInfo, type LogOptions, type ReadError, type RecoveryReport, type StoredBatch } from './log-types.ts';
import { RecentBatches } from './log-recent.ts';
import { forEachStoredBatch, storedBatches, storedRecords } from './log-views.ts';
import { LogSegment, type SegmentConfig } from './segment.ts';

export type { AppendError, AppendErrorCode, FetchData, LogAppendInfo, LogOptions, ReadError, RecoveryReport, StoredBatch } from './log-types.ts';
export { isAppendError, isReadError, segmentConfig } from './log-types.ts';

// A partition's log (kafka.log.Log, 2.x): segments, log end offset (LEO), log start offset,
// recovery point, high watermark and the leader-epoch cache.
//
// - Appends go to the active segment's page cache. A segment rolls on log.segment.bytes, log.roll.ms
//   or a full index; a roll flushes the older segments (Kafka schedules flush(newOffset) at once).
// - flush(offset) fsyncs the segments holding [recoveryPoint, offset) and, once every fsync has
//   completed, moves the recovery point to offset. Kafka's flush blocks the appending thread; dsim's
//   completes later, so callers that must not proceed before the data is durable (a broker with
//   log.flush.interval.messages=1 answering a produce or sending its next fetch) wait with
//   awaitFlush(offset).
// - Loading a log (Log.load, used at every start) is Kafka's recovery: segments whose offsets may lie
//   at or beyond the recovery point are rescanned unless the last shutdown was clean; every batch's
//   length and CRC are checked and the log is truncated at the first invalid or torn batch, later
//   segments deleted, the indexes rebuilt and the epoch cache refilled from the batches.
// - Offsets are contiguous (no compaction): after a truncation the LEO is the next offset of the
//   remaining data, which is the target offset whenever it lies on a batch boundary.
//
// Split by role: log-types.ts (what it takes and returns), log-load.ts (finding and recovering the
// segment files), log-append.ts (validating an append), log-recent.ts (the last batches shown by
// inspect()), log-views.ts (whole-log reads for checkers and tests).

const EMPTY = new Uint8Array(0);
const NO_EPOCHS: Json = Object.freeze([]);

export class Log {
  readonly tp: TopicPartition;
  readonly name: string;
  readonly dir: string;
  config: LogConfig;
  private readonly io: LogIO;
  private readonly features: Features;
  private readonly segCfg: SegmentConfig;
  private segments: LogSegment[] = [];
  private nextOffset = 0;
  logStartOffset = 0;
  recoveryPoint: number;
  private hw = 0;
  lastFlushedMs: number;
  readonly epochCache: LeaderEpochFileCache | null;
  private readonly onStorageError: (e: KafkaStorageError) => void;
  /** Incremented by every truncation: a flush started before one does not advance the recovery point. */
  private truncations = 0;
  private flushWaiters: { offset: number; cb: (ok: boolean) => void }[] = [];
  private readonly recent = new RecentBatches();

  private constructor(opts: LogOptions) {
    this.io = opts.io;
    this.tp = opts.tp;
    this.name = tpKey(opts.tp);
    this.dir = opts.dir;
    this.config = opts.config;
    this.features = opts.features;
    this.segCfg = segmentConfig(opts.config);
    this.recoveryPoint = opts.recoveryPoint;
    this.lastFlushedMs = opts.io.nowMs();
    this.onStorageError = opts.onStorageError;
    const epochPath = `${opts.dir}/${LEADER_EPOCH_CHECKPOINT}`;
    if (opts.features.recordBatchV2) {
      this.epochCache = new LeaderEpochFileCache(opts.io, epochPath, opts.features.epochCache21 ? 'kafka7415' : 'kip101', () => this.nextOffset, opts.onStorageError);
    } else {
      // Message formats before v2 have no leader epochs: Kafka deletes the checkpoint and keeps no cache.
      if (opts.io.disk.exists(epochPath)) check(opts.io.disk.delete(epochPath), `delete ${epochPath}`);
      this.epochCache = null;
    }
  }

  /** Opens (or creates) a log and recovers it: the code path of every broker start. */
  static load(opts: LogOptions): { log: Log; report: RecoveryReport } {
    const log = new Log(opts);
    const report = log.loadSegments(opts.hadCleanShutdown);
    return { log, report };
  }

  // ---------------------------------------------------------------- loading and recovery

  private loadSegments(hadCleanShutdown: boolean): RecoveryReport {
    const loaded = loadSegmentFiles(this.io, this.dir, this.segCfg, this.epochCache, this.recoveryPoint, hadCleanShutdown);
    this.segments = loaded.segments;
    if (this.segments.length === 0) this.segments.push(LogSegment.create(this.io, this.dir, this.logStartOffset, this.segCfg));

    this.nextOffset = this.active.nextOffset;
    this.recoveryPoint = hadCleanShutdown ? this.nextOffset : Math.min(this.recoveryPoint, this.nextOffset);
    this.epochCache?.truncateFromEnd(this.nextOffset);
    this.logStartOffset = Math.max(this.logStartOffset, this.segments[0]!.baseOffset);
    // The earliest leader epoch may not have been flushed before a hard failure: recover it here.
    this.epochCache?.truncateFromStart(this.logStartOffset);
    this.hw = Math.min(this.hw, this.nextOffset);
    this.rebuildRecent();
    return { ...loaded.report, hadCleanShutdown };
  }

  private rebuildRecent(): void {
    this.recent.clear();
    const seg = this.active;
    const n = seg.offsetIndex.entries;
    const from = n === 0 ? 0 : seg.offsetIndex.entry(n - 1).position;
    const data = this.io.disk.read(seg.logPath, from, seg.size - from);
    if (data === 'ENOENT') return;
    let p = 0;
    while (p < data.length) {
      const r = checkBatch(data, p, data.length);
      if (typeof r !== 'number') break;
      this.recent.note(data, p, r);
      p += r;
    }
  }

  // ---------------------------------------------------------------- accessors

  get logEndOffset(): number {
    return this.nextOffset;
  }

  get highWatermark(): number {
    return this.hw;
  }

  get active(): LogSegment {
    return this.segments[this.segments.length - 1]!;
  }

  get numberOfSegments(): number {
    return this.segments.length;
  }

  /** Base offsets of the segments, ascending. */
  segmentBaseOffsets(): number[] {
    return this.segments.map((s) => s.baseOffset);
  }

  segmentAt(i: number): LogSegment {
    return this.segments[i]!;
  }

  /** Bytes of all segments. */
  get size(): number {
    let n = 0;
    for (const s of this.segments) n += s.size;
    return n;
  }

  get unflushedMessages(): number {
    return this.nextOffset - this.recoveryPoint;
  }

  latestEpoch(): number {
    return this.epochCache === null ? -1 : this.epochCache.latestEpoch();
  }

  /** OffsetsForLeaderEpoch, answered from this log's epoch cache (UNDEFINED without one). */
  endOffsetForEpoch(epoch: number): EpochEndOffset {
    return this.epochCache === null ? { epoch: -1, endOffset: -1 } : this.epochCache.endOffsetFor(epoch);
  }

  /** Index of the segment holding `offset` (the last with baseOffset <= offset), or -1. */
  private floorIndex(offset: number): number {
    return floorSegmentIndex(this.segments, offset);
  }

  // ---------------------------------------------------------------- high watermark

  /** Sets the HW, clamped to [logStartOffset, LEO] (Log.updateHighWatermark). */
  updateHighWatermark(hw: number): number {
    this.hw = Math.max(this.logStartOffset, Math.min(hw, this.nextOffset));
    invariant(this.hw <= this.nextOffset, () => `${this.name}: HW ${this.hw} above LEO ${this.nextOffset} (log start offset ${this.logStartOffset})`);
    return this.hw;
  }

  /** Raises the HW if `hw` is larger (never lowers it); returns whether it moved. */
  maybeIncrementHighWatermark(hw: number): boolean {
    if (hw <= this.hw) return false;
    const before = this.hw;
    this.updateHighWatermark(hw);
    return this.hw > before;
  }

  // ---------------------------------------------------------------- append

  appendAsLeader(records: Uint8Array, leaderEpoch: number): LogAppendInfo | AppendError {
    return this.append(records, true, leaderEpoch);
  }

  appendAsFollower(records: Uint8Array): LogAppendInfo | AppendError {
    return this.append(records, false, -1);
  }

  private append(input: Uint8Array, assignOffsets: boolean, leaderEpoch: number): LogAppendInfo | AppendError {
    if (input.length === 0) {
      return { firstOffset: -1, lastOffset: -1, maxTimestampMs: -1, offsetOfMaxTimestamp: -1, validBytes: 0, batches: 0, records: 0, flushOffset: null };
    }
    // The leader stamps offsets and its epoch into its own copy (the request's bytes are the producer's).
    const records = assignOffsets ? copyBytes(input) : input;
    const v = analyzeAndValidate(records, {
      name: this.name, segmentBytes: this.config.segmentBytes, nextOffset: this.nextOffset, logStartOffset: this.logStartOffset,
      assignOffsets, leaderEpoch: this.features.recordBatchV2 ? leaderEpoch : -1,
    });
    if ('error' in v) return v;
    const { firstOffset, lastOffset, maxTs, offsetOfMaxTs, batches, count } = v;
    // No compaction: offsets stay contiguous, so an append starts exactly at the LEO (a leader assigns
    // them from it; a follower fetches from it and analyzeAndValidate refused anything below it).
    invariant(firstOffset === this.nextOffset, () => `${this.name}: append at offset ${firstOffset} leaves a gap after LEO ${this.nextOffset} (${assignOffsets ? 'leader' : 'follower'} append)`);
    // The epoch cache learns the epoch the leader stamped on each batch.
    if (this.epochCache !== null) {
      for (let q = 0; q < records.length; q += LOG_OVERHEAD + readInt32(records, q + 8)) {
        const e = readInt32(records, q + OFF_LEADER_EPOCH);
        if (e >= 0) this.epochCache.assign(e, batchBaseOffset(records, q));
      }
    }
    const segment = this.maybeRoll(records.length, maxTs, firstOffset, lastOffset);
    segment.append(lastOffset, maxTs, offsetOfMaxTs, records);
    for (let q = 0; q < records.length;) {
      const size = LOG_OVERHEAD + readInt32(records, q + 8);
      this.recent.note(records, q, size);
      q += size;
    }
    this.nextOffset = lastOffset + 1;
    let flushOffset: number | null = null;
    if (this.unflushedMessages >= this.config.flushIntervalMessages) {
      flushOffset = this.nextOffset;
      this.flush(flushOffset);
    }
    return { firstOffset, lastOffset, maxTimestampMs: maxTs, offsetOfMaxTimestamp: offsetOfMaxTs, validBytes: records.length, batches, records: count, flushOffset };
  }

  private maybeRoll(messagesSize: number, maxTimestamp: number, firstOffset: number, lastOffset: number): LogSegment {
    const seg = this.active;
    if (seg.shouldRoll(this.io.nowMs(), maxTimestamp, messagesSize, lastOffset)) {
      if (this.io.tracing) {
        this.io.annotate(`${this.name}: rolling new log segment at offset ${Math.max(firstOffset, this.nextOffset)} (log_size = ${seg.size}/${this.config.segmentBytes})`);
      }
      return this.roll(firstOffset);
    }
    return seg;
  }

  /** Starts a new active segment at max(expectedNextOffset, LEO) and flushes the older ones (Log.roll). */
  roll(expectedNextOffset = 0): LogSegment {
    const newOffset = Math.max(expectedNextOffset, this.nextOffset);
    const active = this.active;
    if (active.baseOffset === newOffset) {
      invariant(active.isEmpty, () => `Trying to roll a new log segment for topic partition ${this.name} with start offset ${newOffset} while it already exists.`);
      // KAFKA-6388: an empty active segment with that base offset is replaced.
      this.segments.pop();
      active.deleteFiles();
    } else {
      invariant(newOffset > active.baseOffset, () => `Trying to roll a new log segment for topic partition ${this.name} with start offset ${newOffset} lower than start offset of the active segment ${active.baseOffset}`);
      active.onBecomeInactiveSegment();
    }
    const seg = LogSegment.create(this.io, this.dir, newOffset, this.segCfg);
    this.segments.push(seg);
    // Kafka: scheduler.schedule("flush-log", () => flush(newOffset), delay = 0).
    this.flush(newOffset);
    return seg;
  }

  // ---------------------------------------------------------------- flush

  /** fsyncs the segments holding [recoveryPoint, offset); the recovery point moves to offset when they are durable. */
  flush(offset: number = this.nextOffset, done?: (ok: boolean) => void): void {
    offset = Math.min(offset, this.nextOffset);
    if (offset <= this.recoveryPoint) {
      done?.(true);
      return;
    }
    const from = Math.max(0, this.floorIndex(this.recoveryPoint));
    const segs: LogSegment[] = [];
    for (let i = from; i < this.segments.length && this.segments[i]!.baseOffset < offset; i++) segs.push(this.segments[i]!);
    const gen = this.truncations;
    let left = segs.length;
    let failed: string | null = null;
    const finish = (): void => {
      if (failed !== null) {
        this.onStorageError(new KafkaStorageError(`Error while flushing log for ${this.name} with offset ${offset}: ${failed}`, 'EIO'));
        done?.(false);
        return;
      }
      if (gen === this.truncations && offset > this.recoveryPoint) {
        this.recoveryPoint = Math.min(offset, this.nextOffset);
        this.lastFlushedMs = this.io.nowMs();
        this.releaseFlushWaiters();
      }
      done?.(gen === this.truncations);
    };
    if (left === 0) return finish();
    for (const s of segs) {
      s.flush((err) => {
        if (err !== null && failed === null) failed = err;
        if (--left === 0) finish();
      });
    }
  }

  /** Runs cb(true) once everything below `offset` is durable (recovery point >= offset), cb(false) if truncated away first. */
  awaitFlush(offset: number, cb: (ok: boolean) => void): void {
    if (this.recoveryPoint >= offset) {
      cb(true);
      return;
    }
    this.flushWaiters.push({ offset, cb });
  }

  private releaseFlushWaiters(): void {
    if (this.flushWaiters.length === 0) return;
    const ready = this.flushWaiters.filter((w) => w.offset <= this.recoveryPoint);
    if (ready.length === 0) return;
    this.flushWaiters = this.flushWaiters.filter((w) => w.offset > this.recoveryPoint);
    for (const w of ready) w.cb(true);
  }

  private dropFlushWaitersBeyond(leo: number): void {
    if (this.flushWaiters.length === 0) return;
    const gone = this.flushWaiters.filter((w) => w.offset > leo);
    if (gone.length === 0) return;
    this.flushWaiters = this.flushWaiters.filter((w) => w.offset <= leo);
    for (const w of gone) w.cb(false);
  }

  // ---------------------------------------------------------------- read

  /**
   * Reads whole batches from the one holding startOffset, up to maxBytes (at least one batch with
   * minOneMessage), below the LEO (followers) or the HW (consumers).
   */
  read(startOffset: number, maxBytes: number, upTo: 'leo' | 'hw', minOneMessage = true): FetchData | ReadError {
    const leo = this.nextOffset;
    if (startOffset > leo || startOffset < this.logStartOffset) {
      return {
        error: 'OFFSET_OUT_OF_RANGE',
        message: `Received request for offset ${startOffset} for partition ${this.name}, but we only have log segments in the range ${this.logStartOffset} to ${leo}.`,
      };
    }
    const maxOffset = upTo === 'leo' ? leo : this.hw;
    if (startOffset >= maxOffset) return this.fetchData(startOffset, EMPTY);
    // The position of maxOffset bounds the read in the segment that holds it.
    let maxSeg = -1;
    let maxPos = 0;
    if (maxOffset < leo) {
      maxSeg = this.floorIndex(maxOffset);
      const s = this.segments[maxSeg]!;
      maxPos = s.translateOffset(maxOffset)?.position ?? s.size;
    }
    for (let i = Math.max(0, this.floorIndex(startOffset)); i < this.segments.length; i++) {
      const seg = this.segments[i]!;
      const r = seg.readFrom(startOffset, maxBytes, i === maxSeg ? maxPos : seg.size, minOneMessage);
      if (r !== null) return this.fetchData(startOffset, r.bytes);
      if (i === maxSeg) break;
    }
    return this.fetchData(startOffset, EMPTY);
  }

  private fetchData(fetchOffset: number, records: Uint8Array): FetchData {
    return { records, fetchOffset, highWatermark: this.hw, logEndOffset: this.nextOffset, logStartOffset: this.logStartOffset };
  }

  // ---------------------------------------------------------------- truncation

  /** Truncates so the log ends below targetOffset (Log.truncateTo); true if anything was removed. */
  truncateTo(targetOffset: number): boolean {
    invariant(targetOffset >= 0, () => `Cannot truncate partition ${this.name} to a negative offset (${targetOffset}).`);
    if (targetOffset >= this.nextOffset) {
      // 2.1+: always truncate the epoch cache, which may hold an entry assigned at election past the LEO.
      if (this.features.epochCache21) this.epochCache?.truncateFromEnd(this.nextOffset);
      return false;
    }
    this.truncations++;
    if (this.segments[0]!.baseOffset > targetOffset) {
      this.truncateFullyAndStartAt(targetOffset);
      return true;
    }
    const keep = this.floorIndex(targetOffset);
    for (const s of this.segments.splice(keep + 1)) s.deleteFiles();
    this.active.truncateTo(targetOffset);
    this.epochCache?.truncateFromEnd(targetOffset);
    this.completeTruncation(Math.min(targetOffset, this.logStartOffset));
    invariant(this.nextOffset <= targetOffset, () => `${this.name}: truncation to ${targetOffset} left LEO ${this.nextOffset}`);
    return true;
  }

  /** Deletes everything and starts an empty log at newOffset. */
  truncateFullyAndStartAt(newOffset: number): void {
    this.truncations++;
    for (const s of this.segments) s.deleteFiles();
    this.segments = [LogSegment.create(this.io, this.dir, newOffset, this.segCfg)];
    this.epochCache?.clearAndFlush();
    this.completeTruncation(newOffset);
  }

  private completeTruncation(startOffset: number): void {
    this.logStartOffset = startOffset;
    this.nextOffset = this.active.nextOffset;
    invariant(this.nextOffset >= startOffset, () => `${this.name}: LEO ${this.nextOffset} below log start offset ${startOffset} after truncation`);
    this.recoveryPoint = Math.min(this.recoveryPoint, this.nextOffset);
    this.updateHighWatermark(Math.min(this.hw, this.nextOffset));
    this.recent.truncateTo(this.nextOffset);
    this.dropFlushWaitersBeyond(this.nextOffset);
  }

  // ---------------------------------------------------------------- retention

  /** Deletes segments beyond log.retention.ms / .bytes, never past the HW (Log.deleteOldSegments); returns how many. */
  deleteOldSegments(nowMs: number): number {
    let deleted = 0;
    const cfg = this.config;
    if (cfg.retentionMs >= 0) deleted += this.deleteSegmentsWhile((s) => nowMs - s.largestTimestamp > cfg.retentionMs, 'retention time');
    if (cfg.retentionBytes >= 0 && this.size >= cfg.retentionBytes) {
      let diff = this.size - cfg.retentionBytes;
      deleted += this.deleteSegmentsWhile((s) => {
        if (diff - s.size >= 0) {
          diff -= s.size;
          return true;
        }
        return false;
      }, 'retention size');
    }
    deleted += this.deleteSegmentsWhile((_s, next) => next !== null && next.baseOffset <= this.logStartOffset, 'log start offset');
    return deleted;
  }

  private deleteSegmentsWhile(pred: (s: LogSegment, next: LogSegment | null) => boolean, why: string): number {
    let n = 0;
    for (let i = 0; i < this.segments.length; i++) {
      const seg = this.segments[i]!;
      const next = i + 1 < this.segments.length ? this.segments[i + 1]! : null;
      const upperBound = next !== null ? next.baseOffset : this.nextOffset;
      const lastAndEmpty = next === null && seg.isEmpty;
      if (this.hw >= upperBound && !lastAndEmpty && pred(seg, next)) n++;
      else break;
    }
    if (n === 0) return 0;
    if (n === this.segments.length) this.roll();
    const gone = this.segments.splice(0, n);
    for (const s of gone) s.deleteFiles();
    if (this.io.tracing) this.io.annotate(`${this.name}: deleted ${n} segment(s) by ${why}: ${gone.map((s) => s.baseOffset).join(', ')}`);
    const start = this.segments[0]!.baseOffset;
    if (start > this.logStartOffset) {
      this.logStartOffset = start;
      if (this.hw < start) this.hw = start;
      if (this.recoveryPoint < start) this.recoveryPoint = start;
      this.epochCache?.truncateFromStart(start);
    }
    return n;
  }

  // ---------------------------------------------------------------- whole-log views (checkers, tests)

  /** Every stored batch, in offset order (reads all segments: for checkers and tests, not hot paths). */
  batches(): StoredBatch[] {
    return storedBatches(this.io, this.segments);
  }

  /** Calls fn for every valid batch of every segment with the segment's bytes (read-only) and the batch position. */
  forEachBatch(fn: (bytes: Uint8Array, pos: number, size: number) => void): void {
    forEachStoredBatch(this.io, this.segments, fn);
  }

  /** The leader epoch stamped on the last stored batch (-1: no batch, or none stamped); reads from the end. */
  lastBatchEpoch(): number {
    for (let i = this.segments.length - 1; i >= 0; i--) {
      const batches = storedBatches(this.io, [this.segments[i]!]);
      if (batches.length > 0) return batches[batches.length - 1]!.leaderEpoch;
    }
    return -1;
  }

  /** (offset, leader epoch, value as text) of every record: what a reader from the beginning would see. */
  records(): { offset: number; epoch: number; value: string | null }[] {
    return storedRecords(this.io, this.segments);
  }

  /**
   * The epochs and log summary are deep-frozen and rebuilt only when they change, so a traced run
   * finds them unchanged by identity (log-recent.ts, sim/world/view-diff.ts).
   */
  inspect(): { [key: string]: Json } {
    return {
      leo: this.nextOffset,
      hw: this.hw,
      logStartOffset: this.logStartOffset,
      recoveryPoint: this.recoveryPoint,
      segments: this.segments.length,
      epochs: this.epochsView(),
      log: this.recentView(),
    };
  }

  /** The epoch cache as [epoch, start offset] pairs: deep-frozen, the same object until it changes. */
  epochsView(): Json {
    return this.epochCache === null ? NO_EPOCHS : this.epochCache.view();
  }

  /** The last batches as {from, batches}: deep-frozen, the same object until it changes. */
  recentView(): Json {
    return this.recent.view(this.nextOffset);
  }
}
