// The client-facing half of a server (NIOServerCnxn, FinalRequestProcessor, CommitProcessor, the
// WatchManager): connections, session handshakes, per-session ordering, replies and watches.
//
// Ordering (CommitProcessor): a session's requests are answered in the order they arrived. Writes
// are handed to the leader at once (pipelined); a read waits until every earlier write of the same
// session has committed here, so a client always reads its own writes. Reads are served from this
// server's tree and may be stale with respect to other servers: ZooKeeper's reads are sequentially
// consistent, not linearizable; sync() makes a following read see everything committed before it.
//
// Watches are one-shot and local to the server a client is connected to; on reconnect the client
// re-registers them (SetWatches) and the new server fires those whose node changed after the last
// zxid the client saw. A watch event is sent before the reply of any request that follows it.

import type { Context } from '../core/actor.ts';
import type { ProcessId } from '../core/types.ts';
import { negotiateSessionTimeout, type ZkSettings } from './config.ts';
import { utf8Length, type ApplyResult, type DataTree, type WatchSink } from './datatree.ts';
import {
  isWriteOp, wireBytes, type ClientReply, type ConnectRequest, type ServerMessage, type Stat, type WatchEventType,
  type MultiOp, type WriteOp, type ZkErrorCode, type ZkOp, type ZkResult,
} from './messages.ts';
import type { Txn } from './txn.ts';
import { formatZxid, type Zxid } from './zxid.ts';

/** What the server needs from its peer. */
export interface ServerHost {
  readonly ctx: Context;
  readonly sid: number;
  readonly settings: ZkSettings;
  readonly tree: DataTree;
  readonly serving: boolean;
  /** Hands a write (or createSession) to the leader: prepared locally on the leader, forwarded by a learner. */
  submitWrite(sessionId: number, cxid: number, op: WriteOp | { kind: 'createSession'; timeoutMs: number }): void;
  /** Asks the leader for a sync barrier for this session's request cxid. */
  submitSync(sessionId: number, cxid: number): void;
  /** Is the session alive? (the leader checks its tracker; a learner asks the leader). */
  revalidate(sessionId: number, timeoutMs: number, done: (valid: boolean) => void): void;
  /** The session made contact: false if the leader knows it is gone. */
  touch(sessionId: number): boolean;
  newSessionId(): number;
}

interface Entry {
  readonly xid: number;
  readonly op: ZkOp;
  /** Writes and syncs wait for the leader. */
  waiting: boolean;
  err: ZkErrorCode | null;
  result: ZkResult;
  zxid: Zxid;
}

interface Cnxn {
  readonly pid: ProcessId;
  readonly conn: number;
  sessionId: number;
  timeoutMs: number;
  state: 'creating' | 'validating' | 'open';
  readonly queue: Entry[];
  closed: boolean;
  /**
   * The client asked to close its session. ZooKeeper applies the closeSession txn (the session's
   * ephemerals go, watches fire) and then closes this connection at once (FinalRequestProcessor
   * applyRequest -> closeSession, ZOOKEEPER-558), so the watch events queued for it are never
   * flushed: the closing client sees none of them.
   */
  closing: boolean;
}

const NONE: ZkResult = { kind: 'none' };

export class ClientServer implements WatchSink {
  private readonly byPid = new Map<ProcessId, Map<number, Cnxn>>();
  private readonly bySession = new Map<number, Cnxn>();
  private readonly dataWatches = new Map<string, Set<Cnxn>>();
  private readonly childWatches = new Map<string, Set<Cnxn>>();
  /** Sessions touched since the leader's last ping (a learner reports them in its PING reply). */
  readonly touched = new Set<number>();

  constructor(private readonly host: ServerHost) {}

  get connectionCount(): number {
    let n = 0;
    for (const m of this.byPid.values()) n += m.size;
    return n;
  }

  /** A client process's connections closed (it died, or closed them). */
  onDisconnect(pid: ProcessId): boolean {
    const m = this.byPid.get(pid);
    if (m === undefined) return false;
    for (const c of m.values()) this.drop(c);
    this.byPid.delete(pid);
    return true;
  }

  /** The server stops serving (it left the broadcast phase): every client connection is closed. */
  closeAll(): void {
    const pids = [...this.byPid.keys()].sort((a, b) => a - b);
    for (const pid of pids) {
      this.host.ctx.disconnect(pid);
      this.onDisconnect(pid);
    }
    this.touched.clear();
  }

