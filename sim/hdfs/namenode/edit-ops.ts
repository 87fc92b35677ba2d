import { crc32 } from '../../core/crc32.ts';
import { ByteReader, ByteWriter, ShortRead } from '../../core/data-io.ts';
import type { Block, BlockId, GenStamp, TxId } from '../types.ts';

// Edit-log op records as bytes (FSEditLogOp, FSEditLogOpCodes, FSEditLogOp.Writer / Reader).
//
// Record framing, as Hadoop writes it in the layouts with EDITS_CHECKSUM and EDITLOG_LENGTH:
//   opcode:u8 | length:i32 | txid:i64 | fields | checksum:i32
// where `length` counts the bytes after itself up to and including the checksum, and the checksum
// is CRC32 (PureJavaCrc32) over opcode..fields. A 0xFF opcode (OP_INVALID) marks the end of a log.
// Deviation (README): the fields of each op are dsim's compact encoding (strings as i32 length +
// UTF-8, longs as i64), not Writable/protobuf field layouts, and only the fields dsim models.
//
// The ByteWriter/ByteReader pair (sim/core/data-io.ts, shared with ZooKeeper): big-endian like Java's
// DataOutputStream.

/** FSEditLogOpCodes (the ops dsim writes). */
export const OPCODES = {
  OP_ADD: 0,
  OP_RENAME_OLD: 1,
  OP_DELETE: 2,
  OP_MKDIR: 3,
  OP_SET_REPLICATION: 4,
  OP_CLOSE: 9,
  OP_TIMES: 13,
  OP_REASSIGN_LEASE: 22,
  OP_END_LOG_SEGMENT: 23,
  OP_START_LOG_SEGMENT: 24,
  OP_UPDATE_BLOCKS: 25,
  OP_SET_GENSTAMP_V2: 31,
  OP_ALLOCATE_BLOCK_ID: 32,
  OP_ADD_BLOCK: 33,
} as const;
export type OpName = keyof typeof OPCODES;
export const OP_INVALID = 0xff;

const NAME_OF = new Map<number, OpName>(Object.entries(OPCODES).map(([k, v]) => [v, k as OpName]));

/** Fields of each op, without its txid. */
export type OpBody =
  | { readonly op: 'OP_START_LOG_SEGMENT' }
  | { readonly op: 'OP_END_LOG_SEGMENT' }
  | { readonly op: 'OP_MKDIR'; readonly inodeId: number; readonly path: string; readonly mtimeMs: number }
  | {
      // AddOp: create (or overwrite) a file under construction.
      readonly op: 'OP_ADD';
      readonly inodeId: number;
      readonly path: string;
      readonly replication: number;
      readonly mtimeMs: number;
      readonly blockSize: number;
      readonly blocks: readonly Block[];
      readonly clientName: string;
      readonly clientMachine: string;
      readonly overwrite: boolean;
    }
  | {
      // CloseOp: the file is complete; blocks carry their final lengths.
      readonly op: 'OP_CLOSE';
      readonly path: string;
      readonly replication: number;
      readonly mtimeMs: number;
      readonly blockSize: number;
      readonly blocks: readonly Block[];
    }
  | { readonly op: 'OP_ADD_BLOCK'; readonly path: string; readonly penultimate: Block | null; readonly last: Block }
  | { readonly op: 'OP_UPDATE_BLOCKS'; readonly path: string; readonly blocks: readonly Block[] }
  | { readonly op: 'OP_DELETE'; readonly path: string; readonly mtimeMs: number }
  // RenameOldOp: what ClientProtocol.rename(src, dst) logs (FSEditLog.logRename); OP_RENAME (15) is rename2's.
  | { readonly op: 'OP_RENAME_OLD'; readonly src: string; readonly dst: string; readonly mtimeMs: number }
  | { readonly op: 'OP_SET_REPLICATION'; readonly path: string; readonly replication: number }
  | { readonly op: 'OP_TIMES'; readonly path: string; readonly mtimeMs: number; readonly atimeMs: number }
  | { readonly op: 'OP_SET_GENSTAMP_V2'; readonly genStamp: GenStamp }
  | { readonly op: 'OP_ALLOCATE_BLOCK_ID'; readonly blockId: BlockId }
  | { readonly op: 'OP_REASSIGN_LEASE'; readonly leaseHolder: string; readonly path: string; readonly newHolder: string };

export type EditOp = OpBody & { readonly txid: TxId };

