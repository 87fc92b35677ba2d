import type { Json } from '../core/types.ts';
import { registerTraceView } from '../world/trace.ts';
import type { Block, DatanodeName, GenStamp, ReplicaState } from './types.ts';

// DataTransferProtocol (org.apache.hadoop.hdfs.protocol.datatransfer): the streaming protocol
// between clients and DataNodes and between DataNodes (Op.WRITE_BLOCK, READ_BLOCK, TRANSFER_BLOCK;
// PacketHeader; PipelineAck), and InterDatanodeProtocol (initReplicaRecovery,
// updateReplicaUnderRecovery) that a primary DataNode speaks during block recovery.
//
// Real Hadoop opens one TCP connection per block operation (a DataXceiver on the DataNode). dsim's
// transport keeps one FIFO stream per pair of processes, so every message of one operation carries
// the sender's `xceiverId`: the receiver keys the operation by (sender, xceiverId).

/** BlockConstructionStage: what a WRITE_BLOCK asks the receiving DataNode to do with the replica. */
export type BlockConstructionStage =
  | 'PIPELINE_SETUP_CREATE'
  | 'PIPELINE_SETUP_APPEND'
  | 'PIPELINE_SETUP_STREAMING_RECOVERY'
  | 'PIPELINE_CLOSE_RECOVERY'
  | 'TRANSFER_RBW'
  | 'TRANSFER_FINALIZED';

/** DataTransferProtos.Status (the subset dsim produces). */
export type DtStatus = 'SUCCESS' | 'ERROR' | 'ERROR_CHECKSUM' | 'ERROR_INVALID' | 'ERROR_EXISTS';

/** Op.WRITE_BLOCK (OpWriteBlockProto): sets up one hop of a pipeline. */
export interface DtWriteBlock {
  readonly type: 'DtWriteBlock';
  readonly xceiverId: number;
  /** The block with the generation stamp the sender believes current (ExtendedBlock). */
  readonly block: Block;
  readonly stage: BlockConstructionStage;
  /** The DataNodes after the receiver, in pipeline order (targets minus the first). */
  readonly targets: readonly DatanodeName[];
  /** The writing client's name; empty when a DataNode sends (replication: isDatanode). */
  readonly client: string;
  /** Set for DataNode-initiated transfers: the source DataNode (reported if its data is corrupt). */
  readonly srcDataNode: DatanodeName | null;
  /** The generation stamp the replica must have after a recovery stage (latestGenerationStamp). */
  readonly latestGenStamp: GenStamp;
  readonly minBytesRcvd: number;
  readonly maxBytesRcvd: number;
}

/** BlockOpResponseProto for WRITE_BLOCK: the status of the whole downstream pipeline setup. */
export interface DtWriteBlockResponse {
  readonly type: 'DtWriteBlockResponse';
  readonly xceiverId: number;
  readonly status: DtStatus;
  /** The first DataNode downstream that could not be connected (firstBadLink), if any. */
  readonly firstBadLink: DatanodeName | null;
  readonly message: string;
}

/**
 * One data packet (PacketHeader plus checksums plus data). `words`/`lens` are the chunks' virtual
 * content (content.ts), `checksums` their CRC32C as the writer computed them.
 */
export interface DtPacket {
  readonly type: 'DtPacket';
  readonly xceiverId: number;
  readonly seqno: number;
  readonly offsetInBlock: number;
  readonly lastPacketInBlock: boolean;
  /** hsync: every DataNode fsyncs the block and meta files before acknowledging this packet. */
  readonly syncBlock: boolean;
  readonly dataLen: number;
  readonly words: readonly number[];
  readonly lens: readonly number[];
  readonly checksums: readonly number[];
}

/** PipelineAck: the seqno and one status per DataNode from this one to the end of the pipeline. */
export interface DtPipelineAck {
  readonly type: 'DtPipelineAck';
  readonly xceiverId: number;
  readonly seqno: number;
  readonly replies: readonly DtStatus[];
}

/** Op.READ_BLOCK: stream [offset, offset + length) of a replica to the client. */
export interface DtReadBlock {
  readonly type: 'DtReadBlock';
  readonly xceiverId: number;
  readonly block: Block;
  readonly offset: number;
  readonly length: number;
  readonly client: string;
}

export interface DtReadBlockResponse {
  readonly type: 'DtReadBlockResponse';
  readonly xceiverId: number;
  readonly status: DtStatus;
  readonly message: string;
  /** The chunk-aligned offset the data starts at (ReadOpChecksumInfoProto.chunkOffset). */
  readonly chunkOffset: number;
}

