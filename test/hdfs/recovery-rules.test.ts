import { describe, expect, it } from 'vitest';
import { shouldReplace } from '../../sim/hdfs/client/replace-policy.ts';
import { chunksOf } from '../../sim/hdfs/content.ts';
import { FsDataset } from '../../sim/hdfs/datanode/dataset.ts';
import type { Replica } from '../../sim/hdfs/datanode/replica.ts';
import { initReplicaRecovery, recoverClose, recoverRbw, updateReplicaUnderRecovery } from '../../sim/hdfs/datanode/replica-ops.ts';
import { planSyncBlock } from '../../sim/hdfs/datanode/sync-block.ts';
import type { Block, BlockId, DatanodeName, GenStamp, ReplicaState } from '../../sim/hdfs/types.ts';
import { memDisk } from './helpers.ts';

const gs = (n: number): GenStamp => n as GenStamp;
const blk = (id: number, g: number, n = 0): Block => ({ blockId: id as BlockId, genStamp: gs(g), numBytes: n });
const noop = (): void => {};

function rbw(ds: FsDataset, id: number, g: number, bytes: number, acked: number): Replica {
  const r = ds.create(blk(id, g), 'RBW', 'client') as Replica;
  const c = chunksOf(1, 0, bytes, 512);
  ds.writeChunks(r, 0, c.words, c.lens, c.checksums);
  r.bytesAcked = acked;
  return r;
}

describe('ReplaceDatanodeOnFailure', () => {
  const s = (policy: 'NEVER' | 'DEFAULT' | 'ALWAYS', enable = true) => ({ replaceEnable: enable, replacePolicy: policy });
  it('DEFAULT replaces for r >= 3 when half or fewer remain, or after hflush', () => {
    expect(shouldReplace(s('DEFAULT'), 3, 1, false, false)).toBe(true);
    expect(shouldReplace(s('DEFAULT'), 3, 2, false, false)).toBe(false);
    expect(shouldReplace(s('DEFAULT'), 3, 2, false, true)).toBe(true);
    expect(shouldReplace(s('DEFAULT'), 2, 1, false, true)).toBe(false);
    expect(shouldReplace(s('DEFAULT'), 5, 2, false, false)).toBe(true);
    expect(shouldReplace(s('DEFAULT'), 5, 3, false, false)).toBe(false);
  });
  it('ALWAYS replaces any loss, NEVER and a disabled feature never do', () => {
    expect(shouldReplace(s('ALWAYS'), 2, 1, false, false)).toBe(true);
    expect(shouldReplace(s('ALWAYS'), 3, 3, false, false)).toBe(false);
    expect(shouldReplace(s('NEVER'), 3, 1, false, true)).toBe(false);
    expect(shouldReplace(s('ALWAYS', false), 3, 1, false, true)).toBe(false);
  });
});

