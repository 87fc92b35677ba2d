// The ZooKeeper client library (ClientCnxn + ZooKeeper.java in spirit), for embedding in any actor.
//
// It is a plain object owned by an actor, not an actor: a Kafka broker, the Kafka controller or the
// HDFS failover controller creates one and forwards ZooKeeper traffic to it.
//
//   class Broker implements Actor {
//     private zk: ZkClient;
//     constructor(private ctx: Context) {
//       this.zk = new ZkClient(ctx, { connectString: ['zk-1', 'zk-2', 'zk-3'], sessionTimeoutMs: 18_000,
//                                     onEvent: (e) => this.onZkSession(e) });
//     }
//     onMessage(from, msg) { if (this.zk.handleMessage(from, msg)) return; ... }
//     onTimer(tag)         { if (this.zk.handleTimer(tag)) return; ... }
//     onDisconnect(peer)   { this.zk.handleDisconnect(peer); ... }
//   }
//
// API (every callback runs later, from a handler of the owning actor; never synchronously, except
// for operations on a client that is already EXPIRED or CLOSED, which fail at once):
//   new ZkClient(ctx, { connectString, sessionTimeoutMs, onEvent?, recordHistory? })
//   zk.create(path, data, { ephemeral?, sequential? }, (err, createdPath) => ...)
//   zk.delete(path, version, (err) => ...)                 version -1: any version
//   zk.setData(path, data, version, (err, stat) => ...)    mismatch: 'BADVERSION'
//   zk.getData(path, { watch? }, (err, data, stat) => ...) missing node: 'NONODE'
//   zk.exists(path, { watch? }, (err, stat | null) => ...) a watch on a missing node fires on create
//   zk.getChildren(path, { watch? }, (err, children, stat) => ...)   children sorted by name
//   zk.multi(ops, (err, results) => ...)                   all or nothing; err is the first failing op's
//   zk.sync(path, (err) => ...)                            reads after it see every write committed before it
//   zk.close(cb?)                                          ends the session (its ephemerals go at once)
//   zk.state / zk.sessionId / zk.sessionTimeoutMs / zk.inspect()
//   handleMessage(from, msg): boolean  true when msg was ZooKeeper traffic for this client
//   handleTimer(tag): boolean          true when tag is this client's timer (tags are ZkClientTimer objects)
//   handleDisconnect(peer): boolean    true when peer was this client's server
// A watch is a function called once with { type, path } (one-shot, as in ZooKeeper). Session
// events go to onEvent: SyncConnected, Disconnected (connection lost; the session may still live),
// Expired (the server said so on reconnect; the client is dead, make a new one), Closed.
//
// Errors are values: 'CONNECTIONLOSS' (the outcome is unknown: the op may or may not have been
// applied), 'SESSIONEXPIRED', 'NONODE', 'NODEEXISTS', 'BADVERSION', 'NOTEMPTY', ...
//
// Behaviour from ClientCnxn.java: the connect string is shuffled once; connection attempts go round
// it, each given sessionTimeout / servers to answer, with a random pause below 1 s before each
// reconnect and 1 s more after a full round. Once connected the read timeout is 2/3 of the
// negotiated session timeout; the client pings after half of that without sending. A client never
// expires its own session: it learns of expiry from the server it reconnects to. A server whose
// last zxid is behind the client's refuses it. Watches are re-registered (SetWatches) on reconnect.
//
// History: every operation is recorded with ctx.invoke / ctx.complete: ok (with its result), fail
// for a definite error (including operations never sent), info for CONNECTIONLOSS after sending.
// f is the method name; key is the path (null for multi). Outputs carry the reply zxid and the
// session id so checkers can order a session's operations.

import type { Context } from '../core/actor.ts';
import { invariant } from '../core/invariant.ts';
import type { Json, Message, ProcessId } from '../core/types.ts';
import { MS } from '../core/types.ts';
import {
  wireBytes, type ClientReply, type ConnectResponse, type MultiOp, type MultiResult, type Stat, type WatchEventMsg,
  type WatchEventType, type WatchKind, type ZkErrorCode, type ZkOp, type ZkResult,
} from './messages.ts';
import { formatZxid, type Zxid } from './zxid.ts';

