// The ZooKeeper peer (QuorumPeer.java): one actor per server. It recovers its database from disk,
// then loops LOOKING -> (LEADING | FOLLOWING) -> LOOKING for as long as it lives. The roles are in
// leader.ts and learner.ts, the election in election.ts, the client side in server.ts; this file
// holds what every role shares: the disk, the data tree, the log pipeline, the epochs, message
// dispatch, and the observations the checkers read.
//
// Observations (ctx.observe) for checkers, all with `sid`:
//   zk-leader-established {epoch}       a leader got NEWLEADER acks from a quorum
//   zk-leader-lost {epoch, reason}      a leader stepped down
//   zk-ack {zxid}                       this peer acknowledged a proposal (or NEWLEADER) after logging it
//   zk-serving {from, fromDigest, chain} this peer starts serving: its history is committed. `chain`
//                                       lists [zxid, digest, ...] for the txns of its in-memory
//                                       committed log after `from` (history digests after each)
//   zk-commit {zxid, prev, digest, leader} a serving peer applied a committed txn (digest: of the history)
//   zk-truncate {from, to}              a learner cut txns off its log (TRUNC)
//   zk-session-expire {session}         the leader expired a session
//   zk-session-closed {session, zxid}   the leader committed a closeSession
//   zk-ephemeral {session, path, zxid}  the leader committed the creation of an ephemeral node

import type { Actor, Context } from '../core/actor.ts';
import type { DiskError } from '../env/disk.ts';
import { invariant } from '../core/invariant.ts';
import type { Json, ProcessId } from '../core/types.ts';
import { zkSettings, type ZkSettings } from './config.ts';
import { DataTree, type ApplyResult } from './datatree.ts';
import { FastLeaderElection, type ElectionHost, type ElectionParams } from './election.ts';
import { Leader } from './leader.ts';
import { Learner } from './learner.ts';
import { wireBytes, type ConnectRequest, type ClientRequest, type Notification, type PeerMessage, type ServerState, type WriteOp, type ZkMessage } from './messages.ts';
import { ClientServer, type ServerHost } from './server.ts';
import { initialSessionId } from './sessions.ts';
import { ACCEPTED_EPOCH, CURRENT_EPOCH, LogSyncer, Storage, type FsyncIO } from './storage.ts';
import { serializeTxn, txnDigest, type Txn } from './txn.ts';
import type { Vote } from './vote.ts';
import { epochOf, formatZxid, type Zxid } from './zxid.ts';

export interface PeerOptions {
  /** Every server's process name, in id order: myid is the index of ctx.name plus one. */
  readonly servers: readonly string[];
  /** Builds the election; tests substitute a subclass with a broken vote order. */
  readonly election?: (host: ElectionHost, params: ElectionParams) => FastLeaderElection;
  /** Builds the learner role; tests substitute a subclass that acks before its log is durable. */
  readonly learner?: (peer: ZkPeer, leaderSid: number) => Learner;
}

/** A committed txn kept in memory for fast DIFF sync (ZKDatabase.committedLog), with the history digest after it. */
export interface Committed {
  readonly txn: Txn;
  readonly digestAfter: number;
}

/** Election rounds this long (after a few silent ones) reopen connections to silent peers. */
const RECONNECT_AFTER_TIMEOUT_MS = 1600;

export type PeerTimer =
  | { readonly k: 'fle'; readonly g: number }
  | { readonly k: 'leader-tick'; readonly g: number }
  | { readonly k: 'leader-session'; readonly g: number }
  | { readonly k: 'learner-check'; readonly g: number };

export class ZkPeer implements Actor<ZkMessage, PeerTimer>, ServerHost, FsyncIO {
  readonly sid: number;
  readonly settings: ZkSettings;
  readonly serverPids: readonly ProcessId[];
  readonly storage: Storage;
  readonly syncer: LogSyncer;
  readonly server: ClientServer;
  tree: DataTree;
  acceptedEpoch: number;
  currentEpoch: number;
  /** FastLeaderElection.logicalclock: survives elections, not restarts. */
  logicalclock = 0;
  state: ServerState = 'LOOKING';
  currentVote: Vote;
  election: FastLeaderElection | null = null;
  leader: Leader | null = null;
  learner: Learner | null = null;
  serving = false;
  /** Bumped on every role change: timers and callbacks of an older role are ignored. */
  roleGen = 0;
  /** Last committed txns, oldest first (bounded by commitLogCount). */
  committedLog: Committed[] = [];
  /** FOLLOWERINFOs that arrived while this peer was still electing (a connect backlog). */
  private readonly earlyFollowers = new Map<number, { from: ProcessId; acceptedEpoch: number }>();
  /** Declared the committed history (zk-base) in this incarnation and still serving. */
  declaring = false;
  private readonly diskCallbacks = new Map<number, (err: string | null) => void>();
  private nextDiskTag = 1;
  private electionTimer = -1;
  private heardFrom: Uint8Array;
  private randRoll: number;
  private nextSessionId = 0;
  private readonly sidOfPid = new Map<ProcessId, number>();
  /** The constructor found the disk unusable and exited. */
  private dead = false;

