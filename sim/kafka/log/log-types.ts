import type { LogConfig } from '../config.ts';
import type { Features } from '../version.ts';
import type { TopicPartition } from './files.ts';
import type { KafkaStorageError, LogIO } from './io.ts';
import type { SegmentConfig } from './segment.ts';

// The shapes a partition's log (log.ts) takes and returns: append results and errors, fetch data,
// the recovery report of a load, its options, and the batch summary checkers and views read.

export interface LogAppendInfo {
  readonly firstOffset: number;
  readonly lastOffset: number;
  readonly maxTimestampMs: number;
  readonly offsetOfMaxTimestamp: number;
  readonly validBytes: number;
  readonly batches: number;
  readonly records: number;
  /** The offset a flush was started up to because log.flush.interval.messages was reached, else null. */
  readonly flushOffset: number | null;
}

export type AppendErrorCode = 'CORRUPT_MESSAGE' | 'RECORD_BATCH_TOO_LARGE' | 'UNEXPECTED_APPEND_OFFSET' | 'INVALID_RECORD';

export interface AppendError {
  readonly error: AppendErrorCode;
  readonly message: string;
}

export interface FetchData {
  /** Whole batches starting with the one holding fetchOffset (may start below it). */
  readonly records: Uint8Array;
  readonly fetchOffset: number;
  readonly highWatermark: number;
  readonly logEndOffset: number;
  readonly logStartOffset: number;
}

export interface ReadError {
  readonly error: 'OFFSET_OUT_OF_RANGE';
  readonly message: string;
}

export interface RecoveryReport {
  /** Base offsets of the segments rescanned because they may hold unflushed data. */
  readonly recovered: number[];
  /** Base offsets of segments whose indexes were missing or corrupt and were rebuilt. */
  readonly rebuiltIndexes: number[];
  /** Base offsets of segments deleted because an earlier one was truncated. */
  readonly deleted: number[];
  readonly truncatedBytes: number;
  readonly messages: string[];
  readonly hadCleanShutdown: boolean;
}

export interface LogOptions {
  readonly io: LogIO;
  /** The partition directory: `<data dir>/<topic>-<partition>`. */
  readonly dir: string;
  readonly tp: TopicPartition;
  readonly config: LogConfig;
  readonly features: Features;
  readonly recoveryPoint: number;
  readonly hadCleanShutdown: boolean;
  /** Called when an asynchronous disk operation (fsync, checkpoint) fails. */
  readonly onStorageError: (e: KafkaStorageError) => void;
}

/** Header fields of a stored batch, for checkers, the visualizer and tests. */
export interface StoredBatch {
  readonly baseOffset: number;
  readonly lastOffset: number;
  readonly leaderEpoch: number;
  readonly records: number;
  readonly sizeInBytes: number;
}

export function segmentConfig(c: LogConfig): SegmentConfig {
  return { segmentBytes: c.segmentBytes, segmentMs: c.segmentMs, indexIntervalBytes: c.indexIntervalBytes, maxIndexSizeBytes: c.maxIndexSizeBytes };
}

export function isAppendError(r: LogAppendInfo | AppendError): r is AppendError {
  return (r as AppendError).error !== undefined;
}

export function isReadError(r: FetchData | ReadError): r is ReadError {
  return (r as ReadError).error !== undefined;
}