/** Bytes of the record frame around the fields: opcode, length, txid, checksum. */
export const OP_FRAME_BYTES = 1 + 4 + 8 + 4;

function writeBlock(w: ByteWriter, b: Block): void {
  w.i64(b.blockId).i64(b.numBytes).i64(b.genStamp);
}

function readBlock(r: ByteReader): Block {
  const blockId = r.i64() as BlockId;
  const numBytes = r.i64();
  const genStamp = r.i64() as GenStamp;
  return { blockId, genStamp, numBytes };
}

function writeBlocks(w: ByteWriter, bs: readonly Block[]): void {
  w.i32(bs.length);
  for (const b of bs) writeBlock(w, b);
}

function readBlocks(r: ByteReader): Block[] {
  const n = r.i32();
  if (n < 0 || n > r.remaining / 24) throw new ShortRead(`bad block count ${n}`);
  const out: Block[] = [];
  for (let i = 0; i < n; i++) out.push(readBlock(r));
  return out;
}

function writeFields(w: ByteWriter, o: OpBody): void {
  switch (o.op) {
    case 'OP_START_LOG_SEGMENT':
    case 'OP_END_LOG_SEGMENT':
      return;
    case 'OP_MKDIR':
      w.i64(o.inodeId).str(o.path).i64(o.mtimeMs);
      return;
    case 'OP_ADD':
      w.i64(o.inodeId).str(o.path).i32(o.replication).i64(o.mtimeMs).i64(o.blockSize);
      writeBlocks(w, o.blocks);
      w.str(o.clientName).str(o.clientMachine).bool(o.overwrite);
      return;
    case 'OP_CLOSE':
      w.str(o.path).i32(o.replication).i64(o.mtimeMs).i64(o.blockSize);
      writeBlocks(w, o.blocks);
      return;
    case 'OP_ADD_BLOCK':
      w.str(o.path).bool(o.penultimate !== null);
      if (o.penultimate !== null) writeBlock(w, o.penultimate);
      writeBlock(w, o.last);
      return;
    case 'OP_UPDATE_BLOCKS':
      w.str(o.path);
      writeBlocks(w, o.blocks);
      return;
    case 'OP_DELETE':
      w.str(o.path).i64(o.mtimeMs);
      return;
    case 'OP_RENAME_OLD':
      w.str(o.src).str(o.dst).i64(o.mtimeMs);
      return;
    case 'OP_SET_REPLICATION':
      w.str(o.path).i32(o.replication);
      return;
    case 'OP_TIMES':
      w.str(o.path).i64(o.mtimeMs).i64(o.atimeMs);
      return;
    case 'OP_SET_GENSTAMP_V2':
      w.i64(o.genStamp);
      return;
    case 'OP_ALLOCATE_BLOCK_ID':
      w.i64(o.blockId);
      return;
    case 'OP_REASSIGN_LEASE':
      w.str(o.leaseHolder).str(o.path).str(o.newHolder);
      return;
  }
}

function readFields(r: ByteReader, op: OpName): OpBody {
  switch (op) {
    case 'OP_START_LOG_SEGMENT':
    case 'OP_END_LOG_SEGMENT':
      return { op };
    case 'OP_MKDIR':
      return { op, inodeId: r.i64(), path: r.str(), mtimeMs: r.i64() };
    case 'OP_ADD': {
      const inodeId = r.i64();
      const path = r.str();
      const replication = r.i32();
      const mtimeMs = r.i64();
      const blockSize = r.i64();
      const blocks = readBlocks(r);
      return { op, inodeId, path, replication, mtimeMs, blockSize, blocks, clientName: r.str(), clientMachine: r.str(), overwrite: r.bool() };
    }
    case 'OP_CLOSE': {
      const path = r.str();
      const replication = r.i32();
      const mtimeMs = r.i64();
      const blockSize = r.i64();
      return { op, path, replication, mtimeMs, blockSize, blocks: readBlocks(r) };
    }
    case 'OP_ADD_BLOCK': {
      const path = r.str();
      const penultimate = r.bool() ? readBlock(r) : null;
      return { op, path, penultimate, last: readBlock(r) };
    }
    case 'OP_UPDATE_BLOCKS':
      return { op, path: r.str(), blocks: readBlocks(r) };
    case 'OP_DELETE':
      return { op, path: r.str(), mtimeMs: r.i64() };
    case 'OP_RENAME_OLD':
      return { op, src: r.str(), dst: r.str(), mtimeMs: r.i64() };
    case 'OP_SET_REPLICATION':
      return { op, path: r.str(), replication: r.i32() };
    case 'OP_TIMES':
      return { op, path: r.str(), mtimeMs: r.i64(), atimeMs: r.i64() };
    case 'OP_SET_GENSTAMP_V2':
      return { op, genStamp: r.i64() as GenStamp };
    case 'OP_ALLOCATE_BLOCK_ID':
      return { op, blockId: r.i64() as BlockId };
    case 'OP_REASSIGN_LEASE':
      return { op, leaseHolder: r.str(), path: r.str(), newHolder: r.str() };
  }
}

