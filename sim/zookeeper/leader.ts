// The leader (Leader.java, LearnerHandler.java), through ZAB's phases:
//
// 1. Discovery: learners send FOLLOWERINFO(acceptedEpoch). Once a quorum (the leader included) has
//    connected, the new epoch is max(acceptedEpoch) + 1, persisted as our acceptedEpoch, and sent
//    in LEADERINFO. Learners answer ACKEPOCH(currentEpoch, lastZxid); a learner ahead of the leader
//    aborts the leadership. A quorum of ACKEPOCHs ends discovery; currentEpoch is persisted.
// 2. Synchronization: each learner gets DIFF (in-memory committed log or on-disk txn log), TRUNC
//    (it has txns we do not) or SNAP (a whole snapshot), then the proposals still outstanding, then
//    NEWLEADER. Once a quorum (the leader included) ACKs NEWLEADER the leader is established: its
//    history is committed; it starts serving and sends UPTODATE.
// 3. Broadcast: a write becomes a txn with zxid (epoch, counter); PROPOSAL goes to every learner
//    being forwarded to; it commits, in zxid order, once a quorum has logged it and ACKed.
//
// Every phase before broadcast must complete within initLimit ticks or the leader gives up. The
// leader pings every half tick; a learner silent for syncLimit ticks (initLimit while syncing), or
// sitting on an unacknowledged proposal that long, is disconnected; and once per tick the leader
// steps down unless a quorum is still synced ("Not sufficient followers synced").

import { invariant } from '../core/invariant.ts';
import type { ProcessId } from '../core/types.ts';
import type { AckEpoch, PeerMessage, QuorumPacket, RequestMsg, WriteOp } from './messages.ts';
import { planSync } from './sync.ts';
import { wireBytes } from './messages.ts';
import type { ZkPeer } from './peer.ts';
import { Prep } from './prep.ts';
import { SessionTracker } from './sessions.ts';
import { ACCEPTED_EPOCH, CURRENT_EPOCH } from './storage.ts';
import type { Txn, TxnBody } from './txn.ts';
import { isWriteTxn } from './txn.ts';
import { counterOf, epochOf, formatZxid, makeZxid, type Zxid } from './zxid.ts';

type HandlerState = 'info' | 'epoch-sent' | 'epoch-acked' | 'newleader-sent' | 'acked' | 'uptodate';

interface LearnerHandler {
  readonly sid: number;
  readonly pid: ProcessId;
  state: HandlerState;
  acceptedEpoch: number;
  lastHeardUs: number;
  ack: AckEpoch | null;
}

interface Proposal {
  readonly txn: Txn;
  readonly digest: number;
  /** Bit i set: server i acknowledged. */
  acks: number;
  readonly proposedUs: number;
}

interface PendingSync {
  /** 0: one of the leader's own clients. */
  readonly learnerSid: number;
  readonly sessionId: number;
  readonly cxid: number;
}

type Request = { readonly from: number; readonly sessionId: number; readonly cxid: number; readonly op: RequestMsg['op'] };

export type LeaderPhase = 'discovery' | 'synchronization' | 'broadcast';

function popcount(x: number): number {
  let n = 0;
  while (x !== 0) {
    x &= x - 1;
    n++;
  }
  return n;
}

export class Leader {
  phase: LeaderPhase = 'discovery';
  epoch = -1;
  private epochReady = false;
  private readonly handlers = new Map<number, LearnerHandler>();
  /** Who connected in discovery (sid -> acceptedEpoch), the leader included. */
  private readonly connecting = new Map<number, number>();
  private readonly electing = new Set<number>();
  private readonly newLeaderAcks = new Set<number>();
  private selfNewLeaderAcked = false;
  private discoveryDone = false;
  private phaseDeadlineUs = 0;
  private readonly outstanding: Proposal[] = [];
  private counter = 0;
  lastCommitted: Zxid = 0;
  private readonly forwarding = new Set<number>();
  private readonly pendingSyncs = new Map<Zxid, PendingSync[]>();
  private readonly throttled: Request[] = [];
  private tracker: SessionTracker | null = null;
  private readonly prep: Prep;
  private tickSkip = true;
  private tickTimer = -1;
  private readonly gen: number;

  constructor(private readonly peer: ZkPeer) {
    this.gen = peer.roleGen;
    this.prep = new Prep(peer.tree);
  }

  private get ctx() {
    return this.peer.ctx;
  }

  private get s() {
    return this.peer.settings;
  }

