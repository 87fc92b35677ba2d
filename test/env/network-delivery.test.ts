import { describe, expect, it } from 'vitest';
import { MS, SEC } from '../../sim/core/types.ts';
import type { World } from '../../sim/world/world.ts';
import { applyFault, parseFault } from '../../sim/harness/faults.ts';
import type { LinkOptions } from '../../sim/env/network.ts';
import { addProbe, constantNetwork, testWorld, type Data, type Probe } from './fixtures.ts';

// Delivery semantics through a World: datagrams may be lost, duplicated and reordered; streams are
// FIFO per connection with no loss or duplication while the connection lives, hold data under a
// partition (TCP retransmission with RTO backoff), break after the TCP user timeout, and learn of
// a peer's death when its host sends a FIN or answers with a reset.

const data = (n: number): Data => ({ type: 'Data', n });

function pair(world: World, a = 'a', b = 'b'): [Probe, Probe] {
  return [addProbe(world, a, `host-${a}`), addProbe(world, b, `host-${b}`)];
}

function faultyLinks(over: Partial<LinkOptions>): Partial<LinkOptions> & LinkOptions {
  return { latency: { kind: 'exponential', baseUs: 100, meanUs: 50 }, loss: 0, duplicate: 0, reorderJitterUs: 0, bytesPerSec: Infinity, ...over };
}

/** Sends `count` messages from a to b, one every `everyUs`, starting at `startUs`. */
function sendSeries(world: World, a: Probe, b: Probe, count: number, startUs: number, everyUs: number, datagram: boolean, first = 0): void {
  for (let i = 0; i < count; i++) {
    world.schedule(startUs + i * everyUs, () => {
      if (datagram) a.ctx.sendDatagram(b.pid, data(first + i), 100);
      else a.ctx.send(b.pid, data(first + i), 100);
    });
  }
}

function inversions(xs: readonly number[]): number {
  let n = 0;
  for (let i = 1; i < xs.length; i++) if (xs[i]! < xs[i - 1]!) n++;
  return n;
}

describe('datagrams', () => {
  it('are lost at about the configured rate', () => {
    const l = faultyLinks({ loss: 0.1 });
    const world = testWorld({ seed: 11, network: { sameRack: l, crossRack: l } });
    const [a, b] = pair(world);
    const count = 20_000;
    sendSeries(world, a, b, count, 1 * MS, 100, true);
    world.runUntil(10 * SEC);
    const got = new Set(b.received());
    expect(Math.abs(1 - got.size / count - 0.1)).toBeLessThan(0.01); // SE ~ 0.002
  });

  it('are duplicated at about the configured rate', () => {
    const l = faultyLinks({ duplicate: 0.05 });
    const world = testWorld({ seed: 12, network: { sameRack: l, crossRack: l } });
    const [a, b] = pair(world);
    const count = 20_000;
    sendSeries(world, a, b, count, 1 * MS, 100, true);
    world.runUntil(10 * SEC);
    const got = b.received();
    expect(new Set(got).size).toBe(count);
    expect(Math.abs((got.length - count) / count - 0.05)).toBeLessThan(0.008); // SE ~ 0.0015
  });

  it('are reordered by jitter', () => {
    const l = faultyLinks({ latency: { kind: 'constant', us: 100 }, reorderJitterUs: 2000 });
    const world = testWorld({ seed: 13, network: { sameRack: l, crossRack: l } });
    const [a, b] = pair(world);
    sendSeries(world, a, b, 2000, 1 * MS, 200, true);
    world.runUntil(10 * SEC);
    expect(b.received().length).toBe(2000);
    expect(inversions(b.received())).toBeGreaterThan(200);
  });

  it('without jitter, loss or duplication on a constant link arrive exactly once, in order', () => {
    const world = testWorld({ seed: 14, network: constantNetwork(100) });
    const [a, b] = pair(world);
    sendSeries(world, a, b, 1000, 1 * MS, 50, true);
    world.runUntil(10 * SEC);
    expect(b.received()).toEqual(Array.from({ length: 1000 }, (_, i) => i));
  });
});

