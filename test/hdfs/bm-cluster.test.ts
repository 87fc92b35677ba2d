import { afterEach, describe, expect, it, vi } from 'vitest';
import { BlockManager } from '../../sim/hdfs/blockmanagement/index.ts';
import { resolveConfig } from '../../sim/core/config.ts';
import { SEC } from '../../sim/core/types.ts';
import { World } from '../../sim/world/world.ts';
import { clientFactory } from '../../sim/hdfs/client/client.ts';
import { datanodeFactory } from '../../sim/hdfs/datanode/datanode.ts';
import { nameNodeFactory } from '../../sim/hdfs/namenode/namenode.ts';
import { hdfsSchema } from '../../sim/hdfs/config.ts';
import { hdfsPlacementChecker } from '../../sim/hdfs/checkers/placement.ts';
import { hdfsRedundancyRestoredChecker, redundancyShortfall } from '../../sim/hdfs/checkers/redundancy-restored.ts';
import type { Json } from '../../sim/core/types.ts';

// The real NameNode (with the BlockManager), six DataNodes on two racks and a writer: a DataNode
// dies silently after the files are written; the NameNode declares it dead after the dead interval
// and the redundancy monitor brings every block back to three replicas over both racks.

const MiB = 1024 * 1024;

function cluster(seed: number, brokenTopology = false): World {
  const config = resolveConfig(hdfsSchema, { 'hdfs.dfs.blocksize': String(MiB) });
  const world = new World({ seed, config });
  world.addHost('nn', { rack: '/rack-1' });
  const rackOf = (host: string): string => {
    const h = world.findHost(host);
    return h === undefined ? '/default-rack' : world.hostRacks[h] ?? '/default-rack';
  };
  world.addProcess('nn', 'nn', nameNodeFactory({ resolveRack: brokenTopology ? () => '' : rackOf, namespaceId: 0x5eed }), { system: 'hdfs', role: 'namenode' });
  for (let i = 1; i <= 6; i++) {
    world.addHost(`w-${i}`, { rack: `/rack-${((i - 1) % 2) + 1}` });
    world.addProcess(`dn-${i}`, `w-${i}`, datanodeFactory({ namenode: 'nn' }), { system: 'hdfs', role: 'datanode' });
  }
  world.addHost('c-1', { rack: '/rack-clients' });
  const writes = [0, 1, 2, 3, 4, 5].map((i) => ({ path: `/data/f${i}`, fileBytes: 2 * MiB, writeBytes: 64 * 1024, replication: 3, blockSize: MiB, hflushEveryBytes: 0, hsyncEveryBytes: 0 }));
  world.addProcess('client-1', 'c-1', clientFactory({ namenode: 'nn', writes, pauseUs: 1 * SEC, reads: [], readEveryUs: 10 * SEC, verifyAtUs: null }), { system: 'hdfs', role: 'client' });
  return world;
}

function bmView(world: World): { [k: string]: Json } {
  const v = world.inspect(world.pid('nn')) as { [k: string]: Json };
  return v['blockManager'] as { [k: string]: Json };
}

describe('block management in a cluster', () => {
  it('a silently dead DataNode is declared dead after the dead interval and its blocks return to 3 replicas on 2 racks', () => {
    const world = cluster(1);
    const placement = hdfsPlacementChecker();
    const restored = hdfsRedundancyRestoredChecker({ withinMs: 1_200_000, pollMs: 5000 });
    world.addChecker(placement);
    world.addChecker(restored);
    world.runUntil(60 * SEC);
    const blocks = Object.values(bmView(world)['blocks'] as { [id: string]: { state: string } });
    expect(blocks.length).toBeGreaterThanOrEqual(4);
    expect(blocks.every((b) => b.state === 'COMPLETE')).toBe(true);
    expect(redundancyShortfall(world, 'nn')).toBeNull();
    world.crash(world.pid('dn-1'));
    world.runUntil(60 * SEC + 620 * SEC);
    const dn1 = (bmView(world)['datanodes'] as { name: string; state: string; staleAfterMs: number }[]).find((d) => d.name === 'dn-1');
    // Still live (not yet dead) but stale: its last heartbeat is older than the stale interval.
    expect(dn1?.state).toBe('live');
    expect(dn1!.staleAfterMs).toBeLessThan(world.nowUs / 1000);
    world.runUntil(60 * SEC + 1300 * SEC);
    const dn1After = (bmView(world)['datanodes'] as { name: string; state: string }[]).find((d) => d.name === 'dn-1');
    expect(dn1After?.state).toBe('dead');
    expect(redundancyShortfall(world, 'nn')).toBeNull();
    expect(placement.finish?.(world, { healUs: 60 * SEC, endUs: world.nowUs })).toBe('pass');
    expect(restored.finish?.(world, { healUs: 60 * SEC, endUs: world.nowUs })).toBe('pass');
    expect(world.violations).toEqual([]);
  });
});

describe('the block-management checkers fire in a cluster run', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('hdfs-placement: a NameNode whose topology script answers /default-rack for every host', () => {
    const world = cluster(2, true);
    world.addChecker(hdfsPlacementChecker());
    world.runUntil(60 * SEC);
    expect(world.violations.length).toBeGreaterThan(0);
    expect(world.violations[0]?.message).toMatch(/^nn: new block put 3 of 3 replicas on rack \/rack-[12], above maxNodesPerRack 2/);
  });

  it('hdfs-redundancy-restored: a BlockManager that forgets to queue blocks whose replica was lost (planted bug)', () => {
    // The planted bug: updateNeededReconstructions does nothing, so a dead node's blocks never
    // enter the low-redundancy queues.
    vi.spyOn(BlockManager.prototype, 'updateNeededReconstructions').mockImplementation(() => {});
    const world = cluster(1);
    const restored = hdfsRedundancyRestoredChecker({ withinMs: 1_200_000, pollMs: 5000 });
    world.addChecker(restored);
    world.runUntil(60 * SEC);
    world.crash(world.pid('dn-1'));
    world.runUntil(60 * SEC + 1300 * SEC);
    expect(restored.finish?.(world, { healUs: 60 * SEC, endUs: world.nowUs })).toBe('fail');
    expect(world.violations[0]?.message).toMatch(/not restored at the end of the run: blk_\d+_\d+ has 2 finalized replica\(s\) on up DataNodes, needs 3/);
  });
});
