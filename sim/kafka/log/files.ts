// File and directory names of a Kafka log directory (kafka.log.Log, LogManager, ReplicaManager):
//
//   kafka-logs/                                  the data dir (log.dirs)
//     recovery-point-offset-checkpoint           LogManager: per-log recovery points
//     replication-offset-checkpoint              ReplicaManager: per-partition high watermarks
//     .kafka_cleanshutdown                       written at a clean shutdown, removed at startup
//     <topic>-<partition>/
//       00000000000000000000.log                 segment: record batches
//       00000000000000000000.index               offset index: (relative offset, position) every log.index.interval.bytes
//       00000000000000000000.timeindex           time index: (max timestamp, relative offset)
//       leader-epoch-checkpoint                  the leader-epoch cache (0.11+)

export const DEFAULT_DATA_DIR = 'kafka-logs';
export const LOG_SUFFIX = '.log';
export const INDEX_SUFFIX = '.index';
export const TIME_INDEX_SUFFIX = '.timeindex';
export const TMP_SUFFIX = '.tmp';
export const LEADER_EPOCH_CHECKPOINT = 'leader-epoch-checkpoint';
export const RECOVERY_POINT_CHECKPOINT = 'recovery-point-offset-checkpoint';
export const HW_CHECKPOINT = 'replication-offset-checkpoint';
export const CLEAN_SHUTDOWN_FILE = '.kafka_cleanshutdown';

/** Log.filenamePrefixFromOffset: the base offset zero-padded to 20 digits. */
export function filenamePrefixFromOffset(offset: number): string {
  return String(offset).padStart(20, '0');
}

export function logFile(dir: string, baseOffset: number): string {
  return `${dir}/${filenamePrefixFromOffset(baseOffset)}${LOG_SUFFIX}`;
}

export function indexFile(dir: string, baseOffset: number): string {
  return `${dir}/${filenamePrefixFromOffset(baseOffset)}${INDEX_SUFFIX}`;
}

export function timeIndexFile(dir: string, baseOffset: number): string {
  return `${dir}/${filenamePrefixFromOffset(baseOffset)}${TIME_INDEX_SUFFIX}`;
}

/** The base offset of a segment file name ("00000000000000000100.log" -> 100), or null. */
export function offsetFromFileName(name: string): number | null {
  const m = /^(\d{20})\.(log|index|timeindex)$/.exec(name);
  return m === null ? null : Number(m[1]);
}

export interface TopicPartition {
  readonly topic: string;
  readonly partition: number;
}

export function tpKey(tp: TopicPartition): string {
  return `${tp.topic}-${tp.partition}`;
}

/** Log.parseTopicPartitionName: "<topic>-<partition>", split at the last dash. */
export function parseTopicPartitionName(name: string): TopicPartition | null {
  const i = name.lastIndexOf('-');
  if (i <= 0 || i === name.length - 1) return null;
  const partition = Number(name.slice(i + 1));
  if (!Number.isInteger(partition) || partition < 0) return null;
  return { topic: name.slice(0, i), partition };
}
