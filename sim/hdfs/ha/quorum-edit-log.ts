import type { DiskView } from '../../core/actor.ts';
import { invariant } from '../../core/invariant.ts';
import { EditLog, type EditLogIO } from '../namenode/edit-log.ts';
import { encodeOp, type EditOp, type OpBody } from '../namenode/edit-ops.ts';
import type { TxId } from '../types.ts';
import { recordCrcs } from './journal.ts';
import type { QuorumJournalManager } from './qjm.ts';

// The active NameNode's edit log in HA mode: FSEditLog over the shared journal only
// (JournalSet with the QuorumJournalManager; see README Deviations: no local edits copy).
// logEdit appends the op's record to the QuorumOutputStream's buffer; logSync sends everything
// buffered as one journal() batch (QuorumOutputStream.flushAndSync) and releases the callers whose
// txids it covers when a quorum of JournalNodes has it; one batch in flight at a time, as FSEditLog's
// double buffer. A quorum failure is fatal, as for any required journal ("flush failed for required
// journal", FSEditLog.logSync -> ExitUtil.terminate).

export interface QuorumEditLogEvents {
  /** A batch reached a quorum (committed): its first txid and the CRC32 of each record. */
  synced(epoch: number, firstTxId: number, crcs: readonly number[]): void;
}

interface Waiter {
  readonly txid: TxId;
  readonly done: () => void;
}

export class QuorumEditLog extends EditLog {
  private qSegment: TxId | null = null;
  private qBuffer: Uint8Array[] = [];
  private qBufferFirst: TxId | null = null;
  private qRunning = false;
  private qWaiters: Waiter[] = [];
  private qDead = false;

  constructor(
    disk: DiskView,
    private readonly qio: EditLogIO,
    private readonly layout: number,
    lastTxId: TxId,
    private readonly apply: (op: EditOp) => void,
    readonly qjm: QuorumJournalManager,
    private readonly events: QuorumEditLogEvents,
  ) {
    super(disk, qio, layout, lastTxId, apply);
  }

  override get isOpen(): boolean {
    return this.qSegment !== null;
  }

  override get curSegmentTxId(): TxId | null {
    return this.qSegment;
  }

  override get syncInProgress(): boolean {
    return this.qRunning;
  }

  override get pendingOps(): number {
    return this.qBuffer.length;
  }

  /** FSEditLog.startLogSegment over the QJM: startLogSegment on a quorum, then OP_START_LOG_SEGMENT. */
  override startLogSegment(done: (startOp: EditOp) => void): EditOp {
    invariant(this.qSegment === null, 'quorum edit log: a segment is already open');
    const start = (this.lastWrittenTxId + 1) as TxId;
    this.qSegment = start;
    this.qjm.startLogSegment(start, this.layout, (r) => {
      if (r !== null) this.fatal(`starting log segment ${start} failed: ${r.error}`);
    });
    const op = this.logEdit({ op: 'OP_START_LOG_SEGMENT' });
    this.logSync(op.txid, () => done(op));
    return op;
  }

  override logEdit(body: OpBody): EditOp {
    invariant(this.qSegment !== null, () => `quorum edit log: ${body.op} logged with no open segment`);
    const op = { ...body, txid: (this.lastWrittenTxId + 1) as TxId } as EditOp;
    this.qBuffer.push(encodeOp(op));
    if (this.qBufferFirst === null) this.qBufferFirst = op.txid;
    this.lastWrittenTxId = op.txid;
    this.apply(op);
    return op;
  }

  override logSync(txid: TxId, done: () => void): void {
    invariant(txid <= this.lastWrittenTxId, () => `quorum edit log: sync of txid ${txid} beyond the last written ${this.lastWrittenTxId}`);
    if (txid <= this.syncedTxId) {
      done();
      return;
    }
    this.qWaiters.push({ txid, done });
    this.flush();
  }

  private flush(): void {
    if (this.qRunning || this.qDead || this.qWaiters.length === 0 || this.qBufferFirst === null) return;
    const first = this.qBufferFirst;
    const recs = this.qBuffer;
    this.qBuffer = [];
    this.qBufferFirst = null;
    const bytes = new Uint8Array(recs.reduce((n, r) => n + r.length, 0));
    let o = 0;
    for (const r of recs) {
      bytes.set(r, o);
      o += r.length;
    }
    const upTo = (first + recs.length - 1) as TxId;
    const segment = this.qSegment!;
    this.qRunning = true;
    this.qjm.sendEdits(segment, first, recs.length, bytes, (r) => {
      this.qRunning = false;
      if (r !== null) {
        this.fatal(`flush of txids ${first}-${upTo} failed: ${r.error}`);
        return;
      }
      invariant(upTo >= this.syncedTxId, 'quorum edit log: synced txid went back');
      this.syncedTxId = upTo;
      this.events.synced(this.qjm.epoch, first, recordCrcs(bytes));
      const ready = this.qWaiters.filter((w) => w.txid <= upTo);
      this.qWaiters = this.qWaiters.filter((w) => w.txid > upTo);
      for (const w of ready) w.done();
      this.flush();
    });
  }

  /** FSEditLog.endCurrentLogSegment: OP_END_LOG_SEGMENT, sync, finalizeLogSegment on a quorum. */
  override endCurrentLogSegment(done: (start: TxId, end: TxId) => void): void {
    const start = this.qSegment;
    invariant(start !== null, 'quorum edit log: no segment to end');
    const op = this.logEdit({ op: 'OP_END_LOG_SEGMENT' });
    this.logSync(op.txid, () => {
      this.qjm.finalizeLogSegment(start, op.txid, (r) => {
        if (r !== null) return this.fatal(`finalizing segment ${start}-${op.txid} failed: ${r.error}`);
        this.qSegment = null;
        done(start, op.txid);
      });
    });
  }

  private fatal(reason: string): void {
    if (this.qDead) return;
    this.qDead = true;
    this.qio.fatal(`Error: flush failed for required journal (JournalAndStream(mgr=QJM to [${this.qjm.journalNodes.join(', ')}], stream=QuorumOutputStream starting at txid ${this.qSegment})): ${reason}`);
  }

  describeLast(): string {
    return `epoch ${this.qjm.epoch}, segment ${this.qSegment}, last written ${this.lastWrittenTxId}, synced ${this.syncedTxId}`;
  }
}