  private drop(c: Cnxn): void {
    c.closed = true;
    if (this.bySession.get(c.sessionId) === c) this.bySession.delete(c.sessionId);
    for (const map of [this.dataWatches, this.childWatches]) {
      for (const [path, set] of map) {
        set.delete(c);
        if (set.size === 0) map.delete(path);
      }
    }
  }

  private refuse(pid: ProcessId, why: string): void {
    this.host.ctx.annotate(why);
    this.host.ctx.disconnect(pid);
    this.onDisconnect(pid);
  }

  onConnect(from: ProcessId, m: ConnectRequest): void {
    const ctx = this.host.ctx;
    if (!this.host.serving) {
      this.refuse(from, `refusing ${ctx.nameOf(from)}: ZooKeeperServer not running`);
      return;
    }
    const tree = this.host.tree;
    if (m.lastZxidSeen > tree.lastZxid) {
      this.refuse(from, `refusing session request for ${ctx.nameOf(from)}: it has seen zxid ${formatZxid(m.lastZxidSeen)}, our last zxid is ${formatZxid(tree.lastZxid)}; client must try another server`);
      return;
    }
    let conns = this.byPid.get(from);
    if (conns === undefined) this.byPid.set(from, (conns = new Map()));
    if (conns.has(m.conn)) return;
    const timeoutMs = negotiateSessionTimeout(m.timeoutMs, this.host.settings);
    const c: Cnxn = { pid: from, conn: m.conn, sessionId: m.sessionId, timeoutMs, state: 'validating', queue: [], closed: false, closing: false };
    conns.set(m.conn, c);
    if (m.sessionId === 0) {
      c.sessionId = this.host.newSessionId();
      c.state = 'creating';
      this.bySession.set(c.sessionId, c);
      this.host.submitWrite(c.sessionId, -1, { kind: 'createSession', timeoutMs });
      return;
    }
    this.host.revalidate(m.sessionId, timeoutMs, (valid) => {
      if (c.closed) return;
      if (!valid) {
        ctx.annotate(`session 0x${c.sessionId.toString(16)} of ${ctx.nameOf(from)} has expired`);
        this.sendTo(c, { type: 'ZkConnected', conn: c.conn, sessionId: c.sessionId, timeoutMs: 0 });
        conns!.delete(c.conn);
        this.drop(c);
        return;
      }
      const old = this.bySession.get(c.sessionId);
      if (old !== undefined && old !== c) this.drop(old);
      c.state = 'open';
      this.bySession.set(c.sessionId, c);
      this.sendTo(c, { type: 'ZkConnected', conn: c.conn, sessionId: c.sessionId, timeoutMs: c.timeoutMs });
    });
  }

  onRequest(from: ProcessId, conn: number, xid: number, op: ZkOp): void {
    const c = this.byPid.get(from)?.get(conn);
    if (c === undefined || c.state !== 'open') return;
    // NIOServerCnxn.readLength / checkRequestSizeWhenReceivingMessage: a packet longer than
    // jute.maxbuffer is a "Len error"; the server closes the connection without answering.
    const len = requestLength(op);
    if (len > this.host.settings.juteMaxBufferBytes) {
      this.refuse(from, `Len error ${len}: request from ${this.host.ctx.nameOf(from)} is larger than jute.maxbuffer (${this.host.settings.juteMaxBufferBytes}); closing the connection`);
      return;
    }
    if (!this.host.touch(c.sessionId)) {
      this.refuse(from, `session 0x${c.sessionId.toString(16)} is expired or closing: closing the connection`);
      return;
    }
    const e: Entry = { xid, op, waiting: false, err: null, result: NONE, zxid: 0 };
    if (op.kind === 'closeSession') c.closing = true;
    if (isWriteOp(op)) {
      e.waiting = true;
      c.queue.push(e);
      this.host.submitWrite(c.sessionId, xid, op);
    } else if (op.kind === 'sync') {
      e.waiting = true;
      c.queue.push(e);
      this.host.submitSync(c.sessionId, xid);
    } else {
      c.queue.push(e);
      this.drain(c);
    }
  }