/** A packet of a READ_BLOCK answer (BlockSender.sendPacket). */
export interface DtReadPacket {
  readonly type: 'DtReadPacket';
  readonly xceiverId: number;
  readonly seqno: number;
  readonly offsetInBlock: number;
  readonly lastPacketInBlock: boolean;
  readonly dataLen: number;
  readonly words: readonly number[];
  readonly lens: readonly number[];
  readonly checksums: readonly number[];
}

/** Op.TRANSFER_BLOCK: the client asks a DataNode of its pipeline to copy the RBW replica to new targets. */
export interface DtTransferBlock {
  readonly type: 'DtTransferBlock';
  readonly xceiverId: number;
  readonly block: Block;
  readonly targets: readonly DatanodeName[];
  readonly client: string;
}

export interface DtTransferBlockResponse {
  readonly type: 'DtTransferBlockResponse';
  readonly xceiverId: number;
  readonly status: DtStatus;
  readonly message: string;
}

/** ReplicaRecoveryInfo: what initReplicaRecovery returns about one replica. */
export interface ReplicaRecoveryInfo {
  readonly blockId: Block['blockId'];
  readonly genStamp: GenStamp;
  readonly numBytes: number;
  /** The replica's state before it became RUR. */
  readonly originalState: ReplicaState;
}

/** InterDatanodeProtocol.initReplicaRecovery. */
export interface DnInitReplicaRecovery {
  readonly type: 'DnInitReplicaRecovery';
  readonly callId: number;
  readonly block: Block;
  readonly recoveryId: GenStamp;
}

export interface DnInitReplicaRecoveryResponse {
  readonly type: 'DnInitReplicaRecoveryResponse';
  readonly callId: number;
  /** null: the replica does not exist (ReplicaNotFound) or is older than the block (stale). */
  readonly info: ReplicaRecoveryInfo | null;
  readonly error: string | null;
}

/** InterDatanodeProtocol.updateReplicaUnderRecovery: set GS = recoveryId, truncate to newLength, finalize. */
export interface DnUpdateReplicaUnderRecovery {
  readonly type: 'DnUpdateReplicaUnderRecovery';
  readonly callId: number;
  readonly block: Block;
  readonly recoveryId: GenStamp;
  readonly newLength: number;
}

export interface DnUpdateReplicaUnderRecoveryResponse {
  readonly type: 'DnUpdateReplicaUnderRecoveryResponse';
  readonly callId: number;
  readonly block: Block | null;
  readonly error: string | null;
}

export type DataTransferMessage =
  | DtWriteBlock
  | DtWriteBlockResponse
  | DtPacket
  | DtPipelineAck
  | DtReadBlock
  | DtReadBlockResponse
  | DtReadPacket
  | DtTransferBlock
  | DtTransferBlockResponse
  | DnInitReplicaRecovery
  | DnInitReplicaRecoveryResponse
  | DnUpdateReplicaUnderRecovery
  | DnUpdateReplicaUnderRecoveryResponse;

/** Wire sizes (bytes) for the network model: headers as protobuf plus length prefixes, and the data. */
export const OP_HEADER_BYTES = 64;
export const PACKET_HEADER_BYTES = 33;
export function packetBytes(dataLen: number, chunks: number): number {
  return PACKET_HEADER_BYTES + dataLen + 4 * chunks;
}
export function ackBytes(replies: number): number {
  return 16 + 2 * replies;
}

// Trace views. A packet carries one chunk word, length and CRC32C per 512-byte chunk: 128 of each
// in a 64 KiB packet, 3.4 KB of JSON per packet, 95% of an hdfs-write-read trace. The trace keeps
// the header (what PacketHeader says: seqno, offset, last, sync, data length) and the chunk count;
// the chunks themselves stay in the simulation, where the receivers and readers verify them.
registerTraceView<DtPacket>('DtPacket', (m): Json => ({
  type: m.type, xceiverId: m.xceiverId, seqno: m.seqno, offsetInBlock: m.offsetInBlock,
  lastPacketInBlock: m.lastPacketInBlock, syncBlock: m.syncBlock, dataLen: m.dataLen, chunks: m.words.length,
}));
registerTraceView<DtReadPacket>('DtReadPacket', (m): Json => ({
  type: m.type, xceiverId: m.xceiverId, seqno: m.seqno, offsetInBlock: m.offsetInBlock,
  lastPacketInBlock: m.lastPacketInBlock, dataLen: m.dataLen, chunks: m.words.length,
}));
