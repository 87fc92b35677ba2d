import type { Actor, ActorFactory, Context } from '../../core/actor.ts';
import { md5Hex } from '../../core/md5.ts';
import type { DiskError, Json, ProcessId } from '../../core/types.ts';
import { MS } from '../../core/types.ts';
import { namenodeSettings, type NameNodeSettings } from '../config.ts';
import type { HdfsMessage } from '../messages.ts';
import { scanSegment } from '../namenode/edit-segment.ts';
import { deserializeImage, serializeImage } from '../namenode/fsimage.ts';
import type { Namespace } from '../namenode/namespace.ts';
import { NNStorage } from '../namenode/storage.ts';
import { finalizedEditsName } from '../namenode/storage-files.ts';
import { rpcBytes, type NamenodeProtocolRequest, type RemoteEditLog } from '../protocol.ts';
import type { TxId } from '../types.ts';
import { readableLayouts } from '../version.ts';

// The SecondaryNameNode (SecondaryNameNode.doWork / doCheckpoint, CheckpointConf, TransferFsImage).
//
// Every dfs.namenode.checkpoint.check.period it asks the NameNode for its txid
// (shouldCheckpointBasedOnCount: txid - last checkpoint >= dfs.namenode.checkpoint.txns) and
// checkpoints when that holds or dfs.namenode.checkpoint.period has passed since its last one:
//   rollEditLog -> getEditLogManifest(since the image) -> getImage (only when its own merged image
//   is not the NameNode's newest) -> getEdit per segment -> merge (load, replay: the NameNode's own
//   loader code) -> save fsimage_<txid> + .md5 in its checkpoint directory -> putImage to the
//   NameNode (which verifies the MD5 and runs retention) -> retention here too.
// Image and edits travel with their real byte sizes. A step unanswered within dfs.image.transfer.timeout
// (or a closed connection) fails the checkpoint; after dfs.namenode.checkpoint.max-retries failures in
// a row the SecondaryNameNode exits ("Merging failed N times"), as Hadoop does.

export interface SecondaryOptions {
  /** The NameNode's process name. */
  readonly namenode: string;
}

type SnnTimer = { readonly kind: 'check' } | { readonly kind: 'timeout'; readonly attempt: number };

/** dfs.image.transfer.timeout default (60 s): no answer within it fails the step. */
export const IMAGE_TRANSFER_TIMEOUT_US = 60_000 * MS;

export function secondaryNameNodeFactory(opts: SecondaryOptions): ActorFactory {
  return (ctx) => new SecondaryNameNode(ctx, opts);
}

interface Attempt {
  readonly id: number;
  step: string;
  curSegmentTxId: TxId;
  imageTxId: TxId;
  logs: readonly RemoteEditLog[];
  nextLog: number;
}

export class SecondaryNameNode implements Actor<HdfsMessage, SnnTimer> {
  private readonly settings: NameNodeSettings;
  private readonly storage: NNStorage;
  private readonly nn: ProcessId;
  /** The merged namespace kept between checkpoints (checkpointImage). */
  private ns: Namespace | null = null;
  private lastCheckpointUs: number;
  private attempt: Attempt | null = null;
  private attempts = 0;
  private failuresInARow = 0;
  private checkpoints = 0;
  private callSeq = 0;
  private lastError: string | null = null;
  private fsyncSeq = 0;
  private readonly fsyncs = new Map<number, (err: string | null) => void>();
  private timeoutTimer: number | null = null;

  constructor(private readonly ctx: Context, opts: SecondaryOptions) {
    this.settings = namenodeSettings(ctx.config);
    this.storage = new NNStorage(ctx.disk, { fsync: (p, done) => this.fsync(p, done) }, readableLayouts(this.settings.features));
    this.nn = ctx.lookup(opts.namenode);
    // SecondaryNameNode.initialize: lastCheckpointTime starts at startup, so the first period-based
    // checkpoint comes a full period after the start.
    this.lastCheckpointUs = ctx.nowUs();
    const loaded = this.storage.isFormatted() || this.storage.files().some((f) => f.kind === 'image') ? this.storage.load() : null;
    if (loaded !== null && !('fatal' in loaded)) this.ns = loaded.ns;
    ctx.setTimer(this.settings.checkpointCheckPeriodUs, { kind: 'check' });
  }

