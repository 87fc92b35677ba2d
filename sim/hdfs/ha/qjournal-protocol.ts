// QJournalProtocol: what the NameNode's QuorumJournalManager (through one IPCLoggerChannel per
// JournalNode) asks a JournalNode, and the JournalNode-to-JournalNode download that acceptRecovery
// does (GetJournalEditServlet in Hadoop, an HTTP GET; a request on the stream here, see README
// Deviations). Names follow QJournalProtocol.proto of Hadoop 3.3.
//
// Every writer call carries RequestInfo (RequestInfoProto): journal id, the writer's epoch, an ipc
// serial number that grows with every call of that epoch, and the highest txid the writer knows
// is committed (on a quorum). Answers echo the callId: `<rpc>Response`, or `QjmError` with the Java
// exception class and message the JournalNode threw.

export interface RequestInfo {
  readonly journalId: string;
  readonly epoch: number;
  readonly ipcSerialNumber: number;
  /** The writer's committed txid (-12345, HdfsServerConstants.INVALID_TXID, when it has none). */
  readonly committedTxId: number | null;
}

/** NamespaceInfo as the JournalNode checks it (JNStorage.checkConsistentNamespace). */
export interface NamespaceInfo {
  readonly namespaceId: number;
  readonly clusterId: string;
  readonly layoutVersion: number;
}

/** SegmentStateProto. */
export interface SegmentState {
  readonly startTxId: number;
  readonly endTxId: number;
  readonly isInProgress: boolean;
}

interface Call {
  readonly callId: number;
}

export type QJournalRequest =
  | (Call & { readonly type: 'qjmFormat'; readonly journalId: string; readonly nsInfo: NamespaceInfo })
  | (Call & { readonly type: 'qjmGetJournalState'; readonly journalId: string })
  | (Call & { readonly type: 'qjmNewEpoch'; readonly journalId: string; readonly nsInfo: NamespaceInfo; readonly epoch: number })
  | (Call & { readonly type: 'qjmStartLogSegment'; readonly reqInfo: RequestInfo; readonly txid: number; readonly layoutVersion: number })
  | (Call & {
      readonly type: 'qjmJournal';
      readonly reqInfo: RequestInfo;
      readonly segmentTxId: number;
      readonly firstTxnId: number;
      readonly numTxns: number;
      /** The op records, as FSEditLogOp.Writer wrote them into the writer's buffer. */
      readonly records: Uint8Array;
    })
  | (Call & { readonly type: 'qjmFinalizeLogSegment'; readonly reqInfo: RequestInfo; readonly startTxId: number; readonly endTxId: number })
  | (Call & { readonly type: 'qjmHeartbeat'; readonly reqInfo: RequestInfo })
  | (Call & { readonly type: 'qjmPrepareRecovery'; readonly reqInfo: RequestInfo; readonly segmentTxId: number })
  | (Call & {
      readonly type: 'qjmAcceptRecovery';
      readonly reqInfo: RequestInfo;
      readonly segment: SegmentState;
      /** The JournalNode to download the segment from (the URL of the best prepareRecovery answer). */
      readonly fromJournalNode: string;
    })
  | (Call & { readonly type: 'qjmGetEditLogManifest'; readonly journalId: string; readonly sinceTxId: number; readonly inProgressOk: boolean })
  /** GetJournalEditServlet: the bytes of the segment starting at segmentTxId, up to endTxId. */
  | (Call & { readonly type: 'qjmGetEditSegment'; readonly journalId: string; readonly segmentTxId: number; readonly endTxId: number });

/** RemoteEditLog. */
export interface RemoteEditLog {
  readonly startTxId: number;
  readonly endTxId: number;
  readonly isInProgress: boolean;
}

export type QJournalResponse =
  | (Call & { readonly type: 'qjmFormatResponse' })
  | (Call & { readonly type: 'qjmGetJournalStateResponse'; readonly lastPromisedEpoch: number; readonly isFormatted: boolean })
  | (Call & { readonly type: 'qjmNewEpochResponse'; readonly lastSegmentTxId: number | null })
  | (Call & { readonly type: 'qjmStartLogSegmentResponse' })
  | (Call & { readonly type: 'qjmJournalResponse' })
  | (Call & { readonly type: 'qjmFinalizeLogSegmentResponse' })
  | (Call & { readonly type: 'qjmHeartbeatResponse' })
  | (Call & {
      readonly type: 'qjmPrepareRecoveryResponse';
      readonly segmentState: SegmentState | null;
      readonly acceptedInEpoch: number | null;
      readonly lastWriterEpoch: number;
      readonly lastCommittedTxId: number | null;
    })
  | (Call & { readonly type: 'qjmAcceptRecoveryResponse' })
  | (Call & { readonly type: 'qjmGetEditLogManifestResponse'; readonly logs: readonly RemoteEditLog[]; readonly committedTxId: number | null })
  | (Call & { readonly type: 'qjmGetEditSegmentResponse'; readonly bytes: Uint8Array | null })
  | (Call & { readonly type: 'qjmError'; readonly rpc: string; readonly className: string; readonly message: string });

export type QJournalMessage = QJournalRequest | QJournalResponse;

const QJM_TYPES: ReadonlySet<string> = new Set([
  'qjmFormat', 'qjmGetJournalState', 'qjmNewEpoch', 'qjmStartLogSegment', 'qjmJournal', 'qjmFinalizeLogSegment', 'qjmHeartbeat',
  'qjmPrepareRecovery', 'qjmAcceptRecovery', 'qjmGetEditLogManifest', 'qjmGetEditSegment',
]);

export function isQJournalRequest(m: { readonly type: string }): m is QJournalRequest {
  return QJM_TYPES.has(m.type);
}

/** Bytes on the wire: a protobuf RPC header and the fixed fields, plus the records or segment bytes. */
export const QJM_RPC_HEADER_BYTES = 96;

export function qjmRpcBytes(m: QJournalMessage): number {
  switch (m.type) {
    case 'qjmJournal':
      return QJM_RPC_HEADER_BYTES + m.records.length;
    case 'qjmGetEditSegmentResponse':
      return QJM_RPC_HEADER_BYTES + (m.bytes?.length ?? 0);
    case 'qjmGetEditLogManifestResponse':
      return QJM_RPC_HEADER_BYTES + m.logs.length * 17;
    case 'qjmError':
      return QJM_RPC_HEADER_BYTES + m.message.length;
    default:
      return QJM_RPC_HEADER_BYTES;
  }
}
