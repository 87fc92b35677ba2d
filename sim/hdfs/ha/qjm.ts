import { invariant } from '../../core/invariant.ts';
import { MS } from '../../core/types.ts';
import type { NamespaceInfo, QJournalRequest, QJournalResponse, SegmentState } from './qjournal-protocol.ts';
import { QuorumCall, type QjmAnswer, type QuorumResult } from './quorum-call.ts';

// The writer's side of the shared edit log: QuorumJournalManager with one IPCLoggerChannel per
// JournalNode (org.apache.hadoop.hdfs.qjournal.client, Hadoop 3.3).
//
// - IPCLoggerChannel: calls to one JournalNode go out in order on its stream, each with the epoch,
//   the next ipc serial number and the committed txid (RequestInfo). A failed journal() call marks
//   the channel out of sync: it sends no more edits until the next startLogSegment
//   (IPCLoggerChannel.outOfSync / throwIfOutOfSync). A lost connection fails the calls in flight.
// - QuorumJournalManager.createNewUniqueEpoch: getJournalState from a quorum, epoch = the highest
//   promise + 1, newEpoch on a quorum. recoverUnfinalizedSegments then recovers the newest segment
//   any newEpoch answer named (recoverUnclosedSegment: prepareRecovery, the best answer by
//   SegmentRecoveryComparator, the committed-txid check, acceptRecovery, finalizeLogSegment).
// - Writes (QuorumOutputStream.flushAndSync -> AsyncLoggerSet.sendEdits) are done at a quorum; the
//   committed txid then moves to their last txid.
//
// The owner (the NameNode, or a test's writer actor) passes the transport in `QjmHost` and feeds
// back every QJournalResponse, timer and disconnect.

/** dfs.qjournal.*.timeout.ms (DFSConfigKeys defaults). */
export interface QjmTimeouts {
  readonly startSegmentMs: number;
  readonly prepareRecoveryMs: number;
  readonly acceptRecoveryMs: number;
  readonly finalizeSegmentMs: number;
  readonly selectInputStreamsMs: number;
  readonly getJournalStateMs: number;
  readonly newEpochMs: number;
  readonly writeTxnsMs: number;
}

export const DEFAULT_QJM_TIMEOUTS: QjmTimeouts = {
  startSegmentMs: 20000,
  prepareRecoveryMs: 120000,
  acceptRecoveryMs: 120000,
  finalizeSegmentMs: 120000,
  selectInputStreamsMs: 20000,
  getJournalStateMs: 120000,
  newEpochMs: 120000,
  writeTxnsMs: 20000,
};

export interface QjmTimer {
  readonly kind: 'qjm-timeout';
  readonly call: number;
}

export function isQjmTimer(t: unknown): t is QjmTimer {
  return typeof t === 'object' && t !== null && (t as { kind?: unknown }).kind === 'qjm-timeout';
}

export interface QjmHost {
  send(journalNode: string, req: QJournalRequest): void;
  setTimer(delayUs: number, tag: QjmTimer): number;
  cancelTimer(id: number): void;
  annotate(text: string): void;
}

type Result<T> = (r: T | { readonly error: string }) => void;

interface InFlight {
  readonly jn: string;
  readonly call: QuorumCall;
  readonly rpc: string;
}

class LoggerChannel {
  ipcSerial = 0;
  outOfSync = false;
  constructor(readonly name: string) {}
}

function isError<T>(r: T | { readonly error: string }): r is { readonly error: string } {
  return typeof r === 'object' && r !== null && 'error' in r;
}

export class QuorumJournalManager {
  private readonly loggers: LoggerChannel[];
  private readonly majority: number;
  /** The writer epoch (0 until createNewUniqueEpoch succeeded). */
  epoch = 0;
  /** The highest txid known to be on a quorum (QuorumJournalManager's committedTxId). */
  committedTxId: number | null = null;
  private readonly inFlight = new Map<number, InFlight>();
  private readonly calls = new Map<number, { call: QuorumCall; timer: number }>();
  private nextCallId = 1;
  private nextQuorumCall = 1;

  constructor(
    private readonly host: QjmHost,
    readonly journalId: string,
    journalNodes: readonly string[],
    private readonly nsInfo: NamespaceInfo,
    private readonly timeouts: QjmTimeouts = DEFAULT_QJM_TIMEOUTS,
  ) {
    invariant(journalNodes.length > 0, 'qjm: no JournalNodes');
    this.loggers = journalNodes.map((n) => new LoggerChannel(n));
    this.majority = Math.floor(journalNodes.length / 2) + 1;
  }

  get journalNodes(): string[] {
    return this.loggers.map((l) => l.name);
  }

  // --- transport ----------------------------------------------------------------------------------