  constructor(readonly ctx: Context, readonly opts: PeerOptions) {
    this.settings = zkSettings(ctx.config);
    this.sid = opts.servers.indexOf(ctx.name) + 1;
    invariant(this.sid > 0, () => `${ctx.name} is not in the server list ${opts.servers.join(',')}`);
    this.serverPids = opts.servers.map((n) => ctx.lookup(n));
    this.serverPids.forEach((p, i) => this.sidOfPid.set(p, i + 1));
    this.heardFrom = new Uint8Array(opts.servers.length + 1);
    this.storage = new Storage(ctx.disk, this);
    const r = this.storage.restore();
    for (const n of r.notes) ctx.annotate(n);
    this.tree = r.tree;
    this.committedLog = r.replayed.slice(-this.settings.commitLogCount);
    const lastZxid = this.tree.lastZxid;
    this.acceptedEpoch = this.storage.readLong(ACCEPTED_EPOCH) ?? epochOf(lastZxid);
    let current = this.storage.readLong(CURRENT_EPOCH) ?? epochOf(lastZxid);
    if (epochOf(lastZxid) > current) {
      // QuorumPeer.loadDataBase: a currentEpoch.tmp left by an interrupted update is trusted.
      const tmp = this.storage.readLong(`${CURRENT_EPOCH}.tmp`);
      if (tmp === null || tmp < epochOf(lastZxid)) {
        ctx.annotate(`fatal: the current epoch, ${current}, is older than the last zxid, ${formatZxid(lastZxid)}`);
        ctx.exit(`the current epoch, ${current}, is older than the last zxid, ${formatZxid(lastZxid)}`);
        this.dead = true;
        current = epochOf(lastZxid);
      } else current = tmp;
    }
    this.currentEpoch = current;
    this.syncer = new LogSyncer(this.storage.log, this, this.settings.forceSync, (d) => this.onDurable(d), (w) => this.fatal(w));
    this.server = new ClientServer(this);
    this.randRoll = ctx.rng.int(0, Math.floor(this.settings.snapCount / 2));
    this.currentVote = { leader: this.sid, zxid: lastZxid, electionEpoch: 0, peerEpoch: this.currentEpoch, state: 'LOOKING' };
    if (this.dead) return;
    ctx.annotate(`recovered: last zxid ${formatZxid(lastZxid)}, acceptedEpoch ${this.acceptedEpoch}, currentEpoch ${this.currentEpoch}`);
    this.lookForLeader('startup');
  }

  // ---------------------------------------------------------------- roles

  get quorum(): number {
    return Math.floor(this.opts.servers.length / 2) + 1;
  }

  pidOf(sid: number): ProcessId {
    return this.serverPids[sid - 1]!;
  }

  sidOf(pid: ProcessId): number {
    return this.sidOfPid.get(pid) ?? 0;
  }

  /** Leaves whatever role this peer had and starts an election (QuorumPeer's main loop). */
  lookForLeader(reason: string): void {
    this.leaveRole(reason);
    this.state = 'LOOKING';
    const host: ElectionHost = {
      sid: this.sid,
      servers: this.opts.servers.length,
      nowUs: () => this.ctx.nowUs(),
      broadcast: (n) => this.broadcastNotification(n),
      armTimer: (d) => this.armElectionTimer(d),
      decided: (leader, vote) => this.electionDecided(leader, vote),
      note: (t) => {
        if (this.ctx.tracing) this.ctx.annotate(t());
      },
    };
    const params: ElectionParams = {
      lastLoggedZxid: this.tree.lastZxid,
      currentEpoch: this.currentEpoch,
      logicalclock: this.logicalclock,
      minNotificationIntervalMs: this.settings.minNotificationIntervalMs,
      maxNotificationIntervalMs: this.settings.maxNotificationIntervalMs,
      finalizeWaitMs: this.settings.finalizeWaitMs,
    };
    this.election = this.opts.election?.(host, params) ?? new FastLeaderElection(host, params);
    this.heardFrom.fill(0);
    this.election.start();
    this.logicalclock = this.election.logicalclock;
  }

