import type { Actor, ActorFactory, Context } from '../../core/actor.ts';
import { invariant } from '../../core/invariant.ts';
import type { DiskError, Json, ProcessId } from '../../core/types.ts';
import { SEC } from '../../core/types.ts';
import { blockSettings } from '../config-blocks.ts';
import { namenodeBlockManager } from '../blockmanagement/namenode-adapter.ts';
import { namenodeSettings, type NameNodeSettings } from '../config.ts';
import type { HdfsMessage } from '../messages.ts';
import { dnRpcBytes, type DatanodeProtocolRequest, type DatanodeProtocolResponse } from '../protocol-dn.ts';
import { rpcBytes, type ClientProtocolRequest, type ClientProtocolResponse, type NamenodeProtocolRequest } from '../protocol.ts';
import type { DatanodeName, TxId } from '../types.ts';
import type { BlockManagerHost, NamenodeBlockManager } from './block-port.ts';
import { serveCheckpointRequest, type CheckpointHost } from './checkpoint-server.ts';
import { EditLog, type EditLogIO } from './edit-log.ts';
import type { Answer, FsContext } from './fs-context.ts';
import { LeaseManager } from './leases.ts';
import { dispatchClientRequest } from './client-rpc.ts';
import { checkLeases, commitBlockSynchronization } from './lease-recovery.ts';
import type { Namespace } from './namespace.ts';
import { NameNodeView } from './namenode-view.ts';
import { SafeMode, type SafeModeCounts } from './safemode.ts';
import { NNStorage } from './storage.ts';
import { readableLayouts } from '../version.ts';
import './observations.ts';

// The NameNode actor (NameNode + FSNamesystem + NameNodeRpcServer in one process).
//
// Startup (the factory): NNStorage formats an empty directory (fsimage_0, seen_txid, VERSION) or
// recovers (unfinalized segments finalized, newest valid image, edits replayed); the block manager
// learns every block of the namespace; a new edit-log segment opens; startup safe mode begins. A
// storage that cannot be loaded stops the process (ctx.exit), as the NameNode refuses to start.
//
// Then: ClientProtocol RPCs (client-rpc.ts) answer after their ops are synced (group commit);
// NamenodeProtocol (checkpoint-server.ts) serves the SecondaryNameNode; DatanodeProtocol goes to the
// block manager, except commitBlockSynchronization. Timers: the lease monitor, the safe mode monitor
// and the block manager's periodic tasks. A roll or saveNamespace holds new requests back until it is
// done (the namesystem write lock), so no op lands in a segment after its OP_END_LOG_SEGMENT.
//
// Observations (for checkers/namespace-durability.ts): hdfs-nn-loaded, hdfs-nn-op-acked,
// hdfs-nn-segment, hdfs-nn-checkpoint (README "Observations").

export interface NameNodeOptions {
  /**
   * Builds the block manager. Default: hdfs-bm's BlockManager behind the NamenodeBlockManager seam
   * (blockmanagement/namenode-adapter.ts) with the block-management keys of the configuration.
   * Tests of the NameNode alone pass a stand-in.
   */
  readonly blockManager?: (host: BlockManagerHost) => NamenodeBlockManager;
  /** The rack of a host (the scenario's topology). */
  readonly resolveRack: (hostName: string) => string;
  /** namespaceID written at format (NNStorage.newNamespaceID draws a random one; dsim fixes it per scenario). */
  readonly namespaceId?: number;
  /** Test seam: wraps the edit log's fsync (e.g. a disk whose fsync lies, for the checker's test). */
  readonly wrapEditLogIO?: (io: EditLogIO) => EditLogIO;
}

export type NnTimer = { readonly kind: 'leaseMonitor' } | { readonly kind: 'safeModeMonitor' } | { readonly kind: 'task'; readonly index: number };

/** SafeModeMonitor's recheck interval (BlockManagerSafeMode.RECHECK_INTERVAL: 1 s). */
const SAFEMODE_RECHECK_US = 1 * SEC;

export function nameNodeFactory(opts: NameNodeOptions): ActorFactory {
  return (ctx) => new NameNode(ctx, opts);
}

export class NameNode implements Actor<HdfsMessage, NnTimer> {
  readonly settings: NameNodeSettings;
  readonly storage: NNStorage;
  ns!: Namespace;
  log!: EditLog;
  readonly leases: LeaseManager;
  readonly safeMode: SafeMode;
  readonly bm: NamenodeBlockManager;
  protected phase: 'starting' | 'active' | 'failed' = 'starting';
  private locked = false;
  private readonly held: { from: ProcessId; msg: HdfsMessage }[] = [];
  private fsyncSeq = 0;
  private readonly fsyncs = new Map<number, (err: string | null) => void>();
  private namespaceId = 0;
  private imageTxId = 0 as TxId;
  /** The safe-mode counts last told to the checkers (hdfs-nn-safemode-counts is sent on a change). */
  private lastSafeModeCounts: SafeModeCounts | null = null;
  readonly fs: FsContext;
  private readonly view: NameNodeView;

