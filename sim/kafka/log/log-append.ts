import {
  OFF_LAST_OFFSET_DELTA, OFF_MAX_TIMESTAMP, OFF_RECORDS_COUNT,
  batchBaseOffset, checkBatch, readInt32, readInt64, setBatchBaseOffset, setBatchLeaderEpoch,
} from '../records.ts';
import type { AppendError } from './log-types.ts';

// Log.analyzeAndValidateRecords for an append: every batch whole and valid (length, magic, CRC), its
// record count consistent with its last offset delta, offsets increasing. A leader's append assigns
// the offsets (from the LEO) and stamps its epoch into the batches (`records` is the leader's own
// copy); a follower's keeps the leader's and must start at or after the LEO.

export interface AppendTarget {
  /** "<topic>-<partition>", for messages. */
  readonly name: string;
  readonly segmentBytes: number;
  readonly nextOffset: number;
  readonly logStartOffset: number;
  readonly assignOffsets: boolean;
  /** Stamped into each batch when assigning offsets (-1 before message format v2). */
  readonly leaderEpoch: number;
}

export interface AppendAnalysis {
  readonly firstOffset: number;
  readonly lastOffset: number;
  readonly maxTs: number;
  readonly offsetOfMaxTs: number;
  readonly batches: number;
  readonly count: number;
}

export function analyzeAndValidate(records: Uint8Array, t: AppendTarget): AppendAnalysis | AppendError {
  let p = 0;
  let batches = 0;
  let count = 0;
  let offset = t.nextOffset;
  let firstOffset = -1;
  let lastOffset = -1;
  let maxTs = -1;
  let offsetOfMaxTs = -1;
  while (p < records.length) {
    const r = checkBatch(records, p, records.length);
    if (r === 'end') return { error: 'CORRUPT_MESSAGE', message: `Record batch at byte ${p} is truncated in append to partition ${t.name}.` };
    if (typeof r === 'object') return { error: 'CORRUPT_MESSAGE', message: `${r.corrupt} in topic partition ${t.name}.` };
    if (r > t.segmentBytes) {
      return { error: 'RECORD_BATCH_TOO_LARGE', message: `Message batch size is ${r} bytes in append to partition ${t.name}, which exceeds the maximum configured segment size of ${t.segmentBytes}.` };
    }
    const n = readInt32(records, p + OFF_RECORDS_COUNT);
    const delta = readInt32(records, p + OFF_LAST_OFFSET_DELTA);
    if (n <= 0 || delta !== n - 1) return { error: 'INVALID_RECORD', message: `Batch at byte ${p} has ${n} records but last offset delta ${delta} in partition ${t.name}.` };
    if (t.assignOffsets) {
      setBatchBaseOffset(records, p, offset);
      setBatchLeaderEpoch(records, p, t.leaderEpoch);
      offset += n;
    }
    const base = batchBaseOffset(records, p);
    const last = base + delta;
    if (batches === 0) firstOffset = base;
    else if (base <= lastOffset) {
      return { error: 'INVALID_RECORD', message: `Out of order offsets found in append to ${t.name}: ${base} after ${lastOffset}` };
    }
    lastOffset = last;
    const ts = readInt64(records, p + OFF_MAX_TIMESTAMP);
    if (ts > maxTs) {
      maxTs = ts;
      offsetOfMaxTs = last;
    }
    batches++;
    count += n;
    p += r;
  }
  if (!t.assignOffsets && firstOffset < t.nextOffset) {
    return {
      error: 'UNEXPECTED_APPEND_OFFSET',
      message: `Unexpected offset in append to ${t.name}. First offset ${firstOffset} is less than the next offset ${t.nextOffset}. Last offset in append: ${lastOffset}. Log start offset = ${t.logStartOffset}`,
    };
  }
  if (records.length > t.segmentBytes) {
    return { error: 'RECORD_BATCH_TOO_LARGE', message: `Message batch size is ${records.length} bytes in append to partition ${t.name}, which exceeds the maximum configured segment size of ${t.segmentBytes}.` };
  }
  return { firstOffset, lastOffset, maxTs, offsetOfMaxTs, batches, count };
}
