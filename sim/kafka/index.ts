// What scenarios, checkers and tests use from the Kafka model (see README.md for the design).

export * from './version.ts';
export * from './config.ts';
export * from './records.ts';
export { crc32c, crc32cUpdate } from './crc32c.ts';
export * from './partitioner.ts';
export * from './assignment.ts';
export * from './replica-rules.ts';
export * from './election.ts';
export * from './log/files.ts';
export { FsyncRouter, KafkaStorageError, type LogIO } from './log/io.ts';
export { LeaderEpochFileCache, UNDEFINED_EPOCH, UNDEFINED_EPOCH_OFFSET, type EpochEndOffset, type EpochCacheFlavour } from './log/epoch-cache.ts';
export { CheckpointWriter, formatOffsetCheckpoint, parseOffsetCheckpoint, formatEpochCheckpoint, parseEpochCheckpoint, type OffsetEntry, type EpochEntry } from './log/checkpoint.ts';
export { Log, isAppendError, isReadError, type LogAppendInfo, type AppendError, type FetchData, type ReadError, type RecoveryReport, type StoredBatch } from './log/log.ts';
export { LogManager, contextLogIO, type PeriodicTask, type LogTaskName, type StartupReport } from './log/manager.ts';
