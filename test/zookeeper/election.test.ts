import { describe, expect, it } from 'vitest';
import { FastLeaderElection, type ElectionHost } from '../../sim/zookeeper/election.ts';
import type { Notification } from '../../sim/zookeeper/messages.ts';
import type { Vote } from '../../sim/zookeeper/vote.ts';
import { makeZxid } from '../../sim/zookeeper/zxid.ts';

// Fast Leader Election as an interaction script: a few election instances exchange notifications
// through an in-memory network; `stabilize` delivers everything in FIFO order and, when nothing is
// in flight, advances the clock to the next timer.

const MS = 1000;

interface Node {
  readonly sid: number;
  fle: FastLeaderElection | null;
  timerAtUs: number;
  decided: { leader: number; vote: Vote; atUs: number } | null;
  /** Not looking any more: answers looking peers with this vote (the peer's WorkerReceiver). */
  state: 'LOOKING' | 'FOLLOWING' | 'LEADING';
}

class Net {
  nowUs = 0;
  readonly nodes = new Map<number, Node>();
  readonly queue: { to: number; n: Notification }[] = [];
  readonly down = new Set<number>();

  add(sid: number, servers: number, zxid: number, epoch: number, logicalclock = 0): Node {
    const node: Node = { sid, fle: null, timerAtUs: Infinity, decided: null, state: 'LOOKING' };
    this.nodes.set(sid, node);
    const host: ElectionHost = {
      sid, servers,
      nowUs: () => this.nowUs,
      broadcast: (n) => { for (const s of this.nodes.keys()) if (s !== sid) this.queue.push({ to: s, n }); },
      armTimer: (d) => { node.timerAtUs = this.nowUs + d; },
      decided: (leader, vote) => {
        node.decided = { leader, vote, atUs: this.nowUs };
        node.state = leader === sid ? 'LEADING' : 'FOLLOWING';
        node.timerAtUs = Infinity;
      },
      note: () => undefined,
    };
    node.fle = new FastLeaderElection(host, { lastLoggedZxid: zxid, currentEpoch: epoch, logicalclock, minNotificationIntervalMs: 200, maxNotificationIntervalMs: 60000, finalizeWaitMs: 200 });
    return node;
  }

  stabilize(untilUs = 120_000 * MS): void {
    for (let steps = 0; steps < 100_000; steps++) {
      const m = this.queue.shift();
      if (m !== undefined) {
        this.deliver(m.to, m.n);
        continue;
      }
      let next: Node | null = null;
      for (const n of this.nodes.values()) if (!this.down.has(n.sid) && n.state === 'LOOKING' && (next === null || n.timerAtUs < next.timerAtUs)) next = n;
      if (next === null || !Number.isFinite(next.timerAtUs) || next.timerAtUs > untilUs) return;
      this.nowUs = Math.max(this.nowUs, next.timerAtUs);
      next.timerAtUs = Infinity;
      next.fle!.onTimer();
    }
    throw new Error('election did not settle');
  }

  private deliver(to: number, n: Notification): void {
    if (this.down.has(to)) return;
    const node = this.nodes.get(to)!;
    if (node.state === 'LOOKING') {
      node.fle!.onNotification(n);
      return;
    }
    if (n.state === 'LOOKING') {
      const v = node.decided!.vote;
      this.queue.push({ to: n.sid, n: { type: 'Notification', sid: to, state: node.state, leader: node.decided!.leader, zxid: v.zxid, electionEpoch: v.electionEpoch, peerEpoch: v.peerEpoch } });
    }
  }

  leaders(): (number | null)[] {
    return [...this.nodes.values()].map((n) => n.decided?.leader ?? null);
  }
}

