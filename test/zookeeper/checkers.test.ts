import { describe, expect, it } from 'vitest';
import type { Checker } from '../../sim/world/checker.ts';
import { resolveConfig } from '../../sim/core/config.ts';
import type { Json, ProcessId } from '../../sim/core/types.ts';
import { World } from '../../sim/world/world.ts';
import type { ObservationData, ObservationKind } from '../../sim/core/observation.ts';
import { ackedWritesDurableChecker, historyAgreementChecker } from '../../sim/zookeeper/checkers/history.ts';
import { singleLeaderChecker } from '../../sim/zookeeper/checkers/leaders.ts';
import { linearizableWritesChecker } from '../../sim/zookeeper/checkers/linearizable.ts';
import { electionTimeChecker, leaderStepsDownChecker, livenessChecker } from '../../sim/zookeeper/checkers/liveness.ts';
import { quorumCommitChecker } from '../../sim/zookeeper/checkers/quorum.ts';
import { sessionOrderChecker } from '../../sim/zookeeper/checkers/session-order.ts';
import { watchOnceChecker } from '../../sim/zookeeper/checkers/watches.ts';
import { ephemeralLifetimeChecker } from '../../sim/zookeeper/checkers/ephemerals.ts';
import { lockMutexChecker } from '../../scenarios/zookeeper/lib/lock.ts';
import { makeZxid } from '../../sim/zookeeper/zxid.ts';

// Every checker must be able to fail: each is fed the observations (or history) of a broken run
// and must report it, and the matching correct run must pass.

const idle = { onMessage() {}, onTimer() {}, inspect: (): Json => ({ role: 'idle' }) };

function worldWith(checkers: Checker[], procs = ['zk-1', 'zk-2', 'zk-3', 'client-1']): { world: World; pid: (n: string) => ProcessId; at: (us: number, fn: () => void) => void; finish: (healUs?: number, endUs?: number) => string[] } {
  const world = new World({ seed: 1, config: resolveConfig({}) });
  for (const p of procs) {
    world.addHost(`h-${p}`);
    world.addProcess(p, `h-${p}`, () => idle, { system: 'zookeeper' });
  }
  world.runUntil(0);
  for (const c of checkers) world.addChecker(c);
  return {
    world,
    pid: (n) => world.pid(n),
    at: (us, fn) => {
      world.schedule(us, fn);
      world.runUntil(us);
    },
    finish: (healUs = world.nowUs, endUs = world.nowUs) => {
      for (const c of checkers) c.finish?.(world, { healUs, endUs });
      return world.violations.map((v) => `${v.checker}: ${v.message}`);
    },
  };
}

const z = (e: number, c: number): number => makeZxid(e, c);
/** Feeds one observation; a test gives only the fields the checker under test reads. */
const obs = <K extends ObservationKind>(w: World, pid: ProcessId, kind: K, data: Partial<ObservationData<K>>): void => w.observe(pid, kind, data as ObservationData<K>);

describe('zk-single-leader', () => {
  it('fires when two servers are established as leader of the same epoch', () => {
    const t = worldWith([singleLeaderChecker()]);
    obs(t.world, t.pid('zk-1'), 'zk-leader-established', { sid: 1, epoch: 4 });
    obs(t.world, t.pid('zk-2'), 'zk-leader-established', { sid: 2, epoch: 5 });
    expect(t.finish()).toEqual([]);
    obs(t.world, t.pid('zk-3'), 'zk-leader-established', { sid: 3, epoch: 5 });
    expect(t.finish()).toEqual(['zk-single-leader: two leaders established in epoch 5: zk-2 and zk-3']);
  });
});