  private leaveRole(reason: string): void {
    this.roleGen++;
    if (this.electionTimer >= 0) this.ctx.cancelTimer(this.electionTimer);
    this.electionTimer = -1;
    this.election = null;
    if (this.serving) {
      this.serving = false;
      this.server.closeAll();
    }
    this.declaring = false;
    if (this.leader !== null) {
      this.leader.stop(reason);
      this.leader = null;
    }
    if (this.learner !== null) {
      this.learner.stop(reason);
      this.learner = null;
    }
  }

  private electionDecided(leader: number, vote: Vote): void {
    this.logicalclock = vote.electionEpoch;
    const election = this.election;
    invariant(election !== null, 'election decided without an election');
    this.election = null;
    if (this.electionTimer >= 0) this.ctx.cancelTimer(this.electionTimer);
    this.electionTimer = -1;
    this.roleGen++;
    this.currentVote = { ...vote, leader, state: leader === this.sid ? 'LEADING' : 'FOLLOWING' };
    const early = [...this.earlyFollowers].sort((a, b) => a[0] - b[0]);
    this.earlyFollowers.clear();
    if (leader === this.sid) {
      this.state = 'LEADING';
      this.ctx.annotate(`LEADING: election epoch ${vote.electionEpoch}, my zxid ${formatZxid(this.tree.lastZxid)}, currentEpoch ${this.currentEpoch}`);
      this.leader = new Leader(this);
      this.leader.start();
      for (const [sid, f] of early) this.leader?.onFollowerInfo(sid, f.from, f.acceptedEpoch);
    } else {
      this.state = 'FOLLOWING';
      this.ctx.annotate(`FOLLOWING ${this.opts.servers[leader - 1]}: election epoch ${vote.electionEpoch}`);
      for (const [, f] of early) this.ctx.disconnect(f.from);
      this.learner = this.opts.learner?.(this, leader) ?? new Learner(this, leader);
      this.learner.start();
    }
  }

  /** QuorumPeer.updateElectionVote: after sync, the vote we report carries the new epoch. */
  updateElectionVote(epoch: number): void {
    this.currentVote = { ...this.currentVote, peerEpoch: epoch };
  }

  // ---------------------------------------------------------------- election plumbing

  private broadcastNotification(n: Notification): void {
    const bytes = wireBytes(n);
    for (let s = 1; s <= this.opts.servers.length; s++) if (s !== this.sid) this.ctx.send(this.pidOf(s), n, bytes);
  }

  private armElectionTimer(delayUs: number): void {
    if (this.electionTimer >= 0) this.ctx.cancelTimer(this.electionTimer);
    // A notification round timed out: connections to peers we have not heard from since are
    // reopened (QuorumCnxManager.connectAll), so the new round does not queue behind a stalled one.
    this.electionTimer = this.ctx.setTimer(Math.max(1, delayUs), { k: 'fle', g: this.roleGen });
  }

  private onElectionTimer(): void {
    this.electionTimer = -1;
    const e = this.election;
    if (e === null) return;
    const before = e.currentNotTimeoutMs;
    e.onTimer();
    if (e.currentNotTimeoutMs !== before && e.currentNotTimeoutMs >= RECONNECT_AFTER_TIMEOUT_MS) {
      // Rounds keep timing out: reopen connections to peers silent since the last round, so new
      // notifications do not queue behind data TCP is still retransmitting after a partition.
      for (let s = 1; s <= this.opts.servers.length; s++) {
        if (s !== this.sid && this.heardFrom[s] === 0) this.reconnect(s);
      }
      this.heardFrom.fill(0);
    }
  }

  private reconnect(sid: number): void {
    const e = this.election;
    if (e === null) return;
    this.ctx.disconnect(this.pidOf(sid));
    const n = e.notification();
    this.ctx.send(this.pidOf(sid), n, wireBytes(n));
  }

