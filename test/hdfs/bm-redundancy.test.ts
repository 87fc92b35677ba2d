import { describe, expect, it } from 'vitest';
import { getPriority, LowRedundancyBlocks, onBlockManagementTimer, redundancyMonitorRound, removeDeadDatanode } from '../../sim/hdfs/blockmanagement/index.ts';
import type { BlockId, DatanodeName } from '../../sim/hdfs/types.ts';
import { blk, BmHarness, SEC } from './bm-harness.ts';

const id = (n: number): BlockId => n as BlockId;

describe('LowRedundancyBlocks', () => {
  it('getPriority: one replica highest, live x 3 < expected very low, then low; enough replicas is badly distributed; none is corrupt', () => {
    expect(getPriority(1, 0, 0, 3)).toBe(0);
    expect(getPriority(1, 0, 0, 2)).toBe(0);
    expect(getPriority(2, 0, 0, 7)).toBe(1);
    expect(getPriority(2, 0, 0, 6)).toBe(2);
    expect(getPriority(2, 0, 0, 3)).toBe(2);
    expect(getPriority(3, 0, 0, 3)).toBe(3);
    expect(getPriority(0, 0, 0, 3)).toBe(4);
    expect(getPriority(0, 0, 1, 3)).toBe(0);
  });

  it('chooseLowRedundancyBlocks takes by priority, resumes at each level\'s bookmark and skips corrupt blocks', () => {
    const q = new LowRedundancyBlocks();
    q.add(id(1), 2, 0, 0, 3); // low
    q.add(id(2), 1, 0, 0, 3); // highest
    q.add(id(3), 2, 0, 0, 3); // low
    q.add(id(4), 0, 0, 0, 3); // corrupt
    q.add(id(5), 2, 0, 0, 3); // low
    expect(q.chooseLowRedundancyBlocks(2)).toEqual([[2], [], [1], [], []]);
    expect(q.chooseLowRedundancyBlocks(2)).toEqual([[], [], [3, 5], [], []]);
    // the scan reached the end: bookmarks reset
    expect(q.chooseLowRedundancyBlocks(10)).toEqual([[], [], [], [], []]);
    expect(q.chooseLowRedundancyBlocks(10)).toEqual([[2], [], [1, 3, 5], [], []]);
    q.update(id(1), 1, 0, 0, 3, -1, 0);
    expect(q.levelOf(id(1))).toBe(0);
    expect(q.size()).toBe(5);
  });
});