  private call(req: NamenodeProtocolRequest): void {
    this.ctx.send(this.nn, req, rpcBytes(req));
    if (this.timeoutTimer !== null) this.ctx.cancelTimer(this.timeoutTimer);
    this.timeoutTimer = this.ctx.setTimer(IMAGE_TRANSFER_TIMEOUT_US, { kind: 'timeout', attempt: this.attempt?.id ?? 0 });
  }

  onTimer(t: SnnTimer): void {
    if (t.kind === 'timeout') {
      this.timeoutTimer = null;
      if (this.attempt !== null && this.attempt.id === t.attempt) this.failed(`no answer from the NameNode to ${this.attempt.step} within ${IMAGE_TRANSFER_TIMEOUT_US / 1e6} s`);
      return;
    }
    this.ctx.setTimer(this.settings.checkpointCheckPeriodUs, t);
    if (this.attempt !== null) return;
    this.startAttempt('getTransactionID');
    this.call({ type: 'getTransactionID', callId: ++this.callSeq });
  }

  private startAttempt(step: string): void {
    this.attempt = { id: ++this.attempts, step, curSegmentTxId: 0 as TxId, imageTxId: 0 as TxId, logs: [], nextLog: 0 };
  }

  onMessage(_from: ProcessId, msg: HdfsMessage): void {
    const a = this.attempt;
    if (a === null || !('callId' in msg) || msg.callId !== this.callSeq) return;
    switch (msg.type) {
      case 'RemoteException':
        this.failed(`${msg.className}: ${msg.message}`);
        return;
      case 'getTransactionIDResponse': {
        const uncheckpointed = msg.txid - msg.mostRecentCheckpointTxId;
        const byCount = uncheckpointed >= this.settings.checkpointTxns;
        const byTime = this.ctx.nowUs() - this.lastCheckpointUs >= this.settings.checkpointPeriodUs;
        if (!byCount && !byTime) {
          this.done();
          return;
        }
        if (this.ctx.tracing) {
          this.ctx.annotate(byCount
            ? `checkpoint: ${uncheckpointed} uncheckpointed txns >= dfs.namenode.checkpoint.txns=${this.settings.checkpointTxns}`
            : `checkpoint: ${Math.round((this.ctx.nowUs() - this.lastCheckpointUs) / 1e6)} s since the last one >= dfs.namenode.checkpoint.period=${this.settings.checkpointPeriodUs / 1e6}`);
        }
        a.step = 'rollEditLog';
        this.call({ type: 'rollEditLog', callId: ++this.callSeq });
        return;
      }
      case 'rollEditLogResponse':
        a.curSegmentTxId = msg.curSegmentTxId;
        a.imageTxId = msg.mostRecentCheckpointTxId;
        a.step = 'getEditLogManifest';
        this.call({ type: 'getEditLogManifest', callId: ++this.callSeq, sinceTxId: (msg.mostRecentCheckpointTxId + 1) as TxId });
        return;
      case 'getEditLogManifestResponse':
        a.logs = msg.logs.filter((l) => l.endTxId < a.curSegmentTxId);
        if (this.ns === null || this.ns.lastAppliedTxId !== a.imageTxId) {
          // downloadCheckpointFiles: our image is not the NameNode's newest: fetch it.
          a.step = 'getImage';
          this.call({ type: 'getImage', callId: ++this.callSeq, txid: a.imageTxId });
          return;
        }
        this.nextEdit(a);
        return;
      case 'getImageResponse': {
        if (md5Hex(msg.bytes) !== msg.md5Hex) {
          this.failed(`File fsimage_${msg.txid} computed digest ${md5Hex(msg.bytes)} does not match advertised digest ${msg.md5Hex}`);
          return;
        }
        const r = deserializeImage(msg.bytes);
        if (typeof r === 'string') {
          this.failed(`downloaded fsimage_${msg.txid}: ${r}`);
          return;
        }
        this.ns = r.ns;
        this.nextEdit(a);
        return;
      }
      case 'getEditResponse': {
        // Downloaded edits are kept in the checkpoint directory (TransferFsImage.downloadEditsToStorage).
        const path = finalizedEditsName(msg.startTxId, msg.endTxId);
        if (this.ctx.disk.exists(path)) this.ctx.disk.delete(path);
        this.ctx.disk.append(path, msg.bytes);
        const scan = scanSegment(msg.bytes, readableLayouts(this.settings.features), msg.endTxId);
        const ns = this.ns!;
        for (const op of scan.ops) if (op.txid > ns.lastAppliedTxId) ns.apply(op);
        if (ns.lastAppliedTxId < msg.endTxId) {
          this.failed(`edits_${msg.startTxId}-${msg.endTxId} ends at txid ${ns.lastAppliedTxId}${scan.damage === null ? '' : ` (${scan.damage})`}`);
          this.ns = null;
          return;
        }
        this.nextEdit(a);
        return;
      }
      case 'putImageResponse':
        this.lastCheckpointUs = this.ctx.nowUs();
        this.checkpoints++;
        this.failuresInARow = 0;
        this.storage.purgeOldStorage(this.settings);
        if (this.ctx.tracing) this.ctx.annotate(`checkpoint done: fsimage_${msg.txid} uploaded`);
        this.done();
        return;
      default:
        return;
    }
  }

