import { registerTraceView } from '../world/trace.ts';
import type { Json } from '../core/types.ts';

// Kafka's wire messages between brokers, the controller and clients (one discriminated union).
// Sizes passed to ctx.send are Kafka-like request sizes: a fixed header plus the record bytes, so
// the NIC and disk models see real volumes. Record batches travel as the leader's bytes.

export type ErrorCode =
  | 'NONE'
  | 'NOT_LEADER_FOR_PARTITION'
  | 'UNKNOWN_TOPIC_OR_PARTITION'
  | 'FENCED_LEADER_EPOCH'
  | 'UNKNOWN_LEADER_EPOCH'
  | 'OFFSET_OUT_OF_RANGE'
  | 'NOT_ENOUGH_REPLICAS'
  | 'NOT_ENOUGH_REPLICAS_AFTER_APPEND'
  | 'REQUEST_TIMED_OUT'
  | 'STALE_CONTROLLER_EPOCH'
  | 'STALE_BROKER_EPOCH'
  | 'CORRUPT_MESSAGE'
  | 'KAFKA_STORAGE_ERROR'
  | 'NETWORK_EXCEPTION'
  | 'NOT_CONTROLLER'
  | 'BROKER_NOT_AVAILABLE'
  | 'INVALID_UPDATE_VERSION'
  | 'UNKNOWN_SERVER_ERROR';

export interface PartitionStateMsg {
  readonly tp: string;
  readonly topic: string;
  readonly partition: number;
  readonly leader: number;
  readonly leaderEpoch: number;
  readonly isr: readonly number[];
  readonly zkVersion: number;
  readonly replicas: readonly number[];
}

export interface LeaderAndIsr {
  readonly type: 'LeaderAndIsr';
  readonly correlationId: number;
  /** KIP-380 (2.2+): the czxid of the target broker's registration as the controller knows it. */
  readonly brokerEpoch: number;
  readonly controllerId: number;
  readonly controllerEpoch: number;
  readonly partitions: readonly PartitionStateMsg[];
}

export interface UpdateMetadata {
  readonly type: 'UpdateMetadata';
  readonly correlationId: number;
  readonly brokerEpoch: number;
  readonly controllerId: number;
  readonly controllerEpoch: number;
  readonly liveBrokers: readonly number[];
  readonly partitions: readonly PartitionStateMsg[];
}

/**
 * StopReplica (controller to broker): stop fetching these partitions; with deletePartitions also
 * delete them (topic deletion, not modelled). Controlled shutdown sends it with deletePartitions=false
 * for the partitions the stopping broker follows.
 */
export interface StopReplica {
  readonly type: 'StopReplica';
  readonly correlationId: number;
  readonly brokerEpoch: number;
  readonly controllerId: number;
  readonly controllerEpoch: number;
  readonly deletePartitions: boolean;
  readonly partitions: readonly string[];
}

/**
 * ControlledShutdown (broker to controller): v1 before 2.2; v2 (2.2+, KIP-380) carries the broker
 * epoch, -1 in v1 (AbstractControlRequest.UNKNOWN_BROKER_EPOCH: the controller does not check it).
 */
export interface ControlledShutdown {
  readonly type: 'ControlledShutdown';
  readonly correlationId: number;
  readonly brokerId: number;
  readonly brokerEpoch: number;
}

/** The partitions the broker still leads (the controller could not move them). */
export interface ControlledShutdownResponse {
  readonly type: 'ControlledShutdownResponse';
  readonly correlationId: number;
  readonly error: ErrorCode;
  readonly partitionsRemaining: readonly string[];
}

/** LeaderAndIsrResponse / UpdateMetadataResponse / StopReplicaResponse: the controller resends until it gets one. */
export interface ControllerRequestResponse {
  readonly type: 'ControllerRequestResponse';
  readonly correlationId: number;
  readonly error: ErrorCode;
}

/** One partition of an AlterIsr request (AlterIsrRequestData.PartitionData, KIP-497). */
export interface AlterIsrPartition {
  readonly tp: string;
  readonly leaderEpoch: number;
  readonly newIsr: readonly number[];
  /** The partition state znode version the leader last saw (its "partition epoch"). */
  readonly currentIsrVersion: number;
}

/** AlterIsr (leader to controller, IBP >= 2.7-IV2, KIP-497): the ISR changes a leader wants. */
export interface AlterIsr {
  readonly type: 'AlterIsr';
  readonly correlationId: number;
  readonly brokerId: number;
  readonly brokerEpoch: number;
  readonly partitions: readonly AlterIsrPartition[];
}

export interface AlterIsrResponsePartition {
  readonly tp: string;
  readonly error: ErrorCode;
  readonly leader: number;
  readonly leaderEpoch: number;
  readonly isr: readonly number[];
  readonly currentIsrVersion: number;
}

/** A top-level error (NOT_CONTROLLER, STALE_BROKER_EPOCH, ...) or one answer per partition. */
export interface AlterIsrResponse {
  readonly type: 'AlterIsrResponse';
  readonly correlationId: number;
  readonly error: ErrorCode;
  readonly partitions: readonly AlterIsrResponsePartition[];
}

