import type { Block, DatanodeName, GenStamp, ReplicaState } from './types.ts';

// DatanodeProtocol: what a DataNode's BPServiceActor sends the NameNode and what it gets back
// (org.apache.hadoop.hdfs.server.protocol.DatanodeProtocol, DatanodeProtocol.proto of Hadoop 3.3).
//
//   registerDatanode          -> registerDatanodeResponse      (DatanodeRegistration)
//   sendHeartbeat             -> heartbeatResponse             (DatanodeCommand[]: DNA_TRANSFER,
//                                                               DNA_INVALIDATE, DNA_RECOVERBLOCK,
//                                                               DNA_REGISTER)
//   blockReport               -> blockReportResponse           (full report of one storage)
//   blockReceivedAndDeleted   -> blockReceivedAndDeletedResponse (incremental report, IBR)
//   datanodeReportBadBlocks   -> datanodeReportBadBlocksResponse (DatanodeProtocol.reportBadBlocks:
//                               the tag differs from ClientProtocol's 'reportBadBlocks' so the
//                               HdfsMessage union keeps unique tags; the NameNode handles both alike)
//   commitBlockSynchronization -> commitBlockSynchronizationResponse (end of block recovery)
//   errorReport               -> errorReportResponse
//
// Every request carries a callId that its response echoes, as an IPC call id does. A request from a
// DataNode the NameNode does not know (never registered, or removed as dead) is answered with
// error 'UnregisteredNodeException' (heartbeats instead get a DNA_REGISTER command, as in
// DatanodeManager.handleHeartbeat). dsim models one storage (one DISK volume) per DataNode.

interface DnCall {
  readonly callId: number;
}

/** DatanodeRegistration: who the DataNode is and where it runs. */
export interface DatanodeRegistration {
  readonly datanode: DatanodeName;
  /** The DataNode's host name; the NameNode resolves its rack from it (DNSToSwitchMapping). */
  readonly hostName: string;
  /** DatanodeStorage.storageID of its single volume ("DS-<uuid>" in Hadoop). */
  readonly storageId: string;
}

/** StorageReport of the single volume (bytes). */
export interface StorageReport {
  readonly storageId: string;
  readonly failed: boolean;
  readonly capacity: number;
  readonly dfsUsed: number;
  readonly remaining: number;
}

/** A replica in a full block report (BlockListAsLongs entry: id, length, GS, replica state). */
export interface ReportedReplica {
  readonly block: Block;
  readonly state: ReplicaState;
}

/** ReceivedDeletedBlockInfo.BlockStatus. */
export type ReceivedDeletedStatus = 'RECEIVING_BLOCK' | 'RECEIVED_BLOCK' | 'DELETED_BLOCK';

/** ReceivedDeletedBlockInfo: one entry of an incremental block report. */
export interface ReceivedDeletedBlockInfo {
  readonly block: Block;
  readonly status: ReceivedDeletedStatus;
  /** For RECEIVED_BLOCK of a re-replication: the source node the NameNode may prefer to delete from. */
  readonly delHint: DatanodeName | null;
}

// ---------------------------------------------------------------- requests (DataNode -> NameNode)

export interface RegisterDatanodeRequest extends DnCall {
  readonly type: 'registerDatanode';
  readonly registration: DatanodeRegistration;
}

export interface HeartbeatRequest extends DnCall {
  readonly type: 'sendHeartbeat';
  readonly datanode: DatanodeName;
  readonly storage: StorageReport;
  /** Active DataXceiver threads (reads, writes, transfers): the load BlockPlacementPolicy considers. */
  readonly xceiverCount: number;
  /** Block transfers in progress (xmitsInProgress): the NameNode sends max-streams minus this. */
  readonly xmitsInProgress: number;
  readonly failedVolumes: number;
}

export interface BlockReportRequest extends DnCall {
  readonly type: 'blockReport';
  readonly datanode: DatanodeName;
  readonly storageId: string;
  readonly replicas: readonly ReportedReplica[];
}

