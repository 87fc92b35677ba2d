import { invariant } from '../../core/invariant.ts';
import { INT_MAX } from '../version.ts';
import {
  OFF_LAST_OFFSET_DELTA, OFF_LEADER_EPOCH, OFF_MAX_TIMESTAMP, RECORD_BATCH_OVERHEAD, LOG_OVERHEAD,
  batchBaseOffset, checkBatch, readInt32, readInt64,
} from '../records.ts';
import type { LeaderEpochFileCache } from './epoch-cache.ts';
import { indexFile, logFile, timeIndexFile } from './files.ts';
import { check, KafkaStorageError, type LogIO } from './io.ts';
import { OffsetIndex, TimeIndex } from './offset-index.ts';

// One segment of a log (kafka.log.LogSegment): the .log file of record batches, its offset index
// and its time index. Appends go to the page cache through the DiskView; reads find a position with
// the index and walk batch headers from there, as Kafka's translateOffset does.

export interface SegmentConfig {
  readonly segmentBytes: number;
  readonly segmentMs: number;
  readonly indexIntervalBytes: number;
  readonly maxIndexSizeBytes: number;
}

/** Where the batch holding (or first after) an offset starts (Kafka's LogOffsetPosition). */
export interface BatchPosition {
  readonly position: number;
  readonly size: number;
  readonly baseOffset: number;
  readonly lastOffset: number;
}

export interface SegmentRead {
  /** Position of the first returned batch in the segment. */
  readonly position: number;
  /** Whole batches (never a partial one). */
  readonly bytes: Uint8Array;
}

export interface RecoverResult {
  readonly truncatedBytes: number;
  /** Why recovery stopped early (Kafka's warning), if it did. */
  readonly reason: string | null;
}

const EMPTY: Uint8Array = new Uint8Array(0);