export interface FetchPartition {
  readonly tp: string;
  readonly fetchOffset: number;
  /** KIP-320 (2.1+): the follower's view of the leader epoch; null before. */
  readonly currentLeaderEpoch: number | null;
}

export interface Fetch {
  readonly type: 'Fetch';
  readonly correlationId: number;
  readonly replicaId: number;
  readonly maxWaitMs: number;
  readonly minBytes: number;
  readonly maxBytes: number;
  readonly partitions: readonly FetchPartition[];
}

export interface FetchResponsePartition {
  readonly tp: string;
  readonly error: ErrorCode;
  readonly highWatermark: number;
  readonly logStartOffset: number;
  readonly logEndOffset: number;
  readonly records: Uint8Array;
}

export interface FetchResponse {
  readonly type: 'FetchResponse';
  readonly correlationId: number;
  readonly partitions: readonly FetchResponsePartition[];
}

export interface EpochRequestPartition {
  readonly tp: string;
  readonly leaderEpoch: number;
  readonly currentLeaderEpoch: number | null;
}

export interface OffsetsForLeaderEpoch {
  readonly type: 'OffsetsForLeaderEpoch';
  readonly correlationId: number;
  readonly replicaId: number;
  readonly partitions: readonly EpochRequestPartition[];
}

export interface EpochResponsePartition {
  readonly tp: string;
  readonly error: ErrorCode;
  /** v1+ (2.0, KIP-279): the largest epoch <= the requested one; -1 in v0. */
  readonly leaderEpoch: number;
  readonly endOffset: number;
}

export interface OffsetsForLeaderEpochResponse {
  readonly type: 'OffsetsForLeaderEpochResponse';
  readonly correlationId: number;
  readonly partitions: readonly EpochResponsePartition[];
}

export interface ProducePartition {
  readonly tp: string;
  readonly records: Uint8Array;
}

export interface Produce {
  readonly type: 'Produce';
  readonly correlationId: number;
  readonly acks: -1 | 0 | 1;
  readonly timeoutMs: number;
  readonly partitions: readonly ProducePartition[];
}

export interface ProduceResponsePartition {
  readonly tp: string;
  readonly error: ErrorCode;
  readonly baseOffset: number;
  readonly errorMessage: string | null;
}

export interface ProduceResponse {
  readonly type: 'ProduceResponse';
  readonly correlationId: number;
  readonly partitions: readonly ProduceResponsePartition[];
}

export interface Metadata {
  readonly type: 'Metadata';
  readonly correlationId: number;
  readonly topics: readonly string[];
}

export interface MetadataPartition {
  readonly partition: number;
  readonly leader: number;
  readonly leaderEpoch: number;
  readonly replicas: readonly number[];
  readonly isr: readonly number[];
}

export interface MetadataResponse {
  readonly type: 'MetadataResponse';
  readonly correlationId: number;
  readonly brokers: readonly number[];
  readonly topics: { readonly [topic: string]: readonly MetadataPartition[] };
}

export type KafkaMessage =
  | LeaderAndIsr | UpdateMetadata | StopReplica | ControllerRequestResponse | ControlledShutdown | ControlledShutdownResponse
  | AlterIsr | AlterIsrResponse
  | Fetch | FetchResponse | OffsetsForLeaderEpoch | OffsetsForLeaderEpochResponse
  | Produce | ProduceResponse | Metadata | MetadataResponse;

const KAFKA_TYPES: ReadonlySet<string> = new Set([
  'LeaderAndIsr', 'UpdateMetadata', 'StopReplica', 'ControllerRequestResponse', 'ControlledShutdown', 'ControlledShutdownResponse', 'AlterIsr', 'AlterIsrResponse', 'Fetch', 'FetchResponse', 'OffsetsForLeaderEpoch', 'OffsetsForLeaderEpochResponse',
  'Produce', 'ProduceResponse', 'Metadata', 'MetadataResponse',
]);

export function isKafkaMessage(msg: { readonly type: string }): msg is KafkaMessage {
  return KAFKA_TYPES.has(msg.type);
}

/** Request header (api key, version, correlation id, client id) and per-partition overheads. */
export const REQUEST_HEADER_BYTES = 24;
export const PARTITION_OVERHEAD_BYTES = 40;

/** A request from the controller to a broker (resent until answered). */
export type ControllerToBroker = LeaderAndIsr | UpdateMetadata | StopReplica;

export function partitionStatesBytes(n: number): number {
  return REQUEST_HEADER_BYTES + n * PARTITION_OVERHEAD_BYTES;
}

// Trace views: messages carrying record bytes are traced with sizes instead of bytes.
registerTraceView<FetchResponse>('FetchResponse', (m) => ({
  type: m.type, correlationId: m.correlationId,
  partitions: m.partitions.map((p): Json => ({ tp: p.tp, error: p.error, highWatermark: p.highWatermark, logEndOffset: p.logEndOffset, bytes: p.records.length })),
}));
registerTraceView<Produce>('Produce', (m) => ({
  type: m.type, correlationId: m.correlationId, acks: m.acks, timeoutMs: m.timeoutMs,
  partitions: m.partitions.map((p): Json => ({ tp: p.tp, bytes: p.records.length })),
}));
