import type { DiskView } from '../../core/actor.ts';
import { invariant } from '../../core/invariant.ts';
import type { TxId } from '../types.ts';
import { describeOp, encodeOp, type EditOp, type OpBody } from './edit-ops.ts';
import { writeSegmentHeader } from './edit-segment.ts';
import { finalizedEditsName, inProgressEditsName, SEEN_TXID } from './storage-files.ts';

// FSEditLog with one FileJournalManager (EditLogFileOutputStream): the open segment
// `edits_inprogress_<start>`, logEdit (assign the next txid, append the record to the page cache) and
// logSync, Hadoop's group commit. In Hadoop a handler thread logs its op under the namesystem lock,
// releases the lock, then calls logSync(): if another thread's sync already covers its txid it
// returns, else it waits for the running sync and then syncs everything logged so far in one flush
// (the double buffer, isSyncRunning / synctxid). Here handlers run to completion, so logSync takes a
// callback: it runs when an fsync that started after the op was appended has completed. One fsync
// runs at a time; ops logged meanwhile ride on the next one.
//
// Rolling (rollEditLog, FSEditLog.rollEditLog -> endCurrentLogSegment + startLogSegment): log
// OP_END_LOG_SEGMENT, sync, rename to edits_<start>-<end> (finalize), open edits_inprogress_<end+1>,
// log OP_START_LOG_SEGMENT, write seen_txid, sync. A failed write or fsync of the only journal is
// fatal, as in Hadoop ("Error: flush failed for required journal", ExitUtil.terminate).

export interface EditLogIO {
  fsync(path: string, done: (err: string | null) => void): void;
  /** The only journal failed: the NameNode terminates. */
  fatal(reason: string): void;
}

interface SyncWaiter {
  readonly txid: TxId;
  readonly done: () => void;
}

export class EditLog {
  private segmentStart: TxId | null = null;
  private path = '';
  /** The txid of the last op logged (FSEditLog.txid). */
  lastWrittenTxId: TxId;
  /** Every op up to this txid is on the media (FSEditLog.synctxid). */
  syncedTxId: TxId;
  private syncRunning = false;
  private waiters: SyncWaiter[] = [];
  /** Ops of the open segment not yet synced, for annotations and inspect(). */
  private unsyncedOps = 0;
  private failed = false;

  /**
   * `onOp` applies each op to the namespace as it is logged (the roll's OP_END_LOG_SEGMENT and
   * OP_START_LOG_SEGMENT too), so the namespace's last applied txid is always the last written one.
   */
  constructor(
    private readonly disk: DiskView,
    private readonly io: EditLogIO,
    private readonly layoutVersion: number,
    lastTxId: TxId,
    private readonly onOp: (op: EditOp) => void,
  ) {
    this.lastWrittenTxId = lastTxId;
    this.syncedTxId = lastTxId;
  }

  get isOpen(): boolean {
    return this.segmentStart !== null;
  }

  get curSegmentTxId(): TxId | null {
    return this.segmentStart;
  }

  get syncInProgress(): boolean {
    return this.syncRunning;
  }

  get pendingOps(): number {
    return this.unsyncedOps;
  }

  /** FSEditLog.startLogSegment: opens edits_inprogress_<txid>, logs OP_START_LOG_SEGMENT and writes seen_txid. */
  startLogSegment(done: (startOp: EditOp) => void): EditOp {
    invariant(this.segmentStart === null, 'edit log: a segment is already open');
    const start = (this.lastWrittenTxId + 1) as TxId;
    this.path = inProgressEditsName(start);
    invariant(!this.disk.exists(this.path), () => `edit log: ${this.path} exists`);
    this.check(this.disk.create(this.path), 'create');
    this.check(this.disk.append(this.path, writeSegmentHeader(this.layoutVersion)), 'write header');
    this.segmentStart = start;
    // NNStorage.writeTransactionIdFileToStorage: seen_txid is the start of the newest segment.
    this.writeSeenTxId(start);
    const op = this.logEdit({ op: 'OP_START_LOG_SEGMENT' });
    invariant(op.txid === start, 'edit log: OP_START_LOG_SEGMENT is the first txid of its segment');
    this.logSync(op.txid, () => done(op));
    return op;
  }

