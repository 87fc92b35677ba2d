import { invariant } from '../../core/invariant.ts';
import type { ObservationData } from '../../core/observation.ts';
import type { HdfsDnObservations } from '../observations-dn.ts';
import type { ProcessId } from '../../core/types.ts';
import { firstBadChunk } from '../content.ts';
import type { DtPacket, DtPipelineAck, DtStatus, DtWriteBlock, DtWriteBlockResponse } from '../protocol-dt.ts';
import type { Block, DatanodeName } from '../types.ts';
import type { FsDataset } from './dataset.ts';
import type { Replica } from './replica.ts';

// BlockReceiver + PacketResponder: one write of one block at one DataNode (a DataXceiver running
// Op.WRITE_BLOCK). A client write (PIPELINE_SETUP_* / PIPELINE_CLOSE_RECOVERY) has a responder:
// every packet is forwarded downstream first (the mirror), then written to the block and meta
// files; its ack goes upstream, in seqno order, once the local write is done (and fsynced for
// syncBlock packets: hsync) and the downstream ack for it arrived, carrying this node's status
// followed by the downstream replies. The last packet finalizes the replica before it is acked.
// A transfer (DataNode-initiated replication, or TRANSFER_RBW for a client's pipeline recovery)
// has no per-packet acks; its receiver verifies every chunk (isDatanode: BlockReceiver
// .shouldVerifyChecksum) and reports a corrupt source replica.

export interface ReceiverHost {
  readonly dataset: FsDataset;
  readonly name: DatanodeName;
  /** dfs.datanode.synconclose: fsync block and meta files when the last packet arrives. */
  readonly syncOnClose: boolean;
  nowUs(): number;
  sendTo(pid: ProcessId, msg: DtWriteBlock | DtWriteBlockResponse | DtPacket | DtPipelineAck, bytes: number): void;
  lookup(name: DatanodeName): ProcessId;
  nextXceiverId(): number;
  /** Starts an fsync of both files of the replica; `done` runs when both completed (null = ok). */
  fsyncReplica(r: Replica, done: (err: string | null) => void): void;
  /** IBR: RECEIVING_BLOCK / RECEIVED_BLOCK (with an optional delete hint). */
  notifyNamenode(block: Block, status: 'RECEIVING_BLOCK' | 'RECEIVED_BLOCK', delHint: DatanodeName | null): void;
  /** DataNode.reportRemoteBadBlock: the source of a transfer sent a corrupt chunk. */
  reportRemoteBadBlock(src: DatanodeName, block: Block): void;
  /** The receiver finished or failed: the DataNode forgets it. */
  closed(r: BlockReceiver, why: string): void;
  annotate(text: string): void;
  observe<K extends keyof HdfsDnObservations>(kind: K, data: ObservationData<K>): void;
}

interface PendingAck {
  readonly seqno: number;
  readonly endOffset: number;
  readonly last: boolean;
  readonly sync: boolean;
  localDone: boolean;
  downReplies: readonly DtStatus[] | null;
}

const EMPTY: readonly DtStatus[] = [];

export class BlockReceiver {
  readonly isTransfer: boolean;
  readonly hasResponder: boolean;
  mirror: { readonly pid: ProcessId; readonly xid: number; readonly name: DatanodeName } | null = null;
  /** The downstream pipeline answered the setup (or there is none). */
  setupDone = false;
  mirrorError = false;
  finished = false;
  private readonly queue: PendingAck[] = [];
  private lastSeqno = -1;
  private lastAckedSeqno = -1;
  /** Bytes received so far (the end of the highest packet): replica length never exceeds it. */
  private bytesReceived: number;
  lastUpstreamUs: number;
  lastDownstreamUs: number;
  private corruptSource = false;

