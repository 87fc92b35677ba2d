import type { Block, BlockId, DatanodeName, GenStamp, TxId } from './types.ts';

// ClientProtocol and NamenodeProtocol in dsim: the RPCs a DFS client (and the SecondaryNameNode) send
// to the NameNode, as discriminated unions named after Hadoop's own methods
// (org.apache.hadoop.hdfs.protocol.ClientProtocol, server.protocol.NamenodeProtocol,
// server.namenode.ImageServlet / TransferFsImage for the image transfer).
//
// Hadoop IPC answers a call with its return value or a RemoteException (class name + message); dsim
// keeps that shape: every request carries a `callId` chosen by the caller, the answer is
// `<rpc>Response` with the same callId, or `RemoteException` naming the rpc, the exception class
// (`FileNotFoundException`, `SafeModeException`, ...) and Hadoop's message. Requests travel on the
// TCP-like stream (ctx.send), so a call whose connection closes gets no answer: the caller treats
// onDisconnect as a failed call, as the IPC client does.
//
// The data-transfer protocol (client <-> DataNode, DataNode <-> DataNode) lives in protocol-dt.ts
// (hdfs-dn) and DatanodeProtocol (DataNode <-> NameNode) in protocol-dn.ts (hdfs-bm); messages.ts
// joins all three into HdfsMessage.

/** The DataNodes of a LocatedBlock, in pipeline/read order (DatanodeInfo: name, host, rack). */
export interface DatanodeLocation {
  readonly name: DatanodeName;
  readonly host: string;
  /** Network location, e.g. "/rack-1" (NetworkTopology's path). */
  readonly rack: string;
}

/** LocatedBlock: a block, its offset in the file and where its replicas are. */
export interface LocatedBlock {
  readonly block: Block;
  readonly offset: number;
  readonly locations: readonly DatanodeLocation[];
  /** All known replicas are corrupt (LocatedBlock.isCorrupt). */
  readonly corrupt: boolean;
}

/** LocatedBlocks: the answer of getBlockLocations. */
export interface LocatedBlocks {
  readonly fileLength: number;
  readonly underConstruction: boolean;
  readonly blocks: readonly LocatedBlock[];
  /** The last block, also while under construction (its length is what the DataNodes report). */
  readonly lastLocatedBlock: LocatedBlock | null;
  readonly isLastBlockComplete: boolean;
}

/** HdfsFileStatus (the fields dsim models). */
export interface HdfsFileStatus {
  readonly path: string;
  readonly fileId: number;
  readonly isDir: boolean;
  readonly length: number;
  readonly replication: number;
  readonly blockSize: number;
  readonly mtimeMs: number;
  readonly childrenNum: number;
}

/** CreateFlag values dsim models (CREATE; OVERWRITE replaces an existing file). */
export type CreateFlag = 'CREATE' | 'OVERWRITE';

/** Exceptions the NameNode answers with (RemoteException.getClassName's simple name). */
export type HdfsExceptionName =
  | 'FileNotFoundException'
  | 'FileAlreadyExistsException'
  | 'ParentNotDirectoryException'
  | 'PathIsNotEmptyDirectoryException'
  | 'InvalidPathException'
  | 'SafeModeException'
  | 'AlreadyBeingCreatedException'
  | 'RecoveryInProgressException'
  | 'LeaseExpiredException'
  | 'NotReplicatedYetException'
  | 'InvalidBlockTokenException'
  | 'IOException'
  | 'StandbyException'
  | 'RetriableException';

// ---------------------------------------------------------------- ClientProtocol requests

interface Call {
  readonly callId: number;
}