  private get live(): boolean {
    return this.peer.leader === this && this.peer.roleGen === this.gen;
  }

  start(): void {
    this.connecting.set(this.peer.sid, this.peer.acceptedEpoch);
    this.phaseDeadlineUs = this.ctx.nowUs() + this.s.initLimit * this.s.tickUs;
    this.tickTimer = this.ctx.setTimer(this.s.tickUs / 2, { k: 'leader-tick', g: this.gen });
    this.maybeDecideEpoch();
  }

  stop(reason: string): void {
    this.ctx.observe('zk-leader-lost', { sid: this.peer.sid, epoch: this.epoch, reason });
    this.ctx.annotate(`leader shutdown: ${reason}`);
    for (const h of [...this.handlers.values()].sort((a, b) => a.sid - b.sid)) this.ctx.disconnect(h.pid);
    this.handlers.clear();
    if (this.tickTimer >= 0) this.ctx.cancelTimer(this.tickTimer);
    // Proposals we logged but never committed stay in our history (fastForwardDataBase).
    this.peer.fastForward(this.outstanding);
    this.outstanding.length = 0;
    this.prep.clear();
  }

  private stepDown(reason: string): void {
    if (!this.live) return;
    this.peer.lookForLeader(reason);
  }

  // ---------------------------------------------------------------- discovery

  onFollowerInfo(sid: number, pid: ProcessId, acceptedEpoch: number): void {
    const old = this.handlers.get(sid);
    if (old !== undefined) this.forwarding.delete(sid);
    const h: LearnerHandler = { sid, pid, state: 'info', acceptedEpoch, lastHeardUs: this.ctx.nowUs(), ack: null };
    this.handlers.set(sid, h);
    if (!this.epochReady && this.epoch < 0) {
      this.connecting.set(sid, acceptedEpoch);
      this.maybeDecideEpoch();
      return;
    }
    if (this.epochReady) this.sendLeaderInfo(h);
  }

  /** Leader.getEpochToPropose: once a quorum has connected, the epoch is max(acceptedEpoch) + 1. */
  private maybeDecideEpoch(): void {
    if (this.epoch >= 0 || this.connecting.size < this.peer.quorum) return;
    let max = -1;
    for (const e of this.connecting.values()) max = Math.max(max, e);
    this.epoch = max + 1;
    this.ctx.annotate(`new epoch ${this.epoch} (max acceptedEpoch ${max} among ${[...this.connecting.keys()].sort().join(',')})`);
    this.phaseDeadlineUs = this.ctx.nowUs() + this.s.initLimit * this.s.tickUs;
    this.peer.persistEpoch(ACCEPTED_EPOCH, this.epoch, () => {
      this.epochReady = true;
      this.electing.add(this.peer.sid);
      for (const h of this.sortedHandlers()) if (h.state === 'info') this.sendLeaderInfo(h);
      this.maybeFinishDiscovery();
    });
  }

  private sortedHandlers(): LearnerHandler[] {
    return [...this.handlers.values()].sort((a, b) => a.sid - b.sid);
  }

  private sendLeaderInfo(h: LearnerHandler): void {
    h.state = 'epoch-sent';
    this.send(h, { type: 'LEADERINFO', epoch: this.epoch });
  }

  private onAckEpoch(h: LearnerHandler, m: AckEpoch): void {
    if (h.state !== 'epoch-sent' || m.epoch !== this.epoch) return;
    h.state = 'epoch-acked';
    h.ack = m;
    if (!this.discoveryDone) {
      // Leader.waitForEpochAck: a learner ahead of us means we must not lead.
      if (m.currentEpoch !== -1) {
        const ahead = m.currentEpoch > this.peer.currentEpoch || (m.currentEpoch === this.peer.currentEpoch && m.lastZxid > this.peer.tree.lastZxid);
        if (ahead) {
          this.stepDown(`follower ${h.sid} is ahead of the leader (its epoch ${m.currentEpoch}, zxid ${formatZxid(m.lastZxid)}; ours ${this.peer.currentEpoch}, ${formatZxid(this.peer.tree.lastZxid)})`);
          return;
        }
        this.electing.add(h.sid);
      }
      this.maybeFinishDiscovery();
      return;
    }
    if (this.phase !== 'discovery') this.syncLearner(h);
  }

