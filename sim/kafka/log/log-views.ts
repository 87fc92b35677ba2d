import { OFF_LAST_OFFSET_DELTA, OFF_LEADER_EPOCH, OFF_RECORDS_COUNT, batchBaseOffset, checkBatch, fromUtf8, readInt32, readRecords } from '../records.ts';
import type { LogIO } from './io.ts';
import type { StoredBatch } from './log-types.ts';
import type { LogSegment } from './segment.ts';

// Whole-log views of a partition's log, for checkers and tests (not hot paths): every valid batch of
// every segment, their header summaries, and the records a reader from the beginning would see.
// Segments are read as views of the page cache where the disk offers them (no copy).

/** Calls fn for every valid batch of every segment with the segment's bytes (read-only) and the batch position. */
export function forEachStoredBatch(io: LogIO, segments: readonly LogSegment[], fn: (bytes: Uint8Array, pos: number, size: number) => void): void {
  const disk = io.disk;
  for (const seg of segments) {
    const data = disk.readView !== undefined ? disk.readView(seg.logPath, 0, seg.size) : disk.read(seg.logPath, 0, seg.size);
    if (data === 'ENOENT') continue;
    let p = 0;
    while (p < data.length) {
      const r = checkBatch(data, p, data.length);
      if (typeof r !== 'number') break;
      fn(data, p, r);
      p += r;
    }
  }
}

/** Every stored batch, in offset order. */
export function storedBatches(io: LogIO, segments: readonly LogSegment[]): StoredBatch[] {
  const out: StoredBatch[] = [];
  forEachStoredBatch(io, segments, (b, p, size) => {
    const base = batchBaseOffset(b, p);
    out.push({ baseOffset: base, lastOffset: base + readInt32(b, p + OFF_LAST_OFFSET_DELTA), leaderEpoch: readInt32(b, p + OFF_LEADER_EPOCH), records: readInt32(b, p + OFF_RECORDS_COUNT), sizeInBytes: size });
  });
  return out;
}

/** (offset, leader epoch, value as text) of every record. */
export function storedRecords(io: LogIO, segments: readonly LogSegment[]): { offset: number; epoch: number; value: string | null }[] {
  const out: { offset: number; epoch: number; value: string | null }[] = [];
  forEachStoredBatch(io, segments, (b, p) => {
    const epoch = readInt32(b, p + OFF_LEADER_EPOCH);
    for (const r of readRecords(b, p)) out.push({ offset: r.offset, epoch, value: fromUtf8(r.value) });
  });
  return out;
}