  constructor(readonly ctx: Context, private readonly opts: NameNodeOptions) {
    this.settings = namenodeSettings(ctx.config);
    const io = { fsync: (path: string, done: (err: string | null) => void) => this.fsync(path, done) };
    this.storage = new NNStorage(ctx.disk, io, readableLayouts(this.settings.features));
    this.leases = new LeaseManager(this.settings.leaseSoftLimitUs, this.settings.leaseHardLimitUs);
    this.safeMode = new SafeMode({
      thresholdPct: this.settings.safemodeThresholdPct, extensionUs: this.settings.safemodeExtensionUs, minDatanodes: this.settings.safemodeMinDatanodes,
    });
    const makeBm = opts.blockManager ?? ((host: BlockManagerHost): NamenodeBlockManager => namenodeBlockManager(blockSettings(ctx.config), host));
    this.bm = makeBm({
      nowUs: () => ctx.nowUs(),
      rng: ctx.rng,
      tracing: ctx.tracing,
      annotate: (t) => ctx.annotate(t),
      isInSafeMode: () => this.safeMode.isOn,
      resolveRack: opts.resolveRack,
      countsChanged: () => this.checkSafeMode(),
      observe: (kind, data) => ctx.observe(kind, data),
    });
    const self = this;
    this.fs = {
      get ns() { return self.ns; },
      get log() { return self.log; },
      leases: this.leases,
      bm: this.bm,
      safeMode: this.safeMode,
      settings: this.settings,
      nowMs: () => Math.floor(ctx.nowUs() / 1000),
      localUs: () => ctx.localTimeUs(),
      safeModeTip: () => this.safeMode.tip(ctx.nowUs()),
      annotate: (t) => { if (ctx.tracing) ctx.annotate(t()); },
    };
    this.view = new NameNodeView(this);
    if (this.storage.isFormatted()) this.load();
    else this.format();
  }

  // ------------------------------------------------------------------ startup

  private format(): void {
    this.namespaceId = this.opts.namespaceId ?? 1;
    this.fs.annotate(() => `formatting the storage directory (namespaceID ${this.namespaceId})`);
    this.storage.format(this.namespaceId, this.settings.features.layoutVersion, (err) => {
      if (err !== null) return this.fail(`format failed: ${err}`);
      this.load();
    });
  }

  private load(): void {
    const notes = this.storage.recoverUnfinalizedSegments();
    const loaded = this.storage.load();
    if ('fatal' in loaded) return this.fail(loaded.fatal);
    this.ns = loaded.ns;
    this.namespaceId = loaded.namespaceId;
    this.imageTxId = loaded.imageTxId;
    for (const n of [...notes, ...loaded.notes]) this.fs.annotate(() => n);
    // FSEditLogLoader / FSImageFormatPBINode hand every block to the block manager; leases of files under construction come back.
    for (const n of this.ns.walk()) {
      if (n.kind !== 'file') continue;
      n.blocks.forEach((b, i) => {
        const uc = n.uc !== null && i === n.blocks.length - 1;
        this.bm.addBlockCollection({ blockId: b.blockId, genStamp: b.genStamp, numBytes: b.numBytes }, n.replication, n.id, uc ? 'UNDER_CONSTRUCTION' : 'COMPLETE', []);
      });
      if (n.uc !== null) this.leases.addLease(n.uc.clientName, n.id, this.ctx.localTimeUs());
    }
    this.ctx.observe('hdfs-nn-loaded', {
      lastTxId: this.ns.lastAppliedTxId, imageTxId: loaded.imageTxId, digest: this.ns.digest(),
      segments: loaded.segments.map((s) => [s.start, s.end] as const),
    });
    this.openForWrite();
  }

  /**
   * After loading: open the edit log for write and start serving. An HA NameNode (ha/ha-namenode.ts)
   * overrides this: it starts in standby and opens the shared edit log only when it becomes active.
   */
  protected openForWrite(): void {
    const io: EditLogIO = { fsync: (p, done) => this.fsync(p, done), fatal: (r) => this.fail(r) };
    this.log = new EditLog(this.ctx.disk, this.opts.wrapEditLogIO?.(io) ?? io, this.settings.features.layoutVersion, this.ns.lastAppliedTxId, (op) => this.ns.apply(op));
    this.log.startLogSegment(() => this.activate());
  }

