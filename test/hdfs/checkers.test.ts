import { afterEach, describe, expect, it, vi } from 'vitest';
import { SEC } from '../../sim/core/types.ts';
import type { ClientOptions } from '../../sim/hdfs/client/client.ts';
import { hdfsDurabilityChecker } from '../../sim/hdfs/checkers/durability.ts';
import { hdfsReplicaConsistencyChecker } from '../../sim/hdfs/checkers/replica-consistency.ts';
import { chunksOf } from '../../sim/hdfs/content.ts';
import { DataNode } from '../../sim/hdfs/datanode/datanode.ts';
import { FsDataset } from '../../sim/hdfs/datanode/dataset.ts';
import type { Replica } from '../../sim/hdfs/datanode/replica.ts';
import { senderRules } from '../../sim/hdfs/datanode/sender.ts';
import type { DtReadBlock } from '../../sim/hdfs/protocol-dt.ts';
import type { Block, BlockId, DatanodeName, GenStamp } from '../../sim/hdfs/types.ts';
import type { World } from '../../sim/world/world.ts';
import { MiB, rig, runUntilTrue, type Rig } from './fake-nn.ts';

const opts = (over: Partial<ClientOptions>): ClientOptions => ({
  namenode: 'nn', writes: [], pauseUs: 100_000, reads: [], readEveryUs: 0, verifyAtUs: null, ...over,
});

function finish(w: World): string[] {
  for (const c of w.checkers) c.finish?.(w, { healUs: w.nowUs, endUs: w.nowUs });
  return w.violations.map((v) => `${v.checker}: ${v.message}`);
}

function dn(r: Rig, name: string): DataNode {
  return r.world.actors[r.world.pid(name)] as DataNode;
}

afterEach(() => {
  vi.restoreAllMocks();
});

/**
 * A writer hsyncs 512 KiB of /d, then every DataNode host loses power; the hosts come back, their
 * replicas are RWR, and a block recovery (as the NameNode's lease recovery would order) finalizes
 * them; the writer's client reads /d back at 200 s.
 */
function hsyncThenPowerLoss(): Rig {
  const write = { path: '/d', fileBytes: 2 * MiB, writeBytes: 64 * 1024, replication: 3, blockSize: 4 * MiB, hflushEveryBytes: 0, hsyncEveryBytes: 512 * 1024 };
  const r = rig(3, { 'client-1': opts({ writes: [write], verifyAtUs: 200 * SEC }) });
  r.world.addChecker(hdfsDurabilityChecker(512));
  runUntilTrue(r.world, () => r.world.history.operations().some((o) => o.f === 'hsync' && o.status === 'ok'));
  const hosts = ['w-1', 'w-2', 'w-3'].map((h) => r.world.hostOf(h));
  for (const h of hosts) r.world.powerOff(h);
  r.world.runUntil(r.world.nowUs + 5 * SEC);
  for (const h of hosts) r.world.powerOn(h);
  r.world.runUntil(r.world.nowUs + 10 * SEC);
  const b = r.nn().files.get('/d')!.blocks[0]!;
  r.nn().commands.set('dn-1' as DatanodeName, [{ action: 'DNA_RECOVERBLOCK', recoveringBlocks: [{ block: b, locations: ['dn-1', 'dn-2', 'dn-3'] as DatanodeName[], newGenStamp: r.nn().nextGs++ as GenStamp }] }]);
  r.world.runUntil(220 * SEC);
  return r;
}

describe('hdfs-durability', () => {
  it('passes: hsynced bytes survive the power loss of every DataNode', () => {
    const r = hsyncThenPowerLoss();
    expect(finish(r.world)).toEqual([]);
    expect(r.nn().syncs[0]).toMatchObject({ deleted: false });
    expect(r.nn().syncs[0]!.length).toBeGreaterThanOrEqual(512 * 1024);
  });

  it('fires when DataNodes acknowledge hsync without fsyncing (planted bug)', () => {
    // The planted bug: fsyncReplica reports success without syncing anything.
    vi.spyOn(DataNode.prototype as unknown as { fsyncReplica(r: Replica, done: (e: string | null) => void): void }, 'fsyncReplica')
      .mockImplementation((_r, done) => done(null));
    const r = hsyncThenPowerLoss();
    const v = finish(r.world);
    expect(v).toHaveLength(1);
    expect(v[0]).toMatch(/^hdfs-durability: \/d: 524288 bytes were acknowledged \(close or hsync\) but only 0 are readable at the end/);
  });
});

