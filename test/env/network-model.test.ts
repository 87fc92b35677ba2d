import { describe, expect, it } from 'vitest';
import { Rng } from '../../sim/core/rng.ts';
import { MS, SEC } from '../../sim/core/types.ts';
import { Network, sampleLatency, type LinkOptions, type NetworkOptions } from '../../sim/env/network.ts';

// The network model on its own: when would a message sent now arrive? Bandwidth, queueing on both
// NICs, per-link caps, latency distributions, loss and duplication draws, clogging.

const MB = 1_000_000;

function link(over: Partial<LinkOptions> = {}): LinkOptions {
  return { latency: { kind: 'constant', us: 100 }, loss: 0, duplicate: 0, reorderJitterUs: 0, bytesPerSec: Infinity, ...over };
}

function net(hosts: number, over: Partial<LinkOptions> = {}, opts: Partial<NetworkOptions> = {}, seed = 1): Network {
  const n = new Network(new Rng(seed).fork('net'), { sameRack: link(over), crossRack: link(over), ...opts });
  for (let i = 0; i < hosts; i++) n.addHost('/rack-a');
  return n;
}

/** Least-squares slope and the largest residual of y against x. */
function fit(xs: readonly number[], ys: readonly number[]): { slope: number; intercept: number; maxResidual: number } {
  const n = xs.length;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let sxy = 0;
  let sxx = 0;
  for (let i = 0; i < n; i++) {
    sxy += (xs[i]! - mx) * (ys[i]! - my);
    sxx += (xs[i]! - mx) ** 2;
  }
  const slope = sxy / sxx;
  const intercept = my - slope * mx;
  let maxResidual = 0;
  for (let i = 0; i < n; i++) maxResidual = Math.max(maxResidual, Math.abs(ys[i]! - (intercept + slope * xs[i]!)));
  return { slope, intercept, maxResidual };
}

describe('network model: bandwidth and queueing', () => {
  it('a 10 GbE NIC carries about 1.25 GB/s', () => {
    const n = net(2);
    const count = 1000;
    let last = 0;
    for (let i = 0; i < count; i++) last = n.arrival(0, 1, MB, 0, false);
    const bytesPerSec = (count * MB) / ((last - 100) / SEC);
    expect(bytesPerSec / 1.25e9).toBeGreaterThan(0.99);
    expect(bytesPerSec / 1.25e9).toBeLessThan(1.01);
  });

  it('queueing delay grows linearly with the backlog: the k-th MB waits k x 0.8 ms', () => {
    const n = net(2);
    const delays: number[] = [];
    const ks: number[] = [];
    for (let k = 0; k < 500; k++) {
      ks.push(k);
      delays.push(n.arrival(0, 1, MB, 0, false));
    }
    const f = fit(ks, delays);
    expect(f.slope).toBeCloseTo(800, 6); // 1 MB at 1.25 GB/s = 800 us
    expect(f.intercept).toBeCloseTo(900, 6); // its own transmission + 100 us latency
    expect(f.maxResidual).toBeLessThan(1);
  });

  it('queueing is linear under a random latency distribution too (slope within 1%)', () => {
    const n = net(2, { latency: { kind: 'exponential', baseUs: 100, meanUs: 50 } });
    const ks: number[] = [];
    const delays: number[] = [];
    for (let k = 0; k < 500; k++) {
      ks.push(k);
      delays.push(n.arrival(0, 1, MB, 0, false));
    }
    const f = fit(ks, delays);
    expect(Math.abs(f.slope - 800) / 800).toBeLessThan(0.01);
  });

  it('the backlog drains: a message sent after the queue emptied sees no queueing', () => {
    const n = net(2);
    for (let k = 0; k < 10; k++) n.arrival(0, 1, MB, 0, false); // busy until 8 ms
    expect(n.arrival(0, 1, 1000, 20 * MS, false)).toBeCloseTo(20 * MS + 100 + 0.8, 6);
  });

  it('a link bandwidth below the NIC caps the link (1 Gb/s link: 125 MB/s) but not other links', () => {
    const n = net(3);
    n.setLink(0, 1, { bytesPerSec: 125e6 });
    let last = 0;
    for (let i = 0; i < 200; i++) last = n.arrival(0, 1, MB, 0, false);
    const capped = (200 * MB) / ((last - 100) / SEC);
    expect(Math.abs(capped - 125e6) / 125e6).toBeLessThan(0.01);
    expect(n.link(1, 0).bytesPerSec).toBe(Infinity); // one direction only

    const m = net(3);
    m.setLink(0, 1, { bytesPerSec: 125e6 });
    let last2 = 0;
    for (let i = 0; i < 200; i++) last2 = m.arrival(0, 2, MB, 0, false);
    const free = (200 * MB) / ((last2 - 100) / SEC);
    expect(Math.abs(free - 1.25e9) / 1.25e9).toBeLessThan(0.01);
  });

  it('incast: many senders to one receiver queue at the receiver NIC', () => {
    const n = net(9);
    const senders = 8;
    const perSender = 100;
    let last = 0;
    for (let i = 0; i < perSender; i++) {
      for (let s = 1; s <= senders; s++) last = Math.max(last, n.arrival(s, 0, MB, 0, false));
    }
    // 800 MB through one 1.25 GB/s NIC: 640 ms, though each sender alone would need only 80 ms.
    const expectedUs = (senders * perSender * MB / 1.25e9) * SEC;
    expect(Math.abs(last - expectedUs) / expectedUs).toBeLessThan(0.01);
  });

  it('disjoint flows do not share queues', () => {
    const n = net(4);
    let a = 0;
    let b = 0;
    for (let i = 0; i < 100; i++) {
      a = n.arrival(0, 1, MB, 0, false);
      b = n.arrival(2, 3, MB, 0, false);
    }
    expect(a).toBeCloseTo(100 * 800 + 100, 6);
    expect(b).toBeCloseTo(100 * 800 + 100, 6);
  });

  it('loopback (same host) takes loopbackUs and no NIC time', () => {
    const n = net(2);
    for (let i = 0; i < 100; i++) expect(n.arrival(1, 1, MB, 5000, false)).toBe(5000 + n.opts.loopbackUs);
  });
});