  private maybeFinishDiscovery(): void {
    if (this.discoveryDone || !this.epochReady || this.electing.size < this.peer.quorum) return;
    this.discoveryDone = true;
    this.phaseDeadlineUs = this.ctx.nowUs() + this.s.initLimit * this.s.tickUs;
    this.ctx.annotate(`epoch ${this.epoch} acknowledged by ${[...this.electing].sort().join(',')}; synchronizing`);
    // Our own history must be durable before we count ourselves in NEWLEADER's quorum.
    this.peer.persistEpoch(CURRENT_EPOCH, this.epoch, () => {
      this.peer.syncer.whenDurable(() => {
        if (!this.live) return;
        this.phase = 'synchronization';
        this.counter = 0;
        for (const h of this.sortedHandlers()) if (h.state === 'epoch-acked') this.syncLearner(h);
        this.selfNewLeaderAcked = true;
        this.newLeaderAcks.add(this.peer.sid);
        this.ctx.observe('zk-ack', { sid: this.peer.sid, zxid: makeZxid(this.epoch, 0) });
        this.maybeEstablish();
      });
    });
  }

  // ---------------------------------------------------------------- synchronization

  /** LearnerHandler.syncFollower + startForwarding: DIFF / TRUNC / SNAP, outstanding proposals, NEWLEADER. */
  private syncLearner(h: LearnerHandler): void {
    const peerLast = h.ack!.lastZxid;
    const tree = this.peer.tree;
    const storage = this.peer.storage;
    const plan = planSync({
      peerLastZxid: peerLast,
      lastProcessedZxid: tree.lastZxid,
      committedLog: this.peer.committedTail().map((c) => c.txn),
      readTxnLog: this.txnLogSyncAllowed(peerLast) ? (from) => storage.log.readAfter(from - 1).map((r) => r.txn) : null,
    });
    this.ctx.annotate(`sync ${this.ctx.nameOf(h.pid)}: ${plan.kind} (its last zxid ${formatZxid(peerLast)}, ours ${formatZxid(tree.lastZxid)}${plan.kind === 'TRUNC' ? `, truncate to ${formatZxid(plan.zxid)}` : ''}${plan.kind !== 'SNAP' ? `, ${plan.txns.length} txns` : ''})`);
    if (plan.kind === 'SNAP') {
      this.send(h, { type: 'SNAP', epoch: this.epoch, zxid: plan.zxid, snapshot: storage.snapshotBytes(tree) });
    } else {
      this.send(h, { type: plan.kind, epoch: this.epoch, zxid: plan.zxid });
      for (const t of plan.txns) {
        this.send(h, { type: 'PROPOSAL', epoch: this.epoch, txn: t });
        this.send(h, { type: 'COMMIT', epoch: this.epoch, zxid: t.zxid });
      }
    }
    // startForwarding: proposals still waiting for a quorum go out after the sync.
    for (const p of this.outstanding) if (p.txn.zxid > plan.upTo) this.send(h, { type: 'PROPOSAL', epoch: this.epoch, txn: p.txn });
    this.send(h, { type: 'NEWLEADER', epoch: this.epoch, zxid: makeZxid(this.epoch, 0) });
    h.state = 'newleader-sent';
    h.lastHeardUs = this.ctx.nowUs();
    this.forwarding.add(h.sid);
  }

  /** zookeeper.snapshotSizeFactor: sync from the txn log while it is small next to a snapshot. */
  private txnLogSyncAllowed(peerLast: Zxid): boolean {
    const f = this.s.snapshotSizeFactor;
    if (f < 0) return false;
    const storage = this.peer.storage;
    const snaps = storage.snapshotZxids();
    const snapBytes = snaps.length > 0 ? storage.snapshotSize(snaps[snaps.length - 1]!) : 0;
    return storage.log.bytesFrom(peerLast) <= f * snapBytes;
  }

  private onNewLeaderAck(h: LearnerHandler): void {
    if (h.state !== 'newleader-sent') return;
    h.state = 'acked';
    this.newLeaderAcks.add(h.sid);
    if (this.phase === 'broadcast') {
      h.state = 'uptodate';
      this.send(h, { type: 'UPTODATE', epoch: this.epoch });
      return;
    }
    this.maybeEstablish();
  }