describe('Fast Leader Election', () => {
  it('elects the highest id when every history is equal, after finalizeWait', () => {
    const net = new Net();
    for (const s of [1, 2, 3]) net.add(s, 3, 0, 0);
    for (const n of net.nodes.values()) n.fle!.start();
    net.stabilize();
    expect(net.leaders()).toEqual([3, 3, 3]);
    // Nobody decides before finalizeWait (200 ms) has passed without a better vote.
    for (const n of net.nodes.values()) expect(n.decided!.atUs).toBeGreaterThanOrEqual(200 * MS);
  });

  it('elects the peer with the newest history: epoch first, then zxid, whatever the ids', () => {
    const net = new Net();
    net.add(1, 3, makeZxid(2, 5), 2);
    net.add(2, 3, makeZxid(2, 9), 2);
    net.add(3, 3, makeZxid(1, 50), 1);
    for (const n of net.nodes.values()) n.fle!.start();
    net.stabilize();
    expect(net.leaders()).toEqual([2, 2, 2]);
  });

  it('decides with a quorum while one peer is down, and the latecomer then follows the elected leader', () => {
    const net = new Net();
    for (const s of [1, 2, 3]) net.add(s, 3, makeZxid(1, 7), 1);
    net.down.add(3);
    for (const s of [1, 2]) net.nodes.get(s)!.fle!.start();
    net.stabilize(5_000 * MS);
    expect(net.leaders().slice(0, 2)).toEqual([2, 2]);
    // zk-3 comes back and looks: the others answer with their decided votes (one says LEADING).
    net.down.delete(3);
    net.nodes.get(3)!.fle!.start();
    net.stabilize();
    expect(net.nodes.get(3)!.decided!.leader).toBe(2);
    expect(net.nodes.get(3)!.state).toBe('FOLLOWING');
  });

  it('catches up to a higher election epoch and drops votes of older rounds', () => {
    const net = new Net();
    net.add(1, 3, makeZxid(1, 7), 1, 5); // has been through five elections
    net.add(2, 3, makeZxid(1, 7), 1, 0);
    net.add(3, 3, makeZxid(1, 7), 1, 0);
    for (const n of net.nodes.values()) n.fle!.start();
    net.stabilize();
    expect(net.leaders()).toEqual([3, 3, 3]);
    for (const n of net.nodes.values()) expect(n.decided!.vote.electionEpoch).toBe(6);
  });

  it('backs off: resends after 200 ms, then 400, 800 ... while alone', () => {
    const net = new Net();
    const a = net.add(1, 3, 0, 0);
    net.add(2, 3, 0, 0);
    net.add(3, 3, 0, 0);
    net.down.add(2);
    net.down.add(3);
    a.fle!.start();
    const sends: number[] = [];
    const orig = net.queue.push.bind(net.queue);
    net.queue.push = (...items) => {
      sends.push(net.nowUs / MS);
      return orig(...items);
    };
    net.stabilize(3_200 * MS);
    const rounds = [...new Set(sends)];
    expect(rounds).toEqual([200, 600, 1400, 3000]);
    expect(a.decided).toBeNull();
  });

  it('never elects two leaders in one election epoch', () => {
    // Five peers with mixed histories, started in every order: one leader, everyone agrees.
    const histories: [number, number][] = [[1, 3], [2, 1], [2, 1], [1, 9], [0, 0]];
    for (let rot = 0; rot < 5; rot++) {
      const net = new Net();
      histories.forEach(([e, c], i) => net.add(i + 1, 5, makeZxid(e, c), e));
      const order = [0, 1, 2, 3, 4].map((i) => ((i + rot) % 5) + 1);
      for (const s of order) net.nodes.get(s)!.fle!.start();
      net.stabilize();
      expect(new Set(net.leaders())).toEqual(new Set([3]));
    }
  });
});

// One election instance driven by hand: the notifications it receives are written out, the ones it
// sends and its timers are recorded (FastLeaderElection.lookForLeader's branches one at a time).
function solo(sid: number, servers: number, zxid = makeZxid(1, 7), epoch = 1, logicalclock = 0) {
  const out = { sent: [] as Notification[], timers: [] as number[], decided: null as { leader: number; vote: Vote; atUs: number } | null, nowUs: 0 };
  const host: ElectionHost = {
    sid, servers,
    nowUs: () => out.nowUs,
    broadcast: (n) => { out.sent.push(n); },
    armTimer: (d) => { out.timers.push(out.nowUs + d); },
    decided: (leader, vote) => { out.decided = { leader, vote, atUs: out.nowUs }; },
    note: () => undefined,
  };
  const fle = new FastLeaderElection(host, { lastLoggedZxid: zxid, currentEpoch: epoch, logicalclock, minNotificationIntervalMs: 200, maxNotificationIntervalMs: 60000, finalizeWaitMs: 200 });
  return { fle, out };
}