export type ZkClientState = 'CONNECTING' | 'CONNECTED' | 'EXPIRED' | 'CLOSED';

export interface ZkSessionEvent {
  readonly state: 'SyncConnected' | 'Disconnected' | 'Expired' | 'Closed';
  readonly sessionId: number;
}

export interface ZkWatchEvent {
  readonly type: WatchEventType;
  readonly path: string;
}

export type Watcher = (event: ZkWatchEvent) => void;

export interface ZkClientOptions {
  /** Server process names. */
  readonly connectString: readonly string[];
  /** Requested session timeout; the server clamps it to [2, 20] x tickTime by default. */
  readonly sessionTimeoutMs: number;
  readonly onEvent?: (event: ZkSessionEvent) => void;
  /** Record operations in the world's history (default true). */
  readonly recordHistory?: boolean;
}

export interface CreateOptions {
  readonly ephemeral?: boolean;
  readonly sequential?: boolean;
}

export interface ReadOptions {
  readonly watch?: Watcher;
}

/** The tag of a ZkClient timer (what the owner's onTimer receives and passes to handleTimer). */
export interface ZkClientTimer {
  readonly zkClient: number;
  readonly seq: number;
}

export function isZkClientTimer(tag: unknown): tag is ZkClientTimer {
  return typeof tag === 'object' && tag !== null && 'zkClient' in tag;
}

type AnyCallback = (err: ZkErrorCode | null, result: ZkResult | null) => void;

interface Packet {
  readonly xid: number;
  readonly op: ZkOp;
  readonly cb: AnyCallback | null;
  readonly opId: number;
  readonly watch: Watcher | null;
  /** Sent on the current connection (a loss is then 'info', not 'fail'). */
  sent: boolean;
}

/** Per-context counters: client ids and connection numbers are unique within an actor. */
const counters = new WeakMap<Context, { next: number }>();
function nextId(ctx: Context): number {
  let c = counters.get(ctx);
  if (c === undefined) counters.set(ctx, (c = { next: 1 }));
  return c.next++;
}

const PING_XID = -2;
const SPIN_DELAY_MS = 1000;

export class ZkClient {
  private readonly id: number;
  private readonly hosts: ProcessId[];
  private hostIndex = -1;
  private attemptsThisRound = 0;
  private _state: ZkClientState = 'CONNECTING';
  private _sessionId = 0;
  private negotiatedMs = 0;
  private server: ProcessId | -1 = -1;
  private conn = 0;
  private xid = 1;
  private lastZxidSeen: Zxid = 0;
  private lastHeardUs = 0;
  private lastSentUs = 0;
  private connectStartUs = 0;
  private reconnectAtUs = -1;
  private readonly pending: Packet[] = [];
  private readonly outgoing: Packet[] = [];
  private readonly dataWatches = new Map<string, Watcher[]>();
  private readonly existWatches = new Map<string, Watcher[]>();
  private readonly childWatches = new Map<string, Watcher[]>();
  private timerSeq = 0;
  private timerAtUs = Infinity;
  private timerId = -1;
  private closeCb: (() => void) | null = null;
  private readonly record: boolean;

  constructor(private readonly ctx: Context, private readonly opts: ZkClientOptions) {
    invariant(opts.connectString.length > 0, 'ZkClient: empty connect string');
    invariant(opts.sessionTimeoutMs > 0, 'ZkClient: sessionTimeoutMs must be positive');
    this.id = nextId(ctx);
    this.hosts = ctx.rng.shuffle(opts.connectString.map((n) => ctx.lookup(n)));
    this.record = opts.recordHistory !== false;
    this.startConnect();
  }

  get state(): ZkClientState {
    return this._state;
  }

  get sessionId(): number {
    return this._sessionId;
  }

  /** The timeout the server granted (0 before the first connection). */
  get sessionTimeoutMs(): number {
    return this.negotiatedMs;
  }

