import { describe, expect, it } from 'vitest';
import { runScenario } from '../../sim/harness/run.ts';
import { MemorySink } from '../../sim/world/trace.ts';
import type { Scenario } from '../../sim/harness/scenario.ts';
import { peerOf } from '../../sim/zookeeper/peer.ts';
import election from '../../scenarios/zookeeper/zk-leader-election.ts';
import minority from '../../scenarios/zookeeper/zk-partition-minority.ts';
import lonely from '../../scenarios/zookeeper/zk-lonely-leader-truncate.ts';
import lock from '../../scenarios/zookeeper/zk-session-expiry-lock.ts';
import random from '../../scenarios/zookeeper/zk-random-faults.ts';
import crashPower from '../../scenarios/zookeeper/zk-crash-then-power-loss.ts';

// Each scenario meets its expectation, and shows what it says it shows.

function notes(sink: MemorySink, who: string): string[] {
  return sink.lines.filter((l) => l.includes('"type":"note"') && l.includes(`"p":"${who}"`)).map((l) => (JSON.parse(l) as { text: string }).text);
}

function run(s: Scenario, seed = 1) {
  const sink = new MemorySink();
  const r = runScenario(s, { seed, trace: sink });
  expect(r.violations).toEqual([]);
  expect(r.expectMet).toBe(true);
  return { r, sink };
}

describe('ZooKeeper scenarios', () => {
  it('zk-leader-election: zk-5 leads, crashes at 15 s, zk-4 leads epoch 2 within the bound, writes continue', () => {
    const { r, sink } = run(election);
    expect(notes(sink, 'zk-5').some((t) => t.startsWith('established leader of epoch 1'))).toBe(true);
    const est = sink.lines.filter((l) => l.includes('"kind":"zk-leader-established"')).map((l) => JSON.parse(l) as { t: number; p: string; data: { epoch: number } });
    const after = est.find((e) => e.t > 15_000_000)!;
    expect(after.data.epoch).toBe(2);
    expect(after.t - 15_000_000).toBeLessThan(10_000_000);
    const writesAfter = r.world.history.operations().filter((o) => o.status === 'ok' && o.f === 'setData' && o.completeUs > after.t);
    expect(writesAfter.length).toBeGreaterThan(50);
    expect(r.summary).toMatch(/zk-5: Mode: follower/);
  });

  it('zk-partition-minority: zk-5 steps down, the majority moves to epoch 2, zk-5 rejoins and is resynchronized', () => {
    const { r, sink } = run(minority);
    expect(notes(sink, 'zk-5').some((t) => /leader shutdown: not sufficient followers synced/.test(t))).toBe(true);
    const leader = ['zk-1', 'zk-2', 'zk-3', 'zk-4', 'zk-5'].map((n) => peerOf(r.world, n)!).find((p) => p.state === 'LEADING')!;
    expect(leader.currentEpoch).toBeGreaterThanOrEqual(2);
    expect(['zk-1', 'zk-2', 'zk-3']).toContain(leader.ctx.name);
    const z5 = peerOf(r.world, 'zk-5')!;
    expect(z5.state).toBe('FOLLOWING');
    expect(z5.tree.lastZxid).toBe(leader.tree.lastZxid);
    expect(z5.tree.digest).toBe(leader.tree.digest);
  });

  it('zk-lonely-leader-truncate: zk-3 logs a txn alone, and after it rejoins that txn is gone everywhere', () => {
    const { r, sink } = run(lonely);
    const lonelyAcks = sink.lines.filter((l) => l.includes('"kind":"zk-ack"') && l.includes('"p":"zk-3"')).map((l) => (JSON.parse(l) as { data: { zxid: number } }).data.zxid);
    const committed = new Set(sink.lines.filter((l) => l.includes('"kind":"zk-commit"')).map((l) => (JSON.parse(l) as { data: { zxid: number } }).data.zxid));
    const alone = lonelyAcks.filter((z) => z % 2 ** 32 !== 0 && !committed.has(z));
    expect(alone.length).toBeGreaterThan(0);
    expect(notes(sink, 'zk-2').some((t) => /^sync zk-3: (SNAP|TRUNC)/.test(t))).toBe(true);
    const z3 = peerOf(r.world, 'zk-3')!;
    const z2 = peerOf(r.world, 'zk-2')!;
    expect(z3.tree.digest).toBe(z2.tree.digest);
    expect(z3.committedTail().some((c) => alone.includes(c.txn.zxid))).toBe(false);
  });

  it('zk-session-expiry-lock: lock-1 gives up when disconnected, its session expires, lock-2 takes over, never both', () => {
    const { sink } = run(lock);
    const obs = sink.lines.filter((l) => /"kind":"lock-(held|released)"/.test(l)).map((l) => JSON.parse(l) as { t: number; kind: string; data: { client: string } });
    const seq = obs.map((o) => `${o.kind === 'lock-held' ? '+' : '-'}${o.data.client}`);
    expect(seq.slice(0, 3)).toEqual(['+lock-1', '-lock-1', '+lock-2']);
    const released = obs[1]!.t;
    const taken = obs[2]!.t;
    expect(released).toBeLessThan(taken);
    // Released within the client's read timeout (4 s, 2/3 of 6 s) of the isolation at 10 s; taken
    // only after the server-side expiry (6 s after the last contact, rounded up to a tick): the
    // safety margin is the last third of the session timeout.
    expect(released - 10_000_000).toBeGreaterThan(0);
    expect(released - 10_000_000).toBeLessThanOrEqual(4_000_000);
    expect(taken - released).toBeGreaterThanOrEqual(1_000_000);
    expect(notes(sink, 'lock-1').some((t) => /expired \(told by zk-\d on reconnect\)/.test(t))).toBe(true);
  });

  it('zk-random-faults meets its expectation on a few seeds', () => {
    for (const seed of [1, 2, 3]) {
      const r = runScenario(random, { seed });
      expect(r.violations).toEqual([]);
      expect(r.expectMet).toBe(true);
    }
  });

  it('zk-crash-then-power-loss: the follower replays over a hole in its log and diverges, and the checker sees it', () => {
    const sink = new MemorySink();
    const r = runScenario(crashPower, { seed: 1, trace: sink });
    expect(r.expectMet).toBe(true);
    expect(new Set(r.violations.map((v) => v.checker))).toEqual(new Set(['zk-history-agreement']));
    expect(notes(sink, 'zk-1').some((t) => /the txns between are missing; replay goes on/.test(t))).toBe(true);
    const z1 = peerOf(r.world, 'zk-1')!;
    const z3 = peerOf(r.world, 'zk-3')!;
    expect(z1.tree.lastZxid).toBe(z3.tree.lastZxid);
    expect(z1.tree.digest).not.toBe(z3.tree.digest);
  });
});