describe('zk-quorum-commit', () => {
  it('fires when a leader commits with acks from a minority, not with a quorum', () => {
    const t = worldWith([quorumCommitChecker(['zk-1', 'zk-2', 'zk-3'])]);
    obs(t.world, t.pid('zk-1'), 'zk-ack', { sid: 1, zxid: z(1, 1) });
    obs(t.world, t.pid('zk-2'), 'zk-ack', { sid: 2, zxid: z(1, 1) });
    obs(t.world, t.pid('zk-1'), 'zk-commit', { zxid: z(1, 1), leader: true });
    expect(t.finish()).toEqual([]);
    obs(t.world, t.pid('zk-1'), 'zk-ack', { sid: 1, zxid: z(1, 2) });
    obs(t.world, t.pid('zk-1'), 'zk-commit', { zxid: z(1, 2), leader: true });
    expect(t.finish()).toEqual(['zk-quorum-commit: zk-1 committed 0x100000002 with acknowledgements from 1 server(s) (zk-1); a quorum is 2']);
  });

  it('fires when a leader is established without a quorum of NEWLEADER acks', () => {
    const t = worldWith([quorumCommitChecker(['zk-1', 'zk-2', 'zk-3'])]);
    obs(t.world, t.pid('zk-3'), 'zk-ack', { sid: 3, zxid: z(2, 0) });
    obs(t.world, t.pid('zk-3'), 'zk-leader-established', { sid: 3, epoch: 2 });
    expect(t.finish()[0]).toMatch(/established itself as leader of epoch 2 with NEWLEADER acks from 1 server/);
  });
});

describe('zk-history-agreement', () => {
  it('passes when servers declare the same chain', () => {
    const t = worldWith([historyAgreementChecker()]);
    for (const p of ['zk-1', 'zk-2']) {
      obs(t.world, t.pid(p), 'zk-serving', { from: z(1, 1), fromDigest: 11, chain: [z(1, 2), 12] });
      obs(t.world, t.pid(p), 'zk-commit', { zxid: z(1, 3), prev: z(1, 2), digest: 13 });
    }
    expect(t.finish()).toEqual([]);
  });

  it('fires when two servers commit different successors of the same zxid (a skipped or reordered txn)', () => {
    const t = worldWith([historyAgreementChecker()]);
    obs(t.world, t.pid('zk-1'), 'zk-serving', { from: z(1, 1), fromDigest: 11, chain: [] });
    obs(t.world, t.pid('zk-2'), 'zk-serving', { from: z(1, 1), fromDigest: 11, chain: [] });
    obs(t.world, t.pid('zk-1'), 'zk-commit', { zxid: z(1, 2), prev: z(1, 1), digest: 12 });
    obs(t.world, t.pid('zk-2'), 'zk-commit', { zxid: z(2, 1), prev: z(1, 1), digest: 21 });
    expect(t.finish()).toEqual(['zk-history-agreement: after 0x100000001, zk-2 committed 0x200000001 but zk-1 committed 0x100000002']);
  });

  it('fires when two servers hold different histories up to the same zxid', () => {
    const t = worldWith([historyAgreementChecker()]);
    obs(t.world, t.pid('zk-1'), 'zk-serving', { from: z(1, 5), fromDigest: 0xaa, chain: [] });
    obs(t.world, t.pid('zk-2'), 'zk-serving', { from: z(1, 5), fromDigest: 0xbb, chain: [] });
    expect(t.finish()[0]).toMatch(/zk-2's committed history up to 0x100000005 differs from zk-1's/);
  });

  it('fires when a server truncates below what it committed', () => {
    const t = worldWith([historyAgreementChecker()]);
    obs(t.world, t.pid('zk-1'), 'zk-serving', { from: z(1, 5), fromDigest: 5, chain: [] });
    obs(t.world, t.pid('zk-1'), 'zk-truncate', { from: z(1, 5), to: z(1, 3) });
    expect(t.finish()[0]).toMatch(/zk-1 truncated its log to 0x100000003 below 0x100000005/);
  });
});

describe('zk-acked-writes-durable', () => {
  it('fires when an acknowledged write is missing from the final history', () => {
    const t = worldWith([historyAgreementChecker(), ackedWritesDurableChecker()]);
    const c = t.pid('client-1');
    const op = t.world.history.invoke('client-1', 'setData', '/a', { data: 'x', version: -1 });
    obs(t.world, t.pid('zk-1'), 'zk-serving', { from: z(1, 1), fromDigest: 1, chain: [] });
    obs(t.world, t.pid('zk-1'), 'zk-commit', { zxid: z(1, 2), prev: z(1, 1), digest: 2 });
    t.world.history.complete(op, 'ok', { zxid: z(1, 2), session: 9, version: 1, mzxid: z(1, 2) });
    void c;
    // A new leader's history skips (1,2): it serves from (1,1) and commits (2,1) on top.
    obs(t.world, t.pid('zk-2'), 'zk-serving', { from: z(1, 1), fromDigest: 1, chain: [] });
    obs(t.world, t.pid('zk-2'), 'zk-commit', { zxid: z(2, 1), prev: z(1, 1), digest: 3 });
    t.world.crash(t.pid('zk-1'));
    const v = t.finish();
    expect(v.some((x) => /zk-acked-writes-durable: client-1's setData \/a \(op #1, zxid 0x100000002\) is missing from zk-2's committed history: lost/.test(x))).toBe(true);
  });

  it('fires when an acknowledged write was never committed by any server', () => {
    const t = worldWith([ackedWritesDurableChecker()]);
    const op = t.world.history.invoke('client-1', 'create', '/b', { data: '' });
    t.world.history.complete(op, 'ok', { zxid: z(1, 9), session: 9, path: '/b' });
    expect(t.finish()[0]).toMatch(/was acknowledged, but no server ever committed that zxid/);
  });
});