  get connectedServer(): string | null {
    return this._state === 'CONNECTED' && this.server !== -1 ? this.ctx.nameOf(this.server) : null;
  }

  get alive(): boolean {
    return this._state === 'CONNECTING' || this._state === 'CONNECTED';
  }

  // ---------------------------------------------------------------- operations

  create(path: string, data: string, opts: CreateOptions, cb: (err: ZkErrorCode | null, createdPath: string | null) => void): void {
    const ephemeral = opts.ephemeral === true;
    const sequential = opts.sequential === true;
    this.submit({ kind: 'create', path, data, ephemeral, sequential }, { data, ephemeral, sequential }, path, null,
      (err, r) => cb(err, r !== null && r.kind === 'create' ? r.path : null));
  }

  delete(path: string, version: number, cb: (err: ZkErrorCode | null) => void): void {
    this.submit({ kind: 'delete', path, version }, { version }, path, null, (err) => cb(err));
  }

  setData(path: string, data: string, version: number, cb: (err: ZkErrorCode | null, stat: Stat | null) => void): void {
    this.submit({ kind: 'setData', path, data, version }, { data, version }, path, null,
      (err, r) => cb(err, r !== null && r.kind === 'setData' ? r.stat : null));
  }

  getData(path: string, opts: ReadOptions, cb: (err: ZkErrorCode | null, data: string | null, stat: Stat | null) => void): void {
    this.submit({ kind: 'getData', path, watch: opts.watch !== undefined }, null, path, opts.watch ?? null,
      (err, r) => (r !== null && r.kind === 'getData' ? cb(null, r.data, r.stat) : cb(err, null, null)));
  }

  exists(path: string, opts: ReadOptions, cb: (err: ZkErrorCode | null, stat: Stat | null) => void): void {
    this.submit({ kind: 'exists', path, watch: opts.watch !== undefined }, null, path, opts.watch ?? null,
      (err, r) => cb(err, r !== null && r.kind === 'exists' ? r.stat : null));
  }

  getChildren(path: string, opts: ReadOptions, cb: (err: ZkErrorCode | null, children: readonly string[] | null, stat: Stat | null) => void): void {
    this.submit({ kind: 'getChildren', path, watch: opts.watch !== undefined }, null, path, opts.watch ?? null,
      (err, r) => (r !== null && r.kind === 'getChildren' ? cb(null, r.children, r.stat) : cb(err, null, null)));
  }

  multi(ops: readonly MultiOp[], cb: (err: ZkErrorCode | null, results: readonly MultiResult[] | null) => void): void {
    this.submit({ kind: 'multi', ops }, { ops: ops as unknown as Json }, null, null,
      (err, r) => cb(err, r !== null && r.kind === 'multi' ? r.results : null));
  }

  sync(path: string, cb: (err: ZkErrorCode | null) => void): void {
    this.submit({ kind: 'sync', path }, null, path, null, (err) => cb(err));
  }

  /** Ends the session: the server deletes its ephemeral nodes. Without a connection the session is left to expire. */
  close(cb?: () => void): void {
    if (!this.alive) {
      cb?.();
      return;
    }
    if (this._state === 'CONNECTED') {
      this.closeCb = cb ?? null;
      this.send({ xid: this.xid++, op: { kind: 'closeSession' }, cb: null, opId: -1, watch: null, sent: false });
      return;
    }
    this.finish('CLOSED');
    cb?.();
  }

  // ---------------------------------------------------------------- owner forwarding

  handleMessage(from: ProcessId, msg: Message): boolean {
    switch (msg.type) {
      case 'ZkConnected': {
        const m = msg as ConnectResponse;
        if (from !== this.server || m.conn !== this.conn) return this.ownsConn(m.conn);
        this.onConnected(m);
        return true;
      }
      case 'ZkReply': {
        const m = msg as ClientReply;
        if (from !== this.server || m.conn !== this.conn) return this.ownsConn(m.conn);
        this.onReply(m);
        return true;
      }
      case 'ZkWatch': {
        const m = msg as WatchEventMsg;
        if (from !== this.server || m.conn !== this.conn) return this.ownsConn(m.conn);
        this.onWatchEvent(m);
        return true;
      }
      default:
        return false;
    }
  }