  private onNotification(from: ProcessId, n: Notification): void {
    if (n.sid < 1 || n.sid > this.opts.servers.length || n.sid === this.sid) return;
    this.heardFrom[n.sid] = 1;
    const e = this.election;
    if (e !== null) {
      // WorkerReceiver: a looking peer behind our election epoch is sent our proposal.
      if (n.state === 'LOOKING' && n.electionEpoch < e.logicalclock) {
        const mine = e.notification();
        this.ctx.send(from, mine, wireBytes(mine));
      }
      e.onNotification(n);
      if (this.election === e) this.logicalclock = e.logicalclock;
      return;
    }
    if (n.state === 'LOOKING') {
      // Not looking: tell the looking peer who leads (the vote we ended the election with).
      const v = this.currentVote;
      const reply: Notification = {
        type: 'Notification', sid: this.sid, state: this.state, leader: v.leader, zxid: v.zxid,
        electionEpoch: v.electionEpoch, peerEpoch: v.peerEpoch,
      };
      this.ctx.send(from, reply, wireBytes(reply));
    }
  }

  // ---------------------------------------------------------------- Actor

  onMessage(from: ProcessId, msg: ZkMessage): void {
    switch (msg.type) {
      case 'Notification':
        this.onNotification(from, msg);
        return;
      case 'ZkConnect':
        this.server.onConnect(from, msg as ConnectRequest);
        return;
      case 'ZkRequest': {
        const m = msg as ClientRequest;
        this.server.onRequest(from, m.conn, m.xid, m.op);
        return;
      }
      case 'ZkConnected': case 'ZkReply': case 'ZkWatch':
        return;
      default:
        this.onQuorumPacket(from, msg);
    }
  }

  private onQuorumPacket(from: ProcessId, msg: PeerMessage): void {
    const sid = this.sidOf(from);
    if (sid === 0) return;
    this.heardFrom[sid] = 1;
    if (msg.type === 'FOLLOWERINFO') {
      if (this.leader !== null) this.leader.onFollowerInfo(sid, from, msg.acceptedEpoch);
      else if (this.state === 'LOOKING') this.earlyFollowers.set(sid, { from, acceptedEpoch: msg.acceptedEpoch });
      else this.ctx.disconnect(from); // a follower does not accept learners
      return;
    }
    if (this.leader !== null && this.leader.onPacket(sid, from, msg)) return;
    if (this.learner !== null && this.learner.leaderSid === sid && this.learner.onPacket(msg)) return;
    // A packet on a connection this role does not have (a dropped learner, a leader we left): close it.
    this.ctx.disconnect(from);
  }

  onTimer(tag: PeerTimer): void {
    if (tag.g !== this.roleGen) return;
    switch (tag.k) {
      case 'fle':
        this.onElectionTimer();
        return;
      case 'leader-tick':
      case 'leader-session':
        this.leader?.onTimer(tag.k);
        return;
      case 'learner-check':
        this.learner?.onTimer();
        return;
    }
  }

  onDiskDone(tag: unknown, error: DiskError | null): void {
    if (typeof tag !== 'number') return;
    const cb = this.diskCallbacks.get(tag);
    if (cb === undefined) return;
    this.diskCallbacks.delete(tag);
    cb(error);
  }

  onDisconnect(peer: ProcessId): void {
    if (this.server.onDisconnect(peer)) return;
    const sid = this.sidOf(peer);
    if (sid === 0) return;
    this.earlyFollowers.delete(sid);
    if (this.leader !== null) this.leader.onDisconnect(sid);
    else if (this.learner !== null && this.learner.leaderSid === sid) this.learner.onLeaderLost('connection to the leader closed');
  }

  // ---------------------------------------------------------------- disk

  /** FsyncIO: fsync with a callback. */
  fsync(path: string, done: (err: string | null) => void): void {
    const tag = this.nextDiskTag++;
    this.diskCallbacks.set(tag, done);
    this.ctx.disk.fsync(path, tag);
  }

  fatal(what: string): void {
    this.ctx.annotate(`fatal: ${what}`);
    this.ctx.exit(what);
  }

  /** Appends a txn to the log (SyncRequestProcessor) and takes a snapshot every snapCount-ish txns. */
  logTxn(txn: Txn, bytes: Uint8Array): boolean {
    if (!this.syncer.append(txn, bytes)) return false;
    if (this.syncer.logCount > Math.floor(this.settings.snapCount / 2) + this.randRoll) {
      this.syncer.logCount = 0;
      this.randRoll = this.ctx.rng.int(0, Math.floor(this.settings.snapCount / 2));
      this.takeSnapshot();
    }
    return true;
  }

