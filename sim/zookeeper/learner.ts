// A follower (Learner.java, Follower.java):
//
// - connect: FOLLOWERINFO(acceptedEpoch) to the elected leader;
// - LEADERINFO(e): e below our acceptedEpoch is an error; above it, persist acceptedEpoch = e first;
//   then ACKEPOCH(currentEpoch, last logged zxid);
// - sync: DIFF (nothing to drop), TRUNC (cut our log back to the leader's zxid and reload the
//   tree) or SNAP (replace the tree with the leader's snapshot), then PROPOSAL / COMMIT pairs and
//   proposals still in flight, held in memory until NEWLEADER;
// - NEWLEADER: persist everything before acknowledging (ZOOKEEPER-3911): a SNAP becomes a fsynced
//   snapshot, the synced txns go to the log and are fsynced, then currentEpoch is persisted, then
//   ACK. Proposals still uncommitted are acknowledged right after;
// - UPTODATE: serve clients;
// - broadcast: log each PROPOSAL and ACK it once the log is durable; apply COMMITs in order; answer
//   PINGs with the sessions our clients touched.
// The connection to the leader times out after initLimit ticks of silence while syncing and
// syncLimit ticks after; then the peer is LOOKING again.

import { invariant } from '../core/invariant.ts';
import type { ProcessId } from '../core/types.ts';
import { deserializeSnapshot } from './snapshot.ts';
import { wireBytes, type PeerMessage, type QuorumPacket, type RequestMsg } from './messages.ts';
import type { ZkPeer } from './peer.ts';
import { ACCEPTED_EPOCH, CURRENT_EPOCH } from './storage.ts';
import type { Txn } from './txn.ts';
import { formatZxid, makeZxid, type Zxid } from './zxid.ts';

export type LearnerPhase = 'connecting' | 'epoch' | 'sync' | 'persisting' | 'synced' | 'broadcast';

/** A proposal this learner has logged and not yet seen committed. */
export interface PendingTxn {
  readonly txn: Txn;
  readonly digest: number;
  acked: boolean;
}

export class Learner {
  phase: LearnerPhase = 'connecting';
  readonly leaderPid: ProcessId;
  newEpoch = -1;
  private lastHeardUs: number;
  private syncMode: 'DIFF' | 'TRUNC' | 'SNAP' | null = null;
  private syncProposals: Txn[] = [];
  private syncCommits: Zxid[] = [];
  private deferred: QuorumPacket[] = [];
  protected readonly pending: PendingTxn[] = [];
  private readonly revalidations = new Map<number, ((valid: boolean) => void)[]>();
  private timer = -1;
  private timerAtUs = Infinity;
  protected readonly gen: number;

  constructor(protected readonly peer: ZkPeer, readonly leaderSid: number) {
    this.leaderPid = peer.pidOf(leaderSid);
    this.gen = peer.roleGen;
    this.lastHeardUs = peer.ctx.nowUs();
  }

  protected get ctx() {
    return this.peer.ctx;
  }

  protected get live(): boolean {
    return this.peer.learner === this && this.peer.roleGen === this.gen;
  }

  start(): void {
    this.send({ type: 'FOLLOWERINFO', sid: this.peer.sid, acceptedEpoch: this.peer.acceptedEpoch });
    this.arm();
  }

  stop(reason: string): void {
    this.ctx.annotate(`stopped following ${this.ctx.nameOf(this.leaderPid)}: ${reason}`);
    this.ctx.disconnect(this.leaderPid);
    if (this.timer >= 0) this.ctx.cancelTimer(this.timer);
    // Logged proposals stay in our history (fastForwardDataBase); unlogged sync packets are dropped.
    this.peer.fastForward(this.pending);
    this.pending.length = 0;
    this.syncProposals = [];
    this.syncCommits = [];
    this.deferred = [];
  }

  onLeaderLost(reason: string): void {
    if (!this.live) return;
    this.peer.lookForLeader(reason);
  }

