// The transaction log on the simulated disk (FileTxnLog.java): files `version-2/log.<zxid>` named
// by the first zxid they hold, each a 16-byte header (magic "ZKLG", version 2, dbid 0) followed by
// records [Adler32 checksum: 8 bytes][length: 4][txn bytes][0x42 'B' end-of-record]. Appends go
// to the page cache; durability comes from fsync, which the caller (LogSyncer) batches. A new file
// is started after every snapshot (rollLog).
//
// Recovery reads every file and stops at the first record that is short, has a bad length or
// checksum, or lacks its end marker: a torn write from a power loss. That tail is cut off (and any
// later file removed), so the log again ends with a valid record. ZooKeeper preallocates files
// and refuses to start on a checksum error in the middle of a log; the simulator drops the tail
// instead, as the issue asks, and says so in the trace.

import type { DiskView } from '../core/actor.ts';
import { invariant } from '../core/invariant.ts';
import { ByteReader, ByteWriter, ShortRead, adler32 } from './bytes.ts';
import { deserializeTxn, type Txn } from './txn.ts';
import { formatZxid, parseZxid, zxidFileSuffix, type Zxid } from './zxid.ts';

export const LOG_DIR = 'version-2/';
const MAGIC = 0x5a4b4c47; // "ZKLG"
const HEADER_BYTES = 16;
const EOR = 0x42;

export interface LogRecord {
  readonly txn: Txn;
  readonly bytes: Uint8Array;
}

interface LogFile {
  readonly path: string;
  readonly startZxid: Zxid;
}

export interface ScanResult {
  readonly records: LogRecord[];
  /** Bytes of the file that hold the header and valid records. */
  readonly validBytes: number;
  /** Why the scan stopped before the end of the file, if it did. */
  readonly damage: string | null;
}

/** Parses one log file's bytes. */
export function scanLog(data: Uint8Array, afterZxid: Zxid = -1): ScanResult {
  if (data.length < HEADER_BYTES) return { records: [], validBytes: 0, damage: data.length === 0 ? null : 'short header' };
  const hr = new ByteReader(data);
  if (hr.u32() !== MAGIC || hr.i32() !== 2) return { records: [], validBytes: 0, damage: 'bad header' };
  const records: LogRecord[] = [];
  let pos = HEADER_BYTES;
  let damage: string | null = null;
  let lastZxid = -1;
  while (pos < data.length) {
    const r = new ByteReader(data, pos);
    try {
      const crc = r.i64();
      const len = r.i32();
      if (len <= 0 || len > data.length - r.pos - 1) {
        damage = `record at ${pos}: bad length ${len}`;
        break;
      }
      const start = r.pos;
      const bytes = r.raw(len);
      if (r.u8() !== EOR) {
        damage = `record at ${pos}: missing end-of-record marker`;
        break;
      }
      if (adler32(data, start, start + len) !== crc) {
        damage = `record at ${pos}: checksum mismatch`;
        break;
      }
      const txn = deserializeTxn(bytes);
      if (txn.zxid <= lastZxid) {
        damage = `record at ${pos}: zxid 0x${txn.zxid.toString(16)} not after 0x${lastZxid.toString(16)}`;
        break;
      }
      lastZxid = txn.zxid;
      if (txn.zxid > afterZxid) records.push({ txn, bytes: bytes.slice() });
      pos = r.pos;
    } catch (e) {
      if (!(e instanceof ShortRead) && !(e instanceof RangeError)) throw e;
      damage = `record at ${pos}: ${e.message}`;
      break;
    }
  }
  return { records, validBytes: pos, damage };
}

const recordWriter = new ByteWriter(512);

export function encodeRecord(bytes: Uint8Array, withHeader: boolean): Uint8Array {
  recordWriter.reset();
  if (withHeader) recordWriter.u32(MAGIC).i32(2).i64(0);
  recordWriter.i64(adler32(bytes)).i32(bytes.length).raw(bytes).u8(EOR);
  return recordWriter.finish();
}

export class TxnLog {
  private files: LogFile[] = [];
  private current: LogFile | null = null;
  /** Files appended to since they were last handed to takeDirty(). */
  private readonly dirty = new Set<string>();
  lastZxid: Zxid = 0;
  /** Sum of log file sizes (for the txn-log-sync vs SNAP decision). */
  bytes = 0;

  constructor(private readonly disk: DiskView) {
    this.reload();
  }

  /** Re-reads the directory listing (after recovery changed files). */
  reload(): void {
    this.files = this.disk.list(`${LOG_DIR}log.`)
      .map((path) => ({ path, startZxid: parseZxid(path.slice(`${LOG_DIR}log.`.length)) }))
      .sort((a, b) => a.startZxid - b.startZxid);
    this.bytes = this.files.reduce((s, f) => s + Math.max(0, this.disk.size(f.path)), 0);
    this.current = null;
  }

  get fileCount(): number {
    return this.files.length;
  }

