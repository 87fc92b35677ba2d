import { invariant } from '../../core/invariant.ts';
import { readInt32, readInt64, writeInt32, writeInt64 } from '../records.ts';
import { check, type LogIO } from './io.ts';

// The sparse indexes of a segment (kafka.log.OffsetIndex and TimeIndex).
//
// OffsetIndex: 8-byte entries (relative offset int32, file position int32), one every
// log.index.interval.bytes of appended data, mapping the last offset of a batch to the position
// where that batch starts. lookup(target) returns the greatest entry with offset <= target; the
// segment then scans batch headers from there.
// TimeIndex: 12-byte entries (timestamp int64, relative offset int32), appended when the largest
// timestamp so far grows; its last entry is the segment's largest timestamp for time retention.
//
// Kafka memory-maps a preallocated file and trims it when the segment becomes inactive; dsim keeps
// the entries in memory as well (Kafka's mmap is the same thing) and appends each entry to the file,
// so the file is always exactly the valid entries. Nothing is fsynced here: Kafka flushes indexes
// with the segment.

const OFFSET_ENTRY = 8;
const TIME_ENTRY = 12;

/** Kafka's CorruptIndexException: found by sanityCheck when a segment is loaded. */
export class CorruptIndexError extends Error {
  override readonly name = 'CorruptIndexException';
}

export interface OffsetPosition {
  readonly offset: number;
  readonly position: number;
}

export class OffsetIndex {
  private rel = new Int32Array(16);
  private pos = new Int32Array(16);
  private n = 0;
  readonly maxEntries: number;

  constructor(private readonly io: LogIO, readonly path: string, readonly baseOffset: number, maxIndexSizeBytes: number) {
    this.maxEntries = Math.floor(maxIndexSizeBytes / OFFSET_ENTRY);
  }

  get entries(): number {
    return this.n;
  }

  get isFull(): boolean {
    return this.n >= this.maxEntries;
  }

  get lastOffset(): number {
    return this.n === 0 ? this.baseOffset : this.baseOffset + this.rel[this.n - 1]!;
  }

  /** Creates an empty index file (replacing any). */
  create(): void {
    const disk = this.io.disk;
    if (disk.exists(this.path)) check(disk.delete(this.path), `delete ${this.path}`);
    check(disk.create(this.path), `create ${this.path}`);
    this.n = 0;
  }

  /** Loads the file; 'missing' if there is none. Throws CorruptIndexError on Kafka's sanity-check failures. */
  load(): 'ok' | 'missing' {
    const data = this.io.disk.readAll(this.path);
    if (data === 'ENOENT') return 'missing';
    if (data.length % OFFSET_ENTRY !== 0) {
      throw new CorruptIndexError(`Index file ${this.path} is corrupt, found ${data.length} bytes which is neither positive nor a multiple of ${OFFSET_ENTRY}.`);
    }
    this.n = 0;
    for (let p = 0; p < data.length; p += OFFSET_ENTRY) this.push(readInt32(data, p), readInt32(data, p + 4));
    if (this.n > 0 && this.lastOffset < this.baseOffset) {
      throw new CorruptIndexError(`Corrupt index found, index file (${this.path}) has non-zero size but the last offset is ${this.lastOffset} which is less than the base offset ${this.baseOffset}.`);
    }
    return 'ok';
  }

  private push(relOffset: number, position: number): void {
    if (this.n === this.rel.length) {
      const r = new Int32Array(this.n * 2);
      r.set(this.rel);
      this.rel = r;
      const q = new Int32Array(this.n * 2);
      q.set(this.pos);
      this.pos = q;
    }
    this.rel[this.n] = relOffset;
    this.pos[this.n] = position;
    this.n++;
  }

  private readonly entryBuf = new Uint8Array(OFFSET_ENTRY);

  append(offset: number, position: number): void {
    invariant(this.n === 0 || offset > this.lastOffset, () => `Attempt to append an offset (${offset}) to position ${this.n} no larger than the last offset appended (${this.lastOffset}) to ${this.path}.`);
    const relOffset = offset - this.baseOffset;
    this.push(relOffset, position);
    writeInt32(this.entryBuf, 0, relOffset);
    writeInt32(this.entryBuf, 4, position);
    check(this.io.disk.append(this.path, this.entryBuf), `append ${this.path}`);
  }

  /** Index of the greatest entry with offset <= target, or -1. */
  private floorSlot(target: number): number {
    const rel = target - this.baseOffset;
    let lo = 0;
    let hi = this.n - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (this.rel[mid]! <= rel) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found;
  }

