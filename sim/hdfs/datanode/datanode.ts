import type { Actor, Context } from '../../core/actor.ts';
import { firstBadChunk } from '../content.ts';
import '../observations-dn.ts';
import type { Json, ProcessId } from '../../core/types.ts';
import { SEC } from '../../core/types.ts';
import { datanodeSettings, type DatanodeSettings } from '../config-datanode.ts';
import type { HdfsMessage } from '../messages.ts';
import type { DatanodeCommand } from '../protocol-dn.ts';
import type {
  DnInitReplicaRecovery, DnUpdateReplicaUnderRecovery, DtPacket, DtReadBlock, DtStatus, DtTransferBlock, DtWriteBlock,
  DtWriteBlockResponse,
} from '../protocol-dt.ts';
import { packetBytes } from '../protocol-dt.ts';
import type { Block, BlockId, DatanodeName } from '../types.ts';
import { BPServiceActor, type BpTimer } from './bp-service.ts';
import { FsDataset } from './dataset.ts';
import { BlockReceiver, type ReceiverHost } from './receiver.ts';
import { RecoveryWorker, type RecoveryTimer } from './recovery-worker.ts';
import { replicaBlock, visibleLength, type Replica } from './replica.ts';
import { initReplicaRecovery, recoverClose, recoverRbw, updateReplicaUnderRecovery } from './replica-ops.ts';
import { VolumeScanner } from './scanner.ts';
import { planSend, senderRules } from './sender.ts';

// The DataNode (org.apache.hadoop.hdfs.server.datanode.DataNode): one process dn-N on worker host
// w-N. At start it rebuilds its replica map from the disk (FsDataset.load: RBW replicas come back
// as RWR), then its BPServiceActor registers with the NameNode, reports its blocks and heartbeats.
// DataXceivers serve the data-transfer protocol: WRITE_BLOCK (a BlockReceiver in a pipeline),
// READ_BLOCK (a BlockSender), TRANSFER_BLOCK; the DataNode carries out DNA_TRANSFER (replication),
// DNA_INVALIDATE and DNA_RECOVERBLOCK (as the primary of a block recovery, BlockRecoveryWorker),
// answers InterDatanodeProtocol calls, and runs the VolumeScanner.

/** The block pool id of dsim's single namespace (BP-<random>-<ip>-<time> in Hadoop). */
export const BLOCK_POOL_ID = 'BP-dsim';
/** Capacity reported for the DataNode's single volume. */
const CAPACITY_BYTES = 1024 ** 4;
const XCEIVER_TICK_US = 1 * SEC;
/** DataNode read timeout extension per downstream node (HdfsConstants.READ_TIMEOUT_EXTENSION). */
const READ_TIMEOUT_EXTENSION_US = 5 * SEC;

export interface DatanodeOptions {
  /** The NameNode's process name. */
  readonly namenode: string;
}

type DnTimer = BpTimer | RecoveryTimer | { readonly kind: 'xceiver-tick' } | { readonly kind: 'scan' };

interface OutgoingTransfer {
  readonly target: ProcessId;
  readonly block: Block;
  /** A client's TRANSFER_BLOCK waiting for the close-ack: whom to answer. */
  readonly requester: { readonly pid: ProcessId; readonly xid: number } | null;
}

export class DataNode implements Actor<HdfsMessage, DnTimer> {
  readonly dataset: FsDataset;
  readonly settings: DatanodeSettings;
  private readonly bp: BPServiceActor;
  private readonly scanner: VolumeScanner;
  private readonly recovery: RecoveryWorker;
  /** Incoming WRITE_BLOCK operations by `${upstream}:${xid}`. */
  private readonly receivers = new Map<string, BlockReceiver>();
  /** The same receivers by their mirror connection `${mirrorPid}:${mirrorXid}`. */
  private readonly byMirror = new Map<string, BlockReceiver>();
  private readonly transfers = new Map<number, OutgoingTransfer>();
  private nextXid: number;
  private tickArmed = false;
  private readonly nnName: string;
  readonly name: DatanodeName;
  blocksTransferred = 0;
  private readonly fsyncWaiters = new Map<number, { left: number; err: string | null; done: (e: string | null) => void }>();
  private nextFsync = 1;

