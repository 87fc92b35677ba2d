// Wire types. Two protocols share the stream transport:
// - between peers: FastLeaderElection notifications (the election port, 3888) and quorum packets
//   (the quorum port, 2888: Leader.java's FOLLOWERINFO, LEADERINFO, ACKEPOCH, DIFF, TRUNC, SNAP,
//   PROPOSAL, COMMIT, NEWLEADER, ACK, UPTODATE, PING, REQUEST, REVALIDATE, SYNC);
// - between a client and the server it is connected to (the client port, 2181): ConnectRequest /
//   ConnectResponse, requests and replies matched by xid, watch events, pings.
// Every message is a member of a discriminated union on `type`; wireBytes() gives the size passed
// to ctx.send (header plus payload, close to what jute would serialize).

import { registerTraceView } from '../world/trace.ts';
import type { Txn } from './txn.ts';
import type { Zxid } from './zxid.ts';

// ------------------------------------------------------------------ data shared with the client

/** KeeperException.Code names the simulator uses. */
export type ZkErrorCode =
  | 'NONODE' | 'NODEEXISTS' | 'BADVERSION' | 'NOTEMPTY' | 'NOCHILDRENFOREPHEMERALS' | 'BADARGUMENTS'
  | 'SESSIONEXPIRED' | 'SESSIONMOVED' | 'RUNTIMEINCONSISTENCY' | 'CONNECTIONLOSS' | 'OPERATIONTIMEOUT';

/** A znode's Stat (org.apache.zookeeper.data.Stat), without ACL version. */
export interface Stat {
  readonly czxid: Zxid;
  readonly mzxid: Zxid;
  readonly pzxid: Zxid;
  readonly ctime: number;
  readonly mtime: number;
  readonly version: number;
  readonly cversion: number;
  readonly ephemeralOwner: number;
  readonly dataLength: number;
  readonly numChildren: number;
}

export type WatchKind = 'data' | 'exist' | 'child';

export type WatchEventType = 'NodeCreated' | 'NodeDeleted' | 'NodeDataChanged' | 'NodeChildrenChanged';

/** One operation inside a multi (Op.Check, Op.Create, Op.Delete, Op.SetData). */
export type MultiOp =
  | { readonly op: 'check'; readonly path: string; readonly version: number }
  | { readonly op: 'create'; readonly path: string; readonly data: string; readonly ephemeral?: boolean; readonly sequential?: boolean }
  | { readonly op: 'delete'; readonly path: string; readonly version: number }
  | { readonly op: 'setData'; readonly path: string; readonly data: string; readonly version: number };

/** Per-op outcome of a multi: OpResult.CreateResult, SetDataResult, ... or ErrorResult. */
export type MultiResult =
  | { readonly op: 'check' | 'delete' }
  | { readonly op: 'create'; readonly path: string }
  | { readonly op: 'setData'; readonly stat: Stat }
  | { readonly op: 'error'; readonly err: ZkErrorCode | 'OK' };

/** Requests a client sends (OpCode in ZooKeeper). Writes go through the leader; reads are local. */
export type ZkOp =
  | { readonly kind: 'create'; readonly path: string; readonly data: string; readonly ephemeral: boolean; readonly sequential: boolean }
  | { readonly kind: 'delete'; readonly path: string; readonly version: number }
  | { readonly kind: 'setData'; readonly path: string; readonly data: string; readonly version: number }
  | { readonly kind: 'multi'; readonly ops: readonly MultiOp[] }
  | { readonly kind: 'sync'; readonly path: string }
  | { readonly kind: 'closeSession' }
  | { readonly kind: 'getData'; readonly path: string; readonly watch: boolean }
  | { readonly kind: 'exists'; readonly path: string; readonly watch: boolean }
  | { readonly kind: 'getChildren'; readonly path: string; readonly watch: boolean }
  | { readonly kind: 'ping' }
  | { readonly kind: 'setWatches'; readonly relativeZxid: Zxid; readonly data: readonly string[]; readonly exist: readonly string[]; readonly child: readonly string[] };