  /** A txn committed here (called after the tree applied it, while serving). */
  onCommitted(txn: Txn, r: ApplyResult): void {
    const c = this.bySession.get(txn.sessionId);
    if (c === undefined || c.closed) return;
    if (txn.body.t === 'createSession') {
      if (c.state !== 'creating') return;
      c.state = 'open';
      this.host.touch(c.sessionId);
      this.sendTo(c, { type: 'ZkConnected', conn: c.conn, sessionId: c.sessionId, timeoutMs: c.timeoutMs });
      return;
    }
    const e = c.queue.find((x) => x.waiting && x.xid === txn.cxid);
    if (e === undefined) {
      // A closeSession this connection did not ask for (the leader expired the session): as
      // FinalRequestProcessor does for a request with no local connection, close the session's
      // connection, so the client reconnects and learns that its session is gone.
      if (txn.body.t === 'closeSession') this.refuse(c.pid, `session 0x${c.sessionId.toString(16)} of ${this.host.ctx.nameOf(c.pid)} closed by the leader: closing its connection`);
      return;
    }
    e.waiting = false;
    e.zxid = txn.zxid;
    e.err = r.err;
    e.result = resultOf(e.op, r);
    this.drain(c);
  }

  /** The leader's SYNC for this session's request arrived (or the leader answered its own). */
  onSynced(sessionId: number, cxid: number): void {
    const c = this.bySession.get(sessionId);
    if (c === undefined || c.closed) return;
    const e = c.queue.find((x) => x.waiting && x.xid === cxid);
    if (e === undefined) return;
    e.waiting = false;
    e.zxid = this.host.tree.lastZxid;
    this.drain(c);
  }

  /** Answers the session's requests in order up to the first one still waiting for the leader. */
  private drain(c: Cnxn): void {
    while (c.queue.length > 0 && !c.closed) {
      const e = c.queue[0]!;
      if (e.waiting) return;
      c.queue.shift();
      if (e.op.kind === 'ping') {
        this.reply(c, -2, this.host.tree.lastZxid, null, NONE);
      } else if (e.op.kind === 'setWatches') {
        this.setWatches(c, e.op.relativeZxid, e.op.data, e.op.exist, e.op.child);
      } else if (e.op.kind === 'getData' || e.op.kind === 'exists' || e.op.kind === 'getChildren') {
        this.read(c, e.xid, e.op);
      } else if (e.err === 'SESSIONMOVED') {
        // A connection-level error (FinalRequestProcessor, ZOOKEEPER-710): the session now belongs to
        // another server (a stale connect request revalidated it there). Answering would leave the
        // client retrying here forever; closing the connection makes it reconnect, and the server it
        // reaches revalidates the session and owns it.
        this.refuse(c.pid, `session 0x${c.sessionId.toString(16)} moved to another server: closing the connection`);
        return;
      } else {
        this.reply(c, e.xid, e.op.kind === 'sync' ? this.host.tree.lastZxid : e.zxid, e.err, e.result);
        if (e.op.kind === 'closeSession') {
          this.byPid.get(c.pid)?.delete(c.conn);
          this.drop(c);
        }
      }
    }
  }

  private read(c: Cnxn, xid: number, op: Extract<ZkOp, { kind: 'getData' | 'exists' | 'getChildren' }>): void {
    const tree = this.host.tree;
    const node = tree.get(op.path);
    const zxid = tree.lastZxid;
    switch (op.kind) {
      case 'getData':
        if (node === undefined) return this.reply(c, xid, zxid, 'NONODE', NONE);
        if (op.watch) this.addWatch(this.dataWatches, op.path, c);
        return this.reply(c, xid, zxid, null, { kind: 'getData', data: node.data, stat: node.stat() });
      case 'exists':
        // DataTree.statNode registers the watch whether or not the node exists.
        if (op.watch) this.addWatch(this.dataWatches, op.path, c);
        return this.reply(c, xid, zxid, null, { kind: 'exists', stat: node === undefined ? null : node.stat() });
      case 'getChildren':
        if (node === undefined) return this.reply(c, xid, zxid, 'NONODE', NONE);
        if (op.watch) this.addWatch(this.childWatches, op.path, c);
        return this.reply(c, xid, zxid, null, { kind: 'getChildren', children: tree.children(op.path)!, stat: node.stat() });
    }
  }