  constructor(
    private readonly host: ReceiverHost,
    readonly upstream: ProcessId,
    readonly upXid: number,
    readonly op: DtWriteBlock,
    readonly replica: Replica,
  ) {
    this.isTransfer = op.client === '' || op.stage === 'TRANSFER_RBW' || op.stage === 'TRANSFER_FINALIZED';
    this.hasResponder = !this.isTransfer;
    this.bytesReceived = replica.bytesOnDisk;
    this.lastUpstreamUs = host.nowUs();
    this.lastDownstreamUs = host.nowUs();
  }

  get key(): string {
    return `${this.upstream}:${this.upXid}`;
  }

  /** Sets up the mirror (targets[0]) or answers at once when this is the last node. */
  start(): void {
    const op = this.op;
    if (op.targets.length === 0) {
      this.setupDone = true;
      if (this.hasResponder) this.respond('SUCCESS', null, '');
      return;
    }
    const name = op.targets[0]!;
    const xid = this.host.nextXceiverId();
    const pid = this.host.lookup(name);
    this.mirror = { pid, xid, name };
    const down: DtWriteBlock = { ...op, xceiverId: xid, targets: op.targets.slice(1), block: this.replicaBlockForDownstream() };
    this.host.sendTo(pid, down, 64 + 40 * down.targets.length);
    // A transfer does not wait for the downstream setup answer (DataTransfer streams at once).
    if (this.isTransfer) this.setupDone = true;
  }

  private replicaBlockForDownstream(): Block {
    return this.op.block;
  }

  private respond(status: DtStatus, firstBadLink: DatanodeName | null, message: string): void {
    const m: DtWriteBlockResponse = { type: 'DtWriteBlockResponse', xceiverId: this.upXid, status, firstBadLink, message };
    this.host.sendTo(this.upstream, m, 48);
  }

  /** The mirror's answer to the setup. */
  onMirrorResponse(m: DtWriteBlockResponse): void {
    if (this.finished) return;
    this.lastDownstreamUs = this.host.nowUs();
    if (this.isTransfer) {
      // TRANSFER_RBW close-ack from the target: relay to the source's waiting caller via closed().
      this.finish(m.status === 'SUCCESS' ? 'transfer acknowledged' : `transfer failed: ${m.message}`);
      return;
    }
    if (this.setupDone) return;
    this.setupDone = true;
    if (m.status === 'SUCCESS') this.respond('SUCCESS', null, '');
    else {
      // DataXceiver.writeBlock: the first bad link is the mirror's own first bad link, or the mirror.
      this.respond('ERROR', m.firstBadLink ?? this.mirror!.name, m.message);
      this.fail(`downstream setup failed at ${m.firstBadLink ?? this.mirror!.name}`, false);
    }
  }

  /** The mirror could not be reached or stopped answering. */
  onMirrorFailure(why: string): void {
    if (this.finished || this.mirror === null) return;
    if (!this.setupDone) {
      this.setupDone = true;
      if (this.hasResponder) this.respond('ERROR', this.mirror.name, why);
      this.fail(`mirror ${this.mirror.name}: ${why}`, false);
      return;
    }
    if (this.isTransfer) {
      this.fail(`transfer target ${this.mirror.name}: ${why}`, false);
      return;
    }
    // PacketResponder: cannot read from the mirror; tell upstream the mirror is bad
    // (replies [SUCCESS, ERROR]) and wait for the client to tear the pipeline down.
    this.mirrorError = true;
    this.host.annotate(`${this.host.name}: mirror ${this.mirror.name} failed (${why}); acking ERROR for it upstream`);
    const seqno = this.queue.length > 0 ? this.queue[0]!.seqno : this.lastSeqno;
    this.sendAck(seqno, ['SUCCESS', 'ERROR']);
  }

