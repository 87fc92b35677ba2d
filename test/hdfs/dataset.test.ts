import { describe, expect, it } from 'vitest';
import { CHUNK_RECORD_BYTES, chunksDigest, chunksOf, expectedDigest, firstBadChunk } from '../../sim/hdfs/content.ts';
import { FsDataset } from '../../sim/hdfs/datanode/dataset.ts';
import type { Replica } from '../../sim/hdfs/datanode/replica.ts';
import type { Block, BlockId, GenStamp } from '../../sim/hdfs/types.ts';
import { memDisk } from './helpers.ts';

const BPC = 512;
const SEED = 7;
const blk = (id: number, gs: number, n = 0): Block => ({ blockId: id as BlockId, genStamp: gs as GenStamp, numBytes: n });

function writeBytes(ds: FsDataset, r: Replica, fileOffset: number, offsetInBlock: number, length: number): void {
  const c = chunksOf(SEED, fileOffset, length, BPC);
  expect(ds.writeChunks(r, offsetInBlock, c.words, c.lens, c.checksums)).toBeNull();
}

function readAll(ds: FsDataset, r: Replica): { words: number[]; lens: number[]; checksums: number[] } {
  return ds.readChunks(r, 0, Math.ceil(r.bytesOnDisk / BPC))!;
}

describe('FsDataset', () => {
  it('a replica whose setup fails on a full disk leaves no file behind, so a later copy is not refused with EEXIST', () => {
    const disk = memDisk();
    const ds = new FsDataset(disk, 'BP-1', BPC);
    const append = disk.append;
    disk.append = () => 'ENOSPC';
    expect(ds.create(blk(9, 1001), 'TEMPORARY', '')).toBe('write meta header: ENOSPC');
    expect(disk.list()).toEqual([]);
    disk.append = append;
    expect(typeof ds.create(blk(9, 1001), 'TEMPORARY', '')).toBe('object');
  });

  it('stores a replica as chunk records and CRC32Cs that read back with the content digest', () => {
    const ds = new FsDataset(memDisk(), 'BP-1', BPC);
    const r = ds.create(blk(1, 1001), 'RBW', 'client-1') as Replica;
    writeBytes(ds, r, 0, 0, 65536);
    writeBytes(ds, r, 65536, 65536, 1000);
    expect(r.bytesOnDisk).toBe(66536);
    expect(ds.finalize(r)).toBeNull();
    expect(r.state).toBe('FINALIZED');
    const c = readAll(ds, r);
    expect(firstBadChunk(c.words, c.lens, c.checksums)).toBe(-1);
    expect(chunksDigest(c.words, c.lens)).toBe(expectedDigest(SEED, 66536, BPC));
  });

  it('detects a flipped bit of the block file in exactly the chunk that holds it', () => {
    const disk = memDisk();
    const ds = new FsDataset(disk, 'BP-1', BPC);
    const r = ds.create(blk(2, 1001), 'RBW', 'client-1') as Replica;
    writeBytes(ds, r, 0, 0, 10 * BPC);
    ds.finalize(r);
    disk.flip(ds.blockPath(r), 5 * CHUNK_RECORD_BYTES + 2, 0x10);
    const c = readAll(ds, r);
    expect(firstBadChunk(c.words, c.lens, c.checksums)).toBe(5);
  });

  it('detects a flipped bit of the meta file too', () => {
    const disk = memDisk();
    const ds = new FsDataset(disk, 'BP-1', BPC);
    const r = ds.create(blk(3, 1001), 'RBW', 'client-1') as Replica;
    writeBytes(ds, r, 0, 0, 4 * BPC);
    disk.flip(ds.metaPath(r), 7 + 3 * 4, 0x01);
    const c = readAll(ds, r);
    expect(firstBadChunk(c.words, c.lens, c.checksums)).toBe(3);
  });

  it('after a restart an RBW replica is RWR with the length whose checksums are valid; tmp is emptied', () => {
    const disk = memDisk();
    const ds = new FsDataset(disk, 'BP-1', BPC);
    const fin = ds.create(blk(10, 1001), 'RBW', 'c') as Replica;
    writeBytes(ds, fin, 0, 0, 3000);
    ds.finalize(fin);
    const rbw = ds.create(blk(11, 1002), 'RBW', 'c') as Replica;
    writeBytes(ds, rbw, 0, 0, 2000);
    const bad = ds.create(blk(12, 1003), 'RBW', 'c') as Replica;
    writeBytes(ds, bad, 0, 0, 4 * BPC);
    disk.flip(ds.blockPath(bad), 3 * CHUNK_RECORD_BYTES, 0x80);
    const tmp = ds.create(blk(13, 1004), 'TEMPORARY', 'dn-2') as Replica;
    writeBytes(ds, tmp, 0, 0, 100);

    const again = new FsDataset(disk, 'BP-1', BPC);
    const rep = again.load();
    expect(rep).toEqual({ finalized: 1, rwr: 2, tmpDeleted: 2, truncated: 1 });
    expect(again.get(10 as BlockId)).toMatchObject({ state: 'FINALIZED', bytesOnDisk: 3000 });
    expect(again.get(11 as BlockId)).toMatchObject({ state: 'RWR', bytesOnDisk: 2000, genStamp: 1002 });
    expect(again.get(12 as BlockId)).toMatchObject({ state: 'RWR', bytesOnDisk: 3 * BPC });
    expect(again.get(13 as BlockId)).toBeUndefined();
  });

  it('truncation keeps a partial chunk valid (recoverRbw cuts back to the acked length)', () => {
    const ds = new FsDataset(memDisk(), 'BP-1', BPC);
    const r = ds.create(blk(20, 1001), 'RBW', 'c') as Replica;
    writeBytes(ds, r, 0, 0, 5000);
    expect(ds.truncate(r, 1300)).toBeNull();
    const c = readAll(ds, r);
    expect(firstBadChunk(c.words, c.lens, c.checksums)).toBe(-1);
    expect(chunksDigest(c.words, c.lens)).toBe(expectedDigest(SEED, 1300, BPC));
  });

  it('a generation stamp bump renames the meta file and never goes back', () => {
    const ds = new FsDataset(memDisk(), 'BP-1', BPC);
    const r = ds.create(blk(30, 1001), 'RBW', 'c') as Replica;
    expect(ds.bumpGenStamp(r, 1005 as GenStamp)).toBeNull();
    expect(ds.metaPath(r)).toBe('current/BP-1/current/rbw/blk_30_1005.meta');
    expect(() => ds.bumpGenStamp(r, 1004 as GenStamp)).toThrow(/would go back/);
  });
});