const note = (sid: number, state: Notification['state'], leader: number, electionEpoch: number, zxid = makeZxid(1, 7), peerEpoch = 1): Notification =>
  ({ type: 'Notification', sid, state, leader, zxid, electionEpoch, peerEpoch });

describe('Fast Leader Election, one peer at a time', () => {
  it('joins an established ensemble only when a quorum follows the leader and the leader itself says LEADING', () => {
    const { fle, out } = solo(4, 5);
    fle.start(); // election epoch 1
    fle.onNotification(note(1, 'FOLLOWING', 2, 1));
    fle.onNotification(note(3, 'FOLLOWING', 2, 1));
    expect(out.decided).toBeNull(); // two of five
    fle.onNotification(note(5, 'FOLLOWING', 2, 1));
    expect(out.decided).toBeNull(); // three of five, but the leader has not said LEADING
    fle.onNotification(note(2, 'LEADING', 2, 1));
    expect(out.decided?.leader).toBe(2);
    expect(out.decided?.vote.electionEpoch).toBe(1);
  });

  it('follows a leader of a later election epoch once a quorum of out-of-election votes agree, and takes that epoch', () => {
    const { fle, out } = solo(3, 3);
    fle.start(); // election epoch 1; the ensemble elected in epoch 4
    fle.onNotification(note(1, 'FOLLOWING', 2, 4));
    expect(out.decided).toBeNull();
    fle.onNotification(note(2, 'LEADING', 2, 4));
    expect(out.decided?.leader).toBe(2);
    expect(fle.logicalclock).toBe(4);
  });

  it('does not follow a quorum of FOLLOWING votes whose leader never answers as LEADING', () => {
    const { fle, out } = solo(3, 3);
    fle.start();
    fle.onNotification(note(1, 'FOLLOWING', 2, 4));
    fle.onNotification(note(2, 'FOLLOWING', 1, 4)); // 2 follows someone else: no quorum for 2 as leader
    expect(out.decided).toBeNull();
  });

  it('ignores LOOKING votes of an older election round', () => {
    const { fle, out } = solo(1, 3, makeZxid(1, 7), 1, 4);
    fle.start(); // election epoch 5
    const sent = out.sent.length;
    fle.onNotification(note(3, 'LOOKING', 3, 2, makeZxid(1, 99), 1)); // better history, old round
    expect(fle.proposedLeader).toBe(1);
    expect(out.sent.length).toBe(sent);
    expect(fle.recvset.has(3)).toBe(false);
  });

  it('waits finalizeWait after a quorum agrees, reopens on a better vote, and decides finalizeWait after the last quorum', () => {
    const { fle, out } = solo(3, 3);
    fle.start();
    out.nowUs = 10 * MS;
    fle.onNotification(note(1, 'LOOKING', 1, 1)); // 1 votes for itself (worse than us): no quorum yet
    out.nowUs = 20 * MS;
    fle.onNotification(note(2, 'LOOKING', 3, 1)); // 2 votes for us: quorum {2, 3}
    expect(out.timers.at(-1)).toBe(220 * MS);
    out.nowUs = 30 * MS;
    fle.onTimer(); // early wake-up (another timer): not yet, re-armed for the deadline
    expect(out.decided).toBeNull();
    expect(out.timers.at(-1)).toBe(220 * MS);
    out.nowUs = 100 * MS;
    fle.onNotification(note(1, 'LOOKING', 3, 1)); // agrees: dropped inside finalizeWait, deadline unchanged
    out.nowUs = 219 * MS;
    fle.onTimer();
    expect(out.decided).toBeNull();
    out.nowUs = 220 * MS;
    fle.onTimer();
    expect(out.decided?.leader).toBe(3);
    expect(out.decided?.atUs).toBe(220 * MS);
  });

  it('a better vote during finalizeWait reopens the election and moves the decision', () => {
    const { fle, out } = solo(2, 3);
    fle.start();
    fle.onNotification(note(1, 'LOOKING', 2, 1)); // quorum {1, 2} for 2
    out.nowUs = 50 * MS;
    fle.onNotification(note(3, 'LOOKING', 3, 1)); // 3 is better (higher id, same history)
    expect(fle.proposedLeader).toBe(3);
    // Now 2 and 3 vote for 3: a new quorum at 50 ms, a new deadline at 250 ms.
    out.nowUs = 200 * MS;
    fle.onTimer(); // the old deadline: no decision
    expect(out.decided).toBeNull();
    out.nowUs = 250 * MS;
    fle.onTimer();
    expect(out.decided?.leader).toBe(3);
    expect(out.decided?.atUs).toBe(250 * MS);
  });

  it('resends its vote notTimeout after the last notification it received, not after the last send', () => {
    const { fle, out } = solo(1, 3);
    fle.start(); // sends at 0, timer at 200 ms
    out.nowUs = 150 * MS;
    fle.onNotification(note(2, 'LOOKING', 1, 1, makeZxid(0, 1), 0)); // worse: no quorum, no resend
    const sends = out.sent.length;
    out.nowUs = 200 * MS;
    fle.onTimer();
    expect(out.sent.length).toBe(sends); // 150 + 200 = 350 ms is when it resends
    expect(out.timers.at(-1)).toBe(350 * MS);
    out.nowUs = 350 * MS;
    fle.onTimer();
    expect(out.sent.length).toBe(sends + 1);
    expect(out.timers.at(-1)).toBe(750 * MS); // then backs off to 400 ms
  });

  it('alone in a one-server ensemble its own vote is a quorum: it decides finalizeWait after starting', () => {
    const { fle, out } = solo(1, 1);
    fle.start();
    expect(out.timers).toContain(200 * MS);
    out.nowUs = 199 * MS;
    fle.onTimer();
    expect(out.decided).toBeNull();
    out.nowUs = 200 * MS;
    fle.onTimer();
    expect(out.decided?.leader).toBe(1);
  });

  it('decides once: later notifications and timers change nothing', () => {
    const { fle, out } = solo(1, 1);
    fle.start();
    out.nowUs = 200 * MS;
    fle.onTimer();
    const first = out.decided;
    const sent = out.sent.length;
    out.nowUs = 300 * MS;
    fle.onNotification(note(2, 'LOOKING', 9, 7, makeZxid(5, 5), 5));
    fle.onTimer();
    expect(out.decided).toBe(first);
    expect(out.sent.length).toBe(sent);
    expect(fle.proposedLeader).toBe(1);
  });

  it("in its own round, counts the LOOKING votes it holds with the leader's LEADING answer", () => {
    // lookForLeader, case FOLLOWING/LEADING with n.electionEpoch == logicalclock: the vote joins recvset.
    const { fle, out } = solo(3, 3);
    fle.start();
    fle.onNotification(note(1, 'LOOKING', 2, 1, makeZxid(1, 7), 1)); // 1 proposes 2 (worse than us for 3: kept as 1's vote)
    expect(out.decided).toBeNull();
    fle.onNotification(note(2, 'LEADING', 2, 1));
    expect(out.decided?.leader).toBe(2);
  });

  it('out of election, needs a quorum of its own: the LEADING answer alone is not enough', () => {
    const { fle, out } = solo(5, 5);
    fle.start();
    fle.onNotification(note(2, 'LEADING', 2, 4));
    fle.onNotification(note(1, 'FOLLOWING', 2, 4));
    expect(out.decided).toBeNull(); // two of five
    fle.onNotification(note(3, 'FOLLOWING', 2, 4));
    expect(out.decided?.leader).toBe(2);
  });

  it('does not follow a quorum of FOLLOWING votes for a leader that never said LEADING', () => {
    const { fle, out } = solo(5, 5);
    fle.start();
    for (const sid of [1, 3, 4]) fle.onNotification(note(sid, 'FOLLOWING', 2, 4));
    expect(out.decided).toBeNull();
  });

  it('leads when a quorum follows it in its own election round, not when they follow it from another round', () => {
    const mine = solo(2, 3);
    mine.fle.start(); // round 1
    mine.fle.onNotification(note(1, 'FOLLOWING', 2, 1));
    expect(mine.out.decided?.leader).toBe(2);
    const other = solo(2, 3);
    other.fle.start();
    other.fle.onNotification(note(1, 'FOLLOWING', 2, 4));
    other.fle.onNotification(note(3, 'FOLLOWING', 2, 4));
    expect(other.out.decided).toBeNull();
  });
});
