import fc from 'fast-check';
import type { Draw, FaultAction, Pool, RandomFaultKind } from '../harness/fault-kind.ts';
import { randomGenerator } from '../harness/fault-gen.ts';

// The fast-check side of random fault generation: the same generators the nemesis runs on the
// seeded Rng (each fault kind's `random` part, sim/harness/kinds/), run on fast-check's draws. Each
// draw is an arbitrary of its own, so fast-check shrinks a generated action draw by draw: a pick
// towards the list's first item, an integer towards the middle of its range's smallest magnitude,
// a shuffle towards the list's order.

/** A Draw over fast-check's `fc.gen()`: every pick, int and shuffle is a shrinkable draw. */
export function fastCheckDraw(g: fc.GeneratorValue): Draw {
  return {
    pick: <T>(items: readonly T[]): T => items[g(fc.integer, { min: 0, max: items.length - 1 })]!,
    int: (min: number, max: number): number => g(fc.integer, { min, max }),
    shuffle: <T>(items: readonly T[]): T[] => g(fc.shuffledSubarray<T>, items.slice(), { minLength: items.length, maxLength: items.length }),
  };
}

/** Actions from the generator named `name` over `pool` (which must be usable for it). */
export function actionArbitrary(name: RandomFaultKind, pool: Pool): fc.Arbitrary<FaultAction> {
  const gen = randomGenerator(name);
  return fc.gen().map((g) => gen.generate(fastCheckDraw(g), pool));
}