  /** The greatest entry with offset <= target, or (baseOffset, 0). */
  lookup(target: number): OffsetPosition {
    const s = this.floorSlot(target);
    if (s < 0) return { offset: this.baseOffset, position: 0 };
    return { offset: this.baseOffset + this.rel[s]!, position: this.pos[s]! };
  }

  entry(i: number): OffsetPosition {
    return { offset: this.baseOffset + this.rel[i]!, position: this.pos[i]! };
  }

  /** Removes entries with offset >= target (OffsetIndex.truncateTo). */
  truncateTo(target: number): void {
    const s = this.floorSlot(target);
    let keep: number;
    if (s < 0) keep = 0;
    else if (this.rel[s] === target - this.baseOffset) keep = s;
    else keep = s + 1;
    this.truncateToEntries(keep);
  }

  reset(): void {
    this.truncateToEntries(0);
  }

  private truncateToEntries(keep: number): void {
    if (keep >= this.n) return;
    this.n = keep;
    check(this.io.disk.truncate(this.path, keep * OFFSET_ENTRY), `truncate ${this.path}`);
  }
}

export interface TimestampOffset {
  readonly timestampMs: number;
  readonly offset: number;
}

export class TimeIndex {
  private ts: number[] = [];
  private rel: number[] = [];
  readonly maxEntries: number;

  constructor(private readonly io: LogIO, readonly path: string, readonly baseOffset: number, maxIndexSizeBytes: number) {
    this.maxEntries = Math.floor(maxIndexSizeBytes / TIME_ENTRY);
  }

  get entries(): number {
    return this.ts.length;
  }

  get isFull(): boolean {
    return this.ts.length >= this.maxEntries;
  }

  /** The last entry, or (-1, baseOffset) when empty (Kafka's TimeIndex.lastEntry). */
  get lastEntry(): TimestampOffset {
    const n = this.ts.length;
    return n === 0 ? { timestampMs: -1, offset: this.baseOffset } : { timestampMs: this.ts[n - 1]!, offset: this.baseOffset + this.rel[n - 1]! };
  }

  create(): void {
    const disk = this.io.disk;
    if (disk.exists(this.path)) check(disk.delete(this.path), `delete ${this.path}`);
    check(disk.create(this.path), `create ${this.path}`);
    this.ts = [];
    this.rel = [];
  }

  load(): 'ok' | 'missing' {
    const data = this.io.disk.readAll(this.path);
    if (data === 'ENOENT') return 'missing';
    if (data.length % TIME_ENTRY !== 0) {
      throw new CorruptIndexError(`Time index file ${this.path} is corrupt, found ${data.length} bytes which is neither positive nor a multiple of ${TIME_ENTRY}.`);
    }
    this.ts = [];
    this.rel = [];
    for (let p = 0; p < data.length; p += TIME_ENTRY) {
      this.ts.push(readInt64(data, p));
      this.rel.push(readInt32(data, p + 8));
    }
    const last = this.lastEntry;
    if (this.ts.length > 0 && last.offset < this.baseOffset) {
      throw new CorruptIndexError(`Corrupt time index found, time index file (${this.path}) has non-zero size but the last offset is ${last.offset} which is less than the first offset ${this.baseOffset}`);
    }
    return 'ok';
  }

  private readonly entryBuf = new Uint8Array(TIME_ENTRY);

  /** Appends (timestamp, offset) if the timestamp is larger than the last entry's (TimeIndex.maybeAppend). */
  maybeAppend(timestampMs: number, offset: number, skipFullCheck = false): void {
    if (!skipFullCheck && this.isFull) return;
    const last = this.lastEntry;
    if (this.ts.length > 0 && (timestampMs <= last.timestampMs || offset < last.offset)) return;
    if (timestampMs < 0) return;
    this.ts.push(timestampMs);
    this.rel.push(offset - this.baseOffset);
    writeInt64(this.entryBuf, 0, timestampMs);
    writeInt32(this.entryBuf, 8, offset - this.baseOffset);
    check(this.io.disk.append(this.path, this.entryBuf), `append ${this.path}`);
  }

  /** Removes entries with offset >= target. */
  truncateTo(target: number): void {
    let keep = this.rel.length;
    while (keep > 0 && this.baseOffset + this.rel[keep - 1]! >= target) keep--;
    if (keep === this.rel.length) return;
    this.ts.length = keep;
    this.rel.length = keep;
    check(this.io.disk.truncate(this.path, keep * TIME_ENTRY), `truncate ${this.path}`);
  }

  reset(): void {
    this.ts = [];
    this.rel = [];
    check(this.io.disk.truncate(this.path, 0), `truncate ${this.path}`);
  }
}
