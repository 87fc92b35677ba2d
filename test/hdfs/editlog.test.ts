import { describe, expect, it } from 'vitest';
import { md5Hex } from '../../sim/core/md5.ts';
import { decodeOpAt, encodeOp, OPCODES, type EditOp, type OpBody } from '../../sim/hdfs/namenode/edit-ops.ts';
import { EditLog } from '../../sim/hdfs/namenode/edit-log.ts';
import { HEADER_BYTES, scanSegment, writeSegmentHeader } from '../../sim/hdfs/namenode/edit-segment.ts';
import { deserializeImage, serializeImage } from '../../sim/hdfs/namenode/fsimage.ts';
import { Namespace } from '../../sim/hdfs/namenode/namespace.ts';
import { NNStorage } from '../../sim/hdfs/namenode/storage.ts';
import { finalizedEditsName, imageName, inProgressEditsName, md5Name, SEEN_TXID } from '../../sim/hdfs/namenode/storage-files.ts';
import type { BlockId, GenStamp, TxId } from '../../sim/hdfs/types.ts';
import { MemDisk, syncIO } from './nn-helpers.ts';

const LV = -64;
const blk = (id: number, gs: number, len: number) => ({ blockId: id as BlockId, genStamp: gs as GenStamp, numBytes: len });

const SAMPLE: OpBody[] = [
  { op: 'OP_MKDIR', inodeId: 16386, path: '/user', mtimeMs: 5 },
  { op: 'OP_ADD', inodeId: 16387, path: '/user/f', replication: 3, mtimeMs: 6, blockSize: 134217728, blocks: [], clientName: 'DFSClient_c1', clientMachine: 'c-1', overwrite: false },
  { op: 'OP_ALLOCATE_BLOCK_ID', blockId: 1073741825 as BlockId },
  { op: 'OP_SET_GENSTAMP_V2', genStamp: 1001 as GenStamp },
  { op: 'OP_ADD_BLOCK', path: '/user/f', penultimate: null, last: blk(1073741825, 1001, 0) },
  { op: 'OP_UPDATE_BLOCKS', path: '/user/f', blocks: [blk(1073741825, 1001, 0)] },
  { op: 'OP_CLOSE', path: '/user/f', replication: 3, mtimeMs: 9, blockSize: 134217728, blocks: [blk(1073741825, 1001, 4096)] },
  { op: 'OP_SET_REPLICATION', path: '/user/f', replication: 2 },
  { op: 'OP_TIMES', path: '/user/f', mtimeMs: 10, atimeMs: 11 },
  { op: 'OP_RENAME_OLD', src: '/user/f', dst: '/user/g', mtimeMs: 12 },
  { op: 'OP_DELETE', path: '/user/g', mtimeMs: 13 },
];

/** A fresh NameNode storage: formatted, with an open segment at txid 1. */
function freshLog(disk = new MemDisk()): { disk: MemDisk; storage: NNStorage; log: EditLog; ns: Namespace } {
  const storage = new NNStorage(disk, syncIO, [-63, -64]);
  storage.format(7, LV, (err) => expect(err).toBeNull());
  const ns = new Namespace();
  const log = new EditLog(disk, syncIO, LV, 0 as TxId, (op) => ns.apply(op));
  log.startLogSegment(() => {});
  return { disk, storage, log, ns };
}

function logAll(log: EditLog, ns: Namespace, bodies: readonly OpBody[]): EditOp[] {
  const ops = bodies.map((b) => log.logEdit(b));
  expect(ns.lastAppliedTxId).toBe(log.lastWrittenTxId);
  return ops;
}

