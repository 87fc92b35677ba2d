import type { TxId } from '../types.ts';
import { decodeOpAt, type EditOp } from './edit-ops.ts';

// Reading an edit-log segment file (EditLogFileInputStream, FSEditLogLoader.scanEditLog).
//
// A segment starts with a header: the layout version (i32, negative) and LayoutFlags (i32, 0), as
// EditLogFileOutputStream.writeHeader writes them; then op records until the end of the file or an
// OP_INVALID byte.
//
// scanSegment is the validation of an in-progress segment at startup (EditLogFile.scanLog): it
// reads records until one does not decode (torn: too short; corrupt: bad checksum, length or
// opcode) and reports the last valid txid. What follows that record is ignored: FileJournalManager
// finalizes the segment with the last valid txid, and readers of a finalized segment stop at its end
// txid (EditLogFileInputStream.nextOpImpl skips the bytes after lastTxId), so a torn tail is cut
// logically and left in the file.

export const HEADER_BYTES = 8;

export function writeSegmentHeader(layoutVersion: number): Uint8Array {
  const out = new Uint8Array(HEADER_BYTES);
  const v = new DataView(out.buffer);
  v.setInt32(0, layoutVersion);
  v.setInt32(4, 0); // LayoutFlags: no flags
  return out;
}

export interface SegmentScan {
  /** The header could not be read (too short, or not a known layout version). */
  readonly headerCorrupt: boolean;
  readonly layoutVersion: number | null;
  /** Valid ops in order, up to the first unreadable record or the requested end txid. */
  readonly ops: readonly EditOp[];
  /** The last valid txid, or null when the segment holds none. */
  readonly lastTxId: TxId | null;
  /** Byte offset just after the last valid op. */
  readonly validBytes: number;
  /** Why reading stopped early (a torn or corrupt record), or null at a clean end. */
  readonly damage: string | null;
}

/**
 * Reads a segment's ops. With `endTxId`, stops after it (a finalized segment); a record that does
 * not decode before that is damage; so is a txid that does not follow the previous one.
 */
export function scanSegment(bytes: Uint8Array, knownLayouts: readonly number[], endTxId: TxId | null = null): SegmentScan {
  if (bytes.length < HEADER_BYTES) {
    return { headerCorrupt: bytes.length > 0, layoutVersion: null, ops: [], lastTxId: null, validBytes: 0, damage: bytes.length > 0 ? 'truncated header' : null };
  }
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const layoutVersion = v.getInt32(0);
  if (!knownLayouts.includes(layoutVersion)) {
    return { headerCorrupt: true, layoutVersion, ops: [], lastTxId: null, validBytes: 0, damage: `unknown layout version ${layoutVersion}` };
  }
  const ops: EditOp[] = [];
  let pos = HEADER_BYTES;
  let damage: string | null = null;
  let lastTxId: TxId | null = null;
  for (;;) {
    if (endTxId !== null && lastTxId !== null && lastTxId >= endTxId) break;
    const r = decodeOpAt(bytes, pos);
    if (r.kind === 'eof') break;
    if (r.kind === 'bad') {
      damage = r.reason;
      break;
    }
    if (lastTxId !== null && r.op.txid !== lastTxId + 1) {
      damage = `txid ${r.op.txid} follows ${lastTxId} at offset ${pos}`;
      break;
    }
    ops.push(r.op);
    lastTxId = r.op.txid;
    pos = r.end;
  }
  return { headerCorrupt: false, layoutVersion, ops, lastTxId, validBytes: pos, damage };
}
