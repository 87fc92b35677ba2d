import type { Actor, Context, DiskView } from '../../core/actor.ts';
import { invariant } from '../../core/invariant.ts';
import type { DiskError, Json, ProcessId } from '../../core/types.ts';
import { SEC } from '../../core/types.ts';
import { listEditLogs } from './journal-storage.ts';
import { Journal, JournalError, type JournalEvents, type Outcome } from './journal.ts';
import './observations.ts';
import { isQJournalRequest, qjmRpcBytes, type QJournalMessage, type QJournalRequest, type QJournalResponse } from './qjournal-protocol.ts';

// A JournalNode process (org.apache.hadoop.hdfs.qjournal.server.JournalNode + JournalNodeRpcServer):
// one Journal (journal.ts) on its host's disk. Writer requests are served one at a time, in arrival
// order (the Journal's methods are synchronized and fsync inside), each answered after its fsyncs.
// Reads (getEditLogManifest, the segment download servlet) are answered at once, as Hadoop's HTTP
// server and unsynchronized manifest call do; otherwise two JournalNodes downloading from each other
// during acceptRecovery would wait on each other.

/** How long acceptRecovery waits for the segment download (dfs.image.transfer.timeout, 60 s). */
export const SEGMENT_DOWNLOAD_TIMEOUT_US = 60 * SEC;

export interface JournalNodeOptions {
  /** The journal id: the nameservice (the last path element of dfs.namenode.shared.edits.dir). */
  readonly journalId: string;
  /** Builds the Journal (tests substitute a subclass with a planted bug). */
  readonly journal?: (disk: DiskView, journalId: string, events: JournalEvents) => Journal;
}

type JnTimer = { readonly kind: 'download-timeout'; readonly callId: number };
type DiskTag = { readonly kind: 'jn-sync'; readonly step: number };

interface Running {
  readonly from: ProcessId;
  readonly req: QJournalRequest;
}

export class JournalNode implements Actor<QJournalMessage, JnTimer> {
  readonly journal: Journal;
  private readonly queue: Running[] = [];
  private running: Running | null = null;
  /** The step of the running request waiting on fsyncs: its continuation and how many fsyncs are left. */
  private syncWait: { step: number; left: number; error: string | null; then: () => Outcome } | null = null;
  private download: { callId: number; timer: number; peer: ProcessId; then: (b: Uint8Array | null) => Outcome } | null = null;
  private step = 0;
  private nextCallId = 1;
  served = 0;

  constructor(private readonly ctx: Context, opts: JournalNodeOptions) {
    const events: JournalEvents = {
      promise: (promised, writer) => ctx.observe('hdfs-jn-promise', { journal: ctx.name, promised, writer }),
      write: (what, epoch, segmentTxId, firstTxId, crcs) => ctx.observe('hdfs-jn-write', { journal: ctx.name, what, epoch, segmentTxId, firstTxId, crcs: [...crcs] }),
      note: (text) => ctx.annotate(text),
    };
    this.journal = (opts.journal ?? ((d, j, e) => new Journal(d, j, e)))(ctx.disk, opts.journalId, events);
  }

  onMessage(from: ProcessId, msg: QJournalMessage): void {
    if (msg.type === 'qjmGetEditSegmentResponse') {
      const d = this.download;
      if (d === null || d.callId !== msg.callId) return;
      this.ctx.cancelTimer(d.timer);
      this.download = null;
      this.continueWith(() => d.then(msg.bytes));
      return;
    }
    if (!isQJournalRequest(msg)) return;
    if (msg.type === 'qjmGetEditSegment' || msg.type === 'qjmGetEditLogManifest') {
      this.answer(from, msg, this.safely(() => this.journal.handle(msg)));
      return;
    }
    this.queue.push({ from, req: msg });
    this.next();
  }

  private next(): void {
    while (this.running === null && this.queue.length > 0) {
      const r = this.queue.shift()!;
      this.running = r;
      this.continueWith(() => this.journal.handle(r.req));
    }
  }

  /** Runs a step of the current request; a JournalError becomes the answer. */
  private safely(fn: () => Outcome): Outcome {
    try {
      return fn();
    } catch (e) {
      if (e instanceof JournalError) return { kind: 'reply', reply: { type: 'qjmError', rpc: '', className: e.className, message: e.message } };
      throw e;
    }
  }

  private continueWith(fn: () => Outcome): void {
    const r = this.running;
    invariant(r !== null, 'journalnode: a step with no running request');
    const o = this.safely(fn);
    switch (o.kind) {
      case 'reply':
        this.answer(r.from, r.req, o);
        this.running = null;
        this.served++;
        this.next();
        return;
      case 'sync': {
        const step = ++this.step;
        this.syncWait = { step, left: o.paths.length, error: null, then: o.then };
        for (const p of o.paths) this.ctx.disk.fsync(p, { kind: 'jn-sync', step } satisfies DiskTag);
        return;
      }
      case 'fetch': {
        const peer = this.ctx.lookup(o.from);
        const callId = this.nextCallId++;
        const req: QJournalMessage = { type: 'qjmGetEditSegment', callId, journalId: this.journal.files.journalId, segmentTxId: o.segmentTxId, endTxId: o.endTxId };
        this.ctx.send(peer, req, qjmRpcBytes(req));
        const timer = this.ctx.setTimer(SEGMENT_DOWNLOAD_TIMEOUT_US, { kind: 'download-timeout', callId } satisfies JnTimer);
        this.download = { callId, timer, peer, then: o.then };
        return;
      }
    }
  }

  private answer(to: ProcessId, req: QJournalRequest, o: Outcome): void {
    invariant(o.kind === 'reply', 'journalnode: a read answered with more steps');
    const base = o.reply.type === 'qjmError' ? { ...o.reply, rpc: req.type } : o.reply;
    const msg = { ...base, callId: req.callId } as QJournalResponse;
    if (this.ctx.tracing && msg.type === 'qjmError') this.ctx.annotate(`${req.type} refused: ${msg.className}: ${msg.message}`);
    this.ctx.send(to, msg, qjmRpcBytes(msg));
  }

  onDiskDone(tag: unknown, error: DiskError | null): void {
    const t = tag as DiskTag;
    const w = this.syncWait;
    if (w === null || t.kind !== 'jn-sync' || t.step !== w.step) return;
    if (error !== null) w.error = error;
    if (--w.left > 0) return;
    this.syncWait = null;
    if (w.error !== null) {
      const err = w.error;
      this.continueWith(() => {
        throw new JournalError('IOException', `fsync failed: ${err}`);
      });
      return;
    }
    this.continueWith(w.then);
  }

  onTimer(tag: JnTimer): void {
    const d = this.download;
    if (d === null || d.callId !== tag.callId) return;
    this.download = null;
    this.continueWith(() => d.then(null));
  }

  onDisconnect(peer: ProcessId): void {
    const d = this.download;
    if (d === null || d.peer !== peer) return;
    this.ctx.cancelTimer(d.timer);
    this.download = null;
    this.continueWith(() => d.then(null));
  }

  inspect(): Json {
    const segments = listEditLogs(this.ctx.disk, this.journal.files).map((f) => (f.inProgress ? `${f.firstTxId}-(in progress)` : `${f.firstTxId}-${f.lastTxId}`));
    return { role: 'journalnode', ...this.journal.inspect(), segments: segments.slice(-8), queued: this.queue.length, busy: this.running?.req.type ?? null, served: this.served };
  }
}

export function journalNodeFactory(opts: JournalNodeOptions): (ctx: Context) => JournalNode {
  return (ctx) => new JournalNode(ctx, opts);
}