  private maybeEstablish(): void {
    if (this.phase !== 'synchronization' || !this.selfNewLeaderAcked || this.newLeaderAcks.size < this.peer.quorum) return;
    this.phase = 'broadcast';
    const now = this.ctx.nowUs();
    this.lastCommitted = this.peer.tree.lastZxid;
    this.ctx.annotate(`established leader of epoch ${this.epoch} with ${[...this.newLeaderAcks].sort().join(',')}; serving from ${formatZxid(this.lastCommitted)}`);
    this.peer.noteEpochLeader(this.epoch, this.peer.sid);
    this.ctx.observe('zk-leader-established', { sid: this.peer.sid, epoch: this.epoch });
    this.peer.updateElectionVote(this.epoch);
    // The session tracker starts from the committed session table: every session gets a full timeout.
    this.tracker = new SessionTracker(this.s.tickUs, now);
    for (const [id, timeoutMs] of [...this.peer.tree.sessions].sort((a, b) => a[0] - b[0])) this.tracker.add(id, timeoutMs, 0, now);
    this.armSessionTimer();
    this.peer.startServing();
    for (const h of this.sortedHandlers()) {
      if (h.state === 'acked') {
        h.state = 'uptodate';
        this.send(h, { type: 'UPTODATE', epoch: this.epoch });
      }
    }
  }

  // ---------------------------------------------------------------- broadcast

  /** A write from a client session (own or forwarded by learner `fromSid`). */
  submit(fromSid: number, sessionId: number, cxid: number, op: WriteOp | { kind: 'createSession'; timeoutMs: number }): void {
    if (this.phase !== 'broadcast') return;
    const r: Request = { from: fromSid, sessionId, cxid, op };
    if (this.throttled.length > 0 || this.outstanding.length >= this.s.globalOutstandingLimit) {
      this.throttled.push(r);
      return;
    }
    this.prepareAndPropose(r);
  }

  private prepareAndPropose(r: Request): void {
    if (r.op.kind === 'sync') {
      this.sync(r.from === this.peer.sid ? 0 : r.from, r.sessionId, r.cxid);
      return;
    }
    const zxid = makeZxid(this.epoch, this.counter + 1);
    let body: TxnBody;
    if (r.op.kind === 'createSession') {
      this.tracker!.add(r.sessionId, r.op.timeoutMs, r.from, this.ctx.nowUs());
      body = this.prep.prepare(r.op, r.sessionId, zxid);
    } else {
      const bad = this.tracker!.check(r.sessionId, r.from);
      if (bad !== null) {
        body = { t: 'error', err: bad };
      } else {
        if (r.op.kind === 'closeSession') this.tracker!.setClosing(r.sessionId);
        body = this.prep.prepare(r.op, r.sessionId, zxid);
      }
    }
    this.propose(r.sessionId, r.cxid, body);
  }

  private propose(sessionId: number, cxid: number, body: TxnBody): void {
    this.counter++;
    const txn: Txn = { zxid: makeZxid(this.epoch, this.counter), sessionId, cxid, timeMs: Math.floor(this.ctx.nowUs() / 1000), body };
    const { bytes, digest } = this.peer.digestOf(txn);
    this.outstanding.push({ txn, digest, acks: 0, proposedUs: this.ctx.nowUs() });
    const m = { type: 'PROPOSAL' as const, epoch: this.epoch, txn };
    const size = wireBytes(m);
    for (const sid of this.forwarding) this.ctx.send(this.pidOf(sid), m, size);
    if (!this.peer.logTxn(txn, bytes)) return;
  }

  private pidOf(sid: number): ProcessId {
    return this.peer.pidOf(sid);
  }

  /** The leader's own log made proposals durable: it votes for them. */
  onDurable(durable: Zxid): void {
    if (!this.live) return;
    for (const p of this.outstanding) {
      if (p.txn.zxid > durable) break;
      const bit = 1 << this.peer.sid;
      if ((p.acks & bit) === 0) {
        p.acks |= bit;
        this.ctx.observe('zk-ack', { sid: this.peer.sid, zxid: p.txn.zxid });
      }
    }
    this.tryCommit();
  }

  private processAck(h: LearnerHandler, zxid: Zxid): void {
    if (this.outstanding.length === 0) return;
    const first = this.outstanding[0]!.txn.zxid;
    if (zxid < first || epochOf(zxid) !== this.epoch) return;
    const p = this.outstanding[counterOf(zxid) - counterOf(first)];
    if (p === undefined) return;
    invariant(p.txn.zxid === zxid, () => `outstanding proposals out of order: looked for ${formatZxid(zxid)}, found ${formatZxid(p.txn.zxid)}`);
    p.acks |= 1 << h.sid;
    this.tryCommit();
  }

  /** Commits, in zxid order, every proposal at the head that a quorum has logged. */
  private tryCommit(): void {
    let committed = 0;
    while (this.outstanding.length > 0 && popcount(this.outstanding[0]!.acks) >= this.peer.quorum) {
      const p = this.outstanding.shift()!;
      this.commit(p);
      committed++;
    }
    if (committed > 0) this.drainThrottled();
  }

