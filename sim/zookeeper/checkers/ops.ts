// The run's client operations, paired once and shared by every checker that reads them.

import type { Operation } from '../../check/history.ts';
import type { World } from '../../core/world.ts';

const cache = new WeakMap<World, { entries: number; ops: Operation[] }>();

export function operationsOf(world: World): Operation[] {
  const n = world.history.all().length;
  const c = cache.get(world);
  if (c !== undefined && c.entries === n) return c.ops;
  const ops = world.history.operations();
  cache.set(world, { entries: n, ops });
  return ops;
}