  constructor(private readonly ctx: Context, opts: DatanodeOptions) {
    this.name = ctx.name as DatanodeName;
    this.nnName = opts.namenode;
    this.settings = datanodeSettings(ctx.config);
    this.nextXid = ctx.incarnation * 1_000_000;
    this.dataset = new FsDataset(ctx.disk, BLOCK_POOL_ID, this.settings.bytesPerChecksum);
    const loaded = this.dataset.load();
    if (ctx.tracing) ctx.annotate(`${ctx.name} loaded ${loaded.finalized} finalized and ${loaded.rwr} RWR replicas${loaded.truncated > 0 ? ` (${loaded.truncated} cut at a bad last chunk)` : ''}`);
    const hbSec = ctx.config.has('hdfs.dfs.heartbeat.interval') ? ctx.config.int('hdfs.dfs.heartbeat.interval') : 3;
    this.bp = new BPServiceActor({
      name: this.name,
      hostName: ctx.hostName,
      storageId: `DS-${ctx.name}`,
      nowUs: () => ctx.nowUs(),
      namenode: () => ctx.lookup(this.nnName),
      send: (to, m, bytes) => ctx.send(to, m, bytes),
      closeNamenodeConnection: () => ctx.disconnect(ctx.lookup(this.nnName)),
      setTimer: (d, tag) => ctx.setTimer(d, tag),
      replicasForReport: () => this.dataset.report(),
      storage: () => {
        let used = 0;
        for (const r of this.dataset.replicas.values()) used += r.bytesOnDisk;
        return { capacity: CAPACITY_BYTES, dfsUsed: used, remaining: CAPACITY_BYTES - used };
      },
      xceiverCount: () => this.receivers.size,
      xmitsInProgress: () => this.transfers.size,
      execute: (cmds) => this.execute(cmds),
      annotate: (t) => this.annotate(t),
    }, hbSec * SEC, this.settings.blockReportIntervalUs, this.settings.blockReportInitialDelayUs > 0 ? ctx.rng.int(0, this.settings.blockReportInitialDelayUs - 1) : 0, this.settings.socketTimeoutUs);
    this.scanner = new VolumeScanner(this.dataset, this.settings.scanPeriodUs, this.settings.scanBytesPerSec);
    this.recovery = new RecoveryWorker({
      name: this.name,
      lookup: (n) => ctx.lookup(n),
      send: (to, m, bytes) => ctx.send(to, m, bytes),
      setTimer: (d, tag) => ctx.setTimer(d, tag),
      initLocal: (b, id) => initReplicaRecovery(this.dataset, b, id, (r) => this.stopWriter(r)),
      updateLocal: (b, id, len) => this.updateUnderRecovery(b, id, len),
      commit: (req) => this.bp.commitBlockSynchronization(req),
      annotate: (t) => this.annotate(t),
    }, this.settings.socketTimeoutUs);
    this.bp.start();
    if (this.scanner.enabled) ctx.setTimer(SEC, { kind: 'scan' });
  }

  private annotate(text: string): void {
    if (this.ctx.tracing) this.ctx.annotate(text);
  }

  // ------------------------------------------------------------------ dispatch