  protected send(m: QuorumPacket): void {
    this.ctx.send(this.leaderPid, m, wireBytes(m));
  }

  // ---------------------------------------------------------------- timers

  private limitUs(): number {
    const s = this.peer.settings;
    return (this.phase === 'synced' || this.phase === 'broadcast' ? s.syncLimit : s.initLimit) * s.tickUs;
  }

  private arm(): void {
    const at = this.lastHeardUs + this.limitUs();
    if (this.timer >= 0 && this.timerAtUs <= at) return;
    if (this.timer >= 0) this.ctx.cancelTimer(this.timer);
    this.timerAtUs = at;
    this.timer = this.ctx.setTimer(Math.max(1, at - this.ctx.nowUs()), { k: 'learner-check', g: this.gen });
  }

  onTimer(): void {
    this.timer = -1;
    this.timerAtUs = Infinity;
    if (!this.live) return;
    const silentUs = this.ctx.nowUs() - this.lastHeardUs;
    if (silentUs >= this.limitUs()) {
      this.onLeaderLost(`read timeout: nothing from the leader for ${Math.round(silentUs / 1000)} ms (${this.phase === 'synced' || this.phase === 'broadcast' ? 'syncLimit' : 'initLimit'})`);
      return;
    }
    this.arm();
  }

  // ---------------------------------------------------------------- packets

  onPacket(m: PeerMessage): boolean {
    if (m.type === 'Notification' || m.type === 'FOLLOWERINFO') return false;
    this.lastHeardUs = this.ctx.nowUs();
    if (this.phase === 'persisting') {
      this.deferred.push(m);
      return true;
    }
    this.process(m);
    return true;
  }

  private unexpected(m: QuorumPacket): void {
    this.onLeaderLost(`unexpected ${m.type} while ${this.phase}`);
  }

  private process(m: QuorumPacket): void {
    if (m.type !== 'LEADERINFO' && 'epoch' in m && this.newEpoch >= 0 && m.epoch !== this.newEpoch) return;
    switch (m.type) {
      case 'LEADERINFO':
        if (this.phase !== 'connecting') return this.unexpected(m);
        return this.onLeaderInfo(m.epoch);
      case 'DIFF': case 'TRUNC': case 'SNAP':
        if (this.phase !== 'epoch') return this.unexpected(m);
        return this.onSyncStart(m);
      case 'PROPOSAL':
        if (this.phase === 'sync') this.syncProposals.push(m.txn);
        else if (this.phase === 'synced' || this.phase === 'broadcast') this.onProposal(m.txn);
        else this.unexpected(m);
        return;
      case 'COMMIT':
        if (this.phase === 'sync') this.syncCommits.push(m.zxid);
        else if (this.phase === 'synced' || this.phase === 'broadcast') this.onCommit(m.zxid);
        else this.unexpected(m);
        return;
      case 'NEWLEADER':
        if (this.phase !== 'sync') return this.unexpected(m);
        return this.onNewLeader();
      case 'UPTODATE':
        if (this.phase !== 'synced') return this.unexpected(m);
        this.phase = 'broadcast';
        this.ctx.annotate(`up to date with leader ${this.ctx.nameOf(this.leaderPid)} (epoch ${this.newEpoch}): serving clients`);
        this.peer.updateElectionVote(this.newEpoch);
        this.peer.startServing();
        return;
      case 'PING': {
        const touches = [...this.peer.server.touched].sort((a, b) => a - b);
        this.peer.server.touched.clear();
        this.send({ type: 'PING', epoch: this.newEpoch, zxid: m.zxid, touches });
        return;
      }
      case 'SYNC':
        this.peer.server.onSynced(m.sessionId, m.cxid);
        return;
      case 'REVALIDATE': {
        const cbs = this.revalidations.get(m.sessionId);
        if (cbs === undefined) return;
        this.revalidations.delete(m.sessionId);
        for (const cb of cbs) cb(m.valid);
        return;
      }
      default:
        return;
    }
  }