describe('replica recovery transitions', () => {
  it('recoverRbw bumps the GS and cuts unacknowledged bytes', () => {
    const ds = new FsDataset(memDisk(), 'BP-1', 512);
    const r = rbw(ds, 1, 1001, 3000, 2048);
    const res = recoverRbw(ds, blk(1, 1001, 2048), gs(1002), 2048, 3000, noop);
    expect(res).toBe(r);
    expect(r).toMatchObject({ genStamp: 1002, bytesOnDisk: 2048, state: 'RBW' });
  });

  it('recoverRbw refuses a replica older than the block or one missing acknowledged bytes', () => {
    const ds = new FsDataset(memDisk(), 'BP-1', 512);
    rbw(ds, 1, 1001, 3000, 1000);
    expect(recoverRbw(ds, blk(1, 1002), gs(1003), 0, 3000, noop)).toMatch(/not in \[1002, 1003\]/);
    expect(recoverRbw(ds, blk(1, 1001), gs(1003), 2000, 3000, noop)).toMatch(/Unmatched length/);
  });

  it('recoverClose finalizes an RBW replica of the expected length with the new GS', () => {
    const ds = new FsDataset(memDisk(), 'BP-1', 512);
    const r = rbw(ds, 2, 1001, 4096, 4096);
    expect(recoverClose(ds, blk(2, 1001), gs(1005), 4096, noop)).toBe(r);
    expect(r).toMatchObject({ state: 'FINALIZED', genStamp: 1005 });
  });

  it('initReplicaRecovery turns a replica into RUR; a newer recovery supersedes an older one, never the reverse', () => {
    const ds = new FsDataset(memDisk(), 'BP-1', 512);
    rbw(ds, 3, 1001, 1500, 1500);
    let stopped = 0;
    const info = initReplicaRecovery(ds, blk(3, 1001), gs(1010), () => stopped++);
    expect(info).toEqual({ blockId: 3, genStamp: 1001, numBytes: 1500, originalState: 'RBW' });
    expect(stopped).toBe(1);
    expect(ds.get(3 as BlockId)!.state).toBe('RUR');
    expect(initReplicaRecovery(ds, blk(3, 1001), gs(1009), noop)).toMatch(/rur.getRecoveryID\(\) >= recoveryId/);
    expect(typeof initReplicaRecovery(ds, blk(3, 1001), gs(1011), noop)).toBe('object');
    const done = updateReplicaUnderRecovery(ds, blk(3, 1001), gs(1011), 1000);
    expect(done).toMatchObject({ state: 'FINALIZED', genStamp: 1011, bytesOnDisk: 1000 });
  });

  it('initReplicaRecovery refuses a stale replica (its GS below the block\'s)', () => {
    const ds = new FsDataset(memDisk(), 'BP-1', 512);
    rbw(ds, 4, 1001, 1500, 1500);
    expect(initReplicaRecovery(ds, blk(4, 1002), gs(1010), noop)).toMatch(/< block.getGenerationStamp/);
  });
});

describe('syncBlock (BlockRecoveryWorker)', () => {
  const a = (dn: string, g: number, n: number, s: ReplicaState) => ({ datanode: dn as DatanodeName, info: { blockId: 7 as BlockId, genStamp: gs(g), numBytes: n, originalState: s } });
  it('a finalized replica fixes the length; RBW replicas of that length join, others do not', () => {
    const p = planSyncBlock(blk(7, 1001), [a('dn-1', 1001, 4096, 'FINALIZED'), a('dn-2', 1001, 4096, 'RBW'), a('dn-3', 1001, 2048, 'RBW')]);
    expect(p).toEqual({ kind: 'sync', newLength: 4096, participants: ['dn-1', 'dn-2'], bestState: 'FINALIZED' });
  });
  it('RBW replicas sync to the shortest RBW length; RWR ones are left out', () => {
    const p = planSyncBlock(blk(7, 1001), [a('dn-1', 1001, 4096, 'RBW'), a('dn-2', 1001, 3000, 'RBW'), a('dn-3', 1001, 1000, 'RWR')]);
    expect(p).toEqual({ kind: 'sync', newLength: 3000, participants: ['dn-1', 'dn-2'], bestState: 'RBW' });
  });
  it('only RWR replicas: all of them at the shortest length', () => {
    const p = planSyncBlock(blk(7, 1001), [a('dn-1', 1001, 4096, 'RWR'), a('dn-2', 1001, 1000, 'RWR')]);
    expect(p).toEqual({ kind: 'sync', newLength: 1000, participants: ['dn-1', 'dn-2'], bestState: 'RWR' });
  });
  it('a stale-GS replica never takes part, even when it is the longest', () => {
    const p = planSyncBlock(blk(7, 1005), [a('dn-1', 1001, 9999, 'FINALIZED'), a('dn-2', 1005, 1000, 'RBW')]);
    expect(p).toEqual({ kind: 'sync', newLength: 1000, participants: ['dn-2'], bestState: 'RBW' });
  });
  it('no usable replica: the block is deleted', () => {
    expect(planSyncBlock(blk(7, 1005), [a('dn-1', 1001, 4096, 'FINALIZED')]).kind).toBe('delete');
  });
});