export interface MkdirsRequest extends Call {
  readonly type: 'mkdirs';
  readonly src: string;
  readonly createParent: boolean;
}
export interface CreateRequest extends Call {
  readonly type: 'create';
  readonly src: string;
  readonly clientName: string;
  /** The client's host (clientMachine): placement puts replica 1 there when it runs a DataNode. */
  readonly clientMachine: string;
  readonly flags: readonly CreateFlag[];
  readonly createParent: boolean;
  readonly replication: number;
  readonly blockSize: number;
}
export interface AddBlockRequest extends Call {
  readonly type: 'addBlock';
  readonly src: string;
  readonly clientName: string;
  /** The previous block with the length the client wrote (null for the first block). */
  readonly previous: Block | null;
  readonly excludeNodes: readonly DatanodeName[];
  readonly fileId: number;
  readonly favoredNodes: readonly DatanodeName[];
}
export interface CompleteRequest extends Call {
  readonly type: 'complete';
  readonly src: string;
  readonly clientName: string;
  readonly last: Block | null;
  readonly fileId: number;
}
export interface AbandonBlockRequest extends Call {
  readonly type: 'abandonBlock';
  readonly block: Block;
  readonly fileId: number;
  readonly src: string;
  readonly holder: string;
}
export interface GetBlockLocationsRequest extends Call {
  readonly type: 'getBlockLocations';
  readonly src: string;
  readonly offset: number;
  readonly length: number;
  /** The reader's host, for sorting replicas by distance (sortLocatedBlocks). */
  readonly clientMachine: string;
}
export interface GetAdditionalDatanodeRequest extends Call {
  readonly type: 'getAdditionalDatanode';
  readonly src: string;
  readonly fileId: number;
  readonly block: Block;
  readonly existings: readonly DatanodeName[];
  readonly excludes: readonly DatanodeName[];
  readonly numAdditionalNodes: number;
  readonly clientName: string;
}
export interface RenewLeaseRequest extends Call {
  readonly type: 'renewLease';
  readonly clientName: string;
}
export interface UpdateBlockForPipelineRequest extends Call {
  readonly type: 'updateBlockForPipeline';
  readonly block: Block;
  readonly clientName: string;
}
export interface UpdatePipelineRequest extends Call {
  readonly type: 'updatePipeline';
  readonly clientName: string;
  readonly oldBlock: Block;
  readonly newBlock: Block;
  readonly newNodes: readonly DatanodeName[];
}
export interface RecoverLeaseRequest extends Call {
  readonly type: 'recoverLease';
  readonly src: string;
  readonly clientName: string;
}
export interface FsyncRequest extends Call {
  readonly type: 'fsync';
  readonly src: string;
  readonly fileId: number;
  readonly clientName: string;
  /** hsync with UPDATE_LENGTH: the length of the last block as the client knows it (-1: unknown). */
  readonly lastBlockLength: number;
}
export interface DeleteRequest extends Call {
  readonly type: 'delete';
  readonly src: string;
  readonly recursive: boolean;
}
export interface RenameRequest extends Call {
  readonly type: 'rename';
  readonly src: string;
  readonly dst: string;
}
export interface GetFileInfoRequest extends Call {
  readonly type: 'getFileInfo';
  readonly src: string;
}
export interface GetListingRequest extends Call {
  readonly type: 'getListing';
  readonly src: string;
}
export interface SetReplicationRequest extends Call {
  readonly type: 'setReplication';
  readonly src: string;
  readonly replication: number;
}
export interface ReportBadBlocksRequest extends Call {
  readonly type: 'reportBadBlocks';
  readonly blocks: readonly LocatedBlock[];
}
/** dfsadmin -safemode get|enter|leave (ClientProtocol.setSafeMode with SafeModeAction). */
export interface SetSafeModeRequest extends Call {
  readonly type: 'setSafeMode';
  readonly action: 'SAFEMODE_GET' | 'SAFEMODE_ENTER' | 'SAFEMODE_LEAVE';
}
/** dfsadmin -saveNamespace (needs safe mode, as in Hadoop). */
export interface SaveNamespaceRequest extends Call {
  readonly type: 'saveNamespace';
}

export type ClientProtocolRequest =
  | MkdirsRequest
  | CreateRequest
  | AddBlockRequest
  | CompleteRequest
  | AbandonBlockRequest
  | GetBlockLocationsRequest
  | GetAdditionalDatanodeRequest
  | RenewLeaseRequest
  | UpdateBlockForPipelineRequest
  | UpdatePipelineRequest
  | RecoverLeaseRequest
  | FsyncRequest
  | DeleteRequest
  | RenameRequest
  | GetFileInfoRequest
  | GetListingRequest
  | SetReplicationRequest
  | ReportBadBlocksRequest
  | SetSafeModeRequest
  | SaveNamespaceRequest;

export type ClientRpc = ClientProtocolRequest['type'];

// ---------------------------------------------------------------- ClientProtocol responses

