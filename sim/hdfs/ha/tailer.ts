import { MS } from '../../core/types.ts';
import { scanSegment } from '../namenode/edit-segment.ts';
import type { EditOp } from '../namenode/edit-ops.ts';
import type { TxId } from '../types.ts';
import { JN_LAYOUTS } from './journal-storage.ts';
import { recordCrcs } from './journal.ts';
import type { QJournalRequest, QJournalResponse, RemoteEditLog } from './qjournal-protocol.ts';
import { QuorumCall } from './quorum-call.ts';

// Reading the shared edit log (QuorumJournalManager.selectInputStreams + the EditLogTailer's
// doTailEdits, Hadoop 3.3): the manifests of a quorum of JournalNodes merged (each finalized
// segment with the JournalNodes that have it), then segment after segment from the next txid on,
// each downloaded from one JournalNode that lists it (the next one if that fails, as
// RedundantEditLogInputStream does) and applied op by op. Only finalized segments are read
// (dfs.ha.tail-edits.in-progress=false, the default).

export interface TailerHost {
  send(journalNode: string, req: QJournalRequest): void;
  setTimer(delayUs: number, tag: TailerTimer): number;
  cancelTimer(id: number): void;
  annotate(text: string): void;
}

export interface TailerTimer {
  readonly kind: 'tailer-timeout';
  readonly callId: number;
}

export function isTailerTimer(t: unknown): t is TailerTimer {
  return typeof t === 'object' && t !== null && (t as { kind?: unknown }).kind === 'tailer-timeout';
}

/** Applies a run of ops read from one segment; `crcs` are their records' CRC32s. */
export type ApplyOps = (ops: readonly EditOp[], crcs: readonly number[]) => void;

type Pending = { readonly jn: string; readonly timer: number; readonly onAnswer: (r: QJournalResponse | null) => void };

/** Reader call ids live far above the writer's (both talk to the same JournalNodes). */
const FIRST_CALL_ID = 1 << 30;

export class JournalTailer {
  private nextCallId = FIRST_CALL_ID;
  private readonly pending = new Map<number, Pending>();
  constructor(private readonly host: TailerHost, readonly journalId: string, private readonly journalNodes: readonly string[], private readonly timeoutMs: number) {}

  private call(jn: string, build: (callId: number) => QJournalRequest, onAnswer: (r: QJournalResponse | null) => void): void {
    const callId = this.nextCallId++;
    const timer = this.host.setTimer(this.timeoutMs * MS, { kind: 'tailer-timeout', callId });
    this.pending.set(callId, { jn, timer, onAnswer });
    this.host.send(jn, build(callId));
  }

  onResponse(from: string, msg: QJournalResponse): boolean {
    const p = this.pending.get(msg.callId);
    if (p === undefined || p.jn !== from) return false;
    this.pending.delete(msg.callId);
    this.host.cancelTimer(p.timer);
    p.onAnswer(msg);
    return true;
  }

  onTimer(t: TailerTimer): void {
    const p = this.pending.get(t.callId);
    if (p === undefined) return;
    this.pending.delete(t.callId);
    p.onAnswer(null);
  }

  onDisconnect(peer: string): void {
    for (const [id, p] of [...this.pending]) {
      if (p.jn !== peer) continue;
      this.pending.delete(id);
      this.host.cancelTimer(p.timer);
      p.onAnswer(null);
    }
  }

  /** Reads and applies every finalized edit from `fromTxId` on; done with the last txid applied. */
  catchUp(fromTxId: TxId, apply: ApplyOps, done: (r: { readonly lastTxId: TxId } | { readonly error: string }) => void): void {
    const q = new QuorumCall('selectInputStreams', this.journalNodes.length, (r) => {
      if ('error' in r) return done({ error: r.error });
      const segs = new Map<number, { log: RemoteEditLog; jns: string[] }>();
      for (const [jn, a] of r.ok) {
        if (a.type !== 'qjmGetEditLogManifestResponse') continue;
        for (const log of a.logs) {
          if (log.isInProgress) continue;
          const s = segs.get(log.startTxId);
          if (s === undefined) segs.set(log.startTxId, { log, jns: [jn] });
          else s.jns.push(jn);
        }
      }
      this.readFrom(fromTxId, segs, apply, done);
    });
    for (const jn of this.journalNodes) {
      this.call(jn, (callId) => ({ type: 'qjmGetEditLogManifest', callId, journalId: this.journalId, sinceTxId: fromTxId, inProgressOk: false }), (a) => {
        if (a === null) q.fail(jn, 'no answer');
        else if (a.type === 'qjmError') q.fail(jn, `${a.className}: ${a.message}`);
        else q.answer(jn, a);
      });
    }
  }

  private readFrom(
    next: TxId, segs: Map<number, { log: RemoteEditLog; jns: string[] }>, apply: ApplyOps,
    done: (r: { readonly lastTxId: TxId } | { readonly error: string }) => void,
  ): void {
    const seg = [...segs.values()].find((s) => s.log.startTxId <= next && next <= s.log.endTxId);
    if (seg === undefined) return done({ lastTxId: (next - 1) as TxId });
    const tryJn = (i: number): void => {
      const jn = seg.jns[i];
      if (jn === undefined) return done({ error: `could not read segment ${seg.log.startTxId}-${seg.log.endTxId} from ${seg.jns.join(', ')}` });
      this.call(jn, (callId) => ({ type: 'qjmGetEditSegment', callId, journalId: this.journalId, segmentTxId: seg.log.startTxId, endTxId: seg.log.endTxId }), (a) => {
        if (a === null || a.type !== 'qjmGetEditSegmentResponse' || a.bytes === null) return tryJn(i + 1);
        const scan = scanSegment(a.bytes, JN_LAYOUTS, seg.log.endTxId as TxId);
        if (scan.lastTxId !== seg.log.endTxId) return tryJn(i + 1);
        const crcs = recordCrcs(a.bytes.subarray(8, scan.validBytes));
        const k = scan.ops.findIndex((o) => o.txid >= next);
        apply(scan.ops.slice(k), crcs.slice(k));
        this.host.annotate(`read edits ${next}-${seg.log.endTxId} from ${jn}`);
        this.readFrom((seg.log.endTxId + 1) as TxId, segs, apply, done);
      });
    };
    tryJn(0);
  }
}