  /** Starts the active services: safe mode, the lease monitor, the block manager's tasks; then serves. */
  protected activate(): void {
    this.phase = 'active';
    const counts = this.bm.safeModeCounts();
    this.lastSafeModeCounts = counts;
    this.ctx.observe('hdfs-nn-safemode-on', { ...counts });
    const left = this.safeMode.activate(counts, this.ctx.nowUs());
    if (left) this.leftSafeMode(false);
    else {
      this.fs.annotate(() => `STATE* Safe mode ON. ${this.safeMode.tip(this.ctx.nowUs())}`);
      this.ctx.setTimer(SAFEMODE_RECHECK_US, { kind: 'safeModeMonitor' });
    }
    this.ctx.setTimer(this.settings.leaseRecheckIntervalUs, { kind: 'leaseMonitor' });
    this.bm.periodicTasks().forEach((t, index) => this.ctx.setTimer(t.periodUs, { kind: 'task', index }));
    this.drainHeld();
  }

  protected fail(reason: string): void {
    if (this.phase === 'failed') return;
    this.phase = 'failed';
    this.ctx.exit(reason);
  }

  // ------------------------------------------------------------------ safe mode

  private checkSafeMode(): void {
    if (this.phase !== 'active' || this.safeMode.status === 'OFF') return;
    const counts = this.bm.safeModeCounts();
    const last = this.lastSafeModeCounts;
    if (last === null || last.blockTotal !== counts.blockTotal || last.blockSafe !== counts.blockSafe || last.liveDatanodes !== counts.liveDatanodes) {
      this.lastSafeModeCounts = counts;
      this.ctx.observe('hdfs-nn-safemode-counts', { ...counts });
    }
    if (this.safeMode.check(counts, this.ctx.nowUs()) === 'left') this.leftSafeMode(false);
  }

  private leftSafeMode(manual: boolean): void {
    this.fs.annotate(() => 'STATE* Safe mode is OFF');
    this.ctx.observe('hdfs-nn-safemode-off', { txid: this.ns.lastAppliedTxId, manual, ...this.bm.safeModeCounts() });
    this.bm.initializeReplQueues();
  }

  /** dfsadmin -safemode leave: out of safe mode whatever the thresholds say. */
  forceLeaveSafeMode(): void {
    const wasOn = this.safeMode.isOn;
    this.safeMode.manual = false;
    this.safeMode.status = 'OFF';
    if (wasOn) this.leftSafeMode(true);
  }

  // ------------------------------------------------------------------ messages

  onMessage(from: ProcessId, msg: HdfsMessage): void {
    if (this.phase === 'failed') return;
    if (this.phase === 'starting' || this.locked) {
      this.held.push({ from, msg });
      return;
    }
    this.handle(from, msg);
  }

  protected handle(from: ProcessId, msg: HdfsMessage): void {
    switch (msg.type) {
      case 'registerDatanode':
      case 'sendHeartbeat':
      case 'blockReport':
      case 'blockReceivedAndDeleted':
      case 'datanodeReportBadBlocks':
      case 'errorReport':
        this.replyDatanode(from, this.bm.handleDatanodeRequest(msg.type === 'registerDatanode' ? msg.registration.datanode : msg.datanode, msg));
        this.checkSafeMode();
        return;
      case 'commitBlockSynchronization':
        this.onCommitBlockSynchronization(from, msg);
        return;
      case 'getTransactionID':
      case 'rollEditLog':
      case 'getEditLogManifest':
      case 'getImage':
      case 'getEdit':
      case 'putImage':
        this.onNamenodeRequest(from, msg);
        return;
      default:
        if (isClientRequest(msg)) this.onClientRequest(from, msg);
    }
  }

  private onClientRequest(from: ProcessId, req: ClientProtocolRequest): void {
    const answer = dispatchClientRequest(this, from, req);
    if (answer === 'held') return;
    this.answerClient(from, req, answer);
  }

  /** Sends the answer once its txid is durable (FSNamesystem: logSync after the lock is released, then return). */
  answerClient(from: ProcessId, req: ClientProtocolRequest, answer: Answer): void {
    if ('err' in answer) {
      const m: ClientProtocolResponse = { type: 'RemoteException', callId: req.callId, rpc: req.type, className: answer.err.className, message: answer.err.message };
      this.ctx.send(from, m, rpcBytes(m));
      return;
    }
    const m = { ...answer.ok, callId: req.callId } as ClientProtocolResponse;
    if (answer.txid === null) {
      this.ctx.send(from, m, rpcBytes(m));
      return;
    }
    const txid = answer.txid;
    const what = answer.what ?? req.type;
    this.log.logSync(txid, () => {
      invariant(this.log.syncedTxId >= txid, () => `answer to ${what} before txid ${txid} is synced`);
      this.ctx.observe('hdfs-nn-op-acked', { txid, what, digest: this.ns.lastAppliedTxId === txid ? this.ns.digest() : null });
      this.ctx.send(from, m, rpcBytes(m));
    });
  }

