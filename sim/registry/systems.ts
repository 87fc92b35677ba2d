import type { AnySystem } from '../harness/system.ts';
import { hdfsSystem } from '../hdfs/system.ts';
import { kafka } from '../kafka/system.ts';
import { mapreduceSystem } from '../mapreduce/system.ts';
import { yarnSystem } from '../yarn/system.ts';
import { zookeeper } from '../zookeeper/system.ts';

// The registry of systems: every System dsim simulates, in one list. It sits above the systems and
// below the CLI (test/architecture/layering.test.ts). Adding a system adds one line here (and its
// viewer module to viz/src/systems/index.ts); nothing in core, env, world, harness, check or cli
// changes. test/systems/conformance.test.ts checks every system listed here against the seam's rules.

export const SYSTEMS: readonly AnySystem[] = [zookeeper, kafka, hdfsSystem, yarnSystem, mapreduceSystem];

/** The registered system of this name, or undefined. */
export function systemNamed(name: string): AnySystem | undefined {
  return SYSTEMS.find((s) => s.name === name);
}
