import { allocBytes } from '../core/bytes.ts';
import { crc32c } from './crc32c.ts';

// Record batches as real bytes, in Kafka's v2 layout (magic 2, org.apache.kafka.common.record.
// DefaultRecordBatch and DefaultRecord), big-endian:
//
//   off len field
//    0   8  baseOffset            assigned by the leader; outside the CRC
//    8   4  batchLength           bytes after this field (total size - 12)
//   12   4  partitionLeaderEpoch  stamped by the leader; outside the CRC
//   16   1  magic                 2
//   17   4  crc                   CRC-32C of bytes [21, end)
//   21   2  attributes            bits 0-2 compression (always 0: none), 3 timestamp type, 4 transactional, 5 control
//   23   4  lastOffsetDelta
//   27   8  baseTimestamp         (firstTimestamp)
//   35   8  maxTimestamp
//   43   8  producerId            -1 without an idempotent producer
//   51   2  producerEpoch         -1
//   53   4  baseSequence          -1
//   57   4  records count
//   61      records
//
// Records use Kafka's own encoding (DefaultRecord): a zigzag varint length, attributes int8, zigzag
// varlong timestampDelta, varint offsetDelta, varint key length (-1: null) and key bytes, varint
// value length (-1: null) and value bytes, varint header count and headers (varint key length,
// UTF-8 key, varint value length, value). Compression is not modelled (attributes codec 0).
//
// Message formats before v2 (IBP < 0.11, e.g. 0.10.2's v1 message sets) are not laid out
// separately: dsim keeps the v2 batch layout for every version, and under IBP < 0.11 the
// partitionLeaderEpoch field holds -1 (RecordBatch.NO_PARTITION_LEADER_EPOCH), which is exactly what
// a v2 batch carries when no epoch applies. Nothing reads an epoch from a batch under those
// versions, so the behaviour of the old formats that matters to replication (no leader epochs, CRC
// and length validation at recovery) is preserved.
//
// Offsets and timestamps are int64 on the wire; in dsim they are JS numbers (exact below 2^53).

export const MAGIC_V2 = 2;
export const LOG_OVERHEAD = 12; // baseOffset + batchLength
export const RECORD_BATCH_OVERHEAD = 61;
/** LegacyRecord.RECORD_OVERHEAD_V0: the smallest size field FileLogInputStream accepts. */
export const RECORD_OVERHEAD_V0 = 14;
/** The size field is read after at least this many bytes: offset, size, epoch and magic (HEADER_SIZE_UP_TO_MAGIC). */
export const HEADER_SIZE_UP_TO_MAGIC = 17;
export const NO_PARTITION_LEADER_EPOCH = -1;
export const NO_PRODUCER_ID = -1;
export const NO_PRODUCER_EPOCH = -1;
export const NO_SEQUENCE = -1;
export const NO_TIMESTAMP = -1;

export const OFF_BASE_OFFSET = 0;
export const OFF_LENGTH = 8;
export const OFF_LEADER_EPOCH = 12;
export const OFF_MAGIC = 16;
export const OFF_CRC = 17;
export const OFF_ATTRIBUTES = 21;
export const OFF_LAST_OFFSET_DELTA = 23;
export const OFF_BASE_TIMESTAMP = 27;
export const OFF_MAX_TIMESTAMP = 35;
export const OFF_PRODUCER_ID = 43;
export const OFF_PRODUCER_EPOCH = 51;
export const OFF_BASE_SEQUENCE = 53;
export const OFF_RECORDS_COUNT = 57;
export const OFF_RECORDS = 61;

const TWO_32 = 4294967296;

export interface RecordInput {
  readonly key: Uint8Array | null;
  readonly value: Uint8Array | null;
  /** Absolute timestamp (ms); defaults to the batch's base timestamp. */
  readonly timestampMs?: number;
  readonly headers?: readonly { readonly key: string; readonly value: Uint8Array | null }[];
}

export interface BatchInput {
  readonly baseOffset?: number;
  readonly partitionLeaderEpoch?: number;
  readonly baseTimestampMs: number;
  readonly producerId?: number;
  readonly producerEpoch?: number;
  readonly baseSequence?: number;
  readonly isTransactional?: boolean;
  readonly records: readonly RecordInput[];
}

