import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Rng, seedOf } from '../../sim/core/rng.ts';

// Random streams: forked by label from the run seed, so a component's randomness depends only on
// (seed, label path). Statistical bounds are many standard errors wide for the fixed seeds used
// here, yet far tighter than what a broken distribution (wrong scale, off-by-one range) produces.

const N = 100_000;

function draws(rng: Rng, n: number, f: (r: Rng) => number): number[] {
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push(f(rng));
  return out;
}

const mean = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
const variance = (xs: readonly number[]): number => {
  const m = mean(xs);
  return xs.reduce((a, b) => a + (b - m) ** 2, 0) / (xs.length - 1);
};

describe('rng: streams', () => {
  it('the same seed and label give the same sequence', () => {
    const a = draws(new Rng(42).fork('net'), 1000, (r) => r.float());
    const b = draws(new Rng(42).fork('net'), 1000, (r) => r.float());
    expect(a).toEqual(b);
  });

  it('different seeds and different labels give different sequences', () => {
    const base = draws(new Rng(42).fork('net'), 100, (r) => r.float());
    expect(draws(new Rng(43).fork('net'), 100, (r) => r.float())).not.toEqual(base);
    expect(draws(new Rng(42).fork('disk'), 100, (r) => r.float())).not.toEqual(base);
    expect(draws(new Rng(42).fork('net').fork('a'), 100, (r) => r.float())).not.toEqual(base);
  });

  it('draws on one stream never shift another stream (forks depend only on seed and label path)', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 2 ** 31 }), fc.nat({ max: 500 }), fc.nat({ max: 500 }), (seed, extraRoot, extraSibling) => {
      const quiet = new Rng(seed);
      const expected = draws(quiet.fork('kafka-2'), 50, (r) => r.float());

      const busy = new Rng(seed);
      draws(busy, extraRoot, (r) => r.float());
      const sibling = busy.fork('kafka-1');
      draws(sibling, extraSibling, (r) => r.float());
      const forked = busy.fork('kafka-2');
      draws(busy, extraRoot, (r) => r.float()); // interleaved draws on the parent, too
      expect(draws(forked, 50, (r) => r.float())).toEqual(expected);
    }), { seed: 7, numRuns: 100 });
  });

  it('nested forks are reproducible by label path', () => {
    const a = new Rng(9).fork('proc').fork('zk-1');
    const b = new Rng(9).fork('proc').fork('zk-1');
    expect(a.label).toBe('proc/zk-1');
    expect(draws(a, 20, (r) => r.int(0, 1000))).toEqual(draws(b, 20, (r) => r.int(0, 1000)));
  });

  it('seedOf is a stable 32-bit integer per label', () => {
    expect(seedOf('zk-1')).toBe(seedOf('zk-1'));
    expect(seedOf('zk-1')).not.toBe(seedOf('zk-2'));
    expect(Number.isInteger(seedOf('x')) && seedOf('x') >= 0 && seedOf('x') < 2 ** 32).toBe(true);
  });
});