/** Big-endian int32 (a local copy of records.readInt32 for the header walk, the segment's hot loop). */
function i32(b: Uint8Array, p: number): number {
  return (b[p]! << 24) | (b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!;
}
/** Bytes read at a time while walking batch headers. */
const WALK_CHUNK = 32 * 1024;

export class LogSegment {
  readonly logPath: string;
  readonly offsetIndex: OffsetIndex;
  readonly timeIndex: TimeIndex;
  /** Bytes in the .log file. */
  size = 0;
  /** The offset after the last batch (Kafka's readNextOffset); baseOffset when empty. */
  nextOffset: number;
  createdMs: number;
  /** Max timestamp of the first batch: the reference for time-based rolling. */
  rollingBasedTimestamp: number | null = null;
  maxTimestampSoFar = -1;
  offsetOfMaxTimestampSoFar: number;
  private bytesSinceLastIndexEntry = 0;

  private constructor(private readonly io: LogIO, readonly dir: string, readonly baseOffset: number, private readonly cfg: SegmentConfig) {
    this.logPath = logFile(dir, baseOffset);
    this.offsetIndex = new OffsetIndex(io, indexFile(dir, baseOffset), baseOffset, cfg.maxIndexSizeBytes);
    this.timeIndex = new TimeIndex(io, timeIndexFile(dir, baseOffset), baseOffset, cfg.maxIndexSizeBytes);
    this.nextOffset = baseOffset;
    this.offsetOfMaxTimestampSoFar = baseOffset;
    this.createdMs = io.nowMs();
  }

  /** A new empty segment (existing files of that name are replaced, as Log.roll does). */
  static create(io: LogIO, dir: string, baseOffset: number, cfg: SegmentConfig): LogSegment {
    const s = new LogSegment(io, dir, baseOffset, cfg);
    if (io.disk.exists(s.logPath)) check(io.disk.delete(s.logPath), `delete ${s.logPath}`);
    check(io.disk.create(s.logPath), `create ${s.logPath}`);
    s.offsetIndex.create();
    s.timeIndex.create();
    return s;
  }

  /**
   * An existing segment. Its indexes are loaded and sanity-checked; 'rebuild' means they are missing
   * or corrupt and the caller must recover() the segment (Log.loadSegmentFiles).
   */
  static open(io: LogIO, dir: string, baseOffset: number, cfg: SegmentConfig): { segment: LogSegment; indexes: 'ok' | 'rebuild'; why?: string } {
    const s = new LogSegment(io, dir, baseOffset, cfg);
    s.size = io.disk.size(s.logPath);
    let indexes: 'ok' | 'rebuild' = 'ok';
    let why: string | undefined;
    try {
      if (s.offsetIndex.load() === 'missing') {
        indexes = 'rebuild';
        why = `Could not find offset index file corresponding to log file ${s.logPath}, recovering segment and rebuilding index files...`;
        s.offsetIndex.create();
      }
      if (s.timeIndex.load() === 'missing') s.timeIndex.create();
    } catch (e) {
      if (!(e instanceof Error) || e.name !== 'CorruptIndexException') throw e;
      indexes = 'rebuild';
      why = `Found a corrupted index file corresponding to log file ${s.logPath} due to ${e.message}, recovering segment and rebuilding index files...`;
    }
    if (indexes === 'ok') s.rescanTail();
    return why === undefined ? { segment: s, indexes } : { segment: s, indexes, why };
  }

  get isEmpty(): boolean {
    return this.size === 0;
  }

  /** Largest timestamp in the segment, for time retention (Kafka falls back to the file's mtime; dsim to its creation time). */
  get largestTimestamp(): number {
    return this.maxTimestampSoFar >= 0 ? this.maxTimestampSoFar : this.createdMs;
  }

  /** Bytes of the .log file: a read-only view of the page cache where the disk offers one. */
  private read(position: number, length: number): Uint8Array {
    if (length <= 0) return EMPTY;
    const disk = this.io.disk;
    const data = disk.readView !== undefined ? disk.readView(this.logPath, position, length) : disk.read(this.logPath, position, length);
    if (data === 'ENOENT') throw new KafkaStorageError(`read ${this.logPath}: ENOENT`, 'ENOENT');
    return data;
  }

  /**
   * Where the last append's first batch starts and its base offset (-1: unknown). Followers fetch
   * from the end of the log, so a read usually starts at or after that batch: walking from there
   * finds the same batch as walking from the offset index entry (up to index.interval.bytes before
   * it), without visiting the batches between. Forgotten whenever the file shrinks.
   */
  private tailPos = -1;
  private tailBaseOffset = 0;
  /** The disk's cacheFlips when tailPos was noted: a bit flipped since may have changed the headers a scan reads. */
  private tailFlips = 0;

  /**
   * Where a scan for `offset` may start: the index entry, or the last append when that is closer and
   * no bit has flipped in the page cache since (a flipped header between the two would change what a
   * scan from the index entry finds, as it would in Kafka).
   */
  private scanStart(offset: number, indexPosition: number): number {
    if (this.tailPos <= indexPosition || this.tailBaseOffset > offset) return indexPosition;
    return (this.io.disk.cacheFlips ?? 0) === this.tailFlips ? this.tailPos : indexPosition;
  }

  /** The chunk the last walk read (an immutable view: callers may hand out views of it). */
  private walkChunk: Uint8Array = EMPTY;
  private walkChunkStart = 0;

  /**
   * Walks complete batch headers from `start` while `visit` returns true, below `limit`. Headers
   * are read in chunks (the first of `firstChunk` bytes, later ones of WALK_CHUNK); a batch's body
   * is read only if it falls inside a chunk. Returns the position where it stopped.
   */
  private walk(start: number, limit: number, visit: (pos: number, size: number, buf: Uint8Array, at: number) => boolean, firstChunk = WALK_CHUNK): number {
    let p = start;
    let chunk: Uint8Array = EMPTY;
    let chunkStart = start;
    let want = Math.max(firstChunk, RECORD_BATCH_OVERHEAD);
    while (p + RECORD_BATCH_OVERHEAD <= limit) {
      if (p + RECORD_BATCH_OVERHEAD > chunkStart + chunk.length) {
        chunkStart = p;
        chunk = this.read(p, Math.min(limit - p, want));
        want = WALK_CHUNK;
        if (chunk.length < RECORD_BATCH_OVERHEAD) break;
      }
      const at = p - chunkStart;
      const size = LOG_OVERHEAD + i32(chunk, at + 8);
      if (size < RECORD_BATCH_OVERHEAD || p + size > limit) break;
      if (!visit(p, size, chunk, at)) break;
      p += size;
    }
    this.walkChunk = chunk;
    this.walkChunkStart = chunkStart;
    return p;
  }

  /** Recomputes nextOffset and the max timestamp from the last index entries to the end of the file. */
  private rescanTail(): void {
    const n = this.offsetIndex.entries;
    const from = n === 0 ? 0 : this.offsetIndex.entry(n - 1).position;
    const last = this.timeIndex.lastEntry;
    this.maxTimestampSoFar = last.timestampMs;
    this.offsetOfMaxTimestampSoFar = last.offset;
    let next = this.baseOffset;
    this.walk(from, this.size, (_pos, _size, buf, at) => {
      const lastOffset = batchBaseOffset(buf, at) + readInt32(buf, at + OFF_LAST_OFFSET_DELTA);
      const ts = readInt64(buf, at + OFF_MAX_TIMESTAMP);
      if (ts > this.maxTimestampSoFar) {
        this.maxTimestampSoFar = ts;
        this.offsetOfMaxTimestampSoFar = lastOffset;
      }
      next = lastOffset + 1;
      return true;
    });
    this.nextOffset = next;
    if (this.size > 0) {
      const head = this.read(0, RECORD_BATCH_OVERHEAD);
      if (head.length === RECORD_BATCH_OVERHEAD) this.rollingBasedTimestamp = readInt64(head, OFF_MAX_TIMESTAMP);
    }
  }

  canConvertToRelativeOffset(offset: number): boolean {
    const rel = offset - this.baseOffset;
    return rel >= 0 && rel <= INT_MAX;
  }

  /** Appends batches already validated and assigned offsets (LogSegment.append). */
  append(largestOffset: number, largestTimestamp: number, offsetOfMaxTimestamp: number, records: Uint8Array): void {
    if (records.length === 0) return;
    const physicalPosition = this.size;
    if (physicalPosition === 0) this.rollingBasedTimestamp = largestTimestamp;
    invariant(this.canConvertToRelativeOffset(largestOffset), () => `Detected offset overflow at offset ${largestOffset} in segment ${this.logPath}`);
    // Offsets in a segment are contiguous: the first batch appended starts where the segment ends.
    invariant(batchBaseOffset(records, 0) === this.nextOffset, () => `${this.logPath}: batch at offset ${batchBaseOffset(records, 0)} appended after offset ${this.nextOffset - 1} (offsets must be contiguous)`);
    check(this.io.disk.write(this.logPath, physicalPosition, records), `append ${this.logPath}`);
    this.size += records.length;
    this.tailPos = physicalPosition;
    this.tailBaseOffset = batchBaseOffset(records, 0);
    this.tailFlips = this.io.disk.cacheFlips ?? 0;
    if (largestTimestamp > this.maxTimestampSoFar) {
      this.maxTimestampSoFar = largestTimestamp;
      this.offsetOfMaxTimestampSoFar = offsetOfMaxTimestamp;
    }
    if (this.bytesSinceLastIndexEntry > this.cfg.indexIntervalBytes) {
      this.offsetIndex.append(largestOffset, physicalPosition);
      this.timeIndex.maybeAppend(this.maxTimestampSoFar, this.offsetOfMaxTimestampSoFar);
      this.bytesSinceLastIndexEntry = 0;
    }
    this.bytesSinceLastIndexEntry += records.length;
    this.nextOffset = largestOffset + 1;
  }

  /** The batch holding the least offset >= `offset` (Kafka's translateOffset), or null. */
  translateOffset(offset: number, startingPosition = 0, limit = this.size): BatchPosition | null {
    const mapping = this.offsetIndex.lookup(offset);
    let found: BatchPosition | null = null;
    const hint = this.cfg.indexIntervalBytes + 2 * RECORD_BATCH_OVERHEAD;
    this.walk(Math.max(this.scanStart(offset, mapping.position), startingPosition), limit, (pos, size, buf, at) => {
      const base = batchBaseOffset(buf, at);
      const lastOffset = base + i32(buf, at + OFF_LAST_OFFSET_DELTA);
      if (lastOffset >= offset) {
        found = { position: pos, size, baseOffset: base, lastOffset };
        return false;
      }
      return true;
    }, hint);
    return found;
  }

  /**
   * Whole batches from the one holding startOffset, at most maxSize bytes (at least one batch with
   * minOneMessage), ending at or before maxPosition. Null if no batch holds an offset >= startOffset.
   * Kafka returns a byte slice that may end in a partial batch, which the reader drops; dsim stops at
   * the last whole batch. One pass: find the first batch from the index position, then take batches.
   */
  readFrom(startOffset: number, maxSize: number, maxPosition = this.size, minOneMessage = false): SegmentRead | null {
    const mapping = this.offsetIndex.lookup(startOffset);
    let startPos = -1;
    let total = 0;
    let budget = maxSize;
    const hint = this.cfg.indexIntervalBytes + maxSize + 2 * RECORD_BATCH_OVERHEAD;
    this.walk(this.scanStart(startOffset, mapping.position), this.size, (pos, size, buf, at) => {
      if (startPos < 0) {
        if (batchBaseOffset(buf, at) + i32(buf, at + OFF_LAST_OFFSET_DELTA) < startOffset) return true;
        startPos = pos;
        if (minOneMessage && size > budget) budget = size;
      }
      if (pos + size > maxPosition || total + size > budget) return false;
      total += size;
      return true;
    }, hint);
    if (startPos < 0) return null;
    if (total === 0) return { position: startPos, bytes: EMPTY };
    const c = this.walkChunk;
    const from = startPos - this.walkChunkStart;
    if (from >= 0 && from + total <= c.length) return { position: startPos, bytes: c.subarray(from, from + total) };
    return { position: startPos, bytes: this.read(startPos, total) };
  }

  /**
   * Rebuilds the indexes from the .log file, validating every batch (length, magic, CRC), and
   * truncates at the first invalid or incomplete batch (LogSegment.recover). Leader epochs found in
   * the batches are assigned to the epoch cache.
   */
  recover(epochCache: LeaderEpochFileCache | null): RecoverResult {
    this.offsetIndex.reset();
    this.timeIndex.reset();
    this.maxTimestampSoFar = -1;
    this.offsetOfMaxTimestampSoFar = this.baseOffset;
    this.bytesSinceLastIndexEntry = 0;
    const data = this.io.disk.readAll(this.logPath);
    if (data === 'ENOENT') throw new KafkaStorageError(`recover ${this.logPath}: ENOENT`, 'ENOENT');
    let validBytes = 0;
    let lastIndexEntry = 0;
    let reason: string | null = null;
    let next = this.baseOffset;
    this.rollingBasedTimestamp = null;
    while (validBytes < data.length) {
      const r = checkBatch(data, validBytes, data.length);
      if (r === 'end') {
        reason = `incomplete batch at byte offset ${validBytes} (torn or short write)`;
        break;
      }
      if (typeof r === 'object') {
        reason = `Found invalid messages in log segment ${this.logPath} at byte offset ${validBytes}: ${r.corrupt}.`;
        break;
      }
      const base = batchBaseOffset(data, validBytes);
      const lastOffset = base + readInt32(data, validBytes + OFF_LAST_OFFSET_DELTA);
      if (!this.canConvertToRelativeOffset(lastOffset)) {
        reason = `Found invalid offset ${lastOffset} in log segment ${this.logPath} at byte offset ${validBytes}.`;
        break;
      }
      const ts = readInt64(data, validBytes + OFF_MAX_TIMESTAMP);
      if (this.rollingBasedTimestamp === null) this.rollingBasedTimestamp = ts;
      if (ts > this.maxTimestampSoFar) {
        this.maxTimestampSoFar = ts;
        this.offsetOfMaxTimestampSoFar = lastOffset;
      }
      if (validBytes - lastIndexEntry > this.cfg.indexIntervalBytes) {
        if (this.offsetIndex.entries > 0 && lastOffset <= this.offsetIndex.lastOffset) {
          // OffsetIndex.append's InvalidOffsetException; Log.recoverLog then empties the segment.
          const why = `Found invalid offset during recovery of ${this.logPath} (offset ${lastOffset} after ${this.offsetIndex.lastOffset}). Deleting the corrupt segment and creating an empty one with starting offset ${this.baseOffset}`;
          this.offsetIndex.reset();
          this.timeIndex.reset();
          check(this.io.disk.truncate(this.logPath, 0), `truncate ${this.logPath}`);
          this.size = 0;
          this.tailPos = -1;
          this.nextOffset = this.baseOffset;
          this.maxTimestampSoFar = -1;
          this.rollingBasedTimestamp = null;
          return { truncatedBytes: data.length, reason: why };
        }
        this.offsetIndex.append(lastOffset, validBytes);
        this.timeIndex.maybeAppend(this.maxTimestampSoFar, this.offsetOfMaxTimestampSoFar);
        lastIndexEntry = validBytes;
      }
      validBytes += r;
      const epoch = readInt32(data, validBytes - r + OFF_LEADER_EPOCH);
      if (epochCache !== null && epoch >= 0 && epoch > epochCache.latestEpoch()) epochCache.assign(epoch, base);
      next = lastOffset + 1;
    }
    const truncated = data.length - validBytes;
    if (truncated > 0) check(this.io.disk.truncate(this.logPath, validBytes), `truncate ${this.logPath}`);
    this.size = validBytes;
    this.tailPos = -1;
    this.nextOffset = next;
    this.timeIndex.maybeAppend(this.maxTimestampSoFar, this.offsetOfMaxTimestampSoFar, true);
    return { truncatedBytes: truncated, reason: truncated > 0 ? reason : null };
  }

  /** Removes the batch holding `offset` and everything after it; returns the bytes removed (LogSegment.truncateTo). */
  truncateTo(offset: number): number {
    const mapping = this.translateOffset(offset);
    this.offsetIndex.truncateTo(offset);
    this.timeIndex.truncateTo(offset);
    let removed = 0;
    if (mapping !== null) {
      removed = this.size - mapping.position;
      check(this.io.disk.truncate(this.logPath, mapping.position), `truncate ${this.logPath}`);
      this.size = mapping.position;
      this.tailPos = -1;
    }
    if (this.size === 0) {
      this.createdMs = this.io.nowMs();
      this.rollingBasedTimestamp = null;
    }
    this.bytesSinceLastIndexEntry = 0;
    this.rescanTail();
    return removed;
  }

  shouldRoll(nowMs: number, maxTimestampInMessages: number, messagesSize: number, maxOffsetInMessages: number): boolean {
    const t = this.rollingBasedTimestamp;
    const waited = t !== null && t >= 0 ? maxTimestampInMessages - t : nowMs - this.createdMs;
    return this.size > this.cfg.segmentBytes - messagesSize
      || (this.size > 0 && waited > this.cfg.segmentMs)
      || this.offsetIndex.isFull || this.timeIndex.isFull
      || !this.canConvertToRelativeOffset(maxOffsetInMessages);
  }

  /** Called on the old active segment at a roll: records its largest timestamp for good. */
  onBecomeInactiveSegment(): void {
    this.timeIndex.maybeAppend(this.maxTimestampSoFar, this.offsetOfMaxTimestampSoFar, true);
  }

  /** fsyncs the .log, .index and .timeindex files; `done` runs when all three completed. */
  flush(done: (err: string | null) => void): void {
    const paths = [this.logPath, this.offsetIndex.path, this.timeIndex.path];
    let left = paths.length;
    let firstErr: string | null = null;
    for (const p of paths) {
      this.io.fsync(p, (err) => {
        if (err !== null && err !== 'ENOENT' && firstErr === null) firstErr = `${p}: ${err}`;
        if (--left === 0) done(firstErr);
      });
    }
  }

  /** Deletes the segment's files (Kafka renames to .deleted and deletes after file.delete.delay.ms; dsim deletes now). */
  deleteFiles(): void {
    for (const p of [this.logPath, this.offsetIndex.path, this.timeIndex.path]) {
      if (this.io.disk.exists(p)) check(this.io.disk.delete(p), `delete ${p}`);
    }
  }
}