export interface KafkaRecord {
  readonly offset: number;
  readonly timestampMs: number;
  readonly key: Uint8Array | null;
  readonly value: Uint8Array | null;
  readonly headers: readonly { readonly key: string; readonly value: Uint8Array | null }[];
}

/** The fixed-size header fields of a batch, decoded. */
export interface BatchHeader {
  readonly baseOffset: number;
  readonly lastOffset: number;
  /** Total bytes of the batch, LOG_OVERHEAD included. */
  readonly sizeInBytes: number;
  readonly partitionLeaderEpoch: number;
  readonly magic: number;
  readonly crc: number;
  readonly attributes: number;
  readonly baseTimestampMs: number;
  readonly maxTimestampMs: number;
  readonly producerId: number;
  readonly producerEpoch: number;
  readonly baseSequence: number;
  readonly recordCount: number;
}

// ------------------------------------------------------------------ big-endian primitives

export function readInt32(b: Uint8Array, p: number): number {
  return (b[p]! << 24) | (b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!;
}

export function readUint32(b: Uint8Array, p: number): number {
  return readInt32(b, p) >>> 0;
}

export function readInt16(b: Uint8Array, p: number): number {
  return ((b[p]! << 24) | (b[p + 1]! << 16)) >> 16;
}

/** int64 as a JS number (exact within +-2^53). */
export function readInt64(b: Uint8Array, p: number): number {
  return readInt32(b, p) * TWO_32 + readUint32(b, p + 4);
}

export function writeInt32(b: Uint8Array, p: number, v: number): void {
  b[p] = v >>> 24;
  b[p + 1] = v >>> 16;
  b[p + 2] = v >>> 8;
  b[p + 3] = v;
}

export function writeInt16(b: Uint8Array, p: number, v: number): void {
  b[p] = v >>> 8;
  b[p + 1] = v;
}

export function writeInt64(b: Uint8Array, p: number, v: number): void {
  const hi = Math.floor(v / TWO_32);
  writeInt32(b, p, hi | 0);
  writeInt32(b, p + 4, (v - hi * TWO_32) >>> 0);
}

// ------------------------------------------------------------------ varints (ByteUtils)

/** Bytes of an unsigned LEB128 encoding of a non-negative integer (< 2^53). */
function uvarintSize(u: number): number {
  let n = 1;
  while (u >= 128) {
    u = Math.floor(u / 128);
    n++;
  }
  return n;
}

/** Zigzag for values within +-2^52: non-negative to even, negative to odd. */
function zigzag(v: number): number {
  return v >= 0 ? v * 2 : -v * 2 - 1;
}

function unzigzag(u: number): number {
  return u % 2 === 0 ? u / 2 : -(u + 1) / 2;
}

export function varintSize(v: number): number {
  return uvarintSize(zigzag(v));
}

/** Writes a zigzag varint/varlong at p; returns the position after it. */
export function writeVarint(b: Uint8Array, p: number, v: number): number {
  let u = zigzag(v);
  while (u >= 128) {
    b[p++] = (u % 128) | 0x80;
    u = Math.floor(u / 128);
  }
  b[p++] = u;
  return p;
}

/** A cursor for decoding: the value read and the position after it. */
export interface Cursor {
  pos: number;
}

/** Reads a zigzag varint/varlong; throws on a malformed one (more than 10 bytes, or past `end`). */
export function readVarint(b: Uint8Array, c: Cursor, end: number): number {
  let u = 0;
  let mul = 1;
  for (let i = 0; i < 10; i++) {
    if (c.pos >= end) throw new CorruptRecordError('varint runs past the end of the batch');
    const byte = b[c.pos++]!;
    u += (byte & 0x7f) * mul;
    if ((byte & 0x80) === 0) return unzigzag(u);
    mul *= 128;
  }
  throw new CorruptRecordError('varint is longer than 10 bytes');
}

/** Kafka's CorruptRecordException / InvalidRecordException: a batch that fails validation. */
export class CorruptRecordError extends Error {
  override readonly name = 'CorruptRecordError';
}

// ------------------------------------------------------------------ encoding

const textEncoder = new TextEncoder();
const textDecoder = new TextDecoder();

function recordBodySize(r: RecordInput, offsetDelta: number, timestampDelta: number): number {
  let n = 1 + varintSize(timestampDelta) + varintSize(offsetDelta);
  n += r.key === null ? varintSize(-1) : varintSize(r.key.length) + r.key.length;
  n += r.value === null ? varintSize(-1) : varintSize(r.value.length) + r.value.length;
  const hs = r.headers ?? [];
  n += varintSize(hs.length);
  for (const h of hs) {
    const k = textEncoder.encode(h.key);
    n += varintSize(k.length) + k.length;
    n += h.value === null ? varintSize(-1) : varintSize(h.value.length) + h.value.length;
  }
  return n;
}

/** Size in bytes of the batch encodeBatch would produce. */
export function batchSize(input: BatchInput): number {
  let n = RECORD_BATCH_OVERHEAD;
  input.records.forEach((r, i) => {
    const body = recordBodySize(r, i, (r.timestampMs ?? input.baseTimestampMs) - input.baseTimestampMs);
    n += varintSize(body) + body;
  });
  return n;
}

/** Encodes a v2 batch with its CRC. */
export function encodeBatch(input: BatchInput): Uint8Array {
  const recs = input.records;
  const count = recs.length;
  if (count === 0) throw new Error('a record batch needs at least one record');
  // Each record's body size is needed twice (the batch size, then the record's length prefix):
  // computed once here.
  const bodies = new Array<number>(count);
  let size = RECORD_BATCH_OVERHEAD;
  let maxTs = input.baseTimestampMs;
  for (let i = 0; i < count; i++) {
    const r = recs[i]!;
    const ts = r.timestampMs ?? input.baseTimestampMs;
    if (ts > maxTs) maxTs = ts;
    const body = recordBodySize(r, i, ts - input.baseTimestampMs);
    bodies[i] = body;
    size += varintSize(body) + body;
  }
  const b = allocBytes(size);
  let p = OFF_RECORDS;
  for (let i = 0; i < count; i++) {
    const r = recs[i]!;
    const tsDelta = (r.timestampMs ?? input.baseTimestampMs) - input.baseTimestampMs;
    p = writeVarint(b, p, bodies[i]!);
    b[p++] = 0; // record attributes: unused
    p = writeVarint(b, p, tsDelta);
    p = writeVarint(b, p, i);
    p = writeBytesField(b, p, r.key);
    p = writeBytesField(b, p, r.value);
    const hs = r.headers ?? [];
    p = writeVarint(b, p, hs.length);
    for (const h of hs) {
      p = writeBytesField(b, p, textEncoder.encode(h.key));
      p = writeBytesField(b, p, h.value);
    }
  }
  if (p !== size) throw new Error(`record batch size mismatch: wrote ${p}, expected ${size}`);
  writeInt64(b, OFF_BASE_OFFSET, input.baseOffset ?? 0);
  writeInt32(b, OFF_LENGTH, size - LOG_OVERHEAD);
  writeInt32(b, OFF_LEADER_EPOCH, input.partitionLeaderEpoch ?? NO_PARTITION_LEADER_EPOCH);
  b[OFF_MAGIC] = MAGIC_V2;
  writeInt16(b, OFF_ATTRIBUTES, input.isTransactional === true ? 0x10 : 0);
  writeInt32(b, OFF_LAST_OFFSET_DELTA, count - 1);
  writeInt64(b, OFF_BASE_TIMESTAMP, input.baseTimestampMs);
  writeInt64(b, OFF_MAX_TIMESTAMP, maxTs);
  writeInt64(b, OFF_PRODUCER_ID, input.producerId ?? NO_PRODUCER_ID);
  writeInt16(b, OFF_PRODUCER_EPOCH, input.producerEpoch ?? NO_PRODUCER_EPOCH);
  writeInt32(b, OFF_BASE_SEQUENCE, input.baseSequence ?? NO_SEQUENCE);
  writeInt32(b, OFF_RECORDS_COUNT, count);
  writeInt32(b, OFF_CRC, crc32c(b, OFF_ATTRIBUTES, size));
  return b;
}

function writeBytesField(b: Uint8Array, p: number, data: Uint8Array | null): number {
  if (data === null) return writeVarint(b, p, -1);
  p = writeVarint(b, p, data.length);
  b.set(data, p);
  return p + data.length;
}

// ------------------------------------------------------------------ reading headers in place

export function batchBaseOffset(b: Uint8Array, p = 0): number {
  return readInt64(b, p + OFF_BASE_OFFSET);
}

/** Total size of the batch at p (LOG_OVERHEAD + batchLength). */
export function batchSizeAt(b: Uint8Array, p = 0): number {
  return LOG_OVERHEAD + readInt32(b, p + OFF_LENGTH);
}

export function batchLastOffset(b: Uint8Array, p = 0): number {
  return batchBaseOffset(b, p) + readInt32(b, p + OFF_LAST_OFFSET_DELTA);
}

export function batchLeaderEpoch(b: Uint8Array, p = 0): number {
  return readInt32(b, p + OFF_LEADER_EPOCH);
}

export function batchMaxTimestamp(b: Uint8Array, p = 0): number {
  return readInt64(b, p + OFF_MAX_TIMESTAMP);
}

export function batchRecordCount(b: Uint8Array, p = 0): number {
  return readInt32(b, p + OFF_RECORDS_COUNT);
}

/** The leader assigns offsets: baseOffset is outside the CRC, so the batch stays valid. */
export function setBatchBaseOffset(b: Uint8Array, p: number, baseOffset: number): void {
  writeInt64(b, p + OFF_BASE_OFFSET, baseOffset);
}

/** The leader stamps its epoch: partitionLeaderEpoch is outside the CRC too. */
export function setBatchLeaderEpoch(b: Uint8Array, p: number, epoch: number): void {
  writeInt32(b, p + OFF_LEADER_EPOCH, epoch);
}

export function readBatchHeader(b: Uint8Array, p = 0): BatchHeader {
  const baseOffset = batchBaseOffset(b, p);
  return {
    baseOffset,
    lastOffset: baseOffset + readInt32(b, p + OFF_LAST_OFFSET_DELTA),
    sizeInBytes: batchSizeAt(b, p),
    partitionLeaderEpoch: batchLeaderEpoch(b, p),
    magic: b[p + OFF_MAGIC]!,
    crc: readUint32(b, p + OFF_CRC),
    attributes: readInt16(b, p + OFF_ATTRIBUTES),
    baseTimestampMs: readInt64(b, p + OFF_BASE_TIMESTAMP),
    maxTimestampMs: batchMaxTimestamp(b, p),
    producerId: readInt64(b, p + OFF_PRODUCER_ID),
    producerEpoch: readInt16(b, p + OFF_PRODUCER_EPOCH),
    baseSequence: readInt32(b, p + OFF_BASE_SEQUENCE),
    recordCount: batchRecordCount(b, p),
  };
}

// ------------------------------------------------------------------ validation

/**
 * What FileLogInputStream.nextBatch and DefaultRecordBatch.ensureValid decide about the bytes at p
 * (with `end` the end of the readable data):
 * - 'end': fewer bytes than a header or than the size field announces: the end of the data (a torn
 *   tail is indistinguishable from a short read, and recovery truncates it);
 * - a string: the batch is corrupt, with Kafka's message;
 * - a number: the batch is valid and that is its size.
 */
export function checkBatch(b: Uint8Array, p: number, end: number): number | 'end' | { corrupt: string } {
  if (end - p < HEADER_SIZE_UP_TO_MAGIC) return 'end';
  const length = readInt32(b, p + OFF_LENGTH);
  if (length < RECORD_OVERHEAD_V0) return { corrupt: `Found record size ${length} smaller than minimum record overhead (${RECORD_OVERHEAD_V0}) in file` };
  if (p + LOG_OVERHEAD + length > end) return 'end';
  const magic = b[p + OFF_MAGIC]!;
  if (magic !== MAGIC_V2) return { corrupt: `Invalid magic found in record: ${magic}` };
  const size = LOG_OVERHEAD + length;
  if (size < RECORD_BATCH_OVERHEAD) {
    return { corrupt: `Record batch is corrupt (the size ${size} is smaller than the minimum allowed overhead ${RECORD_BATCH_OVERHEAD})` };
  }
  const stored = readUint32(b, p + OFF_CRC);
  const computed = crc32c(b, p + OFF_ATTRIBUTES, p + size);
  if (stored !== computed) return { corrupt: `Record is corrupt (stored crc = ${stored}, computed crc = ${computed})` };
  return size;
}

/** Throws CorruptRecordError unless the whole of b[p, p+size) is one valid batch. */
export function ensureValid(b: Uint8Array, p = 0, end = b.length): number {
  const r = checkBatch(b, p, end);
  if (r === 'end') throw new CorruptRecordError('Record batch is truncated');
  if (typeof r === 'object') throw new CorruptRecordError(r.corrupt);
  return r;
}

// ------------------------------------------------------------------ records

/** Decodes the records of the batch at p (the batch should have been validated). */
export function readRecords(b: Uint8Array, p = 0): KafkaRecord[] {
  const end = p + batchSizeAt(b, p);
  const baseOffset = batchBaseOffset(b, p);
  const baseTs = readInt64(b, p + OFF_BASE_TIMESTAMP);
  const count = batchRecordCount(b, p);
  const out: KafkaRecord[] = [];
  const c: Cursor = { pos: p + OFF_RECORDS };
  for (let i = 0; i < count; i++) {
    const len = readVarint(b, c, end);
    const recEnd = c.pos + len;
    if (len < 0 || recEnd > end) throw new CorruptRecordError(`record ${i} of batch at offset ${baseOffset} overruns the batch`);
    c.pos++; // attributes
    const tsDelta = readVarint(b, c, recEnd);
    const offsetDelta = readVarint(b, c, recEnd);
    const key = readBytesField(b, c, recEnd);
    const value = readBytesField(b, c, recEnd);
    const nh = readVarint(b, c, recEnd);
    const headers: { key: string; value: Uint8Array | null }[] = [];
    for (let h = 0; h < nh; h++) {
      const k = readBytesField(b, c, recEnd);
      headers.push({ key: k === null ? '' : textDecoder.decode(k), value: readBytesField(b, c, recEnd) });
    }
    if (c.pos !== recEnd) throw new CorruptRecordError(`record ${i} of batch at offset ${baseOffset} has ${recEnd - c.pos} unread bytes`);
    out.push({ offset: baseOffset + offsetDelta, timestampMs: baseTs + tsDelta, key, value, headers });
  }
  return out;
}

function readBytesField(b: Uint8Array, c: Cursor, end: number): Uint8Array | null {
  const n = readVarint(b, c, end);
  if (n < 0) return null;
  if (c.pos + n > end) throw new CorruptRecordError('record field overruns the record');
  const out = b.slice(c.pos, c.pos + n);
  c.pos += n;
  return out;
}

/** Calls fn(position, size) for each complete batch in b[start, end); stops at a short or invalid one. */
export function forEachBatch(b: Uint8Array, fn: (pos: number, size: number) => void, start = 0, end = b.length): number {
  let p = start;
  while (p < end) {
    const r = checkBatch(b, p, end);
    if (typeof r !== 'number') break;
    fn(p, r);
    p += r;
  }
  return p;
}

// ------------------------------------------------------------------ small values for workloads

/** UTF-8 bytes of a string (producers send "p1-42"-style ids as values so checkers can name records). */
export function utf8(s: string): Uint8Array {
  // Short ASCII strings (every id a workload sends) are copied by hand: TextEncoder.encode costs a
  // call into the runtime and an off-heap buffer per string, while a Uint8Array of up to 64 bytes
  // lives on the JS heap. Same bytes either way.
  const n = s.length;
  if (n > 64) return textEncoder.encode(s);
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x80) return textEncoder.encode(s);
    b[i] = c;
  }
  return b;
}

export function fromUtf8(b: Uint8Array | null): string | null {
  if (b === null) return null;
  // Short ASCII (the ids workloads send) by hand, as utf8() encodes it: TextDecoder.decode is a
  // runtime call per string. Same string either way.
  const n = b.length;
  if (n > 64) return textDecoder.decode(b);
  let s = '';
  for (let i = 0; i < n; i++) {
    const c = b[i]!;
    if (c >= 0x80) return textDecoder.decode(b);
    s += String.fromCharCode(c);
  }
  return s;
}