  onMessage(from: ProcessId, msg: HdfsMessage): void {
    switch (msg.type) {
      case 'DtWriteBlock':
        this.onWriteBlock(from, msg);
        return;
      case 'DtPacket':
        this.receivers.get(`${from}:${msg.xceiverId}`)?.onPacket(msg);
        return;
      case 'DtWriteBlockResponse':
        this.onWriteBlockResponse(from, msg);
        return;
      case 'DtPipelineAck':
        this.byMirror.get(`${from}:${msg.xceiverId}`)?.onDownstreamAck(msg);
        return;
      case 'DtReadBlock':
        this.onReadBlock(from, msg);
        return;
      case 'DtTransferBlock':
        this.onTransferBlock(from, msg);
        return;
      case 'DnInitReplicaRecovery':
        this.onInitReplicaRecovery(from, msg);
        return;
      case 'DnUpdateReplicaUnderRecovery':
        this.onUpdateReplicaUnderRecovery(from, msg);
        return;
      case 'DnInitReplicaRecoveryResponse':
      case 'DnUpdateReplicaUnderRecoveryResponse':
        this.recovery.onResponse(from, msg);
        return;
      case 'registerDatanodeResponse':
      case 'heartbeatResponse':
      case 'blockReportResponse':
      case 'blockReceivedAndDeletedResponse':
      case 'datanodeReportBadBlocksResponse':
      case 'commitBlockSynchronizationResponse':
      case 'errorReportResponse':
        this.bp.onResponse(msg);
        return;
      default:
        return;
    }
  }

  onTimer(tag: DnTimer): void {
    switch (tag.kind) {
      case 'bp-heartbeat':
      case 'bp-block-report':
        this.bp.onTimer(tag);
        return;
      case 'recovery-timeout':
        this.recovery.onTimer(tag);
        return;
      case 'xceiver-tick':
        this.xceiverTick();
        return;
      case 'scan':
        this.scanTick();
        return;
    }
  }

  onDiskDone(tag: unknown, error: string | null): void {
    const id = tag as number;
    const w = this.fsyncWaiters.get(id);
    if (w === undefined) return;
    if (error !== null) w.err = error;
    if (--w.left === 0) {
      this.fsyncWaiters.delete(id);
      w.done(w.err);
    }
  }

  onDisconnect(peer: ProcessId): void {
    if (this.ctx.nameOf(peer) === this.nnName) this.bp.onDisconnect();
    for (const r of [...this.receivers.values()]) {
      if (r.upstream === peer) r.fail('upstream connection closed', true);
      else if (r.mirror?.pid === peer) r.onMirrorFailure('connection closed');
    }
    for (const [xid, t] of this.transfers) if (t.target === peer) this.endTransfer(xid, 'ERROR', 'target connection closed');
    this.recovery.onDisconnect(peer);
  }

  // ------------------------------------------------------------------ WRITE_BLOCK

  private onWriteBlock(from: ProcessId, m: DtWriteBlock): void {
    const respond = (status: DtStatus, message: string): void => {
      const r: DtWriteBlockResponse = { type: 'DtWriteBlockResponse', xceiverId: m.xceiverId, status, firstBadLink: null, message };
      this.ctx.send(from, r, 48);
    };
    if (this.receivers.size >= this.settings.maxTransferThreads) {
      respond('ERROR', `Xceiver count ${this.receivers.size} exceeds the limit of concurrent xceivers: ${this.settings.maxTransferThreads}`);
      return;
    }
    const isDatanode = m.client === '';
    const stop = (r: Replica): void => this.stopWriter(r);
    let res: Replica | string;
    switch (m.stage) {
      case 'PIPELINE_SETUP_CREATE':
        res = this.dataset.create(m.block, isDatanode ? 'TEMPORARY' : 'RBW', isDatanode ? (m.srcDataNode ?? '') : m.client);
        break;
      case 'PIPELINE_SETUP_STREAMING_RECOVERY':
        res = recoverRbw(this.dataset, m.block, m.latestGenStamp, m.minBytesRcvd, m.maxBytesRcvd, stop);
        break;
      case 'PIPELINE_CLOSE_RECOVERY':
        res = recoverClose(this.dataset, m.block, m.latestGenStamp, m.minBytesRcvd, stop);
        break;
      case 'TRANSFER_RBW':
      case 'TRANSFER_FINALIZED':
        res = this.dataset.create(m.block, 'TEMPORARY', m.client);
        break;
      case 'PIPELINE_SETUP_APPEND':
        res = 'append is not modelled by dsim';
        break;
    }
    if (typeof res === 'string') {
      this.annotate(`${this.name}: WRITE_BLOCK ${m.stage} of blk_${m.block.blockId} refused: ${res}`);
      if (!isDatanode) respond(res.includes('already exists') ? 'ERROR_EXISTS' : 'ERROR', res);
      return;
    }
    const replica = res;
    replica.writer = isDatanode ? (m.srcDataNode ?? 'datanode') : m.client;
    const rcv = new BlockReceiver(this.makeReceiverHost(), from, m.xceiverId, m, replica);
    this.receivers.set(rcv.key, rcv);
    if (!isDatanode && m.stage === 'PIPELINE_SETUP_CREATE') this.bp.notify(replicaBlock(replica), 'RECEIVING_BLOCK', null);
    if (!isDatanode && m.stage === 'PIPELINE_CLOSE_RECOVERY') {
      this.ctx.observe('hdfs-replica-finalized', { datanode: this.name, blockId: replica.blockId, genStamp: replica.genStamp, length: replica.bytesOnDisk });
      this.bp.notify(replicaBlock(replica), 'RECEIVED_BLOCK', null);
    }
    rcv.start();
    if (rcv.mirror !== null) this.byMirror.set(`${rcv.mirror.pid}:${rcv.mirror.xid}`, rcv);
    this.armTick();
  }