describe('edit-log op records (FSEditLogOp.Writer / Reader)', () => {
  it('every op kind round-trips through its bytes: opcode, length, txid, fields, CRC32', () => {
    SAMPLE.forEach((body, i) => {
      const op = { ...body, txid: (i + 1) as TxId } as EditOp;
      const bytes = encodeOp(op);
      expect(bytes[0]).toBe(OPCODES[op.op]);
      expect(new DataView(bytes.buffer).getInt32(1)).toBe(bytes.length - 5);
      const r = decodeOpAt(bytes, 0);
      expect(r).toEqual({ kind: 'op', op, end: bytes.length });
    });
  });

  it('a flipped bit fails the checksum; a short record is torn; 0xFF or the end of the file is the end of the log', () => {
    const bytes = encodeOp({ op: 'OP_MKDIR', inodeId: 16386, path: '/a', mtimeMs: 1, txid: 4 as TxId });
    const flipped = bytes.slice();
    flipped[12]! ^= 0x10;
    expect(decodeOpAt(flipped, 0)).toMatchObject({ kind: 'bad', reason: expect.stringContaining('checksum mismatch') });
    expect(decodeOpAt(bytes.slice(0, bytes.length - 3), 0)).toMatchObject({ kind: 'bad', reason: expect.stringContaining('torn record') });
    expect(decodeOpAt(new Uint8Array([0xff, 0, 0]), 0)).toEqual({ kind: 'eof' });
    expect(decodeOpAt(bytes, bytes.length)).toEqual({ kind: 'eof' });
  });
});