  /**
   * Records who leads `epoch` as this peer sees it (it established it, or acknowledged its NEWLEADER).
   * Zab's primary uniqueness: at most one established leader per epoch, so a peer never meets two.
   * Kept in memory (this incarnation).
   */
  noteEpochLeader(epoch: number, leaderSid: number): void {
    const seen = this.epochLeaders.get(epoch);
    invariant(seen === undefined || seen === leaderSid, () => `${this.ctx.name}: epoch ${epoch} has two leaders: ${seen ?? '?'} and ${leaderSid}`);
    this.epochLeaders.set(epoch, leaderSid);
  }

  private readonly epochLeaders = new Map<number, number>();

  /** Rolls the log and writes a snapshot of the tree (not fsynced: write-back makes it durable later). */
  takeSnapshot(): void {
    this.storage.log.roll();
    if (this.storage.snapshotZxids().includes(this.tree.lastZxid)) return;
    this.ctx.annotate(`snapshot at ${formatZxid(this.tree.lastZxid)}`);
    this.storage.saveSnapshot(this.tree, false, null);
  }

  private onDurable(durableZxid: Zxid): void {
    if (this.leader !== null) this.leader.onDurable(durableZxid);
    else if (this.learner !== null) this.learner.onDurable(durableZxid);
  }

  /** Persists an epoch file (tmp, fsync, rename) and then runs `then` if the role is still the same. */
  persistEpoch(name: typeof ACCEPTED_EPOCH | typeof CURRENT_EPOCH, value: number, then: () => void): void {
    // Zab: acceptedEpoch and currentEpoch only grow, and a peer accepts an epoch before it acts in it.
    if (name === ACCEPTED_EPOCH) {
      invariant(value >= this.acceptedEpoch, () => `${this.ctx.name}: acceptedEpoch would go back from ${this.acceptedEpoch} to ${value}`);
      this.acceptedEpoch = value;
    } else {
      invariant(value >= this.currentEpoch && value <= this.acceptedEpoch,
        () => `${this.ctx.name}: currentEpoch ${value} after ${this.currentEpoch}, with acceptedEpoch ${this.acceptedEpoch}`);
      this.currentEpoch = value;
    }
    const gen = this.roleGen;
    this.storage.writeLong(name, value, (err) => {
      if (err !== null) {
        this.fatal(`writing ${name} failed: ${err}`);
        return;
      }
      if (gen === this.roleGen) then();
    });
  }

  // ---------------------------------------------------------------- applying committed txns

  /** Applies a committed txn to the tree, replies to local clients, and declares it to checkers. */
  applyCommitted(txn: Txn, digest: number, isLeader: boolean): ApplyResult {
    const prev = this.tree.lastZxid;
    const r = this.tree.apply(txn, digest, this.serving ? this.server : null);
    this.pushCommitted(txn);
    if (this.declaring) this.ctx.observe('zk-commit', { sid: this.sid, zxid: txn.zxid, prev, digest: this.tree.digest, leader: isLeader });
    if (this.serving) this.server.onCommitted(txn, r);
    return r;
  }

  /** Applies txns that are logged but were never committed here (ZooKeeperServer.fastForwardDataBase). */
  fastForward(txns: readonly { txn: Txn; digest: number }[]): void {
    for (const t of txns) {
      if (t.txn.zxid <= this.tree.lastZxid) continue;
      this.tree.apply(t.txn, t.digest, null);
      this.pushCommitted(t.txn);
    }
  }

  private pushCommitted(txn: Txn): void {
    this.committedLog.push({ txn, digestAfter: this.tree.digest });
    // Trimmed in bulk (amortized O(1) per txn); readers take the last commitLogCount entries.
    if (this.committedLog.length > 2 * this.settings.commitLogCount) this.committedLog.splice(0, this.committedLog.length - this.settings.commitLogCount);
  }

  /** The in-memory committed log: the last commitLogCount committed txns, oldest first. */
  committedTail(): Committed[] {
    const n = this.settings.commitLogCount;
    return this.committedLog.length > n ? this.committedLog.slice(-n) : this.committedLog;
  }