  private hostCache: ReceiverHost | null = null;

  private makeReceiverHost(): ReceiverHost {
    if (this.hostCache !== null) return this.hostCache;
    const ctx = this.ctx;
    this.hostCache = {
      dataset: this.dataset,
      name: this.name,
      syncOnClose: this.settings.syncOnClose,
      nowUs: () => ctx.nowUs(),
      sendTo: (pid, msg, bytes) => ctx.send(pid, msg, bytes),
      lookup: (n) => ctx.lookup(n),
      nextXceiverId: () => this.nextXid++,
      fsyncReplica: (r, done) => this.fsyncReplica(r, done),
      notifyNamenode: (b, status, hint) => this.bp.notify(b, status, hint),
      reportRemoteBadBlock: (src, b) => {
        this.annotate(`${this.name}: replica of blk_${b.blockId} sent by ${src} is corrupt; reporting it`);
        this.bp.reportBadBlocks(b, [src]);
      },
      closed: (r, why) => {
        this.receivers.delete(r.key);
        if (r.mirror !== null) this.byMirror.delete(`${r.mirror.pid}:${r.mirror.xid}`);
        this.annotate(`${this.name}: receiver of blk_${r.replica.blockId} (${r.op.stage}) closed: ${why}`);
      },
      annotate: (t) => this.annotate(t),
      observe: (kind, data) => ctx.observe(kind, data),
    };
    return this.hostCache;
  }

  private fsyncReplica(r: Replica, done: (e: string | null) => void): void {
    const id = this.nextFsync++;
    this.fsyncWaiters.set(id, { left: 2, err: null, done });
    this.ctx.disk.fsync(this.dataset.blockPath(r), id);
    this.ctx.disk.fsync(this.dataset.metaPath(r), id);
  }

  /** ReplicaInPipeline.stopWriter: the open receivers of this replica stop (a recovery takes over). */
  private stopWriter(r: Replica): void {
    for (const rcv of [...this.receivers.values()]) if (rcv.replica === r) rcv.fail('writer stopped by recovery', false);
    r.writer = null;
  }

  private onWriteBlockResponse(from: ProcessId, m: DtWriteBlockResponse): void {
    const rcv = this.byMirror.get(`${from}:${m.xceiverId}`);
    if (rcv !== undefined) {
      rcv.onMirrorResponse(m);
      return;
    }
    if (this.transfers.has(m.xceiverId)) this.endTransfer(m.xceiverId, m.status, m.message);
  }

  private armTick(): void {
    if (this.tickArmed) return;
    this.tickArmed = true;
    this.ctx.setTimer(XCEIVER_TICK_US, { kind: 'xceiver-tick' });
  }