describe('zk-linearizable-writes', () => {
  it('fires when two acknowledged unconditional writes claim the same new version', () => {
    const t = worldWith([linearizableWritesChecker()]);
    const h = t.world.history;
    t.at(1, () => {
      const c = h.invoke('client-1', 'create', '/r', { data: '', ephemeral: false, sequential: false });
      h.complete(c, 'ok', { zxid: 1, session: 1, path: '/r' });
    });
    t.at(10, () => {
      const a = h.invoke('client-1', 'setData', '/r', { data: 'a', version: -1 });
      h.complete(a, 'ok', { zxid: 2, session: 1, version: 1 });
    });
    t.at(20, () => {
      const b = h.invoke('client-1', 'setData', '/r', { data: 'b', version: -1 });
      h.complete(b, 'ok', { zxid: 3, session: 1, version: 1 });
    });
    expect(t.finish()[0]).toMatch(/zk-linearizable-writes: znode \/r: .* cannot be linearized/);
  });

  it('accepts concurrent writes in either order and ignores sequential/ephemeral paths', () => {
    const t = worldWith([linearizableWritesChecker()]);
    const h = t.world.history;
    t.at(1, () => {
      const c = h.invoke('client-1', 'create', '/r', { data: '' });
      h.complete(c, 'ok', { zxid: 1, session: 1 });
      const e = h.invoke('client-1', 'create', '/e', { data: '', ephemeral: true });
      h.complete(e, 'ok', { zxid: 2, session: 1 });
    });
    t.at(10, () => {
      const a = h.invoke('client-1', 'setData', '/r', { data: 'a', version: -1 });
      const b = h.invoke('zk-1', 'setData', '/r', { data: 'b', version: -1 });
      h.complete(b, 'ok', { zxid: 4, session: 2, version: 1 });
      h.complete(a, 'ok', { zxid: 5, session: 1, version: 2 });
      const e2 = h.invoke('client-1', 'create', '/e', { data: '' });
      h.complete(e2, 'ok', { zxid: 6, session: 1 });
    });
    expect(t.finish()).toEqual([]);
  });
});