describe('edit-log segments and recovery (FileJournalManager, EditLogFileInputStream)', () => {
  it('a roll finalizes edits_<start>-<end> with OP_END_LOG_SEGMENT and opens the next segment with OP_START_LOG_SEGMENT; seen_txid follows', () => {
    const { disk, log, ns } = freshLog();
    logAll(log, ns, SAMPLE.slice(0, 3));
    let rolled: TxId | null = null;
    log.rollEditLog((newTxId) => {
      rolled = newTxId;
    });
    expect(rolled).toBe(6);
    expect(disk.exists(finalizedEditsName(1, 5))).toBe(true);
    expect(disk.exists(inProgressEditsName(6))).toBe(true);
    expect(new TextDecoder().decode(disk.readAll(SEEN_TXID) as Uint8Array)).toBe('6\n');
    const scan = scanSegment(disk.readAll(finalizedEditsName(1, 5)) as Uint8Array, [-64]);
    expect(scan.ops.map((o) => [o.txid, o.op])).toEqual([[1, 'OP_START_LOG_SEGMENT'], [2, 'OP_MKDIR'], [3, 'OP_ADD'], [4, 'OP_ALLOCATE_BLOCK_ID'], [5, 'OP_END_LOG_SEGMENT']]);
    expect(scan.damage).toBeNull();
  });

  it('a torn tail of the in-progress segment is cut: the segment is finalized at the last whole op and replay stops there', () => {
    const { disk, storage, log, ns } = freshLog();
    logAll(log, ns, SAMPLE.slice(0, 4));
    const path = inProgressEditsName(1);
    const full = disk.readAll(path) as Uint8Array;
    const lastOp = encodeOp({ ...SAMPLE[3]!, txid: 5 as TxId } as EditOp);
    // A power loss tore the last record: only its first 9 bytes reached the media.
    disk.truncate(path, full.length - lastOp.length + 9);
    const notes = storage.recoverUnfinalizedSegments();
    expect(notes[0]).toMatch(/finalized .*edits_inprogress_0000000000000000001 as .*edits_0000000000000000001-0000000000000000004; ignored a damaged tail after txid 4 \(torn record/);
    const loaded = storage.load();
    if ('fatal' in loaded) throw new Error(loaded.fatal);
    expect(loaded.ns.lastAppliedTxId).toBe(4);
    expect(loaded.ns.resolve('/user/f')?.kind).toBe('file');
    expect(loaded.ns.lastBlockId).toBe(1073741825);
    expect(loaded.ns.genStamp).toBe(1000);
  });

  it('garbage after the last whole op (a bit-flipped record) is ignored the same way; the bytes stay in the file', () => {
    const { disk, storage, log, ns } = freshLog();
    logAll(log, ns, SAMPLE.slice(0, 2));
    const path = inProgressEditsName(1);
    const before = (disk.readAll(path) as Uint8Array).length;
    const garbage = encodeOp({ ...SAMPLE[2]!, txid: 4 as TxId } as EditOp);
    garbage[garbage.length - 1]! ^= 1;
    disk.append(path, garbage);
    storage.recoverUnfinalizedSegments();
    const seg = finalizedEditsName(1, 3);
    expect((disk.readAll(seg) as Uint8Array).length).toBe(before + garbage.length);
    const scan = scanSegment(disk.readAll(seg) as Uint8Array, [-64], 3 as TxId);
    expect(scan.lastTxId).toBe(3);
    expect(scan.damage).toBeNull();
  });

  it('an in-progress segment with only its header is moved aside as .empty; one with a bad header as .corrupt', () => {
    const disk = new MemDisk();
    const storage = new NNStorage(disk, syncIO, [-64]);
    disk.append(inProgressEditsName(8), writeSegmentHeader(LV));
    disk.append(inProgressEditsName(9), new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9]));
    storage.recoverUnfinalizedSegments();
    expect(disk.list('current/')).toEqual([`${inProgressEditsName(8)}.empty`, `${inProgressEditsName(9)}.corrupt`]);
    expect(HEADER_BYTES).toBe(8);
  });

  it('a missing segment between the image and later edits stops the NameNode (gap in the edit log)', () => {
    const { disk, storage, log, ns } = freshLog();
    logAll(log, ns, SAMPLE.slice(0, 3));
    log.rollEditLog(() => {});
    logAll(log, ns, SAMPLE.slice(3, 5));
    log.rollEditLog(() => {});
    disk.delete(finalizedEditsName(1, 5));
    const loaded = storage.load();
    expect(loaded).toEqual({ fatal: 'There appears to be a gap in the edit log. We expected txid 1, but got txid 6.' });
  });

  it('edits lost below seen_txid stop the NameNode (checkForGaps)', () => {
    const { disk, storage, log, ns } = freshLog();
    logAll(log, ns, SAMPLE.slice(0, 3));
    log.rollEditLog(() => {});
    logAll(log, ns, SAMPLE.slice(3, 5));
    disk.delete(inProgressEditsName(6));
    storage.recoverUnfinalizedSegments();
    expect(storage.load()).toMatchObject({ fatal: expect.stringContaining('Gap in transactions. Expected to be able to read up until at least txid 6') });
  });

  it('fsync is group commit: ops logged while a sync runs are acknowledged by the next one, never before', () => {
    const disk = new MemDisk();
    const pending: (() => void)[] = [];
    const io = { fsync: (_p: string, done: (e: string | null) => void) => pending.push(() => done(null)), fatal: (r: string) => { throw new Error(r); } };
    const log = new EditLog(disk, io, LV, 0 as TxId, () => {});
    log.startLogSegment(() => {});
    // startLogSegment: seen_txid fsync and the segment's first sync.
    while (pending.length > 0) pending.shift()!();
    const acked: number[] = [];
    const a = log.logEdit(SAMPLE[0]!);
    const b = log.logEdit(SAMPLE[1]!);
    log.logSync(a.txid, () => acked.push(a.txid));
    log.logSync(b.txid, () => acked.push(b.txid));
    expect(pending.length).toBe(1); // one sync covers both
    expect(acked).toEqual([]);
    pending.shift()!();
    expect(acked).toEqual([2, 3]);
    const c = log.logEdit(SAMPLE[2]!);
    log.logSync(c.txid, () => acked.push(c.txid));
    // d is logged while c's sync runs: it waits for the next sync
    const d = log.logEdit(SAMPLE[3]!);
    log.logSync(d.txid, () => acked.push(d.txid));
    expect(pending.length).toBe(1);
    pending.shift()!();
    expect(acked).toEqual([2, 3, 4]);
    expect(pending.length).toBe(1);
    pending.shift()!();
    expect(acked).toEqual([2, 3, 4, 5]);
    expect(log.syncedTxId).toBe(5);
  });
});

