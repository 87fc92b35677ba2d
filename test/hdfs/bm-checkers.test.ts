import { describe, expect, it } from 'vitest';
import type { Actor, Context } from '../../sim/core/actor.ts';
import { resolveConfig } from '../../sim/core/config.ts';
import type { Json } from '../../sim/core/types.ts';
import { SEC } from '../../sim/core/types.ts';
import { World } from '../../sim/world/world.ts';
import { BlockManager, chooseTarget4NewBlock, handleDatanodeRpc, type DatanodeRpcHost } from '../../sim/hdfs/blockmanagement/index.ts';
import { blockManagementSchema, blockSettings } from '../../sim/hdfs/config-blocks.ts';
import { hdfsPlacementChecker, maxNodesPerRack } from '../../sim/hdfs/checkers/placement.ts';
import type { DatanodeName } from '../../sim/hdfs/types.ts';

// A NameNode stand-in that owns a real BlockManager, registers six DataNodes on two racks and
// places 30 new blocks; the DataNodes are idle processes (only their hosts' racks matter). The
// planted bug: a topology script that answers /default-rack for every host, as a missing or broken
// net.topology.script.file.name does. The NameNode then believes in one rack and may put all three
// replicas on one real rack; hdfs-placement, which reads the hosts' real racks, fires.

const RACKS = ['/r1', '/r1', '/r1', '/r2', '/r2', '/r2'];

function runPlacement(brokenTopology: boolean, seed: number): World {
  const world = new World({ seed, config: resolveConfig(blockManagementSchema) });
  world.addChecker(hdfsPlacementChecker());
  RACKS.forEach((rack, i) => world.addHost(`w-${i + 1}`, { rack }));
  world.addHost('nn-host', { rack: '/r1' });
  const idle = (): Actor => ({ onMessage() {}, onTimer() {}, inspect: (): Json => null });
  RACKS.forEach((_, i) => world.addProcess(`dn-${i + 1}`, `w-${i + 1}`, idle, { system: 'hdfs', role: 'datanode' }));
  world.addProcess('nn', 'nn-host', (ctx: Context) => {
    const realRack = (h: string): string => RACKS[Number(h.slice(2)) - 1] ?? '';
    const bm = new BlockManager(blockSettings(ctx.config), {
      nowUs: () => ctx.nowUs(), rng: ctx.rng, tracing: false, annotate: () => {}, isInSafeMode: () => false,
      resolveRack: (h) => (brokenTopology ? '' : realRack(h)),
      observe: (k, d) => ctx.observe(k, d),
    });
    const rpc: DatanodeRpcHost = { reply: () => {}, commitBlockSynchronization: () => {} };
    RACKS.forEach((_, i) => {
      const dn = `dn-${i + 1}` as DatanodeName;
      handleDatanodeRpc(bm, rpc, dn, { type: 'registerDatanode', callId: 1, registration: { datanode: dn, hostName: `w-${i + 1}`, storageId: `DS-${i}` } });
      handleDatanodeRpc(bm, rpc, dn, { type: 'sendHeartbeat', callId: 2, datanode: dn, storage: { storageId: `DS-${i}`, failed: false, capacity: 1e12, dfsUsed: 0, remaining: 1e12 }, xceiverCount: 0, xmitsInProgress: 0, failedVolumes: 0 });
    });
    ctx.setTimer(1 * SEC, 'place');
    return {
      onMessage() {},
      onTimer() {
        for (let i = 0; i < 30; i++) chooseTarget4NewBlock(bm, `/f${i}`, 3, `w-${1 + (i % 6)}`, [], [], 1024);
      },
      inspect: (): Json => null,
    };
  }, { system: 'hdfs', role: 'namenode' });
  world.runUntil(2 * SEC);
  return world;
}

describe('hdfs-placement checker', () => {
  it('maxNodesPerRack as Hadoop computes it', () => {
    expect(maxNodesPerRack(3, 6, 2)).toBe(2);
    expect(maxNodesPerRack(2, 6, 2)).toBe(1);
    expect(maxNodesPerRack(3, 6, 1)).toBe(3);
    expect(maxNodesPerRack(10, 12, 3)).toBe(5);
  });

  it('passes for the policy with a correct topology', () => {
    for (const seed of [1, 2, 3]) expect(runPlacement(false, seed).violations).toEqual([]);
  });

  it('fires when the NameNode\'s topology script puts every host on /default-rack', () => {
    const w = runPlacement(true, 1);
    expect(w.violations.length).toBeGreaterThan(0);
    expect(w.violations[0]?.checker).toBe('hdfs-placement');
    expect(w.violations[0]?.message).toMatch(/3 of 3 replicas on rack \/r[12], above maxNodesPerRack 2/);
  });
});

