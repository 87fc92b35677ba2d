import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../../sim/core/config.ts';
import { Rng } from '../../sim/core/rng.ts';
import { blockManagementSchema, blockSettings } from '../../sim/hdfs/config-blocks.ts';
import { namenodeBlockManager } from '../../sim/hdfs/blockmanagement/index.ts';
import type { DatanodeName } from '../../sim/hdfs/types.ts';
import { blk } from './bm-harness.ts';

describe('the NameNode port of the block manager', () => {
  it('answers DataNode requests synchronously, places a new block over both racks and reports safe-mode counts', () => {
    let now = 0;
    let countsChanged = 0;
    const racks: { [h: string]: string } = { 'w-1': '/r1', 'w-2': '/r1', 'w-3': '/r2' };
    const port = namenodeBlockManager(blockSettings(resolveConfig(blockManagementSchema)), {
      nowUs: () => now, rng: new Rng(3, 'nn'), tracing: false, annotate: () => {}, isInSafeMode: () => false,
      resolveRack: (h) => racks[h] ?? '', countsChanged: () => countsChanged++,
    });
    for (const n of [1, 2, 3]) {
      const dn = `dn-${n}` as DatanodeName;
      const r = port.handleDatanodeRequest(dn, { type: 'registerDatanode', callId: n, registration: { datanode: dn, hostName: `w-${n}`, storageId: `DS-${n}` } });
      expect(r).toEqual({ type: 'registerDatanodeResponse', callId: n, error: null, errorMessage: '' });
      port.handleDatanodeRequest(dn, { type: 'sendHeartbeat', callId: 10 + n, datanode: dn, storage: { storageId: `DS-${n}`, failed: false, capacity: 1e12, dfsUsed: 0, remaining: 1e12 }, xceiverCount: 0, xmitsInProgress: 0, failedVolumes: 0 });
      port.handleDatanodeRequest(dn, { type: 'blockReport', callId: 20 + n, datanode: dn, storageId: `DS-${n}`, replicas: [] });
    }
    expect(countsChanged).toBe(9);
    const targets = port.chooseTargetForNewBlock('/f', 3, 'w-1', [], [], 1024);
    if ('error' in targets) throw new Error(targets.error);
    expect(targets.map((t) => t.name)[0]).toBe('dn-1');
    expect(new Set(targets.map((t) => t.rack))).toEqual(new Set(['/r1', '/r2']));
    port.initializeReplQueues();
    port.addBlockCollection(blk(1, 1001, 0), 3, 16386, 'UNDER_CONSTRUCTION', targets.map((t) => t.name));
    for (const t of targets) {
      port.handleDatanodeRequest(t.name, { type: 'blockReceivedAndDeleted', callId: 1, datanode: t.name, storageId: 'x', blocks: [{ block: blk(1, 1001, 10), status: 'RECEIVED_BLOCK', delHint: null }] });
    }
    expect(port.commitOrCompleteLastBlock(blk(1).blockId, blk(1, 1001, 10))).toEqual({ committed: true });
    expect(port.safeModeCounts()).toEqual({ blockTotal: 1, blockSafe: 1, liveDatanodes: 3 });
    expect(port.periodicTasks().map((t) => t.name)).toEqual(['heartbeat-monitor', 'redundancy-monitor', 'pending-reconstruction-monitor']);
    now += 1_000_000;
    expect(port.locatedBlock(blk(1), 0, 'w-3').locations[0]?.name).toBe('dn-3');
  });
});