  /** The peer starts serving clients: its tree is the committed history up to its last zxid. */
  startServing(): void {
    this.serving = true;
    this.declaring = true;
    // Declare the tail we still hold txn by txn, so checkers can compare it with other servers' chains.
    const log = this.committedTail();
    const chain: number[] = [];
    let from = this.tree.lastZxid;
    let fromDigest = this.tree.digest;
    if (log.length > 1 && log[log.length - 1]!.txn.zxid === this.tree.lastZxid) {
      from = log[0]!.txn.zxid;
      fromDigest = log[0]!.digestAfter;
      for (let i = 1; i < log.length; i++) chain.push(log[i]!.txn.zxid, log[i]!.digestAfter);
    }
    this.ctx.observe('zk-serving', { sid: this.sid, from, fromDigest, chain });
  }

  /** Digest of a txn as logged. */
  digestOf(txn: Txn): { bytes: Uint8Array; digest: number } {
    const bytes = serializeTxn(txn);
    return { bytes, digest: txnDigest(bytes) };
  }

  // ---------------------------------------------------------------- ServerHost

  submitWrite(sessionId: number, cxid: number, op: WriteOp | { kind: 'createSession'; timeoutMs: number }): void {
    if (this.leader !== null) this.leader.submit(this.sid, sessionId, cxid, op);
    else this.learner?.forward(sessionId, cxid, op);
  }

  submitSync(sessionId: number, cxid: number): void {
    if (this.leader !== null) this.leader.sync(0, sessionId, cxid);
    else this.learner?.forward(sessionId, cxid, { kind: 'sync', path: '/' });
  }

  revalidate(sessionId: number, timeoutMs: number, done: (valid: boolean) => void): void {
    if (this.leader !== null) done(this.leader.revalidate(this.sid, sessionId));
    else if (this.learner !== null) this.learner.revalidate(sessionId, timeoutMs, done);
    else done(false);
  }

  touch(sessionId: number): boolean {
    if (this.leader !== null) return this.leader.touch(sessionId);
    this.server.touched.add(sessionId);
    return true;
  }

  newSessionId(): number {
    if (this.nextSessionId === 0) this.nextSessionId = initialSessionId(this.sid, this.ctx.nowUs());
    return this.nextSessionId++;
  }

  // ---------------------------------------------------------------- views

  inspect(): Json {
    const v = this.currentVote;
    const role = this.state === 'LEADING' ? 'leading' : this.state === 'FOLLOWING' ? 'following' : 'looking';
    const leaderSid = this.state === 'LOOKING' ? null : v.leader;
    const view: { [k: string]: Json } = {
      role,
      myid: this.sid,
      acceptedEpoch: this.acceptedEpoch,
      currentEpoch: this.currentEpoch,
      electionEpoch: this.logicalclock,
      vote: { leader: v.leader, zxid: formatZxid(v.zxid), peerEpoch: v.peerEpoch },
      leader: leaderSid,
      zab: this.leader?.phase ?? this.learner?.phase ?? 'election',
      serving: this.serving,
      lastZxid: formatZxid(Math.max(this.syncer.appendedZxid, this.tree.lastZxid)),
      committedZxid: formatZxid(this.tree.lastZxid),
      sessions: this.tree.sessions.size,
      znodes: this.tree.nodeCount,
      clients: this.server.connectionCount,
    };
    if (this.settings.inspectTree) view['tree'] = treeView(this.tree);
    return view;
  }
}

/** The ZooKeeper peer running as process `name`, or null (down, or not a peer). */
export function peerOf(world: { hasProcess(n: string): boolean; actor<A extends Actor>(n: string): A | null }, name: string): ZkPeer | null {
  if (!world.hasProcess(name)) return null;
  const a = world.actor<Actor>(name);
  return a instanceof ZkPeer ? a : null;
}

const treeCache = new WeakMap<DataTree, { changes: number; view: Json }>();

/** path -> { data, version, cversion, ephemeralOwner } for up to 200 nodes, rebuilt only when the tree changed. */
export function treeView(tree: DataTree): Json {
  const c = treeCache.get(tree);
  if (c !== undefined && c.changes === tree.changes) return c.view;
  const out: { [path: string]: Json } = {};
  const paths = tree.paths();
  for (const p of paths.slice(0, 200)) {
    const n = tree.get(p)!;
    out[p] = { data: n.data.length > 64 ? `${n.data.slice(0, 61)}...` : n.data, version: n.version, cversion: n.cversion, ephemeralOwner: n.ephemeralOwner === 0 ? 0 : `0x${n.ephemeralOwner.toString(16)}` };
  }
  treeCache.set(tree, { changes: tree.changes, view: out });
  return out;
}