  /** Socket timeouts of the open receivers (a silent mirror, a silent upstream). */
  private xceiverTick(): void {
    this.tickArmed = false;
    const now = this.ctx.nowUs();
    for (const r of [...this.receivers.values()]) {
      const downstreamNodes = r.op.targets.length;
      if (r.awaitingDownstream && now - r.lastDownstreamUs > this.settings.socketTimeoutUs + READ_TIMEOUT_EXTENSION_US * downstreamNodes) {
        r.onMirrorFailure('read timeout');
      } else if (now - r.lastUpstreamUs > this.settings.socketTimeoutUs + READ_TIMEOUT_EXTENSION_US) {
        r.fail('upstream read timeout', true);
      }
    }
    if (this.receivers.size > 0) this.armTick();
  }

  // ------------------------------------------------------------------ READ_BLOCK

  private onReadBlock(from: ProcessId, m: DtReadBlock): void {
    const r = this.dataset.get(m.block.blockId);
    const fail = (msg: string): void => {
      this.ctx.send(from, { type: 'DtReadBlockResponse', xceiverId: m.xceiverId, status: 'ERROR', message: msg, chunkOffset: 0 }, 48);
    };
    if (r === undefined || (r.state !== 'FINALIZED' && r.state !== 'RBW')) {
      fail(`Replica not found for blk_${m.block.blockId}_${m.block.genStamp}`);
      return;
    }
    if (senderRules.refusesStale(r, m.block)) {
      fail(`Replica gen stamp < block genstamp, block=blk_${m.block.blockId}_${m.block.genStamp}, replica GS ${r.genStamp}`);
      return;
    }
    const plan = planSend(this.dataset, r, visibleLength(r), m.offset, m.length, this.settings.writePacketSize);
    if (typeof plan === 'string') {
      fail(plan);
      return;
    }
    this.ctx.observe('hdfs-read-served', { datanode: this.name, blockId: r.blockId, genStamp: r.genStamp, requestedGenStamp: m.block.genStamp, state: r.state });
    this.ctx.send(from, { type: 'DtReadBlockResponse', xceiverId: m.xceiverId, status: 'SUCCESS', message: '', chunkOffset: plan.chunkOffset }, 48);
    for (const p of plan.packets) this.ctx.send(from, { type: 'DtReadPacket', xceiverId: m.xceiverId, ...p }, packetBytes(p.dataLen, p.words.length));
  }

  // ------------------------------------------------------------------ transfers

  /** DataNode.transferBlock / DataTransfer: stream a replica to targets (a new pipeline from here). */
  private startTransfer(block: Block, targets: readonly DatanodeName[], stage: 'PIPELINE_SETUP_CREATE' | 'TRANSFER_RBW', client: string, requester: OutgoingTransfer['requester']): string | null {
    const r = this.dataset.get(block.blockId);
    if (r === undefined || r.genStamp !== block.genStamp) return `Can't send invalid block blk_${block.blockId}_${block.genStamp}`;
    if (stage === 'PIPELINE_SETUP_CREATE' && r.state !== 'FINALIZED') return `blk_${block.blockId} is not finalized (${r.state})`;
    const length = stage === 'TRANSFER_RBW' ? visibleLength(r) : r.bytesOnDisk;
    if (length < block.numBytes) {
      // DataNode.transferBlock: the replica is shorter than the NameNode believes: report it.
      this.bp.reportBadBlocks(block, [this.name]);
      return `blk_${block.blockId} on disk has ${length} bytes, less than ${block.numBytes}`;
    }
    const xid = this.nextXid++;
    const target = this.ctx.lookup(targets[0]!);
    const b: Block = { blockId: r.blockId, genStamp: r.genStamp, numBytes: length };
    const op: DtWriteBlock = {
      type: 'DtWriteBlock', xceiverId: xid, block: b, stage, targets: targets.slice(1), client, srcDataNode: this.name,
      latestGenStamp: r.genStamp, minBytesRcvd: 0, maxBytesRcvd: length,
    };
    const plan = planSend(this.dataset, r, length, 0, length, this.settings.writePacketSize);
    if (typeof plan === 'string') return plan;
    this.transfers.set(xid, { target, block: b, requester });
    this.ctx.send(target, op, 64 + 40 * op.targets.length);
    for (const p of plan.packets) {
      const pkt: DtPacket = { type: 'DtPacket', xceiverId: xid, seqno: p.seqno, offsetInBlock: p.offsetInBlock, lastPacketInBlock: p.lastPacketInBlock, syncBlock: false, dataLen: p.dataLen, words: p.words, lens: p.lens, checksums: p.checksums };
      this.ctx.send(target, pkt, packetBytes(p.dataLen, p.words.length));
    }
    this.blocksTransferred++;
    // A DataNode-initiated transfer expects no answer: the target reports to the NameNode itself.
    if (requester === null) this.transfers.delete(xid);
    this.annotate(`${this.name} transfers blk_${b.blockId}_${b.genStamp} (${length} bytes) to ${targets.join(', ')}`);
    return null;
  }