export interface MkdirsResponse extends Call {
  readonly type: 'mkdirsResponse';
  readonly result: boolean;
}
export interface CreateResponse extends Call {
  readonly type: 'createResponse';
  readonly status: HdfsFileStatus;
}
export interface AddBlockResponse extends Call {
  readonly type: 'addBlockResponse';
  readonly located: LocatedBlock;
}
export interface CompleteResponse extends Call {
  /** false: the last block is not yet minimally replicated; the client retries (DFSOutputStream.completeFile). */
  readonly type: 'completeResponse';
  readonly result: boolean;
}
export interface AbandonBlockResponse extends Call {
  readonly type: 'abandonBlockResponse';
}
export interface GetBlockLocationsResponse extends Call {
  readonly type: 'getBlockLocationsResponse';
  readonly located: LocatedBlocks;
}
export interface GetAdditionalDatanodeResponse extends Call {
  readonly type: 'getAdditionalDatanodeResponse';
  readonly located: LocatedBlock;
}
export interface RenewLeaseResponse extends Call {
  readonly type: 'renewLeaseResponse';
}
export interface UpdateBlockForPipelineResponse extends Call {
  /** The same block with a new generation stamp (FSNamesystem.nextGenerationStamp). */
  readonly type: 'updateBlockForPipelineResponse';
  readonly located: LocatedBlock;
}
export interface UpdatePipelineResponse extends Call {
  readonly type: 'updatePipelineResponse';
}
export interface RecoverLeaseResponse extends Call {
  /** true: the file is closed; false: recovery started (or in progress), call again later. */
  readonly type: 'recoverLeaseResponse';
  readonly result: boolean;
}
export interface FsyncResponse extends Call {
  readonly type: 'fsyncResponse';
}
export interface DeleteResponse extends Call {
  readonly type: 'deleteResponse';
  readonly result: boolean;
}
export interface RenameResponse extends Call {
  readonly type: 'renameResponse';
  readonly result: boolean;
}
export interface GetFileInfoResponse extends Call {
  readonly type: 'getFileInfoResponse';
  readonly status: HdfsFileStatus | null;
}
export interface GetListingResponse extends Call {
  readonly type: 'getListingResponse';
  readonly entries: readonly HdfsFileStatus[] | null;
}
export interface SetReplicationResponse extends Call {
  readonly type: 'setReplicationResponse';
  readonly result: boolean;
}
export interface ReportBadBlocksResponse extends Call {
  readonly type: 'reportBadBlocksResponse';
}
export interface SetSafeModeResponse extends Call {
  readonly type: 'setSafeModeResponse';
  readonly inSafeMode: boolean;
}
export interface SaveNamespaceResponse extends Call {
  readonly type: 'saveNamespaceResponse';
  readonly txid: TxId;
}

/** An RPC failed at the NameNode: Hadoop's RemoteException(className, message). */
export interface RemoteException extends Call {
  readonly type: 'RemoteException';
  readonly rpc: ClientRpc | NamenodeRpc;
  readonly className: HdfsExceptionName;
  readonly message: string;
}

export type ClientProtocolResponse =
  | MkdirsResponse
  | CreateResponse
  | AddBlockResponse
  | CompleteResponse
  | AbandonBlockResponse
  | GetBlockLocationsResponse
  | GetAdditionalDatanodeResponse
  | RenewLeaseResponse
  | UpdateBlockForPipelineResponse
  | UpdatePipelineResponse
  | RecoverLeaseResponse
  | FsyncResponse
  | DeleteResponse
  | RenameResponse
  | GetFileInfoResponse
  | GetListingResponse
  | SetReplicationResponse
  | ReportBadBlocksResponse
  | SetSafeModeResponse
  | SaveNamespaceResponse
  | RemoteException;

// ---------------------------------------------------------------- NamenodeProtocol (SecondaryNameNode)

/** One finalized edit-log segment (RemoteEditLog: startTxId, endTxId). */
export interface RemoteEditLog {
  readonly startTxId: TxId;
  readonly endTxId: TxId;
}

