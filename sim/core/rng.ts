import seedrandom from 'seedrandom';
import { fnv1a } from './hash.ts';

// Random streams. Every component draws from its own stream, forked by label from the run seed:
// `root.fork("net")`, `root.fork("kafka-2")`. A fork depends only on (seed, label path), never on
// how many numbers another stream has drawn, so adding a draw in one component does not shift any
// other component's randomness. Alea is seedrandom's fastest generator with good statistics.

//
// Branching (the multiverse, `dsim fork`): a root and every stream forked from it, at any depth,
// form one lineage. `branch(tag)` gives every stream of the lineage a fresh generator keyed by
// (seed, label, tag) from this moment on, and streams forked later are keyed by the tag as well.
// What was drawn before the call is untouched, so a run branched at time T replays exactly up to T
// and then each tag continues with its own randomness. Without a branch nothing changes: the key
// is the same `${seed}/${label}` as always.

interface Lineage {
  readonly members: Rng[];
  tag: string;
}

export class Rng {
  private next: () => number;
  private readonly lineage: Lineage;

  constructor(readonly seed: number, readonly label: string = '', lineage?: Lineage) {
    this.lineage = lineage ?? { members: [], tag: '' };
    this.lineage.members.push(this);
    this.next = seedrandom.alea(this.key());
  }

  private key(): string {
    const base = `${this.seed}/${this.label}`;
    return this.lineage.tag === '' ? base : `${base}#${this.lineage.tag}`;
  }

  fork(label: string): Rng {
    return new Rng(this.seed, this.label === '' ? label : `${this.label}/${label}`, this.lineage);
  }

  /** From now on every stream of this lineage (and every later fork) draws from a generator keyed by `tag`. */
  branch(tag: string): void {
    if (tag === '') throw new Error('Rng.branch needs a non-empty tag');
    this.lineage.tag = tag;
    for (const m of this.lineage.members) m.next = seedrandom.alea(m.key());
  }

  /** The tag of the last branch (empty: never branched). */
  get branchTag(): string {
    return this.lineage.tag;
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
