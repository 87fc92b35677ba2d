import type { Actor, Context } from '../../core/actor.ts';
import type { Json, ProcessId } from '../../core/types.ts';
import { SEC } from '../../core/types.ts';
import '../observations-dn.ts';
import { datanodeSettings, type DatanodeSettings } from '../config-datanode.ts';
import type { HdfsMessage } from '../messages.ts';
import { rpcBytes, type ClientProtocolRequest } from '../protocol.ts';
import type { DtPacket, DtReadBlock, DtTransferBlock, DtWriteBlock } from '../protocol-dt.ts';
import type { DatanodeName } from '../types.ts';
import { FileReader, type ReadResult } from './reader.ts';
import type { CallResult, ClientCall, NamenodeRpc } from './rpc.ts';
import { DataStreamer } from './streamer.ts';
import { FileWriter, type WriteSpec, type WriterHost } from './writer.ts';

// DFSClient as a process: the IPC client of ClientProtocol (call ids, answers, failures when the
// NameNode connection closes or a call times out), the LeaseRenewer (renewLease every soft limit /
// 2 = 30 s while files are open for writing), and a workload of writers and readers whose every
// operation is recorded in the history: `write` (create .. close), `hflush`, `hsync`, `read`, and
// `verify` (the final read-back of every file this client wrote, for hdfs-durability).

/** HdfsConstants.LEASE_SOFTLIMIT_PERIOD: 60 s; LeaseRenewer renews at half of it. */
const LEASE_SOFTLIMIT_US = 60 * SEC;
const TICK_US = 1 * SEC;

export interface ClientOptions {
  readonly namenode: string;
  /** Files this client writes, one after another. */
  readonly writes: readonly WriteSpec[];
  /** Wait between two files (and before the first, unless `firstPauseUs` is given). */
  readonly pauseUs: number;
  readonly firstPauseUs?: number;
  /** Paths this client reads in turn, every `readEveryUs` (missing files are skipped). */
  readonly reads: readonly string[];
  readonly readEveryUs: number;
  /** When to read back every file this client wrote (null: never). */
  readonly verifyAtUs: number | null;
  /**
   * The liveness probe (hdfs-liveness): from `atUs` (the heal), write a small file under /probe and
   * read it back (recorded as its `verify`), again every `everyUs` with a new path until one write
   * and its read-back both succeed.
   */
  readonly probe?: { readonly atUs: number; readonly everyUs: number; readonly spec: Omit<WriteSpec, 'path'> };
}

/** Where the liveness probe writes (hdfs-liveness looks for these paths). */
export const PROBE_DIR = '/probe';

type Tag = { readonly kind: 'tick' } | { readonly kind: 'later'; readonly id: number };

export class DfsClient implements Actor<HdfsMessage, Tag> {
  readonly clientName: string;
  readonly clientMachine: string;
  readonly settings: DatanodeSettings;
  private readonly nn: ProcessId;
  private nextCallId = 1;
  private readonly calls = new Map<number, { done: (r: CallResult) => void; sentUs: number }>();
  private nextXid: number;
  private readonly xceivers = new Map<number, DataStreamer | FileReader>();
  private readonly open = new Set<FileWriter>();
  private readonly readers = new Set<FileReader>();
  private lastRenewUs = 0;
  private writeIndex = 0;
  private readIndex = 0;
  private nextReadUs: number;
  private verified = false;
  private readonly laters = new Map<number, () => void>();
  private nextLater = 1;
  /** Paths whose data this client had acknowledged (closed or hsynced): read back at verify time. */
  private readonly written = new Set<string>();
  readonly rpc: NamenodeRpc;
  stats = { written: 0, writeFailures: 0, reads: 0, readFailures: 0 };

  constructor(private readonly ctx: Context, private readonly opts: ClientOptions) {
    this.clientName = `DFSClient_NONMAPREDUCE_${ctx.name}_${ctx.incarnation}`;
    this.clientMachine = ctx.hostName;
    this.settings = datanodeSettings(ctx.config);
    this.nn = ctx.lookup(opts.namenode);
    this.nextXid = ctx.incarnation * 1_000_000;
    this.nextReadUs = opts.readEveryUs > 0 ? ctx.nowUs() + opts.readEveryUs : Infinity;
    this.rpc = { call: (req, done) => this.call(req, done) };
    ctx.setTimer(TICK_US, { kind: 'tick' });
    this.later(opts.firstPauseUs ?? opts.pauseUs, () => this.nextWrite());
    const probe = opts.probe;
    if (probe !== undefined) this.later(Math.max(1, probe.atUs - ctx.nowUs()), () => this.runProbe(probe, 1));
  }