  /** FSEditLog.logEdit: the next txid, the record appended to the segment's page cache. */
  logEdit(body: OpBody): EditOp {
    invariant(this.segmentStart !== null, () => `edit log: ${body.op} logged with no open segment`);
    const op = { ...body, txid: (this.lastWrittenTxId + 1) as TxId } as EditOp;
    if (!this.failed) this.check(this.disk.append(this.path, encodeOp(op)), `write ${describeOp(op)}`);
    this.lastWrittenTxId = op.txid;
    this.unsyncedOps++;
    this.onOp(op);
    return op;
  }

  /** FSEditLog.logSync: `done` runs once every op up to `txid` is durable. */
  logSync(txid: TxId, done: () => void): void {
    invariant(txid <= this.lastWrittenTxId, () => `edit log: sync of txid ${txid} beyond the last written ${this.lastWrittenTxId}`);
    if (txid <= this.syncedTxId) {
      done();
      return;
    }
    this.waiters.push({ txid, done });
    this.startSync();
  }

  private startSync(): void {
    if (this.syncRunning || this.failed || this.waiters.length === 0) return;
    this.syncRunning = true;
    const upTo = this.lastWrittenTxId;
    const path = this.path;
    const ops = this.unsyncedOps;
    this.unsyncedOps = 0;
    this.io.fsync(path, (err) => {
      this.syncRunning = false;
      if (err !== null) {
        this.fail(`fsync of ${path} failed: ${err} (${ops} ops up to txid ${upTo})`);
        return;
      }
      invariant(upTo >= this.syncedTxId, 'edit log: synced txid went back');
      this.syncedTxId = upTo;
      const ready = this.waiters.filter((w) => w.txid <= upTo);
      this.waiters = this.waiters.filter((w) => w.txid > upTo);
      for (const w of ready) w.done();
      this.startSync();
    });
  }

  /**
   * FSEditLog.endCurrentLogSegment: OP_END_LOG_SEGMENT, sync, then the in-progress file is renamed to
   * edits_<start>-<end>. `done` gets the finalized segment's range.
   */
  endCurrentLogSegment(done: (start: TxId, end: TxId) => void): void {
    const start = this.segmentStart;
    invariant(start !== null, 'edit log: no segment to end');
    const op = this.logEdit({ op: 'OP_END_LOG_SEGMENT' });
    const path = this.path;
    this.logSync(op.txid, () => {
      this.check(this.disk.rename(path, finalizedEditsName(start, op.txid)), `finalize ${path}`);
      this.segmentStart = null;
      this.path = '';
      done(start, op.txid);
    });
  }

  /** FSEditLog.rollEditLog: end the segment and start the next; `done` gets the new segment's first txid. */
  rollEditLog(done: (newSegmentTxId: TxId, finalized: { start: TxId; end: TxId }) => void): void {
    this.endCurrentLogSegment((start, end) => {
      this.startLogSegment((op) => done(op.txid, { start, end }));
    });
  }

  private writeSeenTxId(txid: TxId): void {
    // NNStorage.writeTransactionIdFile: the whole file rewritten (AtomicFileOutputStream: tmp + rename).
    const tmp = `${SEEN_TXID}.tmp`;
    if (this.disk.exists(tmp)) this.disk.delete(tmp);
    this.check(this.disk.append(tmp, new TextEncoder().encode(`${txid}\n`)), 'write seen_txid');
    this.io.fsync(tmp, (err) => {
      if (err !== null) {
        this.fail(`fsync of seen_txid failed: ${err}`);
        return;
      }
      this.check(this.disk.rename(tmp, SEEN_TXID), 'rename seen_txid');
    });
  }

  private check(err: string | null, what: string): void {
    if (err !== null) this.fail(`${what}: ${err}`);
  }

  private fail(reason: string): void {
    if (this.failed) return;
    this.failed = true;
    this.io.fatal(`Error: flush failed for required journal (${reason})`);
  }
}
