import { describe, expect, it } from 'vitest';
import { chooseReplicasToDelete, chooseTarget4NewBlock, getMaxNodesPerRack, isPlacementPolicySatisfied, NetworkTopology } from '../../sim/hdfs/blockmanagement/index.ts';
import { resolveConfig } from '../../sim/core/config.ts';
import { blockManagementSchema, blockSettings } from '../../sim/hdfs/config-blocks.ts';
import type { DatanodeName } from '../../sim/hdfs/types.ts';
import { BmHarness, GB, SEC } from './bm-harness.ts';

const BLOCK = 128 * 1024 * 1024;

function targetsOf(h: BmHarness, replication: number, clientHost: string, excluded: DatanodeName[] = []): DatanodeName[] {
  const r = chooseTarget4NewBlock(h.bm, '/f', replication, clientHost, excluded, [], BLOCK);
  if ('error' in r) throw new Error(r.error);
  return r.targets;
}

describe('BlockPlacementPolicyDefault', () => {
  it('getMaxNodesPerRack is (total - 1) / racks + 2, cut to the cluster size, one less when it equals the total', () => {
    expect(getMaxNodesPerRack(0, 3, 6, 2)).toEqual([3, 3 - 1]); // (2/2)+2 = 3 == total -> 2
    expect(getMaxNodesPerRack(0, 3, 9, 3)).toEqual([3, 2]); // 0+2 = 2
    expect(getMaxNodesPerRack(0, 10, 12, 2)).toEqual([10, 6]);
    expect(getMaxNodesPerRack(0, 3, 2, 2)).toEqual([2, 1]); // cut to 2 nodes: (1/2)+2 = 2 == total -> 1
    expect(getMaxNodesPerRack(0, 3, 5, 1)).toEqual([3, 3]); // one rack: no rack limit
  });

  it('one rack: the writer\'s own DataNode first, then two other nodes', () => {
    for (let seed = 1; seed <= 20; seed++) {
      const h = new BmHarness({}, seed);
      h.addNodes(['/r1', '/r1', '/r1', '/r1']);
      const t = targetsOf(h, 3, 'w-2');
      expect(t[0]).toBe('dn-2');
      expect(new Set(t).size).toBe(3);
    }
  });

  it('two racks: writer local, the second replica on the other rack, the third beside the second', () => {
    for (let seed = 1; seed <= 30; seed++) {
      const h = new BmHarness({}, seed);
      h.addNodes(['/r1', '/r1', '/r1', '/r2', '/r2', '/r2']);
      const t = targetsOf(h, 3, 'w-1');
      expect(t[0]).toBe('dn-1');
      expect(h.rackOf(t[1] as DatanodeName)).toBe('/r2');
      expect(h.rackOf(t[2] as DatanodeName)).toBe('/r2');
    }
  });

  it('a client that is not a DataNode gets a random first node, and the pipeline still spans two racks', () => {
    for (let seed = 1; seed <= 30; seed++) {
      const h = new BmHarness({}, seed);
      h.addNodes(['/r1', '/r1', '/r2', '/r2', '/r3', '/r3']);
      const t = targetsOf(h, 3, 'client-1');
      const racks = t.map((n) => h.rackOf(n));
      expect(new Set(racks).size).toBe(2);
      // pipeline order: the two nodes of the shared rack are adjacent
      expect(racks[1]).toBe(racks[2]);
    }
  });

  it('no rack ever gets more than maxNodesPerRack replicas of a new block (1-3 racks, replication 1-10)', () => {
    for (let seed = 1; seed <= 60; seed++) {
      const numRacks = 1 + (seed % 3);
      const h = new BmHarness({}, seed);
      const racks: string[] = [];
      for (let i = 0; i < 12; i++) racks.push(`/r${(i % numRacks) + 1}`);
      h.addNodes(racks);
      const replication = 1 + (seed % 10);
      const t = targetsOf(h, replication, `w-${1 + (seed % 12)}`);
      expect(t.length).toBe(replication);
      const [, max] = getMaxNodesPerRack(0, replication, 12, numRacks);
      const per = new Map<string, number>();
      for (const n of t) per.set(h.rackOf(n), (per.get(h.rackOf(n)) ?? 0) + 1);
      for (const c of per.values()) expect(c).toBeLessThanOrEqual(max);
    }
  });

  it('excluded nodes and nodes without room for a block are not chosen; too few nodes is Hadoop\'s IOException', () => {
    const h = new BmHarness();
    h.addNodes(['/r1', '/r1', '/r2']);
    h.heartbeat('dn-3' as DatanodeName, { remaining: BLOCK - 1 });
    const t = targetsOf(h, 3, 'w-1', ['dn-2' as DatanodeName]);
    expect(t).toEqual(['dn-1']);
    const none = chooseTarget4NewBlock(h.bm, '/f', 3, 'w-1', ['dn-1', 'dn-2'] as DatanodeName[], [], BLOCK);
    expect(none).toEqual({ error: 'File /f could only be written to 0 of the 1 minReplication nodes. There are 3 datanode(s) running and 2 node(s) are excluded in this operation.' });
  });

  it('with dfs.namenode.avoid.write.stale.datanode a stale node is avoided while fresh ones suffice', () => {
    const h = new BmHarness({ 'hdfs.dfs.namenode.avoid.write.stale.datanode': 'true' });
    h.addNodes(['/r1', '/r1', '/r1', '/r1']);
    h.advance(31 * SEC);
    for (const dn of ['dn-1', 'dn-2', 'dn-3'] as DatanodeName[]) h.heartbeat(dn);
    for (let i = 0; i < 20; i++) expect(targetsOf(h, 3, 'client')).not.toContain('dn-4');
  });

  it('isPlacementPolicySatisfied: two racks for replication >= 2 in a multi-rack cluster; any one-rack cluster is fine', () => {
    const topo = new NetworkTopology();
    topo.add('dn-1' as DatanodeName, '/r1');
    expect(isPlacementPolicySatisfied(topo, ['/r1', '/r1', '/r1'], 3)).toBe(true);
    topo.add('dn-2' as DatanodeName, '/r2');
    expect(isPlacementPolicySatisfied(topo, ['/r1', '/r1', '/r1'], 3)).toBe(false);
    expect(isPlacementPolicySatisfied(topo, ['/r1', '/r2', '/r1'], 3)).toBe(true);
    expect(isPlacementPolicySatisfied(topo, ['/r1'], 1)).toBe(true);
  });
});

