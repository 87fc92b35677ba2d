import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../../sim/core/config.ts';
import type { Json } from '../../sim/core/types.ts';
import { MS } from '../../sim/core/types.ts';
import { applyFault, parseFault } from '../../sim/harness/faults.ts';
import { World } from '../../sim/world/world.ts';
import type { ZkErrorCode } from '../../sim/zookeeper/messages.ts';
import { zkSchema } from '../../sim/zookeeper/config.ts';
import { addEnsemble } from '../../sim/zookeeper/ensemble.ts';
import { zkCheckers } from '../../sim/zookeeper/index.ts';
import { peerOf, type PeerOptions, type ZkPeer } from '../../sim/zookeeper/peer.ts';
import { Learner } from '../../sim/zookeeper/learner.ts';
import type { PeerMessage } from '../../sim/zookeeper/messages.ts';
import { formatZxid, makeZxid } from '../../sim/zookeeper/zxid.ts';
import { ClientHost } from '../zookeeper/helpers.ts';

// Targeted ZooKeeper runs, each a few simulated seconds of a three-server ensemble with faults
// placed at the protocol moment a rule guards. Each states what ZooKeeper promises at that moment;
// the bug planted against it (test/planted/catalogue.ts, `npm run planted`) breaks the promise.

interface Run {
  readonly world: World;
  peer(name: string): ZkPeer | null;
  /** Runs the world until `ms` after now. */
  run(ms: number): void;
  /** Schedules a fault now (script syntax without the `at`). */
  fault(text: string): void;
  /** A client process connected to these servers only. */
  client(name: string, servers: readonly string[]): ClientHost;
}

function ensembleRun(peer: Omit<PeerOptions, 'servers'> = {}): Run {
  const config = resolveConfig(zkSchema, { 'zookeeper.servers': 3 });
  const world = new World({ seed: 1, config });
  const { names } = addEnsemble(world, config, { peer });
  for (const c of zkCheckers({ servers: names, livenessBoundMs: 60_000 })) world.addChecker(c);
  const r: Run = {
    world,
    peer: (name) => peerOf(world, name),
    run: (ms) => world.runUntil(world.nowUs + ms * MS),
    fault: (text) => applyFault(world, parseFault(`at 0s ${text}`, 'test')),
    client: (name, servers) => {
      world.addHost(`h-${name}`);
      world.addProcess(name, `h-${name}`, (ctx) => new ClientHost(ctx, servers, 30_000), { system: 'zookeeper', role: 'client' });
      world.start(world.pid(name));
      return world.actor<ClientHost>(name)!;
    },
  };
  return r;
}

/** Runs `fn` against the client inside a world event, then the world for `ms`. */
function act(r: Run, name: string, fn: (c: ClientHost) => void, ms: number): void {
  r.world.schedule(r.world.nowUs, () => fn(r.world.actor<ClientHost>(name)!));
  r.run(ms);
}

/** A learner unchanged but for a hook run when NEWLEADER arrives, before the learner handles it. */
function onNewLeader(hook: (peer: ZkPeer) => void): Omit<PeerOptions, 'servers'> {
  class HookedLearner extends Learner {
    override onPacket(m: PeerMessage): boolean {
      if (m.type === 'NEWLEADER') hook(this.peer);
      return super.onPacket(m);
    }
  }
  return { learner: (peer, leaderSid) => new HookedLearner(peer, leaderSid) };
}