describe('fsimage and its .md5 (FSImage.saveFSImage, MD5FileUtils)', () => {
  it('an image round-trips to the same namespace digest, and replay from it equals replay from txid 1', () => {
    const { log, ns } = freshLog();
    logAll(log, ns, SAMPLE.slice(0, 7));
    const bytes = serializeImage(ns, { layoutVersion: LV, namespaceId: 7 });
    const r = deserializeImage(bytes);
    if (typeof r === 'string') throw new Error(r);
    expect(r.ns.digest()).toBe(ns.digest());
    expect(r.info).toEqual({ layoutVersion: LV, namespaceId: 7, txid: 8 });
    expect([...r.ns.walk()].map((n) => r.ns.pathOf(n))).toEqual(['/', '/user', '/user/f']);
  });

  it('save writes fsimage_<txid> and "<md5> *fsimage_<txid>"; a corrupt image falls back to the older one and replays the edits', () => {
    const { disk, storage, log, ns } = freshLog();
    logAll(log, ns, SAMPLE.slice(0, 7));
    storage.saveImage(ns, 7, LV, (err, txid, md5) => {
      expect(err).toBeNull();
      expect(txid).toBe(8);
      expect(new TextDecoder().decode(disk.readAll(md5Name(imageName(8))) as Uint8Array)).toBe(`${md5} *fsimage_0000000000000000008\n`);
      expect(md5).toBe(md5Hex(disk.readAll(imageName(8)) as Uint8Array));
    });
    const digest = ns.digest();
    log.rollEditLog(() => {});
    const img = disk.readAll(imageName(8)) as Uint8Array;
    img[20]! ^= 4;
    disk.files.set(imageName(8), img);
    storage.recoverUnfinalizedSegments();
    const loaded = storage.load();
    if ('fatal' in loaded) throw new Error(loaded.fatal);
    expect(loaded.notes[0]).toMatch(/^Image file current\/fsimage_0000000000000000008 is corrupt with MD5 checksum of [0-9a-f]{32} but expecting/);
    expect(loaded.imageTxId).toBe(0);
    expect(loaded.ns.lastAppliedTxId).toBe(10);
    expect(loaded.ns.digest()).toBe(digest); // the roll's ops do not change the namespace
    expect(loaded.ns.digest()).not.toBe(new Namespace().digest());
  });

  it('retention keeps dfs.namenode.num.checkpoints.retained images and the edits a restart from the oldest needs', () => {
    const { disk, storage, log, ns } = freshLog();
    for (let round = 0; round < 3; round++) {
      logAll(log, ns, [{ op: 'OP_MKDIR', inodeId: 16386 + round, path: `/d${round}`, mtimeMs: round }]);
      log.rollEditLog(() => {});
      storage.saveImage(ns, 7, LV, (err) => expect(err).toBeNull());
    }
    const purged = storage.purgeOldStorage({ numCheckpointsRetained: 2, numExtraEditsRetained: 0, maxExtraEditsSegmentsRetained: 0 });
    const images = disk.list('current/fsimage_').filter((f) => !f.endsWith('.md5'));
    // images at 0, 4, 7, 10: keep 7 and 10; a restart from 7 needs txids from 8 on
    expect(images).toEqual([imageName(7), imageName(10)]);
    expect(purged).toEqual([imageName(4), imageName(0), finalizedEditsName(1, 3), finalizedEditsName(4, 6)]);
    expect(disk.exists(finalizedEditsName(7, 9))).toBe(true);
    storage.recoverUnfinalizedSegments();
    const loaded = storage.load();
    if ('fatal' in loaded) throw new Error(loaded.fatal);
    expect(loaded.ns.digest()).toBe(ns.digest());
  });
});