describe('excess replica choice (chooseReplicasToDelete)', () => {
  const settings = blockSettings(resolveConfig(blockManagementSchema));
  const now = 1000 * SEC;
  const c = (dn: string, rack: string, remaining: number, lastHeartbeatUs = now): { dn: DatanodeName; rack: string; remaining: number; lastHeartbeatUs: number } =>
    ({ dn: dn as DatanodeName, rack, remaining, lastHeartbeatUs });

  it('deletes from a rack holding more than one replica, the node with the least free space', () => {
    const got = chooseReplicasToDelete(settings, now, [c('a', '/r1', 50 * GB), c('b', '/r2', 10 * GB), c('c', '/r2', 30 * GB), c('d', '/r3', 1 * GB)], 3, null, null);
    expect(got).toEqual(['b']);
  });

  it('a node whose heartbeat is older than tolerate.heartbeat.multiplier x heartbeat goes first', () => {
    const got = chooseReplicasToDelete(settings, now, [c('a', '/r1', 1 * GB), c('b', '/r1', 10 * GB, now - 13 * SEC), c('c', '/r2', 30 * GB)], 2, null, null);
    expect(got).toEqual(['b']);
  });

  it('the delete hint is honoured when removing it keeps the number of racks', () => {
    const cands = [c('a', '/r1', 1 * GB), c('b', '/r1', 90 * GB), c('c', '/r2', 30 * GB), c('d', '/r2', 40 * GB)];
    expect(chooseReplicasToDelete(settings, now, cands, 3, null, 'b' as DatanodeName)).toEqual(['b']);
    // a hint alone on its rack, with the added node on a shared rack, is not honoured
    const cands2 = [c('a', '/r1', 1 * GB), c('b', '/r2', 90 * GB), c('c', '/r1', 30 * GB)];
    expect(chooseReplicasToDelete(settings, now, cands2, 2, 'c' as DatanodeName, 'b' as DatanodeName)).toEqual(['a']);
  });
});