describe('streams', () => {
  it('are FIFO with no loss or duplication even over a lossy, duplicating, jittery link', () => {
    const l = faultyLinks({ loss: 0.2, duplicate: 0.3, reorderJitterUs: 5000 });
    const world = testWorld({ seed: 21, network: { sameRack: l, crossRack: l } });
    const [a, b] = pair(world);
    sendSeries(world, a, b, 5000, 1 * MS, 20, false);
    world.runUntil(10 * SEC);
    expect(b.received()).toEqual(Array.from({ length: 5000 }, (_, i) => i));
  });

  it('are FIFO per connection when several senders share a receiver', () => {
    const l = faultyLinks({ loss: 0.1 });
    const world = testWorld({ seed: 22, network: { sameRack: l, crossRack: l } });
    const r = addProbe(world, 'r', 'host-r');
    const senders = ['s1', 's2', 's3'].map((n) => addProbe(world, n, `host-${n}`));
    senders.forEach((s, k) => sendSeries(world, s, r, 500, 1 * MS + k, 30, false, k * 10_000));
    world.runUntil(10 * SEC);
    const all = r.received();
    for (let k = 0; k < 3; k++) {
      expect(all.filter((n) => Math.floor(n / 10_000) === k)).toEqual(Array.from({ length: 500 }, (_, i) => k * 10_000 + i));
    }
  });

  it('a lost stream packet costs one RTO (retransmission), not the message', () => {
    const l = faultyLinks({ latency: { kind: 'constant', us: 100 }, loss: 0.5 });
    const world = testWorld({ seed: 23, network: { sameRack: l, crossRack: l } });
    const [a, b] = pair(world);
    sendSeries(world, a, b, 200, 1 * MS, 1 * SEC, false);
    world.runUntil(300 * SEC);
    const msgs = b.of('msg');
    expect(msgs.length).toBe(200);
    const delays = msgs.map((e, i) => e.t - (1 * MS + i * SEC));
    const slow = delays.filter((d) => d >= 200 * MS).length;
    expect(slow).toBeGreaterThan(70);
    expect(slow).toBeLessThan(130);
    expect(Math.max(...delays)).toBeLessThan(200 * MS + 1000);
  });

  it('to a paused process are held and delivered in order when it resumes', () => {
    const world = testWorld({ network: constantNetwork(100) });
    const [a, b] = pair(world);
    world.schedule(1 * SEC, () => world.pause(b.pid));
    sendSeries(world, a, b, 10, 1 * SEC + 10, 1000, false);
    world.schedule(3 * SEC, () => world.resume(b.pid));
    world.runUntil(5 * SEC);
    const msgs = b.of('msg');
    expect(msgs.map((e) => (e.msg as Data).n)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(msgs.every((e) => e.t === 3 * SEC)).toBe(true);
  });
});

describe('streams under a partition', () => {
  // Linux: RTO starts at 200 ms and doubles up to 120 s; the connection breaks when data stays
  // unacknowledged for tcp_retries2=15 worth of retransmissions, about 924.6 s.

  it('hold data and deliver all of it in order after the heal, at the next RTO retry', () => {
    const world = testWorld({ network: constantNetwork(100) });
    const [a, b] = pair(world);
    world.schedule(1 * SEC, () => applyFault(world, parseFault('at 1s partition host-a | host-b for 3s', 'test')));
    sendSeries(world, a, b, 10, 2 * SEC, 1000, false);
    sendSeries(world, a, b, 10, 4500 * MS, 1000, false, 10); // after the heal, before the next retry
    world.runUntil(20 * SEC);
    const msgs = b.of('msg');
    expect(msgs.map((e) => (e.msg as Data).n)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    // Held from ~2.0001 s; retries at +0.2, +0.6, +1.4 s fail (cut until 4 s); +3.0 s succeeds.
    const heldSince = 2 * SEC + 100;
    expect(Math.min(...msgs.map((e) => e.t))).toBeGreaterThanOrEqual(heldSince + 3 * SEC);
    expect(Math.max(...msgs.map((e) => e.t))).toBeLessThan(heldSince + 3 * SEC + 1000);
    expect(a.of('disconnect')).toEqual([]);
  });

  it('keep send order when data sent after the cut is still in flight while newer data is held', () => {
    // Latency 100 us, one message every 10 us: when the first reaches the cut link and is held, nine
    // more are in flight; the next ones are queued straight behind the held data at send time. The
    // in-flight ones must take their place before those (they used to be appended after them).
    const world = testWorld({ network: constantNetwork(100) });
    const [a, b] = pair(world);
    world.schedule(1 * SEC, () => applyFault(world, parseFault('at 1s partition host-a | host-b for 3s', 'test')));
    sendSeries(world, a, b, 30, 2 * SEC, 10, false);
    world.runUntil(20 * SEC);
    expect(b.of('msg').map((e) => (e.msg as Data).n)).toEqual(Array.from({ length: 30 }, (_, i) => i));
  });

  it('break after the TCP user timeout (924.6 s by default) and tell the sender', () => {
    const world = testWorld({ network: constantNetwork(100) });
    const [a, b] = pair(world);
    world.schedule(1 * SEC, () => applyFault(world, parseFault('at 1s partition host-a | host-b', 'test')));
    sendSeries(world, a, b, 3, 2 * SEC, 1000, false);
    world.runUntil(2000 * SEC);
    expect(b.of('msg')).toEqual([]);
    const d = a.of('disconnect');
    expect(d.map((e) => e.peer)).toEqual(['b']);
    const heldSince = 2 * SEC + 100;
    expect(d[0]!.t).toBeGreaterThanOrEqual(heldSince + 924_600 * MS);
    expect(d[0]!.t).toBeLessThan(heldSince + 924_600 * MS + 10 * MS);
  });

  it('break after a configured user timeout, at the first retry past it', () => {
    const world = testWorld({ network: constantNetwork(100, { tcpUserTimeoutUs: 5 * SEC }) });
    const [a, b] = pair(world);
    world.schedule(1 * SEC, () => applyFault(world, parseFault('at 1s cut host-a -> host-b', 'test')));
    sendSeries(world, a, b, 1, 2 * SEC, 1000, false);
    world.runUntil(60 * SEC);
    // Retries at +0.2, +0.6, +1.4, +3.0, +6.2 s: the first at or past 5 s breaks the connection.
    expect(a.of('disconnect').map((e) => e.t - (2 * SEC + 100))).toEqual([6200 * MS + 200]);
  });

  it('after a timed-out connection a new one works once the partition heals', () => {
    const world = testWorld({ network: constantNetwork(100, { tcpUserTimeoutUs: 5 * SEC }) });
    const [a, b] = pair(world);
    world.schedule(1 * SEC, () => applyFault(world, parseFault('at 1s partition host-a | host-b for 10s', 'test')));
    sendSeries(world, a, b, 1, 2 * SEC, 1000, false);
    sendSeries(world, a, b, 1, 20 * SEC, 1000, false, 1);
    world.runUntil(30 * SEC);
    expect(b.received()).toEqual([1]);
  });

  it('data sent on a connection that is closed and reopened while cut still arrives after the heal', () => {
    // A held message on a new connection must get its own retransmission timer even though the
    // old connection's timer was still pending when it was closed.
    const world = testWorld({ network: constantNetwork(100) });
    const [a, b] = pair(world);
    world.schedule(1 * SEC, () => applyFault(world, parseFault('at 1s partition host-a | host-b for 60s', 'test')));
    sendSeries(world, a, b, 1, 2 * SEC, 1000, false, 0);
    world.schedule(30 * SEC, () => a.ctx.disconnect(b.pid));
    sendSeries(world, a, b, 1, 31 * SEC, 1000, false, 1);
    world.runUntil(300 * SEC);
    expect(b.received()).toEqual([1]);
  });
});

describe('datagrams under a partition', () => {
  it('are dropped while the link is cut and flow again after the heal', () => {
    const world = testWorld({ network: constantNetwork(100) });
    const [a, b] = pair(world);
    world.schedule(1 * SEC, () => applyFault(world, parseFault('at 1s partition host-a | host-b for 2s', 'test')));
    sendSeries(world, a, b, 10, 1500 * MS, 1000, true);
    sendSeries(world, a, b, 10, 4 * SEC, 1000, true, 100);
    world.runUntil(10 * SEC);
    expect(b.received()).toEqual(Array.from({ length: 10 }, (_, i) => 100 + i));
  });
});

describe('peer death and restarts', () => {
  it('a process crash with its host up tells its stream peers (FIN), both directions', () => {
    const world = testWorld({ network: constantNetwork(100) });
    const [a, b] = pair(world);
    const c = addProbe(world, 'c', 'host-c');
    sendSeries(world, a, b, 1, 1 * SEC, 0, false);
    sendSeries(world, b, c, 1, 1 * SEC, 0, false);
    world.schedule(2 * SEC, () => world.crash(b.pid));
    world.runUntil(3 * SEC);
    expect(a.of('disconnect').map((e) => e.peer)).toEqual(['b']);
    expect(c.of('disconnect').map((e) => e.peer)).toEqual(['b']);
    expect(a.of('disconnect')[0]!.t).toBeLessThan(2 * SEC + 1 * MS);
  });

  it('a host power loss tells no one', () => {
    const world = testWorld({ network: constantNetwork(100) });
    const [a, b] = pair(world);
    sendSeries(world, a, b, 1, 1 * SEC, 0, false);
    world.schedule(2 * SEC, () => world.powerOff(world.hostOf('host-b')));
    world.runUntil(60 * SEC);
    expect(a.of('disconnect')).toEqual([]);
  });

  it('a peer behind a partition does not hear of a crash (no FIN gets through), but learns on its next send after the heal', () => {
    const world = testWorld({ network: constantNetwork(100) });
    const [a, b] = pair(world);
    sendSeries(world, a, b, 1, 1 * SEC, 0, false);
    world.schedule(2 * SEC, () => applyFault(world, parseFault('at 2s partition host-a | host-b for 5s', 'test')));
    world.schedule(3 * SEC, () => world.crash(b.pid));
    world.schedule(4 * SEC, () => world.start(b.pid));
    world.runUntil(6 * SEC);
    expect(a.of('disconnect')).toEqual([]);
    sendSeries(world, a, b, 1, 10 * SEC, 0, false, 1);
    world.runUntil(20 * SEC);
    // The restarted b knows nothing of a's connection: reset, and a is told.
    expect(b.received()).toEqual([0]);
    expect(a.of('disconnect').map((e) => e.peer)).toEqual(['b']);
  });

  it('answers to a restarted peer go on its new connection, not behind data the old one holds for the dead incarnation', () => {
    const world = testWorld({ network: constantNetwork(100) });
    const a = addProbe(world, 'a', 'host-a');
    const b = addProbe(world, 'b', 'host-b', { message: (ctx, from, m) => { if ((m as Data).n === 7) ctx.send(from, data(100), 100); } });
    // b's data for a waits behind a long partition (its retransmission timeout backs off); a restarts meanwhile.
    world.schedule(1 * SEC, () => applyFault(world, parseFault('at 1s partition host-a | host-b for 40s', 'test')));
    sendSeries(world, b, a, 1, 2 * SEC, 0, false, 1);
    world.schedule(10 * SEC, () => world.restart(a.pid));
    world.runUntil(41 * SEC);
    // The new a asks; b answers at once on the new connection.
    sendSeries(world, a, b, 1, 41 * SEC + 1 * MS, 0, false, 7);
    world.runUntil(42 * SEC);
    expect(a.received()).toEqual([100]);
    world.runUntil(300 * SEC);
    expect(a.received()).toEqual([100]);
  });

  it('a message on an old connection to a process restarted after a power loss is reset, and the sender told', () => {
    const world = testWorld({ network: constantNetwork(100) });
    const [a, b] = pair(world);
    sendSeries(world, a, b, 1, 1 * SEC, 0, false);
    world.schedule(2 * SEC, () => world.powerOff(world.hostOf('host-b')));
    world.schedule(3 * SEC, () => world.powerOn(world.hostOf('host-b')));
    sendSeries(world, a, b, 1, 5 * SEC, 0, false, 1);
    world.runUntil(10 * SEC);
    expect(b.of('start').map((e) => e.inc)).toEqual([1, 2]);
    expect(b.received()).toEqual([0]);
    expect(a.of('disconnect').map((e) => e.peer)).toEqual(['b']);
    // After being told, a reconnects and the new connection works.
    sendSeries(world, a, b, 1, 11 * SEC, 0, false, 2);
    world.runUntil(12 * SEC);
    expect(b.received()).toEqual([0, 2]);
  });

  it('stream data sent while the peer host is powered off is not silently skipped: the sender is reset once the host is back', () => {
    const world = testWorld({ network: constantNetwork(100) });
    const [a, b] = pair(world);
    sendSeries(world, a, b, 1, 1 * SEC, 0, false);
    world.schedule(2 * SEC, () => world.powerOff(world.hostOf('host-b')));
    sendSeries(world, a, b, 3, 2500 * MS, 1000, false, 1);
    world.schedule(4 * SEC, () => world.powerOn(world.hostOf('host-b')));
    sendSeries(world, a, b, 1, 8 * SEC, 0, false, 4);
    world.runUntil(20 * SEC);
    // A stream never shows a gap: either 1..3 arrive, or the connection breaks before 4 is sent.
    const got = b.received();
    const gap = got.includes(4) && !(got.includes(1) && got.includes(2) && got.includes(3));
    const told = a.of('disconnect').filter((e) => e.t < 8 * SEC);
    expect(gap && told.length === 0).toBe(false);
    expect(told.map((e) => e.peer)).toEqual(['b']);
  });

  it('a restart (crash with host up, then start) resets old connections and new ones work', () => {
    const world = testWorld({ network: constantNetwork(100) });
    const [a, b] = pair(world);
    sendSeries(world, a, b, 1, 1 * SEC, 0, false);
    world.schedule(2 * SEC, () => world.restart(b.pid));
    sendSeries(world, a, b, 1, 3 * SEC, 0, false, 1);
    world.runUntil(5 * SEC);
    expect(a.of('disconnect').map((e) => e.peer)).toEqual(['b']);
    expect(b.of('msg').map((e) => [(e.msg as Data).n, e.inc])).toEqual([[0, 1], [1, 2]]);
  });

  it('in-flight messages to a process that crashes are dropped, never delivered to its next incarnation', () => {
    const world = testWorld({ network: constantNetwork(5000) });
    const [a, b] = pair(world);
    sendSeries(world, a, b, 1, 1 * SEC, 0, false);
    sendSeries(world, a, b, 1, 2 * SEC, 0, false, 1); // in flight until 2.005 s
    world.schedule(2 * SEC + 1000, () => world.restart(b.pid));
    world.runUntil(5 * SEC);
    expect(b.of('msg').map((e) => [(e.msg as Data).n, e.inc])).toEqual([[0, 1]]);
  });

  it('processes that start at the same instant can talk from their first handler', () => {
    // Every process starts at time 0 in some order; a message sent during start to a peer whose
    // start event has not run yet must reach that peer, not be reset.
    const world = testWorld({ network: constantNetwork(100) });
    const names = ['p0', 'p1', 'p2', 'p3'];
    const probes = names.map((n) => addProbe(world, n, `host-${n}`, {
      start: (ctx) => { for (const m of names) if (m !== n) ctx.send(ctx.lookup(m), data(names.indexOf(n)), 10); },
    }));
    world.runUntil(1 * SEC);
    for (const p of probes) {
      expect(p.received().sort()).toEqual(names.map((_, i) => i).filter((i) => names[i] !== p.name));
      expect(p.of('disconnect')).toEqual([]);
    }
  });

  it('a datagram to a process that is down is dropped, and to a restarted one delivered', () => {
    const world = testWorld({ network: constantNetwork(100) });
    const [a, b] = pair(world);
    world.schedule(1 * SEC, () => world.crash(b.pid));
    sendSeries(world, a, b, 1, 2 * SEC, 0, true);
    world.schedule(3 * SEC, () => world.start(b.pid));
    sendSeries(world, a, b, 1, 4 * SEC, 0, true, 1);
    world.runUntil(5 * SEC);
    expect(b.received()).toEqual([1]);
  });
});

describe('no silent gaps in a stream', () => {
  // The stream contract: no loss while the connection lives. Whenever data is lost, the sender must
  // be told (onDisconnect) before any later data of its is delivered.

  /** Messages delivered to `b` after a loss that `a` had not been told about at sending time. */
  function gapsAfterLoss(a: Probe, b: Probe, sent: { n: number; t: number }[]): number[] {
    const got = b.received();
    const told = a.of('disconnect').map((e) => e.t);
    const bad: number[] = [];
    for (const s of sent) {
      if (!got.includes(s.n)) continue;
      const lostBefore = sent.some((o) => o.n < s.n && !got.includes(o.n));
      const toldBetween = told.some((t) => t <= s.t);
      if (lostBefore && !toldBetween) bad.push(s.n);
    }
    return bad;
  }

  it('a connection closed by the receiver while partitioned: the sender is reset after the heal, never silently skipped', () => {
    const world = testWorld({ network: constantNetwork(100) });
    const [a, b] = pair(world);
    const sent = [{ n: 0, t: 1 * SEC - 500 * MS }, { n: 1, t: 2 * SEC }, { n: 2, t: 10 * SEC }];
    for (const s of sent) sendSeries(world, b, a, 1, s.t, 0, false, s.n);
    world.schedule(1 * SEC, () => applyFault(world, parseFault('at 1s partition host-a | host-b for 4s', 'test')));
    world.schedule(3 * SEC, () => a.ctx.disconnect(b.pid));
    world.runUntil(20 * SEC);
    expect(gapsAfterLoss(b, a, sent)).toEqual([]);
    expect(b.of('disconnect').map((e) => e.peer)).toEqual(['a']);
    expect(a.received()).toEqual([0, 2]);
  });

  it('a reset whose answer cannot get back (one-way cut) does not let later data through unnoticed', () => {
    const world = testWorld({ network: constantNetwork(100) });
    const [a, b] = pair(world);
    const sent = [0, 1, 2, 3, 4].map((n) => ({ n, t: [500 * MS, 3 * SEC, 4 * SEC, 7 * SEC, 9 * SEC][n]! }));
    world.schedule(1 * SEC, () => applyFault(world, parseFault('at 1s cut host-b -> host-a for 5s', 'test')));
    world.schedule(2 * SEC, () => world.restart(b.pid)); // the FIN cannot reach a
    for (const s of sent) sendSeries(world, a, b, 1, s.t, 0, false, s.n);
    world.runUntil(20 * SEC);
    expect(gapsAfterLoss(a, b, sent)).toEqual([]);
    expect(a.of('disconnect').map((e) => e.peer)).toEqual(['b']);
    expect(b.received()).toContain(4);
  });
});

describe('clogging', () => {
  it('delays datagrams and stream data in both directions until the clog ends, then delivers', () => {
    const world = testWorld({ network: constantNetwork(100) });
    const [a, b] = pair(world);
    world.schedule(1 * SEC, () => applyFault(world, parseFault('at 1s clog a b for 2s', 'test')));
    sendSeries(world, a, b, 3, 1500 * MS, 1000, false);
    sendSeries(world, b, a, 3, 1500 * MS, 1000, true, 10);
    world.runUntil(10 * SEC);
    expect(b.received()).toEqual([0, 1, 2]);
    expect(a.received()).toEqual([10, 11, 12]);
    for (const e of [...b.of('msg'), ...a.of('msg')]) {
      expect(e.t).toBeGreaterThanOrEqual(3 * SEC);
      expect(e.t).toBeLessThan(3 * SEC + 1000);
    }
  });
});

describe('explicit disconnect', () => {
  it('closes both directions; the peer is told; in-flight data is dropped', () => {
    const world = testWorld({ network: constantNetwork(5000) });
    const [a, b] = pair(world);
    sendSeries(world, a, b, 1, 1 * SEC, 0, false);
    sendSeries(world, a, b, 1, 2 * SEC, 0, false, 1);
    world.schedule(2 * SEC + 1000, () => a.ctx.disconnect(b.pid));
    world.runUntil(3 * SEC);
    expect(b.received()).toEqual([0]);
    expect(b.of('disconnect').map((e) => e.peer)).toEqual(['a']);
    expect(a.of('disconnect')).toEqual([]);
  });
});