  private onNamenodeRequest(from: ProcessId, req: NamenodeProtocolRequest): void {
    const host: CheckpointHost = {
      ns: this.ns, log: this.log, storage: this.storage, namespaceId: this.namespaceId,
      retention: this.settings,
      exclusive: (f) => this.exclusive(f),
      observe: (k, d) => this.ctx.observe(k, d),
      annotate: (t) => this.fs.annotate(t),
    };
    serveCheckpointRequest(host, req, (body) => {
      const m: HdfsMessage = 'error' in body
        ? { type: 'RemoteException', callId: req.callId, rpc: req.type, className: 'IOException', message: body.error }
        : ({ ...body, callId: req.callId } as HdfsMessage);
      this.ctx.send(from, m, rpcBytes(m as Parameters<typeof rpcBytes>[0]));
    });
  }

  private onCommitBlockSynchronization(from: ProcessId, req: Extract<DatanodeProtocolRequest, { type: 'commitBlockSynchronization' }>): void {
    const r = commitBlockSynchronization(this.fs, req);
    const reply = (error: string | null): void => {
      this.replyDatanode(from, { type: 'commitBlockSynchronizationResponse', callId: req.callId, error: error === null ? null : 'IOException', errorMessage: error ?? '' });
    };
    if ('error' in r) return reply(r.error);
    if (r.txid === null) return reply(null);
    const txid = r.txid;
    this.log.logSync(txid, () => {
      this.ctx.observe('hdfs-nn-op-acked', { txid, what: `commitBlockSynchronization blk_${req.block.blockId}`, digest: this.ns.lastAppliedTxId === txid ? this.ns.digest() : null });
      reply(null);
    });
  }

  private replyDatanode(to: ProcessId, m: DatanodeProtocolResponse): void {
    this.ctx.send(to, m, dnRpcBytes(m));
  }

  /** Holds new requests back while `f` runs (the namesystem write lock over a roll or saveNamespace). */
  exclusive(f: (release: () => void) => void): void {
    invariant(!this.locked, 'namenode: exclusive section while one is running');
    this.locked = true;
    f(() => {
      this.locked = false;
      this.drainHeld();
    });
  }

  private drainHeld(): void {
    while (this.held.length > 0 && !this.locked && this.phase === 'active') {
      const { from, msg } = this.held.shift()!;
      this.handle(from, msg);
    }
  }

  // ------------------------------------------------------------------ timers and disk

  onTimer(t: NnTimer): void {
    if (this.phase !== 'active') return;
    switch (t.kind) {
      case 'leaseMonitor': {
        if (!this.locked && !this.safeMode.isOn) {
          const txid = checkLeases(this.fs);
          if (txid !== null) this.log.logSync(txid, () => {});
        }
        this.ctx.setTimer(this.settings.leaseRecheckIntervalUs, t);
        return;
      }
      case 'safeModeMonitor':
        this.checkSafeMode();
        if (this.safeMode.status !== 'OFF') this.ctx.setTimer(SAFEMODE_RECHECK_US, t);
        return;
      case 'task': {
        const task = this.bm.periodicTasks()[t.index]!;
        task.run();
        this.checkSafeMode();
        this.ctx.setTimer(task.periodUs, t);
        return;
      }
    }
  }

  fsync(path: string, done: (err: string | null) => void): void {
    const id = ++this.fsyncSeq;
    this.fsyncs.set(id, done);
    this.ctx.disk.fsync(path, { kind: 'nn-fsync', id });
  }

  onDiskDone(tag: unknown, error: DiskError | null): void {
    const t = tag as { kind?: string; id?: number };
    if (t.kind !== 'nn-fsync' || t.id === undefined) return;
    const done = this.fsyncs.get(t.id);
    if (done === undefined) return;
    this.fsyncs.delete(t.id);
    done(error);
  }

  get currentImageTxId(): TxId {
    return this.imageTxId;
  }

  get nsId(): number {
    return this.namespaceId;
  }

  get isActive(): boolean {
    return this.phase === 'active';
  }

  inspect(): Json {
    return this.view.inspect(this.phase);
  }
}

const CLIENT_RPCS = new Set<string>([
  'mkdirs', 'create', 'addBlock', 'complete', 'abandonBlock', 'getBlockLocations', 'getAdditionalDatanode', 'renewLease',
  'updateBlockForPipeline', 'updatePipeline', 'recoverLease', 'fsync', 'delete', 'rename', 'getFileInfo', 'getListing',
  'setReplication', 'reportBadBlocks', 'setSafeMode', 'saveNamespace',
] satisfies ClientProtocolRequest['type'][]);

function isClientRequest(m: HdfsMessage): m is ClientProtocolRequest {
  return CLIENT_RPCS.has(m.type);
}

export type { DatanodeName };
