import { describe, expect, it } from 'vitest';
import { Rng } from '../../sim/core/rng.ts';
import { SEC } from '../../sim/core/types.ts';
import type { ClientOptions } from '../../sim/hdfs/client/client.ts';
import { expectedDigest, seedOfPath } from '../../sim/hdfs/content.ts';
import type { DataNode } from '../../sim/hdfs/datanode/datanode.ts';
import type { BlockId, DatanodeName } from '../../sim/hdfs/types.ts';
import { MiB, rig, type Rig } from './fake-nn.ts';

const opts = (over: Partial<ClientOptions>): ClientOptions => ({
  namenode: 'nn', writes: [], pauseUs: 100_000, reads: [], readEveryUs: 0, verifyAtUs: null, ...over,
});
const write1 = { path: '/c', fileBytes: MiB, writeBytes: 64 * 1024, replication: 3, blockSize: MiB, hflushEveryBytes: 0, hsyncEveryBytes: 0 };

function dn(r: Rig, name: string): DataNode {
  return r.world.actors[r.world.pid(name)] as DataNode;
}

/** Flips one bit of the block file of blk `id` on DataNode `name` (the disk's corruption fault). */
function corrupt(r: Rig, name: string, id: number): void {
  const d = dn(r, name);
  const rep = d.dataset.get(id as BlockId)!;
  const host = r.world.hostOf(`w-${name.slice(3)}`);
  const hit = r.world.disks[host]!.corrupt(new Rng(7), `${name}/${d.dataset.blockPath(rep)}`);
  expect(hit).not.toBeNull();
}

describe('corrupt replicas', () => {
  it('a reader detects a flipped bit, reads another replica, and reports the bad one', () => {
    const r = rig(3, { 'client-1': opts({ writes: [write1] }), 'client-2': opts({ reads: ['/c'], readEveryUs: 50 * SEC }) });
    r.world.runUntil(40 * SEC); // past dirty_expire: the block files are on the media
    const f = r.nn().files.get('/c')!;
    const id = f.blocks[0]!.blockId;
    // The reader's host is on rack-1 and the stand-in NameNode lists replicas by name: dn-1 first.
    corrupt(r, 'dn-1', id);
    r.world.runUntil(55 * SEC);
    const reads = r.world.history.operations().filter((o) => o.f === 'read');
    expect(reads[0]?.status).toBe('ok');
    expect(reads[0]?.output).toEqual({ length: MiB, digest: expectedDigest(seedOfPath('/c'), MiB, 512) });
    expect(r.nn().badBlocks).toEqual([{ blockId: id, dn: 'dn-1' }]);
  });

  it('the block scanner finds the flipped bit and reports it', () => {
    const r = rig(3, { 'client-1': opts({ writes: [write1] }) }, { 'hdfs.dfs.datanode.scan.period.hours': 1 });
    r.world.runUntil(40 * SEC); // past dirty_expire: the block files are on the media
    const id = r.nn().files.get('/c')!.blocks[0]!.blockId;
    corrupt(r, 'dn-2', id);
    r.world.runUntil(3700 * SEC);
    expect(r.nn().badBlocks).toEqual([{ blockId: id, dn: 'dn-2' }]);
    expect(dn(r, 'dn-2').inspect()).toMatchObject({ corruptFound: 1 });
    expect(dn(r, 'dn-1').inspect()).toMatchObject({ corruptFound: 0 });
  });

  it('a transfer from a corrupt source is caught by the receiving DataNode, which reports the source', () => {
    const r = rig(4, { 'client-1': opts({ writes: [write1] }) });
    r.world.runUntil(40 * SEC); // past dirty_expire: the block files are on the media
    const f = r.nn().files.get('/c')!;
    const b = f.blocks[0]!;
    const holders = [...r.nn().replicas.get(b.blockId)!.keys()].sort();
    const src = holders[0]!;
    const target = r.datanodes.find((d) => !holders.includes(d.name))!.name;
    corrupt(r, src, b.blockId);
    r.nn().commands.set(src as DatanodeName, [{ action: 'DNA_TRANSFER', blocks: [b], targets: [[target]] }]);
    r.world.runUntil(50 * SEC);
    expect(r.nn().badBlocks).toEqual([{ blockId: b.blockId, dn: src }]);
    expect(dn(r, target).dataset.get(b.blockId)).toBeUndefined();
  });

  it('a clean transfer (re-replication) gives the target a finalized replica it reports', () => {
    const r = rig(4, { 'client-1': opts({ writes: [write1] }) });
    r.world.runUntil(40 * SEC); // past dirty_expire: the block files are on the media
    const b = r.nn().files.get('/c')!.blocks[0]!;
    const holders = [...r.nn().replicas.get(b.blockId)!.keys()].sort();
    const target = r.datanodes.find((d) => !holders.includes(d.name))!.name;
    r.nn().commands.set(holders[0]!, [{ action: 'DNA_TRANSFER', blocks: [b], targets: [[target]] }]);
    r.world.runUntil(50 * SEC);
    expect(r.nn().replicas.get(b.blockId)!.get(target)).toEqual({ gs: b.genStamp, len: MiB, status: 'RECEIVED_BLOCK' });
    expect(dn(r, target).dataset.get(b.blockId)).toMatchObject({ state: 'FINALIZED', bytesOnDisk: MiB });
  });
});