export type WriteOp = Extract<ZkOp, { kind: 'create' | 'delete' | 'setData' | 'multi' | 'closeSession' }>;

export function isWriteOp(op: ZkOp): op is WriteOp {
  return op.kind === 'create' || op.kind === 'delete' || op.kind === 'setData' || op.kind === 'multi' || op.kind === 'closeSession';
}

/** What a successful request returns. */
export type ZkResult =
  | { readonly kind: 'create'; readonly path: string }
  | { readonly kind: 'setData'; readonly stat: Stat }
  | { readonly kind: 'getData'; readonly data: string; readonly stat: Stat }
  | { readonly kind: 'exists'; readonly stat: Stat | null }
  | { readonly kind: 'getChildren'; readonly children: readonly string[]; readonly stat: Stat }
  | { readonly kind: 'multi'; readonly results: readonly MultiResult[] }
  | { readonly kind: 'none' };

// ------------------------------------------------------------------ client <-> server

export interface ConnectRequest {
  readonly type: 'ZkConnect';
  /** Client-chosen connection number: several clients in one process stay apart. */
  readonly conn: number;
  readonly sessionId: number;
  readonly timeoutMs: number;
  readonly lastZxidSeen: Zxid;
}

export interface ConnectResponse {
  readonly type: 'ZkConnected';
  readonly conn: number;
  readonly sessionId: number;
  /** Negotiated timeout; 0 means the session has expired. */
  readonly timeoutMs: number;
}

export interface ClientRequest {
  readonly type: 'ZkRequest';
  readonly conn: number;
  /** Request number (cxid); -2 for pings, as in ClientCnxn. */
  readonly xid: number;
  readonly op: ZkOp;
}

export interface ClientReply {
  readonly type: 'ZkReply';
  readonly conn: number;
  readonly xid: number;
  /** The server's last processed zxid when it replied (ReplyHeader.zxid); a write's own zxid. */
  readonly zxid: Zxid;
  readonly err: ZkErrorCode | null;
  readonly result: ZkResult;
}

export interface WatchEventMsg {
  readonly type: 'ZkWatch';
  readonly conn: number;
  readonly path: string;
  readonly event: WatchEventType;
  readonly zxid: Zxid;
}

export type ClientMessage = ConnectRequest | ClientRequest;
export type ServerMessage = ConnectResponse | ClientReply | WatchEventMsg;

// ------------------------------------------------------------------ peer <-> peer

export type ServerState = 'LOOKING' | 'FOLLOWING' | 'LEADING';

export interface Notification {
  readonly type: 'Notification';
  readonly sid: number;
  readonly state: ServerState;
  readonly leader: number;
  readonly zxid: Zxid;
  readonly electionEpoch: number;
  readonly peerEpoch: number;
}