  handleTimer(tag: unknown): boolean {
    if (!isZkClientTimer(tag) || tag.zkClient !== this.id) return false;
    if (tag.seq !== this.timerSeq) return true; // superseded
    this.timerAtUs = Infinity;
    this.timerId = -1;
    this.onTick();
    return true;
  }

  handleDisconnect(peer: ProcessId): boolean {
    if (peer !== this.server || !this.alive) return false;
    this.connectionLost(`connection to ${this.ctx.nameOf(peer)} closed`);
    return true;
  }

  inspect(): Json {
    return {
      role: 'client',
      sessionId: `0x${this._sessionId.toString(16)}`,
      state: this._state,
      server: this.server === -1 ? null : this.ctx.nameOf(this.server),
      lastZxid: formatZxid(this.lastZxidSeen),
      pending: this.pending.length + this.outgoing.length,
    };
  }

  // ---------------------------------------------------------------- internals

  /** A late message for an earlier connection of this client: consumed and dropped. */
  private ownsConn(conn: number): boolean {
    return conn < this.conn && conn > 0 && this.connsOfMine.has(conn);
  }
  private readonly connsOfMine = new Set<number>();

  private submit(op: ZkOp, input: Json, key: string | null, watch: Watcher | null, cb: AnyCallback): void {
    const opId = this.record ? this.ctx.invoke(op.kind, key, input) : -1;
    const p: Packet = { xid: this.xid++, op, cb, opId, watch, sent: false };
    if (this._state === 'EXPIRED' || this._state === 'CLOSED') {
      this.completeHistory(p, 'fail', null, 'SESSIONEXPIRED');
      cb('SESSIONEXPIRED', null);
      return;
    }
    if (this._state === 'CONNECTING') {
      this.outgoing.push(p);
      return;
    }
    this.send(p);
  }

  private send(p: Packet): void {
    invariant(this.server !== -1, 'ZkClient.send without a server');
    p.sent = true;
    if (p.xid !== PING_XID) this.pending.push(p);
    const m = { type: 'ZkRequest' as const, conn: this.conn, xid: p.xid, op: p.op };
    this.ctx.send(this.server, m, wireBytes(m));
    this.lastSentUs = this.ctx.nowUs();
  }

  private startConnect(): void {
    this._state = 'CONNECTING';
    this.reconnectAtUs = -1;
    this.hostIndex = (this.hostIndex + 1) % this.hosts.length;
    this.attemptsThisRound++;
    this.server = this.hosts[this.hostIndex]!;
    this.conn = nextId(this.ctx);
    this.connsOfMine.add(this.conn);
    this.connectStartUs = this.ctx.nowUs();
    const m = { type: 'ZkConnect' as const, conn: this.conn, sessionId: this._sessionId, timeoutMs: this.opts.sessionTimeoutMs, lastZxidSeen: this.lastZxidSeen };
    this.ctx.send(this.server, m, wireBytes(m));
    this.lastSentUs = this.connectStartUs;
    this.arm(this.connectStartUs + this.connectTimeoutUs());
  }

  private connectTimeoutUs(): number {
    const t = this.negotiatedMs > 0 ? this.negotiatedMs : this.opts.sessionTimeoutMs;
    return Math.max(1, Math.floor(t / this.hosts.length)) * MS;
  }

  private readTimeoutUs(): number {
    return Math.floor((this.negotiatedMs * 2) / 3) * MS;
  }