const scratch = new ByteWriter(1024);

/** One op record's bytes (FSEditLogOp.Writer.writeOp). */
export function encodeOp(o: EditOp): Uint8Array {
  const w = scratch;
  w.reset();
  w.u8(OPCODES[o.op]).i32(0).i64(o.txid);
  writeFields(w, o);
  const body = w.finish();
  const out = new Uint8Array(body.length + 4);
  out.set(body);
  const v = new DataView(out.buffer);
  v.setInt32(1, body.length - 5 + 4);
  v.setInt32(body.length, crc32(out, 0, body.length) | 0);
  return out;
}

/** What the reader found at a position of an edit-log file. */
export type ReadResult =
  | { readonly kind: 'op'; readonly op: EditOp; readonly end: number }
  /** End of the log: the end of the file or an OP_INVALID byte. */
  | { readonly kind: 'eof' }
  /** A record that cannot be read: torn (too short) or corrupt (bad checksum, opcode, fields). */
  | { readonly kind: 'bad'; readonly reason: string };

/** Maximum op size (dfs.namenode.max.op.size, 50 MiB): a larger length field is corruption. */
export const MAX_OP_SIZE = 50 * 1024 * 1024;

/** FSEditLogOp.Reader.readOp: decodes the record at `pos`, verifying length and checksum. */
export function decodeOpAt(buf: Uint8Array, pos: number): ReadResult {
  if (pos >= buf.length || buf[pos] === OP_INVALID) return { kind: 'eof' };
  const opcode = buf[pos]!;
  const name = NAME_OF.get(opcode);
  if (name === undefined) return { kind: 'bad', reason: `invalid opcode ${opcode} at offset ${pos}` };
  if (pos + 5 > buf.length) return { kind: 'bad', reason: `torn record at offset ${pos}: no length` };
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const length = view.getInt32(pos + 1);
  if (length < 12 || length > MAX_OP_SIZE) return { kind: 'bad', reason: `invalid op length ${length} at offset ${pos}` };
  const end = pos + 5 + length;
  if (end > buf.length) return { kind: 'bad', reason: `torn record at offset ${pos}: ${buf.length - pos} of ${length + 5} bytes` };
  const sum = view.getInt32(end - 4) >>> 0;
  const actual = crc32(buf, pos, end - 4);
  if (sum !== actual) return { kind: 'bad', reason: `checksum mismatch at offset ${pos} (stored ${sum.toString(16)}, computed ${actual.toString(16)})` };
  const r = new ByteReader(buf, pos + 5, end - 4);
  try {
    const txid = r.i64() as TxId;
    const body = readFields(r, name);
    if (r.remaining !== 0) return { kind: 'bad', reason: `${r.remaining} trailing bytes in ${name} at offset ${pos}` };
    return { kind: 'op', op: { ...body, txid } as EditOp, end };
  } catch (e) {
    if (e instanceof ShortRead) return { kind: 'bad', reason: `malformed ${name} at offset ${pos}: ${e.message}` };
    throw e;
  }
}

/** A one-line description of an op for annotations and inspect(). */
export function describeOp(o: EditOp): string {
  switch (o.op) {
    case 'OP_START_LOG_SEGMENT':
    case 'OP_END_LOG_SEGMENT':
      return `${o.op} txid=${o.txid}`;
    case 'OP_RENAME_OLD':
      return `${o.op} txid=${o.txid} ${o.src} -> ${o.dst}`;
    case 'OP_SET_GENSTAMP_V2':
      return `${o.op} txid=${o.txid} genstamp=${o.genStamp}`;
    case 'OP_ALLOCATE_BLOCK_ID':
      return `${o.op} txid=${o.txid} blockId=${o.blockId}`;
    default:
      return `${o.op} txid=${o.txid} ${o.path}`;
  }
}