  onPacket(p: DtPacket): void {
    if (this.finished) return;
    this.lastUpstreamUs = this.host.nowUs();
    if (p.seqno === -1) {
      // A heartbeat packet (DFSPacket.HEART_BEAT_SEQNO) of an idle pipeline: it keeps the upstream
      // read from timing out and goes on downstream; it carries no data and no place in the seqno
      // order (not acknowledged here: a deviation in the README).
      if (this.mirror !== null && !this.mirrorError) this.host.sendTo(this.mirror.pid, { ...p, xceiverId: this.mirror.xid }, 33);
      return;
    }
    invariant(p.seqno > this.lastSeqno, () => `${this.host.name}: packet seqno ${p.seqno} after ${this.lastSeqno} for blk_${this.replica.blockId}`);
    this.lastSeqno = p.seqno;
    // Forward first (BlockReceiver.receivePacket writes to mirrorOut before its own disk).
    if (this.mirror !== null && !this.mirrorError) this.host.sendTo(this.mirror.pid, { ...p, xceiverId: this.mirror.xid }, 33 + p.dataLen + 4 * p.words.length);
    if (p.dataLen > 0) {
      // The last DataNode of a client pipeline and every transfer receiver verify checksums.
      if (this.mirror === null || this.isTransfer) {
        const bad = firstBadChunk(p.words, p.lens, p.checksums);
        if (bad >= 0) {
          this.host.annotate(`${this.host.name}: checksum error in chunk ${bad} of a packet of blk_${this.replica.blockId} at ${p.offsetInBlock}`);
          if (this.op.srcDataNode !== null) {
            this.corruptSource = true;
            this.host.reportRemoteBadBlock(this.op.srcDataNode, this.op.block);
          }
          if (this.hasResponder) this.sendAck(p.seqno, ['ERROR_CHECKSUM']);
          this.fail('checksum error', true);
          return;
        }
      }
      const end = p.offsetInBlock + p.dataLen;
      if (end > this.bytesReceived) this.bytesReceived = end;
      const err = this.host.dataset.writeChunks(this.replica, p.offsetInBlock, p.words, p.lens, p.checksums);
      invariant(this.replica.bytesOnDisk <= this.bytesReceived, () => `replica blk_${this.replica.blockId} length ${this.replica.bytesOnDisk} exceeds bytes received ${this.bytesReceived}`);
      if (err !== null) {
        if (this.hasResponder) this.sendAck(p.seqno, ['ERROR']);
        this.fail(err, true);
        return;
      }
    }
    if (!this.hasResponder) {
      if (p.lastPacketInBlock) this.completeTransfer();
      return;
    }
    // hsync, or the end of the block with dfs.datanode.synconclose (BlockReceiver.close syncs both files).
    const sync = p.syncBlock || (p.lastPacketInBlock && this.host.syncOnClose);
    const pending: PendingAck = {
      seqno: p.seqno, endOffset: p.offsetInBlock + p.dataLen, last: p.lastPacketInBlock, sync,
      localDone: !sync, downReplies: this.mirror === null ? EMPTY : null,
    };
    this.queue.push(pending);
    if (sync) {
      // hsync: fsync the block and meta files on this DataNode before acknowledging (flushOrSync(true)).
      this.host.fsyncReplica(this.replica, (e) => {
        if (e !== null) {
          this.fail(`fsync: ${e}`, true);
          return;
        }
        pending.localDone = true;
        this.drain();
      });
    }
    this.drain();
  }

  onDownstreamAck(a: DtPipelineAck): void {
    if (this.finished || this.isTransfer) return;
    this.lastDownstreamUs = this.host.nowUs();
    const head = this.queue.find((q) => q.downReplies === null);
    if (head === undefined || head.seqno !== a.seqno) {
      // PacketResponder: an ack for a packet we do not expect breaks the pipeline.
      this.onMirrorFailure(`unexpected ack seqno ${a.seqno}, expected ${head?.seqno ?? 'none'}`);
      return;
    }
    head.downReplies = a.replies;
    this.drain();
  }