  private onConnected(m: ConnectResponse): void {
    if (this._state !== 'CONNECTING') return;
    if (m.timeoutMs <= 0) {
      // The server told us the session is gone (SESSION_EXPIRED is only ever learned on reconnect).
      // The server forgets the connection itself; closing it here could race a new client's connect.
      this.ctx.annotate(`session 0x${this._sessionId.toString(16)} expired (told by ${this.ctx.nameOf(this.server as ProcessId)} on reconnect)`);
      this.finish('EXPIRED');
      return;
    }
    const firstSession = this._sessionId === 0;
    this._sessionId = m.sessionId;
    this.negotiatedMs = m.timeoutMs;
    this._state = 'CONNECTED';
    this.attemptsThisRound = 0;
    this.lastHeardUs = this.ctx.nowUs();
    this.ctx.annotate(`${firstSession ? 'session established' : 'reconnected'}: 0x${m.sessionId.toString(16)} on ${this.ctx.nameOf(this.server as ProcessId)}, timeout ${m.timeoutMs} ms`);
    this.ctx.observe('zk-session-state', { session: m.sessionId, state: 'CONNECTED', client: this.ctx.name, timeoutMs: m.timeoutMs });
    // SetWatches goes first, so watches fire before any reply on this connection (ClientCnxn.primeConnection).
    if (this.dataWatches.size + this.existWatches.size + this.childWatches.size > 0) {
      this.send({
        xid: PING_XID, op: {
          kind: 'setWatches', relativeZxid: this.lastZxidSeen,
          data: [...this.dataWatches.keys()].sort(), exist: [...this.existWatches.keys()].sort(), child: [...this.childWatches.keys()].sort(),
        }, cb: null, opId: -1, watch: null, sent: false,
      });
    }
    const queued = this.outgoing.splice(0);
    for (const p of queued) this.send(p);
    this.arm(this.nextDeadlineUs());
    this.opts.onEvent?.({ state: 'SyncConnected', sessionId: this._sessionId });
  }

  private onReply(m: ClientReply): void {
    this.lastHeardUs = this.ctx.nowUs();
    if (m.zxid > this.lastZxidSeen) this.lastZxidSeen = m.zxid;
    if (m.xid === PING_XID) return;
    const p = this.pending.shift();
    invariant(p !== undefined && p.xid === m.xid, () => `ZkClient ${this.ctx.name}: xid out of order: got ${m.xid}, expected ${p?.xid ?? 'none'}`);
    if (p.op.kind === 'closeSession') {
      this.finish('CLOSED');
      const cb = this.closeCb;
      this.closeCb = null;
      cb?.();
      return;
    }
    const isRead = p.op.kind === 'getData' || p.op.kind === 'exists' || p.op.kind === 'getChildren';
    // The history first, then the watch: the read that sets a watch happens before the watch exists.
    if (m.err === null) this.completeHistory(p, 'ok', this.outputOf(m), undefined);
    else if (isRead && m.err === 'NONODE') this.completeHistory(p, 'ok', { zxid: m.zxid, session: this._sessionId, node: null }, undefined);
    else this.completeHistory(p, 'fail', { zxid: m.zxid, session: this._sessionId }, m.err);
    if (p.watch !== null && (m.err === null || (m.err === 'NONODE' && p.op.kind === 'exists'))) this.registerWatch(p, m);
    // A failed multi still carries its per-op results (OK, the error, RUNTIMEINCONSISTENCY), as
    // KeeperException.getResults() and MultiCallback's opResults give them.
    p.cb?.(m.err, m.err === null || p.op.kind === 'multi' ? m.result : null);
  }

  private outputOf(m: ClientReply): Json {
    const base = { zxid: m.zxid, session: this._sessionId };
    const r = m.result;
    switch (r.kind) {
      case 'create': return { ...base, path: r.path };
      case 'setData': return { ...base, version: r.stat.version, mzxid: r.stat.mzxid };
      case 'getData': return { ...base, node: nodeView(r.stat, r.data) };
      case 'exists': return { ...base, node: r.stat === null ? null : nodeView(r.stat, null) };
      case 'getChildren': return { ...base, node: nodeView(r.stat, null), children: r.children as Json };
      case 'multi': return { ...base, results: r.results as unknown as Json };
      case 'none': return base;
    }
  }