// hdfs-redundancy-restored against stand-in views: a NameNode view with two complete blocks of
// replication 3 and four DataNodes on two racks whose replica lists the test changes over time.
import { hdfsRedundancyRestoredChecker } from '../../sim/hdfs/checkers/redundancy-restored.ts';

type Rep = { block: number; gs: number; state: string; bytes: number };

function redundancyWorld(replication = 3): { world: World; replicas: Map<string, Rep[]> } {
  const world = new World({ seed: 1, config: resolveConfig({}) });
  const replicas = new Map<string, Rep[]>();
  const racks = ['/r1', '/r1', '/r2', '/r2'];
  racks.forEach((rack, i) => world.addHost(`w-${i + 1}`, { rack }));
  world.addHost('nn-host', { rack: '/r1' });
  const fin = (block: number): Rep => ({ block, gs: 1001, state: 'FINALIZED', bytes: 100 });
  replicas.set('dn-1', [fin(1), fin(2)]);
  replicas.set('dn-2', [fin(1)]);
  replicas.set('dn-3', [fin(1), fin(2)]);
  replicas.set('dn-4', [fin(2)]);
  racks.forEach((_, i) => {
    const name = `dn-${i + 1}`;
    world.addProcess(name, `w-${i + 1}`, () => ({ onMessage() {}, onTimer() {}, inspect: (): Json => ({ replicas: replicas.get(name) ?? [] }) }), { system: 'hdfs', role: 'datanode' });
  });
  const blocks = [1, 2].map((id) => ({ id, gs: 1001, len: 100, state: 'COMPLETE', replication }));
  world.addProcess('nn', 'nn-host', () => ({ onMessage() {}, onTimer() {}, inspect: (): Json => ({ blockManager: { blocks } }) }), { system: 'hdfs', role: 'namenode' });
  return { world, replicas };
}

describe('hdfs-redundancy-restored checker', () => {
  const fin = (block: number): Rep => ({ block, gs: 1001, state: 'FINALIZED', bytes: 100 });

  it('passes when the lost replicas come back within the bound, on two racks', () => {
    const { world, replicas } = redundancyWorld();
    const c = hdfsRedundancyRestoredChecker({ withinMs: 60_000, pollMs: 1000 });
    world.addChecker(c);
    world.schedule(10 * SEC, () => world.crash(world.pid('dn-1')));
    world.schedule(40 * SEC, () => {
      replicas.get('dn-2')?.push(fin(2));
      replicas.get('dn-4')?.push(fin(1));
    });
    world.runUntil(120 * SEC);
    expect(c.finish?.(world, { healUs: 20 * SEC, endUs: 120 * SEC })).toBe('pass');
    expect(world.violations).toEqual([]);
  });

  it('fires when a block stays short of its replication past the bound (re-replication never ran)', () => {
    const { world } = redundancyWorld();
    const c = hdfsRedundancyRestoredChecker({ withinMs: 60_000, pollMs: 1000 });
    world.addChecker(c);
    world.schedule(10 * SEC, () => world.crash(world.pid('dn-1')));
    world.runUntil(120 * SEC);
    expect(c.finish?.(world, { healUs: 20 * SEC, endUs: 120 * SEC })).toBe('fail');
    expect(world.violations[0]?.message).toMatch(/blk_1_1001 has 2 finalized replica\(s\) on up DataNodes, needs 3/);
  });

  it('fires when replicas are all on one rack while two racks are up; unknown before the bound', () => {
    const { world, replicas } = redundancyWorld(2);
    const c = hdfsRedundancyRestoredChecker({ withinMs: 60_000, pollMs: 1000 });
    world.addChecker(c);
    // block 2 lives on dn-1 (r1), dn-3 and dn-4 (r2); r2's disks are replaced: its copies are gone
    world.schedule(5 * SEC, () => {
      replicas.set('dn-3', []);
      replicas.set('dn-4', []);
      replicas.get('dn-2')?.push(fin(2));
    });
    world.runUntil(50 * SEC);
    expect(c.finish?.(world, { healUs: 10 * SEC, endUs: 50 * SEC })).toBe('unknown');
    world.runUntil(100 * SEC);
    expect(c.finish?.(world, { healUs: 10 * SEC, endUs: 100 * SEC })).toBe('fail');
    expect(world.violations[0]?.message).toMatch(/blk_1_1001 has all 2 replicas on rack \/r1 though the up DataNodes span 2 racks/);
  });
});