describe('network model: latency, loss, duplication, clogging', () => {
  const rng = new Rng(3).fork('lat');
  const mean = (f: () => number, n = 50_000): number => {
    let s = 0;
    for (let i = 0; i < n; i++) s += f();
    return s / n;
  };

  it('latency distributions have their documented centre', () => {
    expect(sampleLatency(rng, { kind: 'constant', us: 123 })).toBe(123);
    expect(Math.abs(mean(() => sampleLatency(rng, { kind: 'uniform', minUs: 100, maxUs: 300 })) - 200)).toBeLessThan(2);
    expect(Math.abs(mean(() => sampleLatency(rng, { kind: 'exponential', baseUs: 100, meanUs: 50 })) - 150)).toBeLessThan(1.5);
    const xs = Array.from({ length: 50_000 }, () => sampleLatency(rng, { kind: 'lognormal', medianUs: 500, sigma: 0.4 })).sort((a, b) => a - b);
    expect(Math.abs(xs[25_000]! - 500)).toBeLessThan(10);
  });

  it('same-rack and cross-rack links use their own options', () => {
    const n = new Network(new Rng(1), { sameRack: link({ latency: { kind: 'constant', us: 100 } }), crossRack: link({ latency: { kind: 'constant', us: 700 } }) });
    n.addHost('/r1');
    n.addHost('/r1');
    n.addHost('/r2');
    expect(n.arrival(0, 1, 0, 0, true)).toBe(100);
    expect(n.arrival(0, 2, 0, 0, true)).toBe(700);
  });

  it('datagrams are lost at the configured rate; stream packets are never lost but pay an RTO', () => {
    const n = net(2, { loss: 0.2 });
    let lost = 0;
    const count = 50_000;
    for (let i = 0; i < count; i++) if (n.arrival(0, 1, 100, i * 1000, true) < 0) lost++;
    expect(Math.abs(lost / count - 0.2)).toBeLessThan(0.01); // SE ~ 0.0018

    const m = net(2, { loss: 0.2 });
    let retransmitted = 0;
    let neverLost = true;
    for (let i = 0; i < count; i++) {
      const delay = m.arrival(0, 1, 100, i * SEC, false) - i * SEC;
      if (delay <= 0) neverLost = false;
      if (delay >= m.opts.rtoMinUs) retransmitted++;
    }
    expect(neverLost).toBe(true);
    expect(Math.abs(retransmitted / count - 0.2)).toBeLessThan(0.01);
  });

  it('duplicates() fires at the configured rate and never on loopback', () => {
    const n = net(2, { duplicate: 0.05 });
    let dups = 0;
    for (let i = 0; i < 100_000; i++) if (n.duplicates(0, 1)) dups++;
    expect(Math.abs(dups / 100_000 - 0.05)).toBeLessThan(0.005);
    for (let i = 0; i < 1000; i++) expect(n.duplicates(1, 1)).toBe(false);
  });

  it('reorder jitter applies to datagrams only', () => {
    const n = net(2, { reorderJitterUs: 1000 });
    const d = Array.from({ length: 2000 }, (_, i) => n.arrival(0, 1, 0, i * 10 * MS, true) - i * 10 * MS);
    expect(Math.min(...d)).toBeGreaterThanOrEqual(100);
    expect(Math.max(...d)).toBeGreaterThan(900);
    const m = net(2, { reorderJitterUs: 1000 });
    const s = Array.from({ length: 2000 }, (_, i) => m.arrival(0, 1, 0, i * 10 * MS, false) - i * 10 * MS);
    expect(new Set(s)).toEqual(new Set([100]));
  });

  it('jitter reorders datagrams at the model level (a late packet does not hold later ones behind it)', () => {
    const n = net(2, { reorderJitterUs: 2000 });
    const arrivals = Array.from({ length: 1000 }, (_, i) => n.arrival(0, 1, 100, i * 200, true));
    let inversions = 0;
    for (let i = 1; i < arrivals.length; i++) if (arrivals[i]! < arrivals[i - 1]!) inversions++;
    expect(inversions).toBeGreaterThan(200);
  });

  it('a packet in the latency tail does not delay later small packets to the same host', () => {
    const n = net(3, { latency: { kind: 'exponential', baseUs: 100, meanUs: 50 } });
    // Many small packets from two senders: every delay stays a plain latency sample (no queueing
    // behind the slowest packet so far), so the mean stays near base + mean = 150 us.
    let sum = 0;
    const count = 20_000;
    for (let i = 0; i < count; i++) sum += n.arrival(1 + (i % 2), 0, 100, i * 10, true) - i * 10;
    expect(Math.abs(sum / count - 150)).toBeLessThan(3);
  });

  it('a clogged link holds packets until the clog ends, in one direction only', () => {
    const n = net(2);
    n.clog(0, 1, 5 * SEC);
    expect(n.arrival(0, 1, 100, 1 * SEC, true)).toBe(5 * SEC);
    expect(n.arrival(1, 0, 100, 1 * SEC, true)).toBeLessThan(1 * SEC + 1000);
    expect(n.arrival(0, 1, 100, 6 * SEC, true)).toBeLessThan(6 * SEC + 1000);
    n.clog(0, 1, 10 * SEC);
    n.healAll();
    expect(n.clogUntil(0, 1)).toBe(0);
  });

  it('cutLinks/restoreLinks/healAll track exactly the directed pairs given', () => {
    const n = net(4);
    n.cutLinks([[0, 1], [2, 3], [1, 1]]);
    expect(n.cutPairs()).toEqual([[0, 1], [2, 3]]);
    expect(n.isCut(0, 1)).toBe(true);
    expect(n.isCut(1, 0)).toBe(false);
    n.restoreLinks([[0, 1]]);
    expect(n.cutPairs()).toEqual([[2, 3]]);
    n.restoreLinks([[0, 1]]); // restoring a working link is a no-op
    expect(n.isCut(0, 1)).toBe(false);
    n.healAll();
    expect(n.anyCut).toBe(false);
    expect(n.cutPairs()).toEqual([]);
  });

  it('links cut by overlapping faults stay cut until every one of them is restored', () => {
    const n = net(3);
    n.cutLinks([[0, 1], [1, 0]]);
    n.cutLinks([[0, 1], [0, 2]]);
    n.restoreLinks([[0, 1], [1, 0]]);
    expect(n.cutPairs()).toEqual([[0, 1], [0, 2]]);
    n.restoreLinks([[0, 1], [0, 2]]);
    expect(n.anyCut).toBe(false);
  });

  it('adding a host keeps existing cuts and clogs', () => {
    const n = net(3);
    n.cutLinks([[2, 0]]);
    n.clog(1, 2, 777);
    n.addHost('/rack-a');
    expect(n.cutPairs()).toEqual([[2, 0]]);
    expect(n.clogUntil(1, 2)).toBe(777);
    expect(n.isCut(3, 0)).toBe(false);
  });
});