  private commit(p: Proposal): void {
    const zxid = p.txn.zxid;
    const m = { type: 'COMMIT' as const, epoch: this.epoch, zxid };
    const size = wireBytes(m);
    for (const sid of this.forwarding) this.ctx.send(this.pidOf(sid), m, size);
    this.lastCommitted = zxid;
    const b = p.txn.body;
    if (b.t === 'closeSession') {
      this.tracker?.remove(p.txn.sessionId);
      this.ctx.observe('zk-session-closed', { sid: this.peer.sid, session: p.txn.sessionId, zxid });
    } else if (isWriteTxn(b)) {
      const ops = b.t === 'multi' ? b.ops : [b];
      for (const o of ops) if (o.t === 'create' && o.ephemeralOwner !== 0) this.ctx.observe('zk-ephemeral', { sid: this.peer.sid, session: o.ephemeralOwner, path: o.path, zxid });
    }
    this.peer.applyCommitted(p.txn, p.digest, true);
    this.prep.committed(zxid);
    const syncs = this.pendingSyncs.get(zxid);
    if (syncs !== undefined) {
      this.pendingSyncs.delete(zxid);
      for (const s of syncs) this.answerSync(s);
    }
  }

  private drainThrottled(): void {
    while (this.throttled.length > 0 && this.outstanding.length < this.s.globalOutstandingLimit) this.prepareAndPropose(this.throttled.shift()!);
  }

  /** Leader.processSync: answered once every proposal made before it has committed. */
  sync(learnerSid: number, sessionId: number, cxid: number): void {
    if (this.phase !== 'broadcast') return;
    const s: PendingSync = { learnerSid, sessionId, cxid };
    if (this.outstanding.length === 0) {
      this.answerSync(s);
      return;
    }
    const last = this.outstanding[this.outstanding.length - 1]!.txn.zxid;
    let list = this.pendingSyncs.get(last);
    if (list === undefined) this.pendingSyncs.set(last, (list = []));
    list.push(s);
  }

  private answerSync(s: PendingSync): void {
    if (s.learnerSid === 0) {
      this.peer.server.onSynced(s.sessionId, s.cxid);
      return;
    }
    const h = this.handlers.get(s.learnerSid);
    if (h !== undefined) this.send(h, { type: 'SYNC', epoch: this.epoch, sessionId: s.sessionId, cxid: s.cxid });
  }

  revalidate(ownerSid: number, sessionId: number): boolean {
    if (this.tracker === null) return false;
    const ok = this.tracker.touch(sessionId, this.ctx.nowUs());
    if (ok) this.tracker.setOwner(sessionId, ownerSid);
    return ok;
  }

  touch(sessionId: number): boolean {
    return this.tracker !== null && this.tracker.touch(sessionId, this.ctx.nowUs());
  }

  // ---------------------------------------------------------------- packets from learners

  onPacket(sid: number, _from: ProcessId, m: PeerMessage): boolean {
    const h = this.handlers.get(sid);
    if (h === undefined) return false;
    h.lastHeardUs = this.ctx.nowUs();
    switch (m.type) {
      case 'ACKEPOCH':
        this.onAckEpoch(h, m);
        return true;
      case 'ACK':
        if (m.epoch !== this.epoch) return true;
        this.ctx.observe('zk-ack', { sid, zxid: m.zxid });
        if (counterOf(m.zxid) === 0) this.onNewLeaderAck(h);
        else this.processAck(h, m.zxid);
        return true;
      case 'PING':
        if (this.tracker !== null) for (const id of m.touches) this.tracker.touch(id, this.ctx.nowUs());
        return true;
      case 'REQUEST':
        if (h.state !== 'uptodate') return true;
        this.submitForwarded(sid, m);
        return true;
      case 'REVALIDATE': {
        const valid = this.revalidate(sid, m.sessionId);
        this.send(h, { type: 'REVALIDATE', epoch: this.epoch, sessionId: m.sessionId, timeoutMs: m.timeoutMs, valid });
        return true;
      }
      default:
        return true;
    }
  }

  private submitForwarded(sid: number, m: RequestMsg): void {
    if (m.op.kind === 'sync') {
      this.sync(sid, m.sessionId, m.cxid);
      return;
    }
    this.submit(sid, m.sessionId, m.cxid, m.op);
  }

  onDisconnect(sid: number): void {
    const h = this.handlers.get(sid);
    if (h === undefined) return;
    this.removeLearner(h, 'connection closed');
  }