  /** Appends a txn (its serialized bytes) to the page cache. Returns a disk error, if any. */
  append(txn: Txn, bytes: Uint8Array): string | null {
    // A txn log holds one history in zxid order: the leader proposes increasing zxids, a learner
    // logs them in the order received, and sync truncates whatever the leader did not keep first.
    invariant(txn.zxid > this.lastZxid, () => `txn log: appending ${formatZxid(txn.zxid)} after ${formatZxid(this.lastZxid)} (zxids must increase)`);
    let withHeader = false;
    if (this.current === null) {
      const path = `${LOG_DIR}log.${zxidFileSuffix(txn.zxid)}`;
      if (this.disk.exists(path)) this.disk.delete(path);
      const err = this.disk.create(path);
      if (err !== null) return err;
      this.current = { path, startZxid: txn.zxid };
      this.files.push(this.current);
      withHeader = true;
    }
    const rec = encodeRecord(bytes, withHeader);
    const err = this.disk.append(this.current.path, rec);
    if (err !== null) return err;
    this.bytes += rec.length;
    this.dirty.add(this.current.path);
    this.lastZxid = txn.zxid;
    return null;
  }

  /** The next append starts a new file (FileTxnLog.rollLog). */
  roll(): void {
    this.current = null;
  }

  /** Files with appends not yet fsynced; clears the set. */
  takeDirty(): string[] {
    const out = [...this.dirty].sort();
    this.dirty.clear();
    return out;
  }

  /** Every valid record with zxid > afterZxid, in order, from the files that can hold them. */
  readAfter(afterZxid: Zxid): LogRecord[] {
    const out: LogRecord[] = [];
    for (const f of this.filesFrom(afterZxid)) {
      const data = this.disk.readAll(f.path);
      if (data === 'ENOENT') continue;
      out.push(...scanLog(data, afterZxid).records);
    }
    return out;
  }

  /** The file that may hold afterZxid + 1 and every later one (FileTxnLog.getLogFiles). */
  private filesFrom(afterZxid: Zxid): LogFile[] {
    let first = 0;
    for (let i = 0; i < this.files.length; i++) if (this.files[i]!.startZxid <= afterZxid + 1) first = i;
    return this.files.slice(first);
  }

  /**
   * Recovery: validates every file in order, cuts a damaged tail and removes files after it.
   * Returns the damage found (for the trace), or null.
   */
  recover(): string | null {
    let damage: string | null = null;
    let last = 0;
    for (let i = 0; i < this.files.length; i++) {
      const f = this.files[i]!;
      const data = this.disk.readAll(f.path);
      const scan = data === 'ENOENT' ? { records: [], validBytes: 0, damage: 'missing' } : scanLog(data);
      const first = scan.records[0];
      const lastHere = scan.records.length > 0 ? scan.records[scan.records.length - 1]!.txn.zxid : last;
      let cutHere = false;
      if (first !== undefined && first.txn.zxid <= last) {
        damage = `${f.path}: starts at 0x${first.txn.zxid.toString(16)}, not after 0x${last.toString(16)}`;
        this.disk.delete(f.path);
        cutHere = true;
      } else if (scan.records.length === 0) {
        // Created (metadata is durable) but its first write never reached the media.
        damage = `${f.path}: no valid record${scan.damage !== null ? ` (${scan.damage})` : ''}`;
        this.disk.delete(f.path);
        cutHere = true;
      } else if (scan.damage !== null) {
        damage = `${f.path}: ${scan.damage}`;
        this.disk.truncate(f.path, scan.validBytes);
        last = lastHere;
        cutHere = true;
      } else {
        last = lastHere;
      }
      if (cutHere) {
        for (const g of this.files.slice(i + 1)) this.disk.delete(g.path);
        break;
      }
    }
    this.reload();
    this.lastZxid = last;
    return damage;
  }

  /**
   * Removes every record after `zxid` (FileTxnLog.truncate): the file holding zxid is cut after
   * it; later files are deleted. Metadata operations, so durable at once.
   */
  truncate(zxid: Zxid): void {
    const keep: LogFile[] = [];
    for (const f of this.files) {
      if (f.startZxid > zxid) {
        this.disk.delete(f.path);
        continue;
      }
      keep.push(f);
    }
    const lastFile = keep[keep.length - 1];
    if (lastFile !== undefined) {
      const data = this.disk.readAll(lastFile.path);
      if (data !== 'ENOENT') {
        const scan = scanLog(data);
        let end = HEADER_BYTES;
        let pos = HEADER_BYTES;
        for (const r of scan.records) {
          pos += 8 + 4 + r.bytes.length + 1;
          if (r.txn.zxid <= zxid) end = pos;
        }
        this.disk.truncate(lastFile.path, end);
      }
    }
    this.reload();
    this.lastZxid = Math.min(this.lastZxid, zxid);
    this.dirty.clear();
  }

  /** Bytes of the log files that may hold txns after afterZxid (FileTxnLog.getLogFiles). */
  bytesFrom(afterZxid: Zxid): number {
    let n = 0;
    for (const f of this.filesFrom(afterZxid)) n += Math.max(0, this.disk.size(f.path));
    return n;
  }

  /** The first zxid the log can serve records after (for txn-log sync). */
  get firstZxid(): Zxid {
    return this.files.length > 0 ? this.files[0]!.startZxid : Infinity;
  }
}