describe('ZAB synchronization: a learner acknowledges NEWLEADER only with its synced txns durable (ZOOKEEPER-3911)', () => {
  it('a txn committed by NEWLEADER survives the power loss of the follower that acknowledged it', () => {
    // When NEWLEADER reaches zk-1 after its restart, its disk stalls for 4 s: nothing it writes
    // reaches the media before then.
    let stall = false;
    const r: Run = ensembleRun(onNewLeader((peer) => {
      if (stall && peer.ctx.name === 'zk-1') r.fault('slow-disk zk-1 stall for 4s');
    }));
    r.run(3000);
    expect(r.peer('zk-3')!.state).toBe('LEADING');
    r.client('c1', ['zk-3']);
    r.run(1000);
    // Both followers die; the leader logs /t alone before it notices it has lost its quorum.
    r.fault('crash zk-1');
    r.fault('crash zk-2');
    const created: (ZkErrorCode | null)[] = [];
    act(r, 'c1', (c) => c.zk.create('/t', 'lonely', {}, (e) => created.push(e)), 15_000);
    expect(created).toEqual(['CONNECTIONLOSS']);
    const lonely = r.peer('zk-3')!.syncer.appendedZxid;
    // zk-1 comes back: zk-3 has the longer history,
    // leads epoch 2 and DIFF-syncs /t to zk-1. NEWLEADER's quorum {zk-3, zk-1} commits it.
    stall = true;
    // The moment: 2 s after zk-1 acknowledges NEWLEADER, zk-1 loses power and the leader dies for good. zk-2 returns; zk-1 and zk-2 elect and a new client
    // opens a session (a txn after the history the new leader holds).
    let acked = 0;
    r.world.onObserve('zk-ack', (p, data: Json) => {
      const d = data as { sid: number; zxid: number };
      if (r.world.procNames[p] !== 'zk-1' || d.zxid !== makeZxid(2, 0) || acked++ > 0) return;
      r.world.schedule(r.world.nowUs + 2000 * MS, () => {
        r.fault('power-off zk-1 for 1s');
        r.fault('crash zk-3');
        r.fault('restart zk-2');
      });
    });
    r.fault('restart zk-1');
    r.run(40_000);
    expect(acked, 'zk-1 acknowledged NEWLEADER of epoch 2').toBe(1);
    expect(r.world.violations.map((v) => `${v.checker}: ${v.message}`)).toEqual([]);
    r.client('c2', ['zk-1', 'zk-2']);
    r.run(10_000);
    expect(r.world.violations.map((v) => `${v.checker}: ${v.message}`), `${formatZxid(lonely)}, committed by NEWLEADER, survives`).toEqual([]);
  });
});

describe('Fast Leader Election\'s vote order (FastLeaderElection.totalOrderPredicate): peer epoch first, then zxid, then id', () => {
  it('a peer that acknowledged a newer epoch beats a stale peer with a longer log of an older epoch', () => {
    const r = ensembleRun();
    r.run(3000);
    expect(r.peer('zk-3')!.state).toBe('LEADING');
    r.client('c1', ['zk-3']);
    r.run(1000);
    // zk-3 can still hear its followers and its client but not reach its followers: it logs /x
    // alone, while zk-1 and zk-2 lose it after syncLimit and form epoch 2 (zk-2 leads; no txn).
    r.fault('cut zk-3 -> zk-1,zk-2');
    const created: (ZkErrorCode | null)[] = [];
    act(r, 'c1', (c) => c.zk.create('/x', 'stale', {}, (e) => created.push(e)), 14_000);
    expect(created).toEqual(['CONNECTIONLOSS']);
    expect(r.peer('zk-2')!.state).toBe('LEADING');
    expect(r.peer('zk-1')!.currentEpoch).toBe(2);
    expect(r.peer('zk-3')!.syncer.appendedZxid).toBeGreaterThan(r.peer('zk-1')!.tree.lastZxid);
    // The epoch-2 leader dies and the cut heals: zk-1 (epoch 2, shorter log) and zk-3 (epoch 1,
    // longer log) elect. zk-1 must win: zk-3 would find zk-1 ahead of it (Leader.waitForEpochAck)
    // and step down, again and again.
    r.fault('crash zk-2');
    r.fault('heal');
    r.run(15_000);
    expect(r.peer('zk-1')!.state).toBe('LEADING');
    expect(r.peer('zk-1')!.serving).toBe(true);
    expect(r.peer('zk-3')!.tree.get('/x'), 'the txn zk-3 logged alone is truncated').toBeUndefined();
  });
});

describe('Fast Leader Election\'s termination: a peer leaves LOOKING only when a quorum agrees with its vote', () => {
  it('a peer alone keeps looking, and the ensemble it rejoins elects one leader', () => {
    const r = ensembleRun();
    r.run(3000);
    expect(r.peer('zk-3')!.state).toBe('LEADING');
    // zk-1 is cut off from the others: once it notices (syncLimit), it looks for a leader, and
    // alone it has no quorum: it must stay LOOKING until the isolation ends.
    r.fault('isolate zk-1 for 25s');
    const states: string[] = [];
    for (let i = 0; i < 240; i++) {
      r.run(100);
      const st = r.peer('zk-1')!.state;
      if (states[states.length - 1] !== st) states.push(st);
    }
    expect(states).toEqual(['FOLLOWING', 'LOOKING']);
    r.run(10_000);
    expect(r.peer('zk-1')!.state).toBe('FOLLOWING');
    expect(r.world.violations.map((v) => v.checker)).toEqual([]);
  });
});