  /** Sends `build(logger)` to each JournalNode that `filter` lets through; the rest fail at once. */
  private quorum(
    what: string, timeoutMs: number, build: (l: LoggerChannel, callId: number) => QJournalRequest, done: (r: QuorumResult | { readonly error: string }) => void,
    opts: { readonly all?: boolean; readonly skip?: (l: LoggerChannel) => string | null } = {},
  ): void {
    const id = this.nextQuorumCall++;
    const needed = opts.all === true ? this.loggers.length : this.majority;
    const call = new QuorumCall(what, this.loggers.length, (r) => {
      const c = this.calls.get(id);
      if (c !== undefined) this.host.cancelTimer(c.timer);
      this.calls.delete(id);
      done(r);
    }, needed);
    const timer = this.host.setTimer(timeoutMs * MS, { kind: 'qjm-timeout', call: id });
    this.calls.set(id, { call, timer });
    for (const l of this.loggers) {
      const why = opts.skip?.(l) ?? null;
      if (why !== null) {
        call.fail(l.name, why);
        continue;
      }
      const callId = this.nextCallId++;
      this.inFlight.set(callId, { jn: l.name, call, rpc: what });
      this.host.send(l.name, build(l, callId));
      if (call.isDone) break;
    }
  }

  private reqInfo(l: LoggerChannel): { journalId: string; epoch: number; ipcSerialNumber: number; committedTxId: number | null } {
    return { journalId: this.journalId, epoch: this.epoch, ipcSerialNumber: l.ipcSerial++, committedTxId: this.committedTxId };
  }

  /** Feeds a JournalNode's answer; false when it was not one of this manager's calls. */
  onResponse(from: string, msg: QJournalResponse): boolean {
    const f = this.inFlight.get(msg.callId);
    if (f === undefined || f.jn !== from) return false;
    this.inFlight.delete(msg.callId);
    if (msg.type === 'qjmError') {
      if (f.rpc === 'sendEdits') {
        const l = this.loggers.find((x) => x.name === from)!;
        if (!l.outOfSync) this.host.annotate(`${from} is out of sync until the next segment: ${msg.className}: ${msg.message}`);
        l.outOfSync = true;
      }
      f.call.fail(from, `${msg.className}: ${msg.message}`);
    } else {
      f.call.answer(from, msg as QjmAnswer);
    }
    return true;
  }

  onDisconnect(peer: string): void {
    for (const [id, f] of [...this.inFlight]) {
      if (f.jn !== peer) continue;
      this.inFlight.delete(id);
      if (f.rpc === 'sendEdits') this.loggers.find((x) => x.name === peer)!.outOfSync = true;
      f.call.fail(peer, 'java.io.EOFException: connection closed');
    }
  }

  onTimer(t: QjmTimer): void {
    const c = this.calls.get(t.call);
    if (c === undefined) return;
    this.calls.delete(t.call);
    c.call.timeout(this.timeoutOf(c.call.what));
  }

  private timeoutOf(what: string): number {
    const t = this.timeouts;
    const by: { [k: string]: number } = {
      format: t.newEpochMs, getJournalState: t.getJournalStateMs, newEpoch: t.newEpochMs, startLogSegment: t.startSegmentMs,
      sendEdits: t.writeTxnsMs, finalizeLogSegment: t.finalizeSegmentMs, prepareRecovery: t.prepareRecoveryMs, acceptRecovery: t.acceptRecoveryMs,
    };
    return by[what] ?? t.writeTxnsMs;
  }

  // --- operations -----------------------------------------------------------------------------------

  /** QuorumJournalManager.format: every JournalNode must answer. */
  format(done: Result<null>): void {
    this.quorum('format', this.timeouts.newEpochMs, (_l, callId) => ({ type: 'qjmFormat', callId, journalId: this.journalId, nsInfo: this.nsInfo }), (r) => done(isError(r) ? r : null), { all: true });
  }

  /** createNewUniqueEpoch then recoverUnfinalizedSegments; done with the new epoch. */
  recoverUnfinalizedSegments(done: Result<{ epoch: number }>): void {
    invariant(this.epoch === 0, 'qjm: recoverUnfinalizedSegments twice');
    this.quorum('getJournalState', this.timeouts.getJournalStateMs, (_l, callId) => ({ type: 'qjmGetJournalState', callId, journalId: this.journalId }), (r) => {
      if (isError(r)) return done(r);
      let max = 0;
      for (const a of r.ok.values()) if (a.type === 'qjmGetJournalStateResponse') max = Math.max(max, a.lastPromisedEpoch);
      const epoch = max + 1;
      this.host.annotate(`new epoch ${epoch} (highest promise seen ${max})`);
      this.quorum('newEpoch', this.timeouts.newEpochMs, (_l, callId) => ({ type: 'qjmNewEpoch', callId, journalId: this.journalId, nsInfo: this.nsInfo, epoch }), (n) => {
        if (isError(n)) return done({ error: `Could not create new epoch ${epoch}: ${n.error}` });
        this.epoch = epoch;
        for (const l of this.loggers) l.ipcSerial = 0;
        let newest: number | null = null;
        for (const a of n.ok.values()) if (a.type === 'qjmNewEpochResponse' && a.lastSegmentTxId !== null) newest = Math.max(newest ?? -Infinity, a.lastSegmentTxId);
        if (newest === null) return done({ epoch });
        this.recoverUnclosedSegment(newest, (x) => done(isError(x) ? x : { epoch }));
      });
    });
  }

