import seedrandom from 'seedrandom';
import { fnv1a } from './hash.ts';

// Random streams. Every component draws from its own stream, forked by label from the run seed:
// `root.fork("net")`, `root.fork("kafka-2")`. A fork depends only on (seed, label path), never on
// how many numbers another stream has drawn, so adding a draw in one component does not shift any
// other component's randomness. Alea is seedrandom's fastest generator with good statistics.

export class Rng {
  private readonly next: () => number;

  constructor(readonly seed: number, readonly label: string = '') {
    this.next = seedrandom.alea(`${seed}/${label}`);
  }

  fork(label: string): Rng {
    return new Rng(this.seed, this.label === '' ? label : `${this.label}/${label}`);
  }

  /** Uniform in [0, 1). */
  float(): number {
    return this.next();
  }

  /** Uniform in [min, max). */
  uniform(min: number, max: number): number {
    return min + (max - min) * this.next();
  }

  /** Uniform integer in [min, max] (inclusive). */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  bernoulli(p: number): boolean {
    return p > 0 && this.next() < p;
  }

  /** Exponential with the given mean. */
  exponential(mean: number): number {
    return -mean * Math.log(1 - this.next());
  }

  /** Normal via Box-Muller (one value per call, no cached spare: keeps the stream position simple). */
  normal(mean: number, stddev: number): number {
    const u = 1 - this.next();
    const v = this.next();
    return mean + stddev * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** Lognormal parameterised by the underlying normal's mu and sigma. */
  lognormal(mu: number, sigma: number): number {
    return Math.exp(this.normal(mu, sigma));
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('Rng.pick from an empty list');
    return items[Math.floor(this.next() * items.length)] as T;
  }

  /** Fisher-Yates shuffle into a new array. */
  shuffle<T>(items: readonly T[]): T[] {
    const out = items.slice();
    for (let i = out.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      const t = out[i] as T;
      out[i] = out[j] as T;
      out[j] = t;
    }
    return out;
  }

  /** A random subset where each item is kept with probability p. */
  subset<T>(items: readonly T[], p: number): T[] {
    return items.filter(() => this.next() < p);
  }
}

/** A stable 32-bit seed derived from a label, for places that need a plain integer. */
export function seedOf(label: string): number {
  return fnv1a(label);
}