  private onLeaderInfo(epoch: number): void {
    const accepted = this.peer.acceptedEpoch;
    if (epoch < accepted) {
      this.onLeaderLost(`leader's epoch ${epoch} is less than our accepted epoch ${accepted}`);
      return;
    }
    this.newEpoch = epoch;
    this.phase = 'epoch';
    const lastZxid = this.peer.tree.lastZxid;
    if (epoch === accepted) {
      // We already acked this epoch: say so with -1 (it does not count towards the epoch quorum again).
      this.send({ type: 'ACKEPOCH', epoch, currentEpoch: -1, lastZxid });
      return;
    }
    const current = this.peer.currentEpoch;
    this.peer.persistEpoch(ACCEPTED_EPOCH, epoch, () => {
      if (this.live) this.send({ type: 'ACKEPOCH', epoch, currentEpoch: current, lastZxid });
    });
  }

  private onSyncStart(m: Extract<QuorumPacket, { type: 'DIFF' | 'TRUNC' | 'SNAP' }>): void {
    this.phase = 'sync';
    this.syncMode = m.type;
    const peer = this.peer;
    if (m.type === 'TRUNC') {
      const from = Math.max(peer.tree.lastZxid, peer.syncer.appendedZxid);
      this.ctx.annotate(`truncating log from ${formatZxid(from)} to ${formatZxid(m.zxid)} to get in sync with the leader`);
      this.ctx.observe('zk-truncate', { sid: peer.sid, from, to: m.zxid });
      peer.storage.truncateTo(m.zxid);
      const r = peer.storage.restore();
      peer.tree = r.tree;
      peer.committedLog = r.replayed.slice(-peer.settings.commitLogCount);
      peer.syncer.reset(m.zxid);
      if (peer.tree.lastZxid !== m.zxid) peer.fatal(`not able to truncate the log to ${formatZxid(m.zxid)} (have ${formatZxid(peer.tree.lastZxid)})`);
      return;
    }
    if (m.type === 'SNAP') {
      const t = deserializeSnapshot(m.snapshot);
      if (typeof t === 'string') {
        peer.fatal(`snapshot from the leader is damaged: ${t}`);
        return;
      }
      this.ctx.annotate(`loading snapshot ${formatZxid(m.zxid)} from the leader (${m.snapshot.length} bytes)`);
      peer.storage.truncateTo(m.zxid);
      peer.tree = t;
      peer.committedLog = [];
      peer.syncer.reset(Math.min(peer.syncer.appendedZxid, m.zxid));
    }
  }

  /** NEWLEADER: persist the synced state, then the epoch, then ACK (ZOOKEEPER-3911, -4643, -4646). */
  private onNewLeader(): void {
    this.phase = 'persisting';
    const peer = this.peer;
    const logSynced = (): void => {
      for (const t of this.syncProposals) {
        const { bytes, digest } = peer.digestOf(t);
        if (!this.logPending(t, bytes, digest)) return;
      }
      this.syncProposals = [];
      for (const z of this.syncCommits) {
        const head = this.pending[0];
        if (head === undefined || head.txn.zxid !== z) {
          this.ctx.annotate(`committing ${formatZxid(z)}, but next proposal is ${head === undefined ? 'none' : formatZxid(head.txn.zxid)}`);
          continue;
        }
        this.pending.shift();
        peer.applyCommitted(head.txn, head.digest, false);
      }
      this.syncCommits = [];
      peer.syncer.whenDurable(() => {
        if (!this.live) return;
        peer.persistEpoch(CURRENT_EPOCH, this.newEpoch, () => this.ackNewLeader());
      });
    };
    if (this.syncMode === 'SNAP') {
      peer.storage.saveSnapshot(peer.tree, true, (err) => {
        if (err !== null) {
          peer.fatal(`writing the snapshot from the leader failed: ${err}`);
          return;
        }
        if (this.live) logSynced();
      });
    } else {
      logSynced();
    }
  }