  private endTransfer(xid: number, status: DtStatus, message: string): void {
    const t = this.transfers.get(xid);
    if (t === undefined) return;
    this.transfers.delete(xid);
    if (t.requester !== null) this.ctx.send(t.requester.pid, { type: 'DtTransferBlockResponse', xceiverId: t.requester.xid, status, message }, 48);
  }

  private onTransferBlock(from: ProcessId, m: DtTransferBlock): void {
    const err = this.startTransfer(m.block, m.targets, 'TRANSFER_RBW', m.client, { pid: from, xid: m.xceiverId });
    if (err !== null) this.ctx.send(from, { type: 'DtTransferBlockResponse', xceiverId: m.xceiverId, status: 'ERROR', message: err }, 48);
  }

  // ------------------------------------------------------------------ NameNode commands

  private execute(cmds: readonly DatanodeCommand[]): void {
    for (const c of cmds) {
      switch (c.action) {
        case 'DNA_TRANSFER':
          c.blocks.forEach((b, i) => {
            const err = this.startTransfer(b, c.targets[i]!, 'PIPELINE_SETUP_CREATE', '', null);
            if (err !== null) this.annotate(`${this.name}: DNA_TRANSFER of blk_${b.blockId} failed: ${err}`);
          });
          break;
        case 'DNA_INVALIDATE':
          for (const b of c.blocks) this.invalidate(b);
          break;
        case 'DNA_RECOVERBLOCK':
          for (const rb of c.recoveringBlocks) this.recovery.recover(rb);
          break;
        case 'DNA_REGISTER':
          break;
      }
    }
  }

  /** FsDatasetImpl.invalidate: delete a replica if its GS matches, then report DELETED_BLOCK. */
  private invalidate(b: Block): void {
    const r = this.dataset.get(b.blockId);
    if (r === undefined) return;
    if (r.genStamp !== b.genStamp) {
      this.annotate(`${this.name}: Failed to delete replica blk_${b.blockId}_${b.genStamp}: GenerationStamp not matched, existing replica is ${r.genStamp}`);
      return;
    }
    this.stopWriter(r);
    this.dataset.remove(r);
    this.scanner.forget(r.blockId);
    this.annotate(`${this.name} deleted replica blk_${b.blockId}_${b.genStamp}`);
    this.bp.notify(b, 'DELETED_BLOCK', null);
  }

  // ------------------------------------------------------------------ block recovery (InterDatanodeProtocol)

  private onInitReplicaRecovery(from: ProcessId, m: DnInitReplicaRecovery): void {
    const res = initReplicaRecovery(this.dataset, m.block, m.recoveryId, (r) => this.stopWriter(r));
    this.ctx.send(from, { type: 'DnInitReplicaRecoveryResponse', callId: m.callId, info: typeof res === 'string' ? null : res, error: typeof res === 'string' ? res : null }, 80);
  }