  /** One probe attempt: write PROBE_DIR/<incarnation>-<n>, then read it back; retried until both succeed. */
  private runProbe(probe: NonNullable<ClientOptions['probe']>, n: number): void {
    const path = `${PROBE_DIR}/p-${this.ctx.incarnation}-${n}`;
    const retry = (): void => this.later(probe.everyUs, () => this.runProbe(probe, n + 1));
    const w = new FileWriter(this.host(), { ...probe.spec, path }, () => {
      const st = w.streamer;
      if (st === null || st.error !== null) return retry();
      this.read(path, 'verify', (ok) => { if (!ok) retry(); });
    });
    w.start();
  }

  // ------------------------------------------------------------------ IPC

  private call(req: ClientCall, done: (r: CallResult) => void): void {
    const callId = this.nextCallId++;
    const m = { ...req, callId } as ClientProtocolRequest;
    this.calls.set(callId, { done, sentUs: this.ctx.nowUs() });
    this.ctx.send(this.nn, m, rpcBytes(m));
  }

  private answer(callId: number, r: CallResult): void {
    const c = this.calls.get(callId);
    if (c === undefined) return;
    this.calls.delete(callId);
    c.done(r);
  }

  // ------------------------------------------------------------------ hosts for streams

  private readonly writerHost: WriterHost = {
    clientName: '',
    clientMachine: '',
    settings: null as unknown as DatanodeSettings,
    rpc: null as unknown as NamenodeRpc,
    nowUs: () => this.ctx.nowUs(),
    sendDn: (dn: DatanodeName, m: DtWriteBlock | DtPacket | DtTransferBlock, bytes: number) => this.ctx.send(this.ctx.lookup(dn), m, bytes),
    openXceiver: (owner: DataStreamer) => this.openXceiver(owner),
    closeXceiver: (xid: number) => this.xceivers.delete(xid),
    annotate: (t: string) => this.annotate(t),
    observe: (kind, data) => this.ctx.observe(kind, data),
    invoke: (f, key, value) => this.ctx.invoke(f, key, value),
    complete: (op, type, value, error) => this.ctx.complete(op, type, value, error),
    later: (d, fn) => this.later(d, fn),
    fileOpened: (w) => this.open.add(w),
    fileClosed: (w) => this.open.delete(w),
  };

  private openXceiver(owner: DataStreamer | FileReader): number {
    const xid = this.nextXid++;
    this.xceivers.set(xid, owner);
    return xid;
  }

  private host(): WriterHost {
    return Object.assign(this.writerHost, { clientName: this.clientName, clientMachine: this.clientMachine, settings: this.settings, rpc: this.rpc });
  }

  private annotate(t: string): void {
    if (this.ctx.tracing) this.ctx.annotate(t);
  }

  private later(delayUs: number, fn: () => void): void {
    const id = this.nextLater++;
    this.laters.set(id, fn);
    this.ctx.setTimer(Math.max(1, delayUs), { kind: 'later', id });
  }

  // ------------------------------------------------------------------ workload

  private nextWrite(): void {
    const spec = this.opts.writes[this.writeIndex++];
    if (spec === undefined) return;
    const w = new FileWriter(this.host(), spec, () => {
      const st = w.streamer;
      if (st !== null && st.error === null) {
        this.written.add(spec.path);
        this.stats.written++;
      } else this.stats.writeFailures++;
      this.later(this.opts.pauseUs, () => this.nextWrite());
    });
    w.start();
  }

  /**
   * Writes one file outside the client's workload (a MapReduce task's output, written by the
   * DFSClient its NodeManager hosts): done(true, fileId) once it was closed.
   */
  writeFile(spec: WriteSpec, done: (ok: boolean, fileId: number) => void): void {
    const w = new FileWriter(this.host(), spec, () => done(w.outcome === 'ok', w.streamer?.file.fileId ?? -1));
    w.start();
  }

  /** Reads a file, records the operation under `f`. */
  private read(path: string, f: 'read' | 'verify', then?: (ok: boolean) => void): void {
    const op = this.ctx.invoke(f, path, null);
    const r = new FileReader({
      clientName: this.clientName,
      clientMachine: this.clientMachine,
      settings: this.settings,
      rpc: this.rpc,
      nowUs: () => this.ctx.nowUs(),
      random: () => this.ctx.rng.float(),
      sendDn: (dn: DatanodeName, m: DtReadBlock, bytes: number) => this.ctx.send(this.ctx.lookup(dn), m, bytes),
      openXceiver: (owner) => this.openXceiver(owner),
      closeXceiver: (xid) => this.xceivers.delete(xid),
      annotate: (t) => this.annotate(t),
    }, path, (res: ReadResult | string) => {
      this.readers.delete(r);
      this.stats.reads++;
      if (typeof res === 'string') {
        this.stats.readFailures++;
        this.ctx.complete(op, 'fail', null, res);
      } else this.ctx.complete(op, 'ok', { length: res.length, digest: res.digest });
      then?.(typeof res !== 'string');
    });
    this.readers.add(r);
    r.start();
  }

