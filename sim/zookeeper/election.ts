// Fast Leader Election (FastLeaderElection.java), as an event-driven state machine: the peer feeds
// it notifications and timer firings; it sends notifications through its host and reports the
// outcome. One instance is one lookForLeader() call; `logicalclock` (the election epoch) outlives
// it in the peer.
//
// - Start: logicalclock + 1, vote for ourselves (myid, last logged zxid, currentEpoch), broadcast.
// - A LOOKING notification with a higher election epoch: adopt the epoch, clear the votes received,
//   keep the better of its vote and our initial vote, broadcast. Lower: ignored. Equal and better
//   than our proposal: adopt it and broadcast. Every one goes into recvset.
// - When a quorum of recvset equals our proposal, wait finalizeWait for anything better; a better
//   notification restarts the loop, anything else received meanwhile is dropped. Then decide.
// - FOLLOWING / LEADING notifications: in our election epoch they count in recvset; any epoch
//   counts in outofelection. A quorum agreeing on a leader that itself reports LEADING (checkLeader)
//   ends the election for a late joiner.
// - No notification for notTimeout: send ours again, double the timeout up to the maximum.

import { invariant } from '../core/invariant.ts';
import { MS } from '../core/types.ts';
import type { Notification } from './messages.ts';
import { countVotes, quorumSize, totalOrderPredicate, type Vote } from './vote.ts';
import type { Zxid } from './zxid.ts';

export interface ElectionHost {
  readonly sid: number;
  readonly servers: number;
  /** Current time, for the notification timeout. */
  nowUs(): number;
  /** Sends our current proposal to every other server (QuorumCnxManager.toSend). */
  broadcast(n: Notification): void;
  /** (Re)arms the election timer to fire after delayUs. */
  armTimer(delayUs: number): void;
  /** Called once when the election ends. */
  decided(leader: number, vote: Vote): void;
  /** Trace narration. */
  note(text: () => string): void;
}

export interface ElectionParams {
  readonly lastLoggedZxid: Zxid;
  readonly currentEpoch: number;
  readonly logicalclock: number;
  readonly minNotificationIntervalMs: number;
  readonly maxNotificationIntervalMs: number;
  readonly finalizeWaitMs: number;
}

export class FastLeaderElection {
  logicalclock: number;
  proposedLeader: number;
  proposedZxid: Zxid;
  proposedEpoch: number;
  readonly recvset = new Map<number, Vote>();
  readonly outofelection = new Map<number, Vote>();
  private notTimeoutMs: number;
  private lastActivityUs = 0;
  /** finalizeWait in progress: deadline, or -1. */
  private finalizeAtUs = -1;
  done = false;

  constructor(protected readonly host: ElectionHost, protected readonly p: ElectionParams) {
    this.logicalclock = p.logicalclock;
    this.proposedLeader = host.sid;
    this.proposedZxid = p.lastLoggedZxid;
    this.proposedEpoch = p.currentEpoch;
    this.notTimeoutMs = p.minNotificationIntervalMs;
  }

  /** Vote order; a method so tests can run a peer with a broken order. */
  protected totalOrderPredicate(newId: number, newZxid: Zxid, newEpoch: number, curId: number, curZxid: Zxid, curEpoch: number): boolean {
    return totalOrderPredicate(newId, newZxid, newEpoch, curId, curZxid, curEpoch);
  }

  start(): void {
    this.logicalclock++;
    this.updateProposal(this.host.sid, this.p.lastLoggedZxid, this.p.currentEpoch);
    this.host.note(() => `new election: my id = ${this.host.sid}, proposed zxid 0x${this.proposedZxid.toString(16)}, election epoch ${this.logicalclock}`);
    this.sendNotifications();
    this.lastActivityUs = this.host.nowUs();
    this.host.armTimer(this.notTimeoutMs * MS);
  }

  /** The notification this server sends for its current proposal. */
  notification(): Notification {
    return {
      type: 'Notification', sid: this.host.sid, state: 'LOOKING', leader: this.proposedLeader, zxid: this.proposedZxid,
      electionEpoch: this.logicalclock, peerEpoch: this.proposedEpoch,
    };
  }

  private updateProposal(leader: number, zxid: Zxid, epoch: number): void {
    this.proposedLeader = leader;
    this.proposedZxid = zxid;
    this.proposedEpoch = epoch;
  }

  private selfVote(): Vote {
    return { leader: this.proposedLeader, zxid: this.proposedZxid, electionEpoch: this.logicalclock, peerEpoch: this.proposedEpoch, state: 'LOOKING' };
  }

  private sendNotifications(): void {
    // Our own notification reaches our own queue too (QuorumCnxManager delivers to self locally)
    // and is counted like any other: alone in a one-server ensemble it is already a quorum.
    this.recvset.set(this.host.sid, this.selfVote());
    this.host.broadcast(this.notification());
    this.armFinalizeOnQuorum();
  }

  /** A quorum of recvset agrees with our proposal: wait finalizeWait for anything better. */
  private armFinalizeOnQuorum(): void {
    if (this.finalizeAtUs >= 0) return;
    if (countVotes(this.recvset, this.selfVote()) < quorumSize(this.host.servers)) return;
    this.finalizeAtUs = this.host.nowUs() + this.p.finalizeWaitMs * MS;
    this.host.armTimer(this.p.finalizeWaitMs * MS);
  }