/** NamenodeProtocol.getTransactionID: the SNN's count check (SecondaryNameNode.shouldCheckpointBasedOnCount). */
export interface GetTransactionIdRequest extends Call {
  readonly type: 'getTransactionID';
}
export interface GetTransactionIdResponse extends Call {
  readonly type: 'getTransactionIDResponse';
  /** FSEditLog.getLastWrittenTxId (dsim: the last synced txid). */
  readonly txid: TxId;
  /** NNStorage.getMostRecentCheckpointTxId. */
  readonly mostRecentCheckpointTxId: TxId;
}
/** NamenodeProtocol.rollEditLog: finalize the current segment, start a new one. */
export interface RollEditLogRequest extends Call {
  readonly type: 'rollEditLog';
}
export interface RollEditLogResponse extends Call {
  /** CheckpointSignature: the image to start from and the first txid of the new segment. */
  readonly type: 'rollEditLogResponse';
  readonly mostRecentCheckpointTxId: TxId;
  readonly curSegmentTxId: TxId;
  readonly namespaceId: number;
}
/** NamenodeProtocol.getEditLogManifest(sinceTxId): the finalized segments from sinceTxId. */
export interface GetEditLogManifestRequest extends Call {
  readonly type: 'getEditLogManifest';
  readonly sinceTxId: TxId;
}
export interface GetEditLogManifestResponse extends Call {
  readonly type: 'getEditLogManifestResponse';
  readonly logs: readonly RemoteEditLog[];
}
/** ImageServlet GET ?getimage=1&txid=N (TransferFsImage.downloadImageToStorage). */
export interface GetImageRequest extends Call {
  readonly type: 'getImage';
  readonly txid: TxId;
}
/** The image bytes and their MD5 (the servlet's Content-MD5 / X-MD5-Digest header). */
export interface GetImageResponse extends Call {
  readonly type: 'getImageResponse';
  readonly txid: TxId;
  readonly bytes: Uint8Array;
  readonly md5Hex: string;
}
/** ImageServlet GET ?getedit=1&startTxId=A&endTxId=B (TransferFsImage.downloadEditsToStorage). */
export interface GetEditRequest extends Call {
  readonly type: 'getEdit';
  readonly startTxId: TxId;
  readonly endTxId: TxId;
}
export interface GetEditResponse extends Call {
  readonly type: 'getEditResponse';
  readonly startTxId: TxId;
  readonly endTxId: TxId;
  readonly bytes: Uint8Array;
}
/** ImageServlet PUT ?txid=N (TransferFsImage.uploadImageFromStorage): the merged checkpoint. */
export interface PutImageRequest extends Call {
  readonly type: 'putImage';
  readonly txid: TxId;
  readonly bytes: Uint8Array;
  readonly md5Hex: string;
}
export interface PutImageResponse extends Call {
  readonly type: 'putImageResponse';
  readonly txid: TxId;
}

export type NamenodeProtocolRequest =
  | GetTransactionIdRequest
  | RollEditLogRequest
  | GetEditLogManifestRequest
  | GetImageRequest
  | GetEditRequest
  | PutImageRequest;

export type NamenodeRpc = NamenodeProtocolRequest['type'];

export type NamenodeProtocolResponse =
  | GetTransactionIdResponse
  | RollEditLogResponse
  | GetEditLogManifestResponse
  | GetImageResponse
  | GetEditResponse
  | PutImageResponse;

export type ClientProtocolMessage = ClientProtocolRequest | ClientProtocolResponse;
export type NamenodeProtocolMessage = NamenodeProtocolRequest | NamenodeProtocolResponse;

// ---------------------------------------------------------------- sizes on the wire

/** An RPC header (IPC connection header, call id, method name, protobuf framing): a fixed estimate. */
export const RPC_HEADER_BYTES = 100;
/** A serialized Block / ExtendedBlock (pool id, id, GS, length). */
export const BLOCK_WIRE_BYTES = 40;
/** A DatanodeInfo in a LocatedBlock (ids, addresses, ports, storage, rack). */
export const DATANODE_INFO_WIRE_BYTES = 120;

/**
 * Bytes of a ClientProtocol or NamenodeProtocol message as sent with ctx.send: a header plus the
 * parts that grow (paths, block lists, image and edits payloads, which dominate a checkpoint).
 */
export function rpcBytes(m: ClientProtocolMessage | NamenodeProtocolMessage): number {
  let n = RPC_HEADER_BYTES;
  if ('src' in m) n += m.src.length;
  switch (m.type) {
    case 'rename':
      return n + m.dst.length;
    case 'addBlockResponse':
    case 'getAdditionalDatanodeResponse':
    case 'updateBlockForPipelineResponse':
      return n + locatedBytes(m.located);
    case 'getBlockLocationsResponse':
      return n + m.located.blocks.reduce((s, b) => s + locatedBytes(b), 0);
    case 'reportBadBlocks':
      return n + m.blocks.reduce((s, b) => s + locatedBytes(b), 0);
    case 'getListingResponse':
      return n + (m.entries === null ? 0 : m.entries.reduce((s, e) => s + 60 + e.path.length, 0));
    case 'getEditLogManifestResponse':
      return n + 16 * m.logs.length;
    case 'getImageResponse':
    case 'getEditResponse':
    case 'putImage':
      return n + m.bytes.length;
    case 'RemoteException':
      return n + m.message.length;
    default:
      return n;
  }
}

function locatedBytes(b: LocatedBlock): number {
  return BLOCK_WIRE_BYTES + 16 + DATANODE_INFO_WIRE_BYTES * b.locations.length;
}

/** The block ids of a list of blocks, for messages and annotations. */
export function blockIdsOf(blocks: readonly Block[]): BlockId[] {
  return blocks.map((b) => b.blockId);
}

/** A block with a new generation stamp (what updateBlockForPipeline hands out). */
export function withGenStamp(b: Block, genStamp: GenStamp): Block {
  return { blockId: b.blockId, genStamp, numBytes: b.numBytes };
}