  // ------------------------------------------------------------------ handlers

  onMessage(_from: ProcessId, msg: HdfsMessage): void {
    switch (msg.type) {
      case 'DtWriteBlockResponse': {
        const o = this.xceivers.get(msg.xceiverId);
        if (o instanceof DataStreamer) o.onSetupAnswer(msg);
        return;
      }
      case 'DtPipelineAck': {
        const o = this.xceivers.get(msg.xceiverId);
        if (o instanceof DataStreamer) o.onAck(msg);
        return;
      }
      case 'DtTransferBlockResponse': {
        const o = this.xceivers.get(msg.xceiverId);
        if (o instanceof DataStreamer) o.onTransferAnswer(msg);
        return;
      }
      case 'DtReadBlockResponse': {
        const o = this.xceivers.get(msg.xceiverId);
        if (o instanceof FileReader) o.onResponse(msg);
        return;
      }
      case 'DtReadPacket': {
        const o = this.xceivers.get(msg.xceiverId);
        if (o instanceof FileReader) o.onPacket(msg);
        return;
      }
      default:
        if ('callId' in msg && (msg.type.endsWith('Response') || msg.type === 'RemoteException')) this.answer(msg.callId, msg as CallResult);
    }
  }

  onTimer(tag: Tag): void {
    if (tag.kind === 'later') {
      const fn = this.laters.get(tag.id);
      this.laters.delete(tag.id);
      fn?.();
      return;
    }
    this.ctx.setTimer(TICK_US, { kind: 'tick' });
    const now = this.ctx.nowUs();
    // ipc.Client: a call that times out closes its Connection (Connection.markClosed ->
    // cleanupCalls fails every call on it) and the next call opens a new one. Keeping the old stream
    // would queue new calls behind data a partition holds until TCP's next retransmission (up to
    // 2 min after the heal), where a new connection gets through at once.
    if ([...this.calls.values()].some((c) => now - c.sentUs > this.settings.socketTimeoutUs)) {
      this.ctx.disconnect(this.nn);
      for (const id of [...this.calls.keys()]) this.answer(id, null);
    }
    for (const w of [...this.open]) w.streamer?.tick(now);
    for (const r of [...this.readers]) r.tick(now);
    // LeaseRenewer: renew while files are open, every soft limit / 2.
    if (this.open.size > 0 && now - this.lastRenewUs >= LEASE_SOFTLIMIT_US / 2) {
      this.lastRenewUs = now;
      this.call({ type: 'renewLease', clientName: this.clientName }, () => {});
    }
    if (now >= this.nextReadUs && this.opts.reads.length > 0) {
      this.nextReadUs = now + this.opts.readEveryUs;
      this.read(this.opts.reads[this.readIndex++ % this.opts.reads.length]!, 'read');
    }
    if (!this.verified && this.opts.verifyAtUs !== null && now >= this.opts.verifyAtUs) {
      this.verified = true;
      this.nextReadUs = Infinity;
      for (const p of this.pathsToVerify()) this.read(p, 'verify');
    }
  }

  /** Every path this client wrote whose data it had acknowledged (closed, or hsync'd). */
  private pathsToVerify(): string[] {
    const out = new Set(this.written);
    for (const w of this.opts.writes.slice(0, this.writeIndex)) out.add(w.path);
    return [...out].sort();
  }

  onDisconnect(peer: ProcessId): void {
    if (peer === this.nn) {
      for (const id of [...this.calls.keys()]) this.answer(id, null);
      return;
    }
    const dn = this.ctx.nameOf(peer) as DatanodeName;
    for (const w of [...this.open]) w.streamer?.onDatanodeDisconnect(dn);
    for (const r of [...this.readers]) r.onDisconnect(dn);
  }

  /** The DataNodes of the write pipelines open now, in pipeline order (for fault targets). */
  pipelineNodes(): string[] {
    for (const w of this.open) {
      const st = w.streamer;
      if (st !== null && st.nodes.length > 0 && (st.phase === 'streaming' || st.phase === 'closing')) return st.nodes.map((n) => n.name);
    }
    return [];
  }

  inspect(): Json {
    return {
      role: 'client',
      open: [...this.open].map((w) => w.spec.path).sort(),
      written: this.stats.written,
      writeFailures: this.stats.writeFailures,
      reads: this.stats.reads,
      readFailures: this.stats.readFailures,
    };
  }
}

export function clientFactory(opts: ClientOptions): (ctx: Context) => DfsClient {
  return (ctx) => new DfsClient(ctx, opts);
}