export interface FollowerInfo { readonly type: 'FOLLOWERINFO'; readonly sid: number; readonly acceptedEpoch: number }
export interface LeaderInfo { readonly type: 'LEADERINFO'; readonly epoch: number }
export interface AckEpoch { readonly type: 'ACKEPOCH'; readonly epoch: number; readonly currentEpoch: number; readonly lastZxid: Zxid }
export interface Diff { readonly type: 'DIFF'; readonly epoch: number; readonly zxid: Zxid }
export interface Trunc { readonly type: 'TRUNC'; readonly epoch: number; readonly zxid: Zxid }
export interface Snap { readonly type: 'SNAP'; readonly epoch: number; readonly zxid: Zxid; readonly snapshot: Uint8Array }
export interface ProposalMsg { readonly type: 'PROPOSAL'; readonly epoch: number; readonly txn: Txn }
export interface CommitMsg { readonly type: 'COMMIT'; readonly epoch: number; readonly zxid: Zxid }
export interface NewLeader { readonly type: 'NEWLEADER'; readonly epoch: number; readonly zxid: Zxid }
export interface AckMsg { readonly type: 'ACK'; readonly epoch: number; readonly zxid: Zxid }
export interface UpToDate { readonly type: 'UPTODATE'; readonly epoch: number }
/** Leader -> learner: heartbeat. Learner -> leader: the reply, with the sessions its clients touched. */
export interface PingMsg { readonly type: 'PING'; readonly epoch: number; readonly zxid: Zxid; readonly touches: readonly number[] }
/** Learner -> leader: a client's write (or sync) to prepare and propose. */
export interface RequestMsg { readonly type: 'REQUEST'; readonly epoch: number; readonly sessionId: number; readonly cxid: number; readonly op: WriteOp | Extract<ZkOp, { kind: 'sync' }> | { readonly kind: 'createSession'; readonly timeoutMs: number } }
export interface RevalidateMsg { readonly type: 'REVALIDATE'; readonly epoch: number; readonly sessionId: number; readonly timeoutMs: number; readonly valid: boolean }
export interface SyncMsg { readonly type: 'SYNC'; readonly epoch: number; readonly sessionId: number; readonly cxid: number }

export type QuorumPacket =
  | FollowerInfo | LeaderInfo | AckEpoch | Diff | Trunc | Snap | ProposalMsg | CommitMsg | NewLeader | AckMsg
  | UpToDate | PingMsg | RequestMsg | RevalidateMsg | SyncMsg;

export type PeerMessage = Notification | QuorumPacket;

export type ZkMessage = PeerMessage | ClientMessage | ServerMessage;

// ------------------------------------------------------------------ sizes

const HEADER = 16;

function opBytes(op: ZkOp | RequestMsg['op']): number {
  switch (op.kind) {
    case 'create': return 16 + op.path.length + op.data.length;
    case 'setData': return 12 + op.path.length + op.data.length;
    case 'delete': case 'getData': case 'exists': case 'getChildren': case 'sync': return 8 + op.path.length;
    case 'multi': return 8 + op.ops.reduce((s, o) => s + 12 + o.path.length + ('data' in o ? o.data.length : 0), 0);
    case 'setWatches': return 16 + [...op.data, ...op.exist, ...op.child].reduce((s, p) => s + 4 + p.length, 0);
    default: return 8;
  }
}

function resultBytes(r: ZkResult): number {
  switch (r.kind) {
    case 'create': return 4 + r.path.length;
    case 'getData': return 72 + r.data.length;
    case 'setData': case 'exists': return 68;
    case 'getChildren': return 72 + r.children.reduce((s, c) => s + 4 + c.length, 0);
    case 'multi': return 8 + r.results.length * 16;
    case 'none': return 0;
  }
}

/** Bytes on the wire for ctx.send. */
export function wireBytes(m: ZkMessage): number {
  switch (m.type) {
    case 'Notification': return HEADER + 40;
    case 'ZkConnect': case 'ZkConnected': return HEADER + 28;
    case 'ZkRequest': return HEADER + 8 + opBytes(m.op);
    case 'ZkReply': return HEADER + 16 + resultBytes(m.result);
    case 'ZkWatch': return HEADER + 12 + m.path.length;
    case 'SNAP': return HEADER + 12 + m.snapshot.length;
    case 'PROPOSAL': return HEADER + 40 + m.txn.body.t.length + ('path' in m.txn.body ? m.txn.body.path.length : 0) + ('data' in m.txn.body ? m.txn.body.data.length : 0);
    case 'PING': return HEADER + 12 + m.touches.length * 8;
    case 'REQUEST': return HEADER + 20 + opBytes(m.op);
    default: return HEADER + 16;
  }
}

// A SNAP carries the snapshot's bytes: the trace shows their size only.
registerTraceView<Snap>('SNAP', (m) => ({ type: 'SNAP', epoch: m.epoch, zxid: m.zxid, snapshotBytes: m.snapshot.length }));