describe('redundancy monitor', () => {
  /** Six nodes on two racks; blocks on dn-1..3; dn-1 then dies. */
  function clusterWithLostNode(numBlocks: number): BmHarness {
    const h = new BmHarness();
    h.addNodes(['/r1', '/r1', '/r1', '/r2', '/r2', '/r2']);
    h.bm.initializeReplQueues();
    for (let i = 1; i <= numBlocks; i++) h.completeBlock(i, 3, ['dn-1', 'dn-2', 'dn-4'] as DatanodeName[]);
    return h;
  }

  it('a DataNode silent for 630 s is declared dead at the first heartbeat check after that, not before; stale after 30 s', () => {
    const h = new BmHarness();
    h.addNodes(['/r1', '/r1']);
    const dn1 = 'dn-1' as DatanodeName;
    const tick = (): void => onBlockManagementTimer(h.bm, 'heartbeat-monitor');
    tick(); // first check at t=0
    let deadAt = -1;
    for (let t = 5; t <= 1200; t += 5) {
      h.advance(5 * SEC);
      h.heartbeat('dn-2' as DatanodeName);
      tick();
      if (t === 30) expect(h.bm.dm.descriptor(dn1)?.isStale(h.nowUs, h.bm.settings.staleIntervalUs)).toBe(true);
      if (t === 25) expect(h.bm.dm.descriptor(dn1)?.isStale(h.nowUs, h.bm.settings.staleIntervalUs)).toBe(false);
      if (deadAt < 0 && h.bm.dm.descriptor(dn1)?.alive === false) deadAt = t;
    }
    // checks run every 300 s (t = 0, 305, 610, 915): 610 < 630, so 915.
    expect(deadAt).toBe(915);
    expect(h.bm.dm.descriptor('dn-2' as DatanodeName)?.alive).toBe(true);
    // the dead node is told to register when it comes back
    expect(h.heartbeat(dn1)).toEqual([{ action: 'DNA_REGISTER' }]);
  });

  it('nothing is declared dead in safe mode', () => {
    const h = new BmHarness();
    h.addNodes(['/r1']);
    h.safeMode = true;
    h.advance(2000 * SEC);
    onBlockManagementTimer(h.bm, 'heartbeat-monitor');
    expect(h.bm.dm.descriptor('dn-1' as DatanodeName)?.alive).toBe(true);
  });

  it('after a death, blocks are scheduled live x work.multiplier per round, at most max-streams per source, two racks kept', () => {
    const h = clusterWithLostNode(30);
    const d1 = h.bm.dm.descriptor('dn-1' as DatanodeName);
    if (d1 === undefined) throw new Error('no dn-1');
    removeDeadDatanode(h.bm, d1, 'test');
    expect(h.bm.neededReconstruction.size()).toBe(30);
    const work = redundancyMonitorRound(h.bm).replication;
    // 5 live nodes x 2 = 10 blocks taken; sources dn-2 and dn-4 take at most 2 each (priority 2).
    const perSource = new Map<string, number>();
    for (const w of work) perSource.set(w.source, (perSource.get(w.source) ?? 0) + 1);
    expect(work.length).toBe(4);
    for (const n of perSource.values()) expect(n).toBeLessThanOrEqual(2);
    for (const w of work) {
      expect(w.priority).toBe(2);
      expect(w.targets.length).toBe(1);
      expect(['dn-1', 'dn-2', 'dn-4']).not.toContain(w.targets[0]);
    }
    expect(h.bm.pendingReconstruction.size()).toBe(4);
    // heartbeats hand the transfers out: max-streams minus transfers in progress
    expect(h.heartbeat('dn-2' as DatanodeName, { xmits: 1 })).toEqual([expect.objectContaining({ action: 'DNA_TRANSFER', blocks: [expect.anything()] })]);
  });

  it('highest-priority blocks may use a source up to the hard limit (4), others only up to max-streams (2)', () => {
    const h = new BmHarness();
    h.addNodes(['/r1', '/r1', '/r1', '/r2', '/r2', '/r2']);
    h.bm.initializeReplQueues();
    for (let i = 1; i <= 10; i++) h.completeBlock(i, 3, ['dn-1', 'dn-2', 'dn-4'] as DatanodeName[]);
    for (const dn of ['dn-2', 'dn-4'] as DatanodeName[]) {
      const d = h.bm.dm.descriptor(dn);
      if (d === undefined) throw new Error(dn);
      removeDeadDatanode(h.bm, d, 'test');
    }
    // every block now has one replica (dn-1): highest priority
    expect(h.bm.neededReconstruction.levels()[0]?.length).toBe(10);
    const work = redundancyMonitorRound(h.bm).replication;
    expect(work.length).toBe(4);
    expect(work.every((w) => w.source === 'dn-1' && w.priority === 0 && w.targets.length === 2)).toBe(true);
  });

  it('a reconstruction not confirmed within the pending timeout is scheduled again; a confirmed one leaves the queues', () => {
    const h = clusterWithLostNode(2);
    const d1 = h.bm.dm.descriptor('dn-1' as DatanodeName);
    if (d1 === undefined) throw new Error('no dn-1');
    removeDeadDatanode(h.bm, d1, 'test');
    const first = redundancyMonitorRound(h.bm).replication;
    expect(first.length).toBe(2);
    const [w1, w2] = first;
    if (w1 === undefined || w2 === undefined) throw new Error('work');
    // block w1 is confirmed by its target
    h.received(w1.targets[0] as DatanodeName, blk(w1.blockId));
    expect(h.bm.pendingReconstruction.getNumReplicas(w1.blockId)).toBe(0);
    expect(h.bm.neededReconstruction.contains(w1.blockId)).toBe(false);
    expect(redundancyMonitorRound(h.bm).replication).toEqual([]);
    // w2's target never reports: after 300 s (checked every 300 s) it times out and is rescheduled
    h.advance(299 * SEC);
    onBlockManagementTimer(h.bm, 'pending-reconstruction-monitor');
    expect(redundancyMonitorRound(h.bm).replication).toEqual([]);
    h.advance(2 * SEC);
    onBlockManagementTimer(h.bm, 'pending-reconstruction-monitor');
    for (const dn of ['dn-2', 'dn-3', 'dn-4', 'dn-5', 'dn-6'] as DatanodeName[]) h.heartbeat(dn);
    // computeDatanodeWork runs before processPendingReconstructions: the next round schedules it.
    expect(redundancyMonitorRound(h.bm).replication).toEqual([]);
    const again = redundancyMonitorRound(h.bm).replication;
    expect(again.map((w) => w.blockId)).toEqual([w2.blockId]);
  });

  it('in safe mode the monitor schedules nothing and heartbeats carry no commands', () => {
    const h = clusterWithLostNode(3);
    const d1 = h.bm.dm.descriptor('dn-1' as DatanodeName);
    if (d1 === undefined) throw new Error('no dn-1');
    removeDeadDatanode(h.bm, d1, 'test');
    h.safeMode = true;
    expect(redundancyMonitorRound(h.bm).replication).toEqual([]);
    expect(h.heartbeat('dn-2' as DatanodeName)).toEqual([]);
  });

  it('an over-replicated block loses the excess replica to a DNA_INVALIDATE, and the replica leaves the map when deleted', () => {
    const h = new BmHarness();
    h.addNodes(['/r1', '/r1', '/r2', '/r2']);
    h.bm.initializeReplQueues();
    const b = h.completeBlock(7, 3, ['dn-1', 'dn-2', 'dn-3'] as DatanodeName[]);
    h.received('dn-4' as DatanodeName, b);
    expect(h.bm.excessRedundancy.size()).toBe(1);
    redundancyMonitorRound(h.bm);
    const cmds = ['dn-1', 'dn-2', 'dn-3', 'dn-4'].flatMap((dn) => h.heartbeat(dn as DatanodeName).map((c) => ({ dn, c })));
    const inv = cmds.filter((x) => x.c.action === 'DNA_INVALIDATE');
    expect(inv.length).toBe(1);
    // it came from a rack holding two replicas, leaving two racks
    const victim = inv[0]?.dn as DatanodeName;
    h.deleted(victim, b);
    const stored = h.bm.getStoredBlock(b.blockId);
    expect(stored?.storages.length).toBe(3);
    expect(new Set(stored?.storages.map((n) => h.rackOf(n))).size).toBe(2);
    expect(h.bm.excessRedundancy.size()).toBe(0);
  });
});