describe('rng: distributions', () => {
  it('float is in [0, 1) with mean 1/2 and variance 1/12', () => {
    const xs = draws(new Rng(1), N, (r) => r.float());
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
    // Standard error of the mean: sqrt(1/12 / N) ~ 0.0009; allow ~6 standard errors.
    expect(mean(xs)).toBeCloseTo(0.5, 2);
    expect(Math.abs(variance(xs) - 1 / 12)).toBeLessThan(0.002);
  });

  it('uniform(min, max) stays in [min, max) with mean (min + max) / 2', () => {
    const xs = draws(new Rng(2), N, (r) => r.uniform(100, 300));
    expect(xs.every((x) => x >= 100 && x < 300)).toBe(true);
    expect(Math.abs(mean(xs) - 200)).toBeLessThan(1); // SE ~ 0.18
  });

  it('int(min, max) is inclusive on both ends and uniform over them', () => {
    const counts = new Map<number, number>();
    for (const x of draws(new Rng(3), 60_000, (r) => r.int(-2, 3))) counts.set(x, (counts.get(x) ?? 0) + 1);
    expect([...counts.keys()].sort((a, b) => a - b)).toEqual([-2, -1, 0, 1, 2, 3]);
    // Each value expects 10,000 hits, SD ~ 91; allow 600.
    for (const c of counts.values()) expect(Math.abs(c - 10_000)).toBeLessThan(600);
  });

  it('exponential(mean) has that mean and a standard deviation equal to it', () => {
    const xs = draws(new Rng(4), N, (r) => r.exponential(50));
    expect(xs.every((x) => x >= 0)).toBe(true);
    expect(Math.abs(mean(xs) - 50)).toBeLessThan(1); // SE ~ 0.16
    expect(Math.abs(Math.sqrt(variance(xs)) - 50)).toBeLessThan(2);
  });

  it('normal(mean, sd) has that mean and standard deviation, and ~68% within one sd', () => {
    const xs = draws(new Rng(5), N, (r) => r.normal(10, 3));
    expect(Math.abs(mean(xs) - 10)).toBeLessThan(0.06); // SE ~ 0.0095
    expect(Math.abs(Math.sqrt(variance(xs)) - 3)).toBeLessThan(0.06);
    const within = xs.filter((x) => Math.abs(x - 10) < 3).length / N;
    expect(Math.abs(within - 0.6827)).toBeLessThan(0.01);
  });

  it('lognormal(mu, sigma) has median e^mu', () => {
    const xs = draws(new Rng(6), N, (r) => r.lognormal(Math.log(200), 0.5)).sort((a, b) => a - b);
    expect(Math.abs(xs[N / 2]! - 200)).toBeLessThan(4);
  });

  it('bernoulli(p) is true at rate p; p = 0 never and p = 1 always', () => {
    const rng = new Rng(7);
    const hits = draws(rng, N, (r) => (r.bernoulli(0.1) ? 1 : 0)).reduce((a, b) => a + b, 0);
    expect(Math.abs(hits / N - 0.1)).toBeLessThan(0.006); // SE ~ 0.00095
    expect(draws(rng, 10_000, (r) => (r.bernoulli(0) ? 1 : 0)).some((x) => x === 1)).toBe(false);
    expect(draws(rng, 10_000, (r) => (r.bernoulli(1) ? 1 : 0)).every((x) => x === 1)).toBe(true);
  });

  it('pick covers every item, roughly evenly, and refuses an empty list', () => {
    const items = ['a', 'b', 'c', 'd', 'e', 'f', 'g'];
    const rng = new Rng(8);
    const counts = new Map<string, number>();
    for (let i = 0; i < 70_000; i++) {
      const x = rng.pick(items);
      counts.set(x, (counts.get(x) ?? 0) + 1);
    }
    expect([...counts.keys()].sort()).toEqual(items);
    for (const c of counts.values()) expect(Math.abs(c - 10_000)).toBeLessThan(600);
    expect(() => rng.pick([])).toThrow(/empty/);
  });

  it('shuffle returns a permutation, leaves its input alone, and puts every item everywhere', () => {
    const rng = new Rng(9);
    const input = [0, 1, 2, 3, 4];
    const position = input.map(() => new Array<number>(input.length).fill(0));
    let permutations = 0;
    for (let i = 0; i < 50_000; i++) {
      const out = rng.shuffle(input);
      if (out.length === input.length && new Set(out).size === input.length && out.every((v) => input.includes(v))) permutations++;
      out.forEach((v, pos) => position[v]![pos]!++);
    }
    expect(permutations).toBe(50_000);
    expect(input).toEqual([0, 1, 2, 3, 4]);
    // Fisher-Yates is uniform: each item lands in each position 1/5 of the time (10,000 +- ~90).
    for (const row of position) for (const c of row) expect(Math.abs(c - 10_000)).toBeLessThan(600);
  });

  it('shuffle is a permutation for any input (property)', () => {
    fc.assert(fc.property(fc.array(fc.integer()), fc.integer(), (xs, seed) => {
      const out = new Rng(seed).shuffle(xs);
      expect([...out].sort((a, b) => a - b)).toEqual([...xs].sort((a, b) => a - b));
    }), { seed: 11, numRuns: 200 });
  });

  it('subset keeps each item with probability p, in order', () => {
    const rng = new Rng(10);
    const items = Array.from({ length: 20 }, (_, i) => i);
    let kept = 0;
    for (let i = 0; i < 5000; i++) {
      const s = rng.subset(items, 0.3);
      expect(s).toEqual([...s].sort((a, b) => a - b));
      kept += s.length;
    }
    expect(Math.abs(kept / (5000 * 20) - 0.3)).toBeLessThan(0.01);
  });
});