  private ackNewLeader(): void {
    if (!this.live) return;
    // ZOOKEEPER-3911: everything synced is durable before NEWLEADER is acknowledged.
    const durable = this.peer.syncer.durableZxid;
    for (const p of this.pending) invariant(p.txn.zxid <= durable, () => `${this.ctx.name}: ACK of NEWLEADER while synced txn ${formatZxid(p.txn.zxid)} is not durable (durable up to ${formatZxid(durable)})`);
    this.peer.noteEpochLeader(this.newEpoch, this.leaderSid);
    this.phase = 'synced';
    // From now on the read timeout is syncLimit ticks, shorter than initLimit: re-arm for it.
    this.arm();
    this.ack(makeZxid(this.newEpoch, 0));
    this.onDurable(this.peer.syncer.durableZxid);
    const deferred = this.deferred;
    this.deferred = [];
    for (const m of deferred) {
      if (!this.live) return;
      if ((this.phase as LearnerPhase) === 'persisting') {
        this.deferred.push(m);
        continue;
      }
      this.process(m);
    }
  }

  /** Logs a proposal; it is acknowledged when the log is durable (onDurable). */
  protected onProposal(txn: Txn): void {
    const { bytes, digest } = this.peer.digestOf(txn);
    this.logPending(txn, bytes, digest);
  }

  /**
   * Records the txn as pending, then hands it to the log (FollowerZooKeeperServer.logRequest adds
   * to pendingTxns before SyncRequestProcessor.processRequest). The order matters: with
   * forceSync=false the sync round has no fsync to wait for and finishes inside the append, and its
   * onDurable must already see this txn or its ACK is never sent (SendAckRequestProcessor acks
   * every flushed request, fsynced or not).
   */
  private logPending(txn: Txn, bytes: Uint8Array, digest: number): boolean {
    this.pending.push({ txn, digest, acked: false });
    if (this.peer.logTxn(txn, bytes)) return true;
    this.pending.pop();
    return false;
  }

  protected ack(zxid: Zxid): void {
    this.send({ type: 'ACK', epoch: this.newEpoch, zxid });
    this.ctx.observe('zk-ack', { sid: this.peer.sid, zxid });
  }

  onDurable(durable: Zxid): void {
    if (!this.live || (this.phase !== 'synced' && this.phase !== 'broadcast')) return;
    for (const p of this.pending) {
      if (p.txn.zxid > durable) break;
      if (!p.acked) {
        p.acked = true;
        this.ack(p.txn.zxid);
      }
    }
  }

  private onCommit(zxid: Zxid): void {
    const head = this.pending[0];
    invariant(head !== undefined && head.txn.zxid === zxid,
      () => `${this.ctx.name}: committing ${formatZxid(zxid)}, but next pending txn is ${head === undefined ? 'none' : formatZxid(head.txn.zxid)}`);
    this.pending.shift();
    this.peer.applyCommitted(head.txn, head.digest, false);
  }

  // ---------------------------------------------------------------- client requests through us

  forward(sessionId: number, cxid: number, op: RequestMsg['op']): void {
    if (this.phase !== 'broadcast') return;
    this.send({ type: 'REQUEST', epoch: this.newEpoch, sessionId, cxid, op });
  }

  revalidate(sessionId: number, timeoutMs: number, done: (valid: boolean) => void): void {
    if (this.phase !== 'broadcast') {
      done(false);
      return;
    }
    let list = this.revalidations.get(sessionId);
    if (list === undefined) {
      this.revalidations.set(sessionId, (list = []));
      this.send({ type: 'REVALIDATE', epoch: this.newEpoch, sessionId, timeoutMs, valid: false });
    }
    list.push(done);
  }
}