describe('zk-session-order', () => {
  it('fires when a session sees an older zxid after a newer one', () => {
    const t = worldWith([sessionOrderChecker()]);
    const h = t.world.history;
    t.at(10, () => h.complete(h.invoke('client-1', 'getData', '/a', null), 'ok', { zxid: z(1, 9), session: 5, node: { czxid: z(1, 1), mzxid: z(1, 9) } }));
    t.at(20, () => h.complete(h.invoke('client-1', 'getData', '/a', null), 'ok', { zxid: z(1, 4), session: 5, node: { czxid: z(1, 1), mzxid: z(1, 4) } }));
    const v = t.finish();
    expect(v[0]).toMatch(/session 0x5 \(client-1\): op #2 getData \/a replied at zxid 0x100000004 after op #1 replied at 0x100000009/);
    expect(v[1]).toMatch(/read \/a at mzxid 0x100000004, older than 0x100000009/);
  });

  it('fires when a session does not read its own write', () => {
    const t = worldWith([sessionOrderChecker()]);
    const h = t.world.history;
    t.at(10, () => h.complete(h.invoke('client-1', 'setData', '/a', { data: 'x', version: -1 }), 'ok', { zxid: z(1, 7), session: 5, version: 3, mzxid: z(1, 7) }));
    t.at(20, () => h.complete(h.invoke('client-1', 'getData', '/a', null), 'ok', { zxid: z(1, 8), session: 5, node: { czxid: z(1, 1), mzxid: z(1, 5) } }));
    expect(t.finish()[0]).toMatch(/read \/a at mzxid 0x100000005, older than 0x100000007/);
  });
});

describe('zk-watch-once', () => {
  const set = { session: 5, path: '/a', kind: 'data' as const, exists: true, czxid: 1, mzxid: 2, pzxid: 1 };
  it('fires when a watch fires twice', () => {
    const t = worldWith([watchOnceChecker()]);
    const c = t.pid('client-1');
    obs(t.world, c, 'zk-watch-set', set);
    obs(t.world, c, 'zk-watch-fired', { session: 5, path: '/a', event: 'NodeDataChanged', watchers: 1 });
    expect(t.finish()).toEqual([]);
    obs(t.world, c, 'zk-watch-fired', { session: 5, path: '/a', event: 'NodeDataChanged', watchers: 1 });
    expect(t.finish()[0]).toMatch(/got NodeDataChanged for \/a on session 0x5 with no watch armed/);
  });

  it('fires when the client reads newer data before its watch fired', () => {
    const t = worldWith([watchOnceChecker()]);
    const c = t.pid('client-1');
    const h = t.world.history;
    obs(t.world, c, 'zk-watch-set', set);
    t.at(10, () => h.complete(h.invoke('client-1', 'getData', '/a', null), 'ok', { zxid: 9, session: 5, node: { czxid: 1, mzxid: 7, pzxid: 1 } }));
    obs(t.world, c, 'zk-watch-fired', { session: 5, path: '/a', event: 'NodeDataChanged', watchers: 1 });
    expect(t.finish()[0]).toMatch(/read \/a changed \(mzxid 0x2 -> 0x7\) before its data watch fired/);
  });
});

describe('zk-ephemeral-lifetime', () => {
  it('fires when an ephemeral node is created for a session after it closed', () => {
    const t = worldWith([ephemeralLifetimeChecker({ servers: ['zk-1', 'zk-2', 'zk-3'] })]);
    obs(t.world, t.pid('zk-1'), 'zk-session-closed', { session: 0x42, zxid: z(1, 5) });
    obs(t.world, t.pid('zk-1'), 'zk-ephemeral', { session: 0x42, path: '/e', zxid: z(1, 6) });
    expect(t.finish()[0]).toMatch(/committed ephemeral \/e for session 0x42 at 0x100000006, after the session closed at 0x100000005/);
  });
});

describe('liveness checkers', () => {
  it('zk-liveness fires when no leader serves after heal (here: no server is even a ZooKeeper peer)', () => {
    const t = worldWith([livenessChecker({ servers: ['zk-1', 'zk-2', 'zk-3'], boundMs: 10 })]);
    expect(t.finish(0, 20_000)[0]).toMatch(/zk-liveness: no leader is serving/);
  });

  it('zk-election-time fires when no leader is established within the bound', () => {
    const t = worldWith([electionTimeChecker({ afterMs: 1, boundMs: 5 })]);
    t.at(10_000, () => obs(t.world, t.pid('zk-1'), 'zk-leader-established', { sid: 1, epoch: 2 }));
    expect(t.finish()[0]).toMatch(/the next leader was established 0.01 s after 0.001 s \(bound 0.005 s\)/);
  });

  it('zk-leader-steps-down fires when the cut-off leader keeps leading', () => {
    const t = worldWith([leaderStepsDownChecker({ server: 'zk-1', afterMs: 1, boundMs: 5 })]);
    obs(t.world, t.pid('zk-1'), 'zk-leader-established', { sid: 1, epoch: 1 });
    expect(t.finish()[0]).toMatch(/zk-1 never stepped down/);
  });
});

describe('zk-lock-mutex', () => {
  it('fires when a second client acquires while the first still believes it holds the lock', () => {
    const t = worldWith([lockMutexChecker()], ['lock-1', 'lock-2']);
    obs(t.world, t.pid('lock-1'), 'lock-held', { client: 'lock-1' });
    obs(t.world, t.pid('lock-1'), 'lock-released', { client: 'lock-1', why: 'done' });
    obs(t.world, t.pid('lock-2'), 'lock-held', { client: 'lock-2' });
    expect(t.finish()).toEqual([]);
    obs(t.world, t.pid('lock-1'), 'lock-held', { client: 'lock-1' });
    expect(t.finish()[0]).toBe('zk-lock-mutex: lock-1 acquired the lock while lock-2 still held it');
  });
});