/** Three DataNodes hold RBW replicas of one block with different lengths; dn-1 is told to recover it. */
function divergentRecovery(): Rig {
  const r = rig(3, {});
  r.world.addChecker(hdfsReplicaConsistencyChecker());
  r.world.runUntil(2 * SEC);
  const b: Block = { blockId: 77 as BlockId, genStamp: 1001 as GenStamp, numBytes: 0 };
  [3000, 5000, 4000].forEach((len, i) => {
    const ds = dn(r, `dn-${i + 1}`).dataset;
    const rep = ds.create(b, 'RBW', 'client-gone') as Replica;
    const c = chunksOf(5, 0, len, 512);
    ds.writeChunks(rep, 0, c.words, c.lens, c.checksums);
    rep.bytesAcked = len;
  });
  r.nn().commands.set('dn-1' as DatanodeName, [{ action: 'DNA_RECOVERBLOCK', recoveringBlocks: [{ block: b, locations: ['dn-1', 'dn-2', 'dn-3'] as DatanodeName[], newGenStamp: 1002 as GenStamp }] }]);
  r.world.runUntil(20 * SEC);
  return r;
}

describe('hdfs-replica-consistency', () => {
  it('passes: block recovery cuts every RBW replica to the shortest length', () => {
    const r = divergentRecovery();
    expect(finish(r.world)).toEqual([]);
    for (const name of ['dn-1', 'dn-2', 'dn-3']) expect(dn(r, name).dataset.get(77 as BlockId)).toMatchObject({ state: 'FINALIZED', genStamp: 1002, bytesOnDisk: 3000 });
  });

  it('fires when a recovered replica is not truncated to the agreed length (planted bug)', () => {
    vi.spyOn(FsDataset.prototype, 'truncate').mockReturnValue(null);
    const r = divergentRecovery();
    const v = finish(r.world);
    expect(v).toHaveLength(1);
    expect(v[0]).toMatch(/^hdfs-replica-consistency: finalized replicas of blk_77_1002 differ: dn-1 has 3000 bytes/);
  });

  it('fires when a DataNode serves a replica older than the GS the reader asked for (planted bug)', () => {
    const r = divergentRecovery();
    vi.spyOn(senderRules, 'refusesStale').mockReturnValue(false);
    r.world.addHost('c-x');
    const reader = r.world.addProcess('reader', 'c-x', () => ({ onMessage() {}, onTimer() {}, inspect: () => null }), { system: 'hdfs' });
    r.world.runUntil(r.world.nowUs + 1000);
    const read: DtReadBlock = { type: 'DtReadBlock', xceiverId: 1, block: { blockId: 77 as BlockId, genStamp: 1003 as GenStamp, numBytes: 3000 }, offset: 0, length: 3000, client: 'x' };
    r.world.send(reader, r.world.pid('dn-2'), read, 100, false);
    r.world.runUntil(r.world.nowUs + SEC);
    expect(finish(r.world)).toEqual(['hdfs-replica-consistency: dn-2 served blk_77 from a FINALIZED replica with GS 1002, older than the requested GS 1003']);
  });
});

/** A 1 MiB file is closed, then every DataNode host loses power at once; the writer reads it back at 100 s. */
function closeThenPowerLoss(syncOnClose: boolean): Rig {
  const write = { path: '/s', fileBytes: MiB, writeBytes: 64 * 1024, replication: 3, blockSize: 4 * MiB, hflushEveryBytes: 0, hsyncEveryBytes: 0 };
  const r = rig(3, { 'client-1': opts({ writes: [write], verifyAtUs: 100 * SEC }) }, { 'hdfs.dfs.datanode.synconclose': syncOnClose });
  r.world.addChecker(hdfsDurabilityChecker(512));
  runUntilTrue(r.world, () => r.world.history.operations().some((o) => o.f === 'write' && o.status === 'ok'));
  const hosts = ['w-1', 'w-2', 'w-3'].map((h) => r.world.hostOf(h));
  for (const h of hosts) r.world.powerOff(h);
  r.world.runUntil(r.world.nowUs + 5 * SEC);
  for (const h of hosts) r.world.powerOn(h);
  r.world.runUntil(120 * SEC);
  return r;
}

describe('dfs.datanode.synconclose', () => {
  it('true: a closed file survives the power loss of every DataNode', () => {
    expect(finish(closeThenPowerLoss(true).world)).toEqual([]);
  });
  it('false (the default): the closed file was only in the page caches, and hdfs-durability reports the loss', () => {
    const v = finish(closeThenPowerLoss(false).world);
    expect(v).toHaveLength(1);
    expect(v[0]).toMatch(/^hdfs-durability: 1048576 acknowledged bytes of \/s are unreadable at the end/);
  });
});