  /** Sends the acks that are ready, in order. */
  private drain(): void {
    while (!this.finished && this.queue.length > 0) {
      const q = this.queue[0]!;
      if (!q.localDone || q.downReplies === null) return;
      this.queue.shift();
      if (q.last) {
        const err = this.finalizeReplica();
        if (err !== null) {
          this.sendAck(q.seqno, ['ERROR', ...q.downReplies]);
          this.fail(err, true);
          return;
        }
      }
      if (q.endOffset > this.replica.bytesAcked && this.replica.state === 'RBW') this.replica.bytesAcked = Math.min(q.endOffset, this.replica.bytesOnDisk);
      this.sendAck(q.seqno, ['SUCCESS', ...q.downReplies]);
      if (q.downReplies.some((s) => s !== 'SUCCESS')) {
        this.fail('downstream reported an error', false);
        return;
      }
      if (q.last) this.finish('block finalized');
    }
  }

  private sendAck(seqno: number, replies: readonly DtStatus[]): void {
    if (seqno >= 0) {
      invariant(seqno > this.lastAckedSeqno || replies.some((s) => s !== 'SUCCESS'), () => `${this.host.name}: ack seqno ${seqno} not after ${this.lastAckedSeqno}`);
      if (seqno > this.lastAckedSeqno) this.lastAckedSeqno = seqno;
    }
    const m: DtPipelineAck = { type: 'DtPipelineAck', xceiverId: this.upXid, seqno, replies };
    this.host.sendTo(this.upstream, m, 16 + 2 * replies.length);
  }

  private finalizeReplica(): string | null {
    const r = this.replica;
    if (r.state === 'FINALIZED') return null;
    const err = this.host.dataset.finalize(r);
    if (err !== null) return err;
    this.host.observe('hdfs-replica-finalized', { datanode: this.host.name, blockId: r.blockId, genStamp: r.genStamp, length: r.bytesOnDisk });
    this.host.notifyNamenode({ blockId: r.blockId, genStamp: r.genStamp, numBytes: r.bytesOnDisk }, 'RECEIVED_BLOCK', null);
    return null;
  }

  /** End of a transfer's data: replication finalizes, TRANSFER_RBW becomes RBW again (convertTemporaryToRbw). */
  private completeTransfer(): void {
    if (this.op.stage === 'TRANSFER_RBW') {
      const r = this.replica;
      const to = { blockId: r.blockId, genStamp: r.genStamp, dir: 'rbw' };
      const d = this.host.dataset;
      const err = d.renameReplica(r, to.dir);
      if (err !== null) {
        this.respond('ERROR', null, err);
        this.fail(err, true);
        return;
      }
      r.state = 'RBW';
      r.bytesAcked = r.bytesOnDisk;
      r.writer = null;
      this.respond('SUCCESS', null, '');
      this.finish('transferred RBW replica');
      return;
    }
    const err = this.finalizeReplica();
    if (err !== null) {
      this.fail(err, true);
      return;
    }
    this.finish('replica received and finalized');
  }

  /** Stops this receiver (error, or another writer took over the replica: ReplicaInPipeline.stopWriter). */
  fail(why: string, deleteTemporary: boolean): void {
    if (this.finished) return;
    if (this.replica.state === 'TEMPORARY' && (deleteTemporary || this.isTransfer)) this.host.dataset.remove(this.replica);
    this.finish(why);
  }

  private finish(why: string): void {
    if (this.finished) return;
    this.finished = true;
    if (this.replica.writer !== null && this.replica.state !== 'TEMPORARY') this.replica.writer = null;
    this.queue.length = 0;
    this.host.closed(this, why);
  }

  get corrupt(): boolean {
    return this.corruptSource;
  }

  /** Packets acknowledged downstream are pending: the downstream read timeout applies. */
  get awaitingDownstream(): boolean {
    return this.mirror !== null && !this.mirrorError && (!this.setupDone || this.queue.some((q) => q.downReplies === null));
  }
}