  private nextEdit(a: Attempt): void {
    const ns = this.ns!;
    while (a.nextLog < a.logs.length && a.logs[a.nextLog]!.endTxId <= ns.lastAppliedTxId) a.nextLog++;
    const log = a.logs[a.nextLog];
    if (log !== undefined) {
      a.nextLog++;
      a.step = 'getEdit';
      this.call({ type: 'getEdit', callId: ++this.callSeq, startTxId: log.startTxId, endTxId: log.endTxId });
      return;
    }
    // doMerge is done: save the image here, then upload it.
    if (ns.lastAppliedTxId !== a.curSegmentTxId - 1) {
      this.failed(`merged up to txid ${ns.lastAppliedTxId}, expected ${a.curSegmentTxId - 1}`);
      return;
    }
    a.step = 'saveImage';
    this.storage.saveImage(ns, 0, this.settings.features.layoutVersion, (err, txid, md5) => {
      if (err !== null) {
        this.failed(`saving the merged image: ${err}`);
        return;
      }
      a.step = 'putImage';
      this.call({ type: 'putImage', callId: ++this.callSeq, txid, bytes: serializeImage(ns, { layoutVersion: this.settings.features.layoutVersion, namespaceId: 0 }), md5Hex: md5 });
    });
  }

  private failed(reason: string): void {
    this.lastError = reason;
    this.failuresInARow++;
    if (this.ctx.tracing) this.ctx.annotate(`Exception in doCheckpoint: ${reason}`);
    this.done();
    if (this.failuresInARow >= this.settings.checkpointMaxRetries) {
      this.ctx.exit(`Merging failed ${this.failuresInARow} times.`);
    }
  }

  private done(): void {
    this.attempt = null;
    if (this.timeoutTimer !== null) {
      this.ctx.cancelTimer(this.timeoutTimer);
      this.timeoutTimer = null;
    }
  }

  onDisconnect(peer: ProcessId): void {
    if (peer === this.nn && this.attempt !== null) this.failed('the connection to the NameNode closed');
  }

  private fsync(path: string, done: (err: string | null) => void): void {
    const id = ++this.fsyncSeq;
    this.fsyncs.set(id, done);
    this.ctx.disk.fsync(path, { kind: 'snn-fsync', id });
  }

  onDiskDone(tag: unknown, error: DiskError | null): void {
    const t = tag as { kind?: string; id?: number };
    if (t.kind !== 'snn-fsync' || t.id === undefined) return;
    const done = this.fsyncs.get(t.id);
    this.fsyncs.delete(t.id);
    done?.(error);
  }

  inspect(): Json {
    return {
      role: 'secondarynamenode',
      checkpoints: this.checkpoints,
      mergedTxId: this.ns === null ? null : this.ns.lastAppliedTxId,
      inProgress: this.attempt === null ? null : this.attempt.step,
      failuresInARow: this.failuresInARow,
      lastError: this.lastError,
      images: this.storage.files().filter((f) => f.kind === 'image').map((f) => f.path),
    };
  }
}