  /** QuorumJournalManager.recoverUnclosedSegment: Paxos over the segment's end txid. */
  private recoverUnclosedSegment(segmentTxId: number, done: Result<null>): void {
    this.host.annotate(`beginning recovery of unclosed segment starting at txid ${segmentTxId}`);
    this.quorum('prepareRecovery', this.timeouts.prepareRecoveryMs, (l, callId) => ({ type: 'qjmPrepareRecovery', callId, reqInfo: this.reqInfo(l), segmentTxId }), (r) => {
      if (isError(r)) return done(r);
      let best: { jn: string; seg: SegmentState; seen: number } | null = null;
      for (const [jn, a] of r.ok) {
        if (a.type !== 'qjmPrepareRecoveryResponse' || a.segmentState === null) continue;
        const seen = Math.max(a.acceptedInEpoch ?? 0, a.lastWriterEpoch);
        const cand = { jn, seg: a.segmentState, seen };
        if (best === null || compareRecovery(cand, best) > 0) best = cand;
      }
      if (best === null) {
        this.host.annotate(`none of the responders had a log to recover for segment ${segmentTxId}`);
        return done(null);
      }
      const chosen = best;
      for (const [jn, a] of r.ok) {
        if (a.type === 'qjmPrepareRecoveryResponse' && a.lastCommittedTxId !== null && a.lastCommittedTxId > chosen.seg.endTxId) {
          return done({ error: `Decided to synchronize log to ${chosen.seg.startTxId}-${chosen.seg.endTxId} but logger ${jn} had seen txid ${a.lastCommittedTxId} committed` });
        }
      }
      this.host.annotate(`using segment ${chosen.seg.startTxId}-${chosen.seg.endTxId} of ${chosen.jn} (${chosen.seg.isInProgress ? 'in progress' : 'finalized'}, epoch ${chosen.seen}) as the recovery source`);
      this.quorum('acceptRecovery', this.timeouts.acceptRecoveryMs, (l, callId) => ({ type: 'qjmAcceptRecovery', callId, reqInfo: this.reqInfo(l), segment: chosen.seg, fromJournalNode: chosen.jn }), (a) => {
        if (isError(a)) return done(a);
        this.finalizeLogSegment(chosen.seg.startTxId, chosen.seg.endTxId, done);
      });
    });
  }

  /** AsyncLoggerSet.startLogSegment: every channel is in sync again. */
  startLogSegment(txid: number, layoutVersion: number, done: Result<null>): void {
    invariant(this.epoch > 0, 'qjm: startLogSegment before an epoch');
    for (const l of this.loggers) l.outOfSync = false;
    this.quorum('startLogSegment', this.timeouts.startSegmentMs, (l, callId) => ({ type: 'qjmStartLogSegment', callId, reqInfo: this.reqInfo(l), txid, layoutVersion }), (r) => done(isError(r) ? r : null));
  }

  /** QuorumOutputStream.flushAndSync: the batch is on a quorum, then committed. */
  sendEdits(segmentTxId: number, firstTxnId: number, numTxns: number, records: Uint8Array, done: Result<null>): void {
    invariant(this.epoch > 0, 'qjm: sendEdits before an epoch');
    const last = firstTxnId + numTxns - 1;
    this.quorum('sendEdits', this.timeouts.writeTxnsMs, (l, callId) => ({ type: 'qjmJournal', callId, reqInfo: this.reqInfo(l), segmentTxId, firstTxnId, numTxns, records }), (r) => {
      if (isError(r)) return done(r);
      if (this.committedTxId === null || last > this.committedTxId) this.committedTxId = last;
      done(null);
    }, { skip: (l) => (l.outOfSync ? `Journal disabled until next roll (${l.name} out of sync)` : null) });
  }

  finalizeLogSegment(startTxId: number, endTxId: number, done: Result<null>): void {
    this.quorum('finalizeLogSegment', this.timeouts.finalizeSegmentMs, (l, callId) => ({ type: 'qjmFinalizeLogSegment', callId, reqInfo: this.reqInfo(l), startTxId, endTxId }), (r) => done(isError(r) ? r : null));
  }

  inspect(): { [k: string]: number | string | null | string[] } {
    return { journalId: this.journalId, epoch: this.epoch, committedTxId: this.committedTxId, outOfSync: this.loggers.filter((l) => l.outOfSync).map((l) => l.name) };
  }
}

/** SegmentRecoveryComparator: has a segment > finalized > higher seen epoch > longer. */
function compareRecovery(a: { seg: SegmentState; seen: number }, b: { seg: SegmentState; seen: number }): number {
  if (a.seg.isInProgress !== b.seg.isInProgress) return a.seg.isInProgress ? -1 : 1;
  if (!a.seg.isInProgress) {
    invariant(a.seg.endTxId === b.seg.endTxId, () => `finalized segs with different lengths: ${JSON.stringify(a.seg)}, ${JSON.stringify(b.seg)}`);
    return 0;
  }
  if (a.seen !== b.seen) return a.seen - b.seen;
  return a.seg.endTxId - b.seg.endTxId;
}