export interface BlockReceivedAndDeletedRequest extends DnCall {
  readonly type: 'blockReceivedAndDeleted';
  readonly datanode: DatanodeName;
  readonly storageId: string;
  readonly blocks: readonly ReceivedDeletedBlockInfo[];
}

/** DatanodeProtocol.reportBadBlocks: the block scanner or a transfer found a corrupt replica. */
export interface DatanodeReportBadBlocksRequest extends DnCall {
  readonly type: 'datanodeReportBadBlocks';
  readonly datanode: DatanodeName;
  readonly blocks: readonly { readonly block: Block; readonly datanodes: readonly DatanodeName[] }[];
}

/** The primary DataNode of a block recovery reports its outcome (DatanodeProtocol.commitBlockSynchronization). */
export interface CommitBlockSynchronizationRequest extends DnCall {
  readonly type: 'commitBlockSynchronization';
  readonly datanode: DatanodeName;
  /** The block being recovered, with the GS the NameNode had (ExtendedBlock). */
  readonly block: Block;
  readonly newGenStamp: GenStamp;
  readonly newLength: number;
  readonly closeFile: boolean;
  readonly deleteBlock: boolean;
  /** The DataNodes whose replicas were synchronized to the new length and GS. */
  readonly newTargets: readonly DatanodeName[];
}

/** DatanodeProtocol.errorReport codes. */
export type DatanodeErrorCode = 'NOTIFY' | 'DISK_ERROR' | 'INVALID_BLOCK' | 'FATAL_DISK_ERROR';

export interface ErrorReportRequest extends DnCall {
  readonly type: 'errorReport';
  readonly datanode: DatanodeName;
  readonly errorCode: DatanodeErrorCode;
  readonly message: string;
}

export type DatanodeProtocolRequest =
  | RegisterDatanodeRequest
  | HeartbeatRequest
  | BlockReportRequest
  | BlockReceivedAndDeletedRequest
  | DatanodeReportBadBlocksRequest
  | CommitBlockSynchronizationRequest
  | ErrorReportRequest;

export type DatanodeRpc = DatanodeProtocolRequest['type'];

// ---------------------------------------------------------------- commands (in responses)

/** BlockCommand DNA_TRANSFER: copy each block to its targets (re-replication). */
export interface TransferCommand {
  readonly action: 'DNA_TRANSFER';
  readonly blocks: readonly Block[];
  /** targets[i]: where blocks[i] goes, in pipeline order. */
  readonly targets: readonly (readonly DatanodeName[])[];
}

/** BlockCommand DNA_INVALIDATE: delete these replicas. */
export interface InvalidateCommand {
  readonly action: 'DNA_INVALIDATE';
  readonly blocks: readonly Block[];
}

/** RecoveringBlock: a block to recover, its replicas' nodes and the recovery id (new GS). */
export interface RecoveringBlock {
  readonly block: Block;
  readonly locations: readonly DatanodeName[];
  readonly newGenStamp: GenStamp;
}

/** BlockRecoveryCommand DNA_RECOVERBLOCK: this DataNode is the primary of these recoveries. */
export interface RecoverBlockCommand {
  readonly action: 'DNA_RECOVERBLOCK';
  readonly recoveringBlocks: readonly RecoveringBlock[];
}

/** RegisterCommand DNA_REGISTER: the NameNode does not know this DataNode; register again. */
export interface RegisterCommand {
  readonly action: 'DNA_REGISTER';
}

export type DatanodeCommand = TransferCommand | InvalidateCommand | RecoverBlockCommand | RegisterCommand;
export type DatanodeAction = DatanodeCommand['action'];

// ---------------------------------------------------------------- responses (NameNode -> DataNode)

/** Exceptions a DatanodeProtocol call can answer with. */
export type DatanodeRpcError = 'UnregisteredNodeException' | 'DisallowedDatanodeException' | 'IOException' | 'SafeModeException';

interface DnResponse extends DnCall {
  /** null on success; else the exception's class name. */
  readonly error: DatanodeRpcError | null;
  readonly errorMessage: string;
}