  onNotification(n: Notification): void {
    if (this.done) return;
    this.lastActivityUs = this.host.nowUs();
    if (this.finalizeAtUs >= 0) {
      // Inside finalizeWait: only a better vote reopens the election; anything else is dropped.
      if (!this.totalOrderPredicate(n.leader, n.zxid, n.peerEpoch, this.proposedLeader, this.proposedZxid, this.proposedEpoch)) return;
      this.finalizeAtUs = -1;
      this.host.note(() => `a better vote from ${n.sid} arrived during finalizeWait: election continues`);
    }
    if (n.state === 'LOOKING') this.onLooking(n);
    else this.onOutOfElection(n);
  }

  private onLooking(n: Notification): void {
    if (n.electionEpoch > this.logicalclock) {
      this.logicalclock = n.electionEpoch;
      this.recvset.clear();
      if (this.totalOrderPredicate(n.leader, n.zxid, n.peerEpoch, this.host.sid, this.p.lastLoggedZxid, this.p.currentEpoch)) {
        this.updateProposal(n.leader, n.zxid, n.peerEpoch);
      } else {
        this.updateProposal(this.host.sid, this.p.lastLoggedZxid, this.p.currentEpoch);
      }
      this.sendNotifications();
    } else if (n.electionEpoch < this.logicalclock) {
      return;
    } else if (this.totalOrderPredicate(n.leader, n.zxid, n.peerEpoch, this.proposedLeader, this.proposedZxid, this.proposedEpoch)) {
      this.updateProposal(n.leader, n.zxid, n.peerEpoch);
      this.sendNotifications();
    }
    this.recvset.set(n.sid, { leader: n.leader, zxid: n.zxid, electionEpoch: n.electionEpoch, peerEpoch: n.peerEpoch, state: 'LOOKING' });
    if (countVotes(this.recvset, this.selfVote()) >= quorumSize(this.host.servers)) {
      this.finalizeAtUs = this.host.nowUs() + this.p.finalizeWaitMs * MS;
      this.host.armTimer(this.p.finalizeWaitMs * MS);
    }
  }

  private onOutOfElection(n: Notification): void {
    const v: Vote = { leader: n.leader, zxid: n.zxid, electionEpoch: n.electionEpoch, peerEpoch: n.peerEpoch, state: n.state };
    if (n.electionEpoch === this.logicalclock) {
      this.recvset.set(n.sid, v);
      if (countVotes(this.recvset, v) >= quorumSize(this.host.servers) && this.checkLeader(this.recvset, n.leader, n.electionEpoch)) {
        this.finish(n.leader, v);
        return;
      }
    }
    this.outofelection.set(n.sid, v);
    if (countVotes(this.outofelection, v) >= quorumSize(this.host.servers) && this.checkLeader(this.outofelection, n.leader, n.electionEpoch)) {
      this.logicalclock = n.electionEpoch;
      this.finish(n.leader, v);
    }
  }

  /** A leader other than us must itself have said LEADING; for us, the election epoch must be ours. */
  private checkLeader(votes: ReadonlyMap<number, Vote>, leader: number, electionEpoch: number): boolean {
    if (leader !== this.host.sid) return votes.get(leader)?.state === 'LEADING';
    return this.logicalclock === electionEpoch;
  }

  onTimer(): void {
    if (this.done) return;
    const now = this.host.nowUs();
    if (this.finalizeAtUs >= 0) {
      if (now >= this.finalizeAtUs) {
        this.finalizeAtUs = -1;
        this.assertTermination();
        this.finish(this.proposedLeader, this.selfVote());
        return;
      }
      this.host.armTimer(this.finalizeAtUs - now);
      return;
    }
    const due = this.lastActivityUs + this.notTimeoutMs * MS;
    if (now < due) {
      this.host.armTimer(due - now);
      return;
    }
    this.sendNotifications();
    this.notTimeoutMs = Math.min(this.notTimeoutMs * 2, this.p.maxNotificationIntervalMs);
    this.host.note(() => `notification time out: ${this.notTimeoutMs} ms`);
    this.lastActivityUs = now;
    this.host.armTimer(this.notTimeoutMs * MS);
  }

  /**
   * What must hold when a LOOKING quorum decides: more than half of all servers sent exactly our
   * proposal (counted here without the vote module's helpers), and our own initial vote is not
   * better than the proposal, since only better votes replace it (in this election's order: a
   * broken order is shown by the vote-order interaction script and the property tests).
   */
  private assertTermination(): void {
    let agree = 0;
    for (const v of this.recvset.values()) {
      if (v.leader === this.proposedLeader && v.zxid === this.proposedZxid && v.peerEpoch === this.proposedEpoch && v.electionEpoch === this.logicalclock) agree++;
    }
    invariant(2 * agree > this.host.servers, () => `election decided for ${this.proposedLeader} with ${agree} of ${this.host.servers} matching votes`);
    invariant(!this.totalOrderPredicate(this.host.sid, this.p.lastLoggedZxid, this.p.currentEpoch, this.proposedLeader, this.proposedZxid, this.proposedEpoch),
      () => `election decided for ${this.proposedLeader} (epoch ${this.proposedEpoch}, zxid 0x${this.proposedZxid.toString(16)}) below our own vote (epoch ${this.p.currentEpoch}, zxid 0x${this.p.lastLoggedZxid.toString(16)})`);
  }

  private finish(leader: number, vote: Vote): void {
    this.done = true;
    this.proposedLeader = leader;
    this.proposedZxid = vote.zxid;
    this.proposedEpoch = vote.peerEpoch;
    this.host.decided(leader, { ...vote, electionEpoch: this.logicalclock });
  }

  get currentNotTimeoutMs(): number {
    return this.notTimeoutMs;
  }
}