  private removeLearner(h: LearnerHandler, why: string): void {
    this.ctx.annotate(`dropping learner ${this.ctx.nameOf(h.pid)}: ${why}`);
    this.handlers.delete(h.sid);
    this.forwarding.delete(h.sid);
    this.ctx.disconnect(h.pid);
  }

  private send(h: LearnerHandler, m: QuorumPacket): void {
    this.ctx.send(h.pid, m, wireBytes(m));
  }

  // ---------------------------------------------------------------- timers

  onTimer(kind: 'leader-tick' | 'leader-session'): void {
    if (!this.live) return;
    if (kind === 'leader-session') {
      this.expireSessions();
      return;
    }
    this.tickTimer = this.ctx.setTimer(this.s.tickUs / 2, { k: 'leader-tick', g: this.gen });
    const now = this.ctx.nowUs();
    if (this.phase !== 'broadcast') {
      if (now >= this.phaseDeadlineUs) {
        const what = this.epoch < 0 ? 'waiting for a quorum of followers to connect (epoch)'
          : !this.discoveryDone ? 'waiting for epoch acks from a quorum' : 'waiting for a quorum of followers to sync (NEWLEADER acks)';
        this.stepDown(`timeout after initLimit (${this.s.initLimit} ticks) ${what}`);
      }
      return;
    }
    this.checkLearners(now);
    if (!this.live) return;
    if (!this.tickSkip) {
      let synced = 1;
      for (const h of this.handlers.values()) {
        if (this.forwarding.has(h.sid) && now - h.lastHeardUs <= this.s.syncLimit * this.s.tickUs) synced++;
      }
      if (synced < this.peer.quorum) {
        this.stepDown(`not sufficient followers synced, only synced with ${synced} of ${this.peer.opts.servers.length} (quorum ${this.peer.quorum})`);
        return;
      }
    }
    this.tickSkip = !this.tickSkip;
    const ping = { type: 'PING' as const, epoch: this.epoch, zxid: this.lastProposed, touches: [] as number[] };
    const size = wireBytes(ping);
    for (const sid of this.forwarding) this.ctx.send(this.pidOf(sid), ping, size);
  }

  private get lastProposed(): Zxid {
    return makeZxid(this.epoch, this.counter);
  }

  /** LearnerHandler read timeouts and SyncLimitCheck (a proposal unacknowledged for syncLimit ticks). */
  private checkLearners(now: number): void {
    const syncUs = this.s.syncLimit * this.s.tickUs;
    const initUs = this.s.initLimit * this.s.tickUs;
    const oldest = this.outstanding[0];
    for (const h of this.sortedHandlers()) {
      const limit = h.state === 'uptodate' || h.state === 'acked' ? syncUs : initUs;
      if (now - h.lastHeardUs > limit) {
        this.removeLearner(h, `nothing heard for ${Math.round((now - h.lastHeardUs) / 1000)} ms (limit ${limit / 1000} ms)`);
        continue;
      }
      if (oldest !== undefined && this.forwarding.has(h.sid) && (oldest.acks & (1 << h.sid)) === 0 && now - oldest.proposedUs > syncUs) {
        this.removeLearner(h, `transaction timeout: ${formatZxid(oldest.txn.zxid)} unacknowledged for ${Math.round((now - oldest.proposedUs) / 1000)} ms`);
      }
    }
  }

  private armSessionTimer(): void {
    if (this.tracker === null) return;
    const delay = Math.max(1, this.tracker.nextExpirationUs - this.ctx.nowUs());
    this.ctx.setTimer(delay, { k: 'leader-session', g: this.gen });
  }

  /** SessionTrackerImpl.run: expire every session in the due bucket with a closeSession txn. */
  private expireSessions(): void {
    const tracker = this.tracker;
    if (tracker === null) return;
    const expired = tracker.expire(this.ctx.nowUs());
    for (const s of expired) {
      this.ctx.annotate(`expiring session 0x${s.id.toString(16)}, timeout of ${s.timeoutMs} ms exceeded`);
      this.ctx.observe('zk-session-expire', { sid: this.peer.sid, session: s.id });
      this.propose(s.id, -1, this.prep.prepare({ kind: 'closeSession' }, s.id, makeZxid(this.epoch, this.counter + 1)));
    }
    this.armSessionTimer();
  }

  get outstandingCount(): number {
    return this.outstanding.length;
  }

  get learnerCount(): number {
    return this.handlers.size;
  }
}