export interface RegisterDatanodeResponse extends DnResponse {
  readonly type: 'registerDatanodeResponse';
}
export interface HeartbeatResponse extends DnResponse {
  readonly type: 'heartbeatResponse';
  readonly commands: readonly DatanodeCommand[];
}
export interface BlockReportResponse extends DnResponse {
  readonly type: 'blockReportResponse';
}
export interface BlockReceivedAndDeletedResponse extends DnResponse {
  readonly type: 'blockReceivedAndDeletedResponse';
}
export interface DatanodeReportBadBlocksResponse extends DnResponse {
  readonly type: 'datanodeReportBadBlocksResponse';
}
export interface CommitBlockSynchronizationResponse extends DnResponse {
  readonly type: 'commitBlockSynchronizationResponse';
}
export interface ErrorReportResponse extends DnResponse {
  readonly type: 'errorReportResponse';
}

export type DatanodeProtocolResponse =
  | RegisterDatanodeResponse
  | HeartbeatResponse
  | BlockReportResponse
  | BlockReceivedAndDeletedResponse
  | DatanodeReportBadBlocksResponse
  | CommitBlockSynchronizationResponse
  | ErrorReportResponse;

export type DatanodeProtocolMessage = DatanodeProtocolRequest | DatanodeProtocolResponse;

/** The response type of each request type. */
export const DN_RESPONSE_OF: { readonly [K in DatanodeRpc]: DatanodeProtocolResponse['type'] } = {
  registerDatanode: 'registerDatanodeResponse',
  sendHeartbeat: 'heartbeatResponse',
  blockReport: 'blockReportResponse',
  blockReceivedAndDeleted: 'blockReceivedAndDeletedResponse',
  datanodeReportBadBlocks: 'datanodeReportBadBlocksResponse',
  commitBlockSynchronization: 'commitBlockSynchronizationResponse',
  errorReport: 'errorReportResponse',
};

// ---------------------------------------------------------------- sizes on the wire

/** An RPC header (call id, method, protobuf framing): the same estimate as ClientProtocol's. */
const DN_RPC_HEADER_BYTES = 100;
/** One block in a block list (BlockListAsLongs: id, length, GS, state as longs). */
const DN_BLOCK_BYTES = 32;
const DN_NAME_BYTES = 40;

function commandBytes(c: DatanodeCommand): number {
  switch (c.action) {
    case 'DNA_TRANSFER':
      return 16 + c.blocks.length * DN_BLOCK_BYTES + c.targets.reduce((s, t) => s + t.length * DN_NAME_BYTES, 0);
    case 'DNA_INVALIDATE':
      return 16 + c.blocks.length * DN_BLOCK_BYTES;
    case 'DNA_RECOVERBLOCK':
      return 16 + c.recoveringBlocks.reduce((s, r) => s + DN_BLOCK_BYTES + 8 + r.locations.length * DN_NAME_BYTES, 0);
    case 'DNA_REGISTER':
      return 8;
  }
}

/** Bytes of a DatanodeProtocol message as sent with ctx.send. */
export function dnRpcBytes(m: DatanodeProtocolMessage): number {
  switch (m.type) {
    case 'blockReport':
      return DN_RPC_HEADER_BYTES + m.replicas.length * DN_BLOCK_BYTES;
    case 'blockReceivedAndDeleted':
      return DN_RPC_HEADER_BYTES + m.blocks.length * (DN_BLOCK_BYTES + 8);
    case 'datanodeReportBadBlocks':
      return DN_RPC_HEADER_BYTES + m.blocks.reduce((s, b) => s + DN_BLOCK_BYTES + b.datanodes.length * DN_NAME_BYTES, 0);
    case 'commitBlockSynchronization':
      return DN_RPC_HEADER_BYTES + DN_BLOCK_BYTES + 24 + m.newTargets.length * DN_NAME_BYTES;
    case 'heartbeatResponse':
      return DN_RPC_HEADER_BYTES + m.commands.reduce((s, c) => s + commandBytes(c), 0);
    case 'errorReport':
      return DN_RPC_HEADER_BYTES + m.message.length;
    default:
      return DN_RPC_HEADER_BYTES;
  }
}