  private registerWatch(p: Packet, m: ClientReply): void {
    const path = (p.op as { path: string }).path;
    let kind: WatchKind;
    let stat: Stat | null = null;
    if (p.op.kind === 'getChildren') {
      kind = 'child';
      if (m.result.kind === 'getChildren') stat = m.result.stat;
    } else if (p.op.kind === 'exists') {
      stat = m.result.kind === 'exists' ? m.result.stat : null;
      kind = stat === null ? 'exist' : 'data';
    } else {
      kind = 'data';
      if (m.result.kind === 'getData') stat = m.result.stat;
    }
    const map = kind === 'child' ? this.childWatches : kind === 'exist' ? this.existWatches : this.dataWatches;
    let list = map.get(path);
    if (list === undefined) map.set(path, (list = []));
    // ZKWatchManager keeps a set of watchers per path: the same watcher registered twice is called once.
    if (!list.includes(p.watch!)) list.push(p.watch!);
    this.ctx.observe('zk-watch-set', {
      session: this._sessionId, path, kind, exists: stat !== null,
      mzxid: stat?.mzxid ?? -1, pzxid: stat?.pzxid ?? -1, czxid: stat?.czxid ?? -1,
    });
  }

  private onWatchEvent(m: WatchEventMsg): void {
    this.lastHeardUs = this.ctx.nowUs();
    if (m.zxid > this.lastZxidSeen) this.lastZxidSeen = m.zxid;
    const fired: Watcher[] = [];
    const take = (map: Map<string, Watcher[]>): void => {
      const l = map.get(m.path);
      if (l === undefined) return;
      map.delete(m.path);
      for (const w of l) fired.push(w);
    };
    // ZKWatchManager.materialize: which client-side watches an event type triggers.
    switch (m.event) {
      case 'NodeDataChanged':
      case 'NodeCreated':
        take(this.dataWatches);
        take(this.existWatches);
        break;
      case 'NodeDeleted':
        take(this.dataWatches);
        take(this.existWatches);
        take(this.childWatches);
        break;
      case 'NodeChildrenChanged':
        take(this.childWatches);
        break;
    }
    this.ctx.observe('zk-watch-fired', { session: this._sessionId, path: m.path, event: m.event, watchers: fired.length });
    const ev: ZkWatchEvent = { type: m.event, path: m.path };
    for (const w of fired) w(ev);
  }

  private completeHistory(p: Packet, type: 'ok' | 'fail' | 'info', value: Json, error: string | undefined): void {
    if (p.opId < 0) return;
    this.ctx.complete(p.opId, type, value, error);
  }

  /** The connection broke (closed, timed out, refused): fail what was in flight and try the next server. */
  private connectionLost(why: string): void {
    const wasConnected = this._state === 'CONNECTED';
    if (this.server !== -1) this.ctx.disconnect(this.server);
    this.ctx.annotate(`ZooKeeper client: ${why}; ${wasConnected ? 'connection loss' : 'connection attempt failed'}`);
    // State first: callbacks below may submit new operations, which must queue for the next connection.
    this._state = 'CONNECTING';
    this.server = -1;
    const sent = this.pending.splice(0);
    const queued = this.outgoing.splice(0);
    // ClientCnxn: a random pause below 1 s before reconnecting; StaticHostProvider spins 1 s after a full round.
    let delayUs = Math.floor(this.ctx.rng.float() * SPIN_DELAY_MS) * MS;
    if (this.attemptsThisRound >= this.hosts.length) {
      this.attemptsThisRound = 0;
      delayUs += SPIN_DELAY_MS * MS;
    }
    this.reconnectAtUs = this.ctx.nowUs() + delayUs;
    this.arm(this.reconnectAtUs);
    if (wasConnected) this.ctx.observe('zk-session-state', { session: this._sessionId, state: 'DISCONNECTED', client: this.ctx.name, lastHeardUs: this.lastHeardUs });
    this.failPackets(sent, queued, 'CONNECTIONLOSS');
    if (wasConnected) this.opts.onEvent?.({ state: 'Disconnected', sessionId: this._sessionId });
  }

