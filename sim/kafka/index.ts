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
export { isKafkaMessage, type KafkaMessage, type ErrorCode, type LeaderAndIsr as LeaderAndIsrRequest, type UpdateMetadata, type Fetch, type FetchResponse, type OffsetsForLeaderEpoch, type OffsetsForLeaderEpochResponse, type Produce, type ProduceResponse, type Metadata, type MetadataResponse, type PartitionStateMsg } from './messages.ts';
export { Broker, type BrokerOptions, type TopicSpec } from './broker.ts';
export { Controller, type ControllerHost, type ControllerTimer } from './controller.ts';
export { ReplicaFetcher, type FetcherHost } from './fetcher.ts';
export { Partition, partitionStateJson, parsePartitionState, statePath, brokerName } from './partition.ts';
export { Producer, type ProducerOptions } from './producer.ts';
export { addKafkaCluster, topicFromConfig, uncleanEnabled, readFinalLogs, liveBrokers, type Cluster, type ClusterOptions, type FinalPartition, type FinalRecord } from './cluster.ts';
export { describeTopic } from './summary.ts';
export { kafkaCheckers } from './checkers/index.ts';