  /** SetWatches on reconnect: fire what changed after relativeZxid, register the rest. */
  private setWatches(c: Cnxn, rel: Zxid, data: readonly string[], exist: readonly string[], child: readonly string[]): void {
    const tree = this.host.tree;
    for (const p of data) {
      const n = tree.get(p);
      if (n === undefined) this.sendEvent(c, p, 'NodeDeleted');
      else if (n.mzxid > rel) this.sendEvent(c, p, 'NodeDataChanged');
      else this.addWatch(this.dataWatches, p, c);
    }
    for (const p of exist) {
      if (tree.get(p) !== undefined) this.sendEvent(c, p, 'NodeCreated');
      else this.addWatch(this.dataWatches, p, c);
    }
    for (const p of child) {
      const n = tree.get(p);
      if (n === undefined) this.sendEvent(c, p, 'NodeDeleted');
      else if (n.pzxid > rel) this.sendEvent(c, p, 'NodeChildrenChanged');
      else this.addWatch(this.childWatches, p, c);
    }
  }

  private addWatch(map: Map<string, Set<Cnxn>>, path: string, c: Cnxn): void {
    let set = map.get(path);
    if (set === undefined) map.set(path, (set = new Set()));
    set.add(c);
  }

  /** WatchSink: the tree applied a change. Each connection gets at most one event per change. */
  trigger(path: string, event: WatchEventType, _zxid: Zxid): void {
    if (this.dataWatches.size === 0 && this.childWatches.size === 0) return;
    let targets: Set<Cnxn> | undefined;
    if (event !== 'NodeChildrenChanged') {
      targets = this.dataWatches.get(path);
      if (targets !== undefined) this.dataWatches.delete(path);
    }
    if (event === 'NodeDeleted' || event === 'NodeChildrenChanged') {
      const ch = this.childWatches.get(path);
      if (ch !== undefined) {
        this.childWatches.delete(path);
        if (targets === undefined) targets = ch;
        else for (const x of ch) targets.add(x);
      }
    }
    if (targets === undefined) return;
    for (const c of [...targets].sort((a, b) => a.pid - b.pid || a.conn - b.conn)) if (!c.closed && !c.closing) this.sendEvent(c, path, event);
  }

  private sendEvent(c: Cnxn, path: string, event: WatchEventType): void {
    this.sendTo(c, { type: 'ZkWatch', conn: c.conn, path, event, zxid: this.host.tree.lastZxid });
  }

  private reply(c: Cnxn, xid: number, zxid: Zxid, err: ZkErrorCode | null, result: ZkResult): void {
    const m: ClientReply = { type: 'ZkReply', conn: c.conn, xid, zxid, err, result };
    this.sendTo(c, m);
  }

  private sendTo(c: Cnxn, m: ServerMessage): void {
    this.host.ctx.send(c.pid, m, wireBytes(m));
  }

  /** Sessions with a live connection here (for the inspect view). */
  get sessionCount(): number {
    return this.bySession.size;
  }
}

/** Jute string: a 4-byte length, then UTF-8 bytes. */
const juteString = (s: string): number => 4 + utf8Length(s);
/** The ACL list of OPEN_ACL_UNSAFE (world:anyone, all perms) as jute writes it. */
const OPEN_ACL_BYTES = 4 + 4 + juteString('world') + juteString('anyone');

/**
 * The length prefix of a request packet: RequestHeader (xid, type) plus the request record as jute
 * serializes it (CreateRequest, SetDataRequest, MultiOperationRecord with its MultiHeaders...).
 */
export function requestLength(op: ZkOp): number {
  const HEADER = 8;
  const record = (o: ZkOp | MultiOp): number => {
    const path = 'path' in o ? juteString(o.path) : 0;
    const data = 'data' in o && typeof o.data === 'string' ? juteString(o.data) : 0;
    switch ('kind' in o ? o.kind : o.op) {
      case 'create': return path + data + OPEN_ACL_BYTES + 4;
      case 'setData': case 'delete': case 'check': return path + data + 4;
      case 'getData': case 'exists': case 'getChildren': return path + 1;
      case 'sync': return path;
      default: return 0;
    }
  };
  if (op.kind === 'multi') return HEADER + op.ops.reduce((n, o) => n + 9 + record(o), 0) + 9;
  if (op.kind === 'setWatches') return HEADER + 8 + [...op.data, ...op.exist, ...op.child].reduce((n, p) => n + juteString(p), 12);
  return HEADER + record(op);
}

function resultOf(op: ZkOp, r: ApplyResult): ZkResult {
  if (r.err !== null && op.kind !== 'multi') return NONE;
  switch (op.kind) {
    case 'create': return { kind: 'create', path: r.path ?? '' };
    case 'setData': return { kind: 'setData', stat: r.stat as Stat };
    case 'multi': return { kind: 'multi', results: r.multi ?? [] };
    default: return NONE;
  }
}