  private updateUnderRecovery(b: Block, recoveryId: Block['genStamp'], newLength: number): Block | string {
    const res = updateReplicaUnderRecovery(this.dataset, b, recoveryId, newLength);
    if (typeof res === 'string') return res;
    this.ctx.observe('hdfs-replica-finalized', { datanode: this.name, blockId: res.blockId, genStamp: res.genStamp, length: res.bytesOnDisk });
    // DataNode.updateReplicaUnderRecovery tells the NameNode at once (notifyNamenodeReceivedBlock).
    this.bp.notify(replicaBlock(res), 'RECEIVED_BLOCK', null);
    return replicaBlock(res);
  }

  private onUpdateReplicaUnderRecovery(from: ProcessId, m: DnUpdateReplicaUnderRecovery): void {
    const res = this.updateUnderRecovery(m.block, m.recoveryId, m.newLength);
    this.ctx.send(from, { type: 'DnUpdateReplicaUnderRecoveryResponse', callId: m.callId, block: typeof res === 'string' ? null : res, error: typeof res === 'string' ? res : null }, 80);
  }

  // ------------------------------------------------------------------ block scanner

  private scanTick(): void {
    const next = this.scanner.next(this.ctx.nowUs());
    if (next === null) {
      this.ctx.setTimer(Math.min(this.settings.scanPeriodUs, 300 * SEC), { kind: 'scan' });
      return;
    }
    if ('waitUs' in next) {
      this.ctx.setTimer(Math.max(SEC, next.waitUs), { kind: 'scan' });
      return;
    }
    const res = this.scanner.scan(next, this.ctx.nowUs());
    if (res.badChunk >= 0) {
      const b = replicaBlock(next);
      this.annotate(`${this.name} block scanner: blk_${b.blockId}_${b.genStamp} fails its checksum at chunk ${res.badChunk}; reporting it`);
      this.ctx.observe('hdfs-scanner-corrupt', { datanode: this.name, blockId: b.blockId, genStamp: b.genStamp, chunk: res.badChunk });
      this.bp.reportBadBlocks(b, [this.name]);
    }
    this.ctx.setTimer(res.durationUs, { kind: 'scan' });
  }

  /** A reader reported a checksum error for a replica here: scan it first (markSuspectBlock). */
  markSuspect(blockId: BlockId): void {
    this.scanner.markSuspect(blockId);
  }

  // ------------------------------------------------------------------ views

  inspect(): Json {
    const replicas = [...this.dataset.replicas.values()].sort((a, b) => a.blockId - b.blockId).map((r) => ({
      block: r.blockId, gs: r.genStamp, state: r.state, bytes: r.bytesOnDisk, acked: r.bytesAcked,
    }));
    return {
      role: 'datanode',
      registered: this.bp.registered,
      replicas,
      xceivers: this.receivers.size,
      scanned: this.scanner.blocksScanned,
      corruptFound: this.scanner.corruptFound,
    };
  }

  /** For checkers: every replica of this DataNode with the digest of its stored chunks (null if unreadable). */
  replicaContents(): ReplicaContent[] {
    const out: ReplicaContent[] = [];
    for (const r of this.dataset.replicas.values()) {
      const c = this.dataset.readChunks(r, 0, Math.ceil(r.bytesOnDisk / this.dataset.bytesPerChecksum));
      out.push({
        datanode: this.name, blockId: r.blockId, genStamp: r.genStamp, state: r.state, length: r.bytesOnDisk,
        words: c?.words ?? [], lens: c?.lens ?? [], checksumsOk: c !== null && firstBadChunk(c.words, c.lens, c.checksums) < 0,
      });
    }
    return out;
  }
}

/** A replica as a checker sees it: its stored chunks and whether they pass their checksums. */
export interface ReplicaContent {
  readonly datanode: DatanodeName;
  readonly blockId: BlockId;
  readonly genStamp: number;
  readonly state: Replica['state'];
  readonly length: number;
  readonly words: readonly number[];
  readonly lens: readonly number[];
  readonly checksumsOk: boolean;
}

export function datanodeFactory(opts: DatanodeOptions): (ctx: Context) => DataNode {
  return (ctx) => new DataNode(ctx, opts);
}
