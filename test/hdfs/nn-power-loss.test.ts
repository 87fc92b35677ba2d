import { describe, expect, it } from 'vitest';
import { MS, SEC } from '../../sim/core/types.ts';
import { namespaceDurabilityChecker } from '../../sim/hdfs/checkers/namespace-durability.ts';
import { addClient, nnWorld, type Call } from './nn-world.ts';

// Power loss of the NameNode host while mutations stream in from two clients: unsynced edits are
// gone (a write-back in flight may be torn at a sector boundary; the tail cut itself is tested byte by
// byte in editlog.test.ts), the restart finalizes what is left of the in-progress segment, and nothing
// acknowledged is lost. Twenty seeds, twenty instants.

const MKDIRS: Call[] = Array.from({ length: 400 }, (_, i) => ({ type: 'mkdirs', src: `/load/d${i}`, createParent: true }));

describe('NameNode power loss under load', () => {
  it.each(Array.from({ length: 20 }, (_, i) => i + 1))('seed %i: the restart recovers every acknowledged mkdirs and replays to a namespace it had', (seed) => {
    const { world, nn } = nnWorld({ seed });
    world.addChecker(namespaceDurabilityChecker());
    const notes: string[] = [];
    addClient(world, 'c1', MKDIRS, 1 * SEC);
    addClient(world, 'c2', MKDIRS.map((c) => ({ ...c, src: c.type === 'mkdirs' ? c.src.replace('/load', '/more') : '' }) as Call), 1 * SEC);
    const host = world.hostOf('nn');
    world.schedule(1 * SEC + seed * 23 * MS, () => world.powerOff(host));
    world.schedule(3 * SEC, () => world.powerOn(host));
    world.onObserve('hdfs-nn-loaded', (_p, d) => notes.push(`loaded to ${d.lastTxId}`));
    world.runUntil(5 * SEC);
    expect(world.violations).toEqual([]);
    expect(nn().isActive).toBe(true);
    expect(notes.length).toBe(2);
  });
});