  /** Sent packets fail as unknown (info) on a connection loss; packets never sent certainly did not happen. */
  private failPackets(sent: readonly Packet[], queued: readonly Packet[], err: ZkErrorCode): void {
    for (const p of sent) {
      if (p.op.kind === 'closeSession') continue;
      this.completeHistory(p, err === 'CONNECTIONLOSS' ? 'info' : 'fail', null, err);
      p.cb?.(err, null);
    }
    for (const p of queued) {
      this.completeHistory(p, 'fail', null, err);
      p.cb?.(err, null);
    }
  }

  private finish(state: 'EXPIRED' | 'CLOSED'): void {
    this._state = state;
    this.server = -1;
    this.timerSeq++;
    if (this.timerId >= 0) this.ctx.cancelTimer(this.timerId);
    this.timerId = -1;
    this.timerAtUs = Infinity;
    this.dataWatches.clear();
    this.existWatches.clear();
    this.childWatches.clear();
    this.ctx.observe('zk-session-state', { session: this._sessionId, state, client: this.ctx.name });
    this.failPackets(this.pending.splice(0), this.outgoing.splice(0), 'SESSIONEXPIRED');
    this.opts.onEvent?.({ state: state === 'EXPIRED' ? 'Expired' : 'Closed', sessionId: this._sessionId });
  }

  private nextDeadlineUs(): number {
    if (this._state === 'CONNECTED') {
      const rt = this.readTimeoutUs();
      return Math.min(this.lastHeardUs + rt, this.lastSentUs + Math.floor(rt / 2));
    }
    if (this._state === 'CONNECTING') return this.reconnectAtUs >= 0 ? this.reconnectAtUs : this.connectStartUs + this.connectTimeoutUs();
    return Infinity;
  }

  private onTick(): void {
    const now = this.ctx.nowUs();
    if (this._state === 'CONNECTED') {
      const rt = this.readTimeoutUs();
      if (now - this.lastHeardUs >= rt) {
        this.connectionLost(`client session timed out, have not heard from server in ${Math.round((now - this.lastHeardUs) / MS)} ms`);
        return;
      }
      if (now - this.lastSentUs >= Math.floor(rt / 2)) {
        const m = { type: 'ZkRequest' as const, conn: this.conn, xid: PING_XID, op: { kind: 'ping' as const } };
        this.ctx.send(this.server as ProcessId, m, wireBytes(m));
        this.lastSentUs = now;
      }
    } else if (this._state === 'CONNECTING') {
      if (this.reconnectAtUs >= 0) {
        if (now >= this.reconnectAtUs) this.startConnect();
      } else if (now - this.connectStartUs >= this.connectTimeoutUs()) {
        this.connectionLost(`no answer from ${this.ctx.nameOf(this.server as ProcessId)} within the connect timeout`);
        return;
      }
    }
    this.arm(this.nextDeadlineUs());
  }

  /** Keeps one timer armed at the earliest deadline (a later one re-arms when it fires). */
  private arm(atUs: number): void {
    if (!Number.isFinite(atUs)) return;
    const now = this.ctx.nowUs();
    const at = Math.max(atUs, now);
    if (this.timerId >= 0 && this.timerAtUs <= at) return;
    if (this.timerId >= 0) this.ctx.cancelTimer(this.timerId);
    const tag: ZkClientTimer = { zkClient: this.id, seq: ++this.timerSeq };
    this.timerId = this.ctx.setTimer(at - now, tag);
    this.timerAtUs = at;
  }
}

function nodeView(stat: Stat, data: string | null): Json {
  if (data === null) return { version: stat.version, czxid: stat.czxid, mzxid: stat.mzxid, pzxid: stat.pzxid, cversion: stat.cversion, ephemeralOwner: stat.ephemeralOwner };
  return { data, version: stat.version, czxid: stat.czxid, mzxid: stat.mzxid, pzxid: stat.pzxid, cversion: stat.cversion, ephemeralOwner: stat.ephemeralOwner };
}
