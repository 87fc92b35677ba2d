import { invariant } from '../../core/invariant.ts';
import type { ObservationData } from '../../core/observation.ts';
import type { HdfsDnObservations } from '../observations-dn.ts';
import type { DatanodeSettings } from '../config-datanode.ts';
import type { BlockConstructionStage, DtPacket, DtPipelineAck, DtTransferBlock, DtTransferBlockResponse, DtWriteBlock, DtWriteBlockResponse } from '../protocol-dt.ts';
import { packetBytes } from '../protocol-dt.ts';
import type { DatanodeLocation, LocatedBlock } from '../protocol.ts';
import type { Block, DatanodeName } from '../types.ts';
import type { WritePacket } from './packets.ts';
import { policyName, shouldReplace } from './replace-policy.ts';
import { errorText, responseOf, type NamenodeRpc } from './rpc.ts';

// DataStreamer: sends one file's packets down a pipeline of DataNodes, block by block.
//   PIPELINE_SETUP_CREATE  addBlock -> WRITE_BLOCK to the first DataNode -> setup answer; on a bad
//                          node: abandonBlock, exclude it, addBlock again (dfs.client.block.write.retries)
//   DATA_STREAMING         packets from the data queue to the ack queue (at most
//                          dfs.client.write.max-packets-in-flight in both), acks in seqno order
//   PIPELINE_CLOSE         the empty last packet is sent once every data packet is acked; its ack
//                          ends the block (the DataNodes finalized their replicas)
// On an error (a non-SUCCESS reply in an ack, the first DataNode's connection closing, an ack
// timeout, which blames the first node) the pipeline is recovered
// (setupPipelineForAppendOrRecovery): unacked packets go back to the data queue, the bad node
// leaves, a replacement may join by ReplaceDatanodeOnFailure (getAdditionalDatanode, then a
// TRANSFER_BLOCK of the RBW replica from a surviving node), updateBlockForPipeline gives a new GS,
// WRITE_BLOCK with PIPELINE_SETUP_STREAMING_RECOVERY (or PIPELINE_CLOSE_RECOVERY) re-opens the
// pipeline, and updatePipeline tells the NameNode the new GS and nodes.

export interface StreamerHost {
  readonly clientName: string;
  readonly settings: DatanodeSettings;
  readonly rpc: NamenodeRpc;
  nowUs(): number;
  sendDn(dn: DatanodeName, m: DtWriteBlock | DtPacket | DtTransferBlock, bytes: number): void;
  /** Registers an xceiver id so DataNode answers with it reach this streamer. */
  openXceiver(owner: DataStreamer): number;
  closeXceiver(xid: number): void;
  annotate(text: string): void;
  observe<K extends keyof HdfsDnObservations>(kind: K, data: ObservationData<K>): void;
}

export interface StreamFile {
  readonly src: string;
  readonly fileId: number;
  readonly replication: number;
}

type Phase =
  | 'idle'          // no block open: waiting for packets
  | 'allocating'    // addBlock in flight
  | 'setup'         // WRITE_BLOCK sent, waiting for the answer
  | 'streaming'
  | 'closing'       // the last packet of the block is sent
  | 'recovering'
  | 'failed'
  | 'closed';

/** Hadoop gives up recovering the same packet after this many tries (DataStreamer.pipelineRecoveryCount). */
const MAX_RECOVERIES_PER_PACKET = 5;
/** DataStreamer.addDatanode2ExistingPipeline tries this many new nodes for a replacement. */
const REPLACE_TRIES_MAX = 3;
/** HdfsConstants.READ_TIMEOUT_EXTENSION: added per pipeline node to the ack read timeout. */
const READ_TIMEOUT_EXTENSION_US = 5_000_000;

export class DataStreamer {
  phase: Phase = 'idle';
  readonly dataQueue: WritePacket[] = [];
  readonly ackQueue: WritePacket[] = [];
  /** The block being written (numBytes: bytes acknowledged by the whole pipeline). */
  block: Block | null = null;
  nodes: DatanodeLocation[] = [];
  /** The previous block, completed, for the next addBlock. */
  previous: Block | null = null;
  lastAckedSeqno = -1;
  isHflushed = false;
  error: string | null = null;
  private xid = -1;
  private sentUs = 0;
  private lastAckUs = 0;
  private lastSendUs = 0;
  private bytesSent = 0;
  private readonly excluded: DatanodeName[] = [];
  private readonly failed: DatanodeName[] = [];
  private setupRetriesLeft: number;
  private allocDelayUs: number;
  private allocRetriesLeft: number;
  private recoveryStage: BlockConstructionStage = 'PIPELINE_SETUP_STREAMING_RECOVERY';
  private recoveryCount = 0;
  private recoverySeqno = -2;
  private transferXid = -1;
  private replaceTries = 0;
  /** hflush/hsync waiters: resolved when lastAckedSeqno reaches their seqno. */
  private readonly waiters: { seqno: number; done: (err: string | null) => void }[] = [];
  /** Called when the queue has room again or the stream ended (the writer may continue). */
  onProgress: () => void = () => {};
  pipelineRecoveries = 0;
  /** A new block was allocated since the last flush (DFSOutputStream.persistBlocks). */
  persistBlocks = false;
  /** When set (after a delay), allocation retries at this time (the client's tick calls retry()). */
  retryAtUs = Infinity;

  constructor(private readonly host: StreamerHost, readonly file: StreamFile) {
    this.setupRetriesLeft = host.settings.blockWriteRetries;
    this.allocDelayUs = host.settings.locateFollowingBlockInitialDelayUs;
    this.allocRetriesLeft = host.settings.locateFollowingBlockRetries;
  }

  get inFlight(): number {
    return this.dataQueue.length + this.ackQueue.length;
  }

  get hasRoom(): boolean {
    return this.inFlight < this.host.settings.maxPacketsInFlight && this.error === null;
  }

  enqueue(p: WritePacket): void {
    invariant(this.error === null, 'enqueue on a failed stream');
    this.dataQueue.push(p);
    this.pump();
  }

  /** Resolves when every packet up to `seqno` is acknowledged (waitForAckedSeqno). */
  waitFor(seqno: number, done: (err: string | null) => void): void {
    if (this.error !== null) done(this.error);
    else if (seqno <= this.lastAckedSeqno) done(null);
    else this.waiters.push({ seqno, done });
  }

  // ------------------------------------------------------------------ the send loop

  pump(): void {
    for (;;) {
      if (this.phase === 'idle') {
        if (this.dataQueue.length === 0) return;
        this.allocate();
        return;
      }
      if (this.phase !== 'streaming') return;
      const head = this.dataQueue[0];
      if (head === undefined) return;
      if (head.last) {
        // Wait for every data packet's ack before sending the last one (stage PIPELINE_CLOSE).
        if (this.ackQueue.length > 0) return;
        this.phase = 'closing';
      }
      this.dataQueue.shift();
      this.ackQueue.push(head);
      this.sendPacket(head);
      if (this.phase === 'closing') return;
    }
  }

  private sendPacket(p: WritePacket): void {
    const m: DtPacket = {
      type: 'DtPacket', xceiverId: this.xid, seqno: p.seqno, offsetInBlock: p.offsetInBlock, lastPacketInBlock: p.last,
      syncBlock: p.sync, dataLen: p.dataLen, words: p.words, lens: p.lens, checksums: p.checksums,
    };
    const end = p.offsetInBlock + p.dataLen;
    if (end > this.bytesSent) this.bytesSent = end;
    if (this.ackQueue.length === 1) this.lastAckUs = this.host.nowUs();
    this.lastSendUs = this.host.nowUs();
    this.host.sendDn(this.nodes[0]!.name, m, packetBytes(p.dataLen, p.words.length));
  }

  // ------------------------------------------------------------------ block allocation and setup

  private allocate(): void {
    this.phase = 'allocating';
    this.host.rpc.call({
      type: 'addBlock', src: this.file.src, clientName: this.host.clientName, previous: this.previous,
      excludeNodes: [...this.excluded], fileId: this.file.fileId, favoredNodes: [],
    }, (r) => {
      if (this.phase !== 'allocating') return;
      const ok = responseOf(r, 'addBlockResponse');
      if (ok !== undefined) {
        this.allocDelayUs = this.host.settings.locateFollowingBlockInitialDelayUs;
        this.allocRetriesLeft = this.host.settings.locateFollowingBlockRetries;
        this.persistBlocks = true;
        if (ok.located.locations.length === 0) {
          // A retried addBlock whose first answer was lost gets the block allocated then, with the
          // locations the NameNode still expects: none when it restarted meanwhile (expected
          // locations are not in the edit log) and no DataNode reported a replica. Hadoop's
          // DataStreamer.createBlockOutputStream returns false for an empty pipeline ("nodes are
          // empty for write pipeline"): the block is abandoned and addBlock asked again.
          const abandoned = ok.located.block;
          if (this.setupRetriesLeft-- <= 0) {
            this.fail(`Unable to create new block (no DataNode for blk_${abandoned.blockId})`);
            return;
          }
          this.host.annotate(`${this.host.clientName}: addBlock returned blk_${abandoned.blockId} with no DataNode; abandoning it`);
          this.host.rpc.call({ type: 'abandonBlock', block: abandoned, fileId: this.file.fileId, src: this.file.src, holder: this.host.clientName }, () => {
            this.phase = 'idle';
            this.pump();
          });
          return;
        }
        this.setup(ok.located, 'PIPELINE_SETUP_CREATE');
        return;
      }
      // DFSOutputStream.addBlock: NotReplicatedYetException (the previous block is not minimally
      // replicated yet) is retried with a doubling delay.
      if (r !== null && r.type === 'RemoteException' && r.className === 'NotReplicatedYetException' && this.allocRetriesLeft-- > 0) {
        this.phase = 'idle';
        this.retryAtUs = this.host.nowUs() + this.allocDelayUs;
        this.allocDelayUs *= 2;
        return;
      }
      this.fail(`addBlock failed: ${errorText(r)}`);
    });
  }

  /** Called by the client's tick. */
  tick(nowUs: number): void {
    if (this.phase === 'idle' && nowUs >= this.retryAtUs) {
      this.retryAtUs = Infinity;
      this.pump();
      return;
    }
    const timeoutUs = this.host.settings.socketTimeoutUs + READ_TIMEOUT_EXTENSION_US * Math.max(1, this.nodes.length);
    if ((this.phase === 'setup' || this.phase === 'recovering') && this.xid >= 0 && nowUs - this.sentUs > timeoutUs) {
      this.onSetupAnswer({ type: 'DtWriteBlockResponse', xceiverId: this.xid, status: 'ERROR', firstBadLink: null, message: 'setup timed out' });
      return;
    }
    if (this.phase === 'recovering' && this.transferXid >= 0 && nowUs - this.sentUs > timeoutUs) {
      this.onTransferAnswer({ type: 'DtTransferBlockResponse', xceiverId: this.transferXid, status: 'ERROR', message: 'transfer timed out' });
      return;
    }
    if ((this.phase === 'streaming' || this.phase === 'closing') && this.ackQueue.length > 0 && nowUs - this.lastAckUs > timeoutUs) {
      // ResponseProcessor: a read timeout marks the first node bad unless a node was marked already.
      this.pipelineError(0, 'ack read timeout');
      return;
    }
    if (this.phase === 'streaming' && this.ackQueue.length === 0 && this.dataQueue.length === 0 && nowUs - this.lastSendUs > this.host.settings.socketTimeoutUs / 2) {
      // An idle pipeline gets a heartbeat packet (seqno -1) every socket-timeout / 2.
      this.lastSendUs = nowUs;
      const hb: DtPacket = { type: 'DtPacket', xceiverId: this.xid, seqno: -1, offsetInBlock: 0, lastPacketInBlock: false, syncBlock: false, dataLen: 0, words: [], lens: [], checksums: [] };
      this.host.sendDn(this.nodes[0]!.name, hb, packetBytes(0, 0));
    }
  }

  private setup(located: LocatedBlock, stage: BlockConstructionStage, newGs?: Block['genStamp']): void {
    invariant(located.locations.length > 0, `no DataNode for blk_${located.block.blockId}`);
    if (stage === 'PIPELINE_SETUP_CREATE') {
      this.block = { ...located.block, numBytes: 0 };
      this.bytesSent = 0;
      this.phase = 'setup';
    }
    this.nodes = [...located.locations];
    if (this.xid >= 0) this.host.closeXceiver(this.xid);
    this.xid = this.host.openXceiver(this);
    this.sentUs = this.host.nowUs();
    const b = this.block!;
    const m: DtWriteBlock = {
      type: 'DtWriteBlock', xceiverId: this.xid, block: b, stage, targets: this.nodes.slice(1).map((n) => n.name), client: this.host.clientName,
      srcDataNode: null, latestGenStamp: newGs ?? b.genStamp, minBytesRcvd: b.numBytes, maxBytesRcvd: this.bytesSent,
    };
    this.host.sendDn(this.nodes[0]!.name, m, 64 + 40 * m.targets.length);
  }

  onSetupAnswer(m: DtWriteBlockResponse): void {
    if (m.xceiverId !== this.xid) return;
    if (this.phase === 'setup') {
      if (m.status === 'SUCCESS') {
        this.phase = 'streaming';
        this.lastAckUs = this.host.nowUs();
        this.lastSendUs = this.host.nowUs();
        this.pump();
        return;
      }
      // createBlockOutputStream failed: abandon the block, exclude the bad node, ask again.
      const bad = this.badIndexOf(m.firstBadLink);
      const badName = this.nodes[bad]!.name;
      this.host.annotate(`${this.host.clientName}: pipeline setup for blk_${this.block!.blockId} failed at ${badName} (${m.message}); abandoning the block`);
      this.excluded.push(badName);
      const abandoned = this.block!;
      this.block = null;
      this.host.closeXceiver(this.xid);
      this.xid = -1;
      if (this.setupRetriesLeft-- <= 0) {
        this.fail(`Unable to create new block (excluded ${this.excluded.join(', ')})`);
        return;
      }
      this.phase = 'allocating';
      this.host.rpc.call({ type: 'abandonBlock', block: abandoned, fileId: this.file.fileId, src: this.file.src, holder: this.host.clientName }, () => {
        this.phase = 'idle';
        this.pump();
      });
      return;
    }
    if (this.phase === 'recovering' && this.transferXid < 0) {
      if (m.status === 'SUCCESS') this.recoveryPipelineUp();
      else this.recover(this.badIndexOf(m.firstBadLink), `recovery setup failed: ${m.message}`);
    }
  }

  private badIndexOf(firstBadLink: DatanodeName | null): number {
    const i = firstBadLink === null ? -1 : this.nodes.findIndex((n) => n.name === firstBadLink);
    return i < 0 ? 0 : i;
  }

  // ------------------------------------------------------------------ acks

  onAck(a: DtPipelineAck): void {
    if (a.xceiverId !== this.xid || (this.phase !== 'streaming' && this.phase !== 'closing')) return;
    if (a.seqno === -1) return;
    const bad = a.replies.findIndex((s) => s !== 'SUCCESS');
    if (bad >= 0) {
      this.pipelineError(bad, `${this.nodes[bad]?.name ?? '?'} replied ${a.replies[bad]} for seqno ${a.seqno}`);
      return;
    }
    const head = this.ackQueue[0];
    if (head === undefined || head.seqno !== a.seqno) {
      this.pipelineError(0, `ResponseProcessor: expecting seqno ${head?.seqno ?? 'none'} but received ${a.seqno}`);
      return;
    }
    invariant(a.seqno > this.lastAckedSeqno, () => `${this.host.clientName}: acked seqno ${a.seqno} not after ${this.lastAckedSeqno}`);
    this.ackQueue.shift();
    this.lastAckedSeqno = a.seqno;
    this.lastAckUs = this.host.nowUs();
    const end = head.offsetInBlock + head.dataLen;
    if (end > this.block!.numBytes) this.block = { ...this.block!, numBytes: end };
    if (this.recoverySeqno !== -2 && a.seqno >= this.recoverySeqno) {
      this.recoveryCount = 0;
      this.recoverySeqno = -2;
    }
    if (head.last) this.endBlock();
    this.resolveWaiters();
    this.pump();
    this.onProgress();
  }

  private endBlock(): void {
    this.host.annotate(`${this.host.clientName}: blk_${this.block!.blockId}_${this.block!.genStamp} complete on ${this.nodes.map((n) => n.name).join(', ')} (${this.block!.numBytes} bytes)`);
    this.previous = this.block;
    this.block = null;
    this.nodes = [];
    this.host.closeXceiver(this.xid);
    this.xid = -1;
    this.excluded.length = 0;
    this.failed.length = 0;
    this.setupRetriesLeft = this.host.settings.blockWriteRetries;
    this.phase = 'idle';
  }

  private resolveWaiters(): void {
    for (let i = 0; i < this.waiters.length;) {
      const w = this.waiters[i]!;
      if (w.seqno <= this.lastAckedSeqno) {
        this.waiters.splice(i, 1);
        w.done(null);
      } else i++;
    }
  }

  /** The first DataNode's connection closed. */
  onDatanodeDisconnect(dn: DatanodeName): void {
    if (this.nodes.length === 0 || this.nodes[0]!.name !== dn) return;
    if (this.phase === 'streaming' || this.phase === 'closing') this.pipelineError(0, `connection to ${dn} closed`);
    else if (this.phase === 'setup' || (this.phase === 'recovering' && this.transferXid < 0 && this.xid >= 0)) {
      this.onSetupAnswer({ type: 'DtWriteBlockResponse', xceiverId: this.xid, status: 'ERROR', firstBadLink: dn, message: 'connection closed' });
    }
  }

  // ------------------------------------------------------------------ pipeline recovery

  private pipelineError(badIndex: number, why: string): void {
    this.host.annotate(`${this.host.clientName}: error in the pipeline of blk_${this.block!.blockId} (${why}); bad DataNode ${this.nodes[badIndex]?.name ?? '?'}`);
    this.recoveryStage = this.phase === 'closing' ? 'PIPELINE_CLOSE_RECOVERY' : 'PIPELINE_SETUP_STREAMING_RECOVERY';
    // Unacked packets go back to the front of the data queue, in order.
    this.dataQueue.unshift(...this.ackQueue);
    this.ackQueue.length = 0;
    this.phase = 'recovering';
    this.pipelineRecoveries++;
    const head = this.dataQueue[0];
    const seq = head?.seqno ?? -1;
    if (seq === this.recoverySeqno) this.recoveryCount++;
    else {
      this.recoverySeqno = seq;
      this.recoveryCount = 1;
    }
    if (this.recoveryCount > MAX_RECOVERIES_PER_PACKET) {
      this.fail(`Error recovering pipeline for writing blk_${this.block!.blockId}. Already retried ${MAX_RECOVERIES_PER_PACKET} times for the same packet.`);
      return;
    }
    this.recover(badIndex, why);
  }

  /** setupPipelineInternal: drop the bad node, maybe add a replacement, new GS, re-open. */
  private recover(badIndex: number, why: string): void {
    if (this.xid >= 0) this.host.closeXceiver(this.xid);
    this.xid = -1;
    this.phase = 'recovering';
    const bad = this.nodes[badIndex];
    if (bad !== undefined) {
      this.failed.push(bad.name);
      this.nodes.splice(badIndex, 1);
    }
    this.host.observe('hdfs-pipeline-recovery', { client: this.host.clientName, blockId: this.block!.blockId, bad: bad?.name ?? '', remaining: this.nodes.length, why });
    if (this.nodes.length === 0) {
      this.fail(`All datanodes ${this.failed.join(', ')} are bad. Aborting...`);
      return;
    }
    this.replaceTries = 0;
    this.maybeReplace();
  }

  private maybeReplace(): void {
    const s = this.host.settings;
    const closing = this.recoveryStage === 'PIPELINE_CLOSE_RECOVERY';
    const want = !closing && this.block!.numBytes >= 0 && shouldReplace(s, this.file.replication, this.nodes.length, false, this.isHflushed);
    if (!want || this.replaceTries >= REPLACE_TRIES_MAX) {
      if (want && !s.replaceBestEffort) {
        this.fail(`Failed to replace a bad datanode on the existing pipeline due to no more good datanodes being available to try (policy ${policyName(s)})`);
        return;
      }
      if (s.replaceBestEffort && s.replaceMinReplication > 0 && this.nodes.length < s.replaceMinReplication) {
        this.fail(`Failed to replace a bad datanode: ${this.nodes.length} left is below min-replication ${s.replaceMinReplication}`);
        return;
      }
      this.bumpGenStamp();
      return;
    }
    this.replaceTries++;
    const existing = this.nodes.map((n) => n.name);
    this.host.rpc.call({
      type: 'getAdditionalDatanode', src: this.file.src, fileId: this.file.fileId, block: this.block!, existings: existing,
      excludes: [...this.failed], numAdditionalNodes: 1, clientName: this.host.clientName,
    }, (r) => {
      if (this.phase !== 'recovering') return;
      const ok = responseOf(r, 'getAdditionalDatanodeResponse');
      const added = ok?.located.locations.find((l) => !existing.includes(l.name));
      if (ok === undefined || added === undefined) {
        this.host.annotate(`${this.host.clientName}: no replacement DataNode (${errorText(r)})`);
        this.replaceTries = REPLACE_TRIES_MAX;
        this.maybeReplace();
        return;
      }
      // Transfer the RBW replica from a surviving node to the new one (DataStreamer.transfer).
      const src = this.nodes[(this.replaceTries - 1) % this.nodes.length]!;
      const newNodes = ok.located.locations.filter((l) => existing.includes(l.name) || l.name === added.name);
      this.transferXid = this.host.openXceiver(this);
      this.sentUs = this.host.nowUs();
      this.pendingNodes = newNodes;
      this.pendingAdded = added.name;
      this.host.annotate(`${this.host.clientName}: replacing ${this.failed[this.failed.length - 1] ?? '?'} by ${added.name} (policy ${policyName(this.host.settings)}); ${src.name} transfers the RBW replica`);
      this.host.sendDn(src.name, { type: 'DtTransferBlock', xceiverId: this.transferXid, block: this.block!, targets: [added.name], client: this.host.clientName }, 120);
    });
  }

  private pendingNodes: DatanodeLocation[] = [];
  private pendingAdded: DatanodeName | null = null;

  onTransferAnswer(m: DtTransferBlockResponse): void {
    if (m.xceiverId !== this.transferXid || this.phase !== 'recovering') return;
    this.host.closeXceiver(this.transferXid);
    this.transferXid = -1;
    if (m.status === 'SUCCESS') {
      this.nodes = this.pendingNodes;
      this.bumpGenStamp();
      return;
    }
    if (this.pendingAdded !== null) this.failed.push(this.pendingAdded);
    this.host.annotate(`${this.host.clientName}: transfer to ${this.pendingAdded ?? '?'} failed (${m.message})`);
    this.maybeReplace();
  }

  private bumpGenStamp(): void {
    this.host.rpc.call({ type: 'updateBlockForPipeline', block: this.block!, clientName: this.host.clientName }, (r) => {
      if (this.phase !== 'recovering') return;
      const ok = responseOf(r, 'updateBlockForPipelineResponse');
      if (ok === undefined) {
        this.fail(`updateBlockForPipeline failed: ${errorText(r)}`);
        return;
      }
      const newGs = ok.located.block.genStamp;
      invariant(newGs > this.block!.genStamp, () => `updateBlockForPipeline gave GS ${newGs}, not above ${this.block!.genStamp}`);
      this.newGs = newGs;
      this.setup({ block: this.block!, offset: 0, locations: this.nodes, corrupt: false }, this.recoveryStage, newGs);
    });
  }

  private newGs: Block['genStamp'] | null = null;

  private recoveryPipelineUp(): void {
    const oldBlock = this.block!;
    const newBlock: Block = { ...oldBlock, genStamp: this.newGs! };
    this.host.rpc.call({ type: 'updatePipeline', clientName: this.host.clientName, oldBlock, newBlock, newNodes: this.nodes.map((n) => n.name) }, (r) => {
      if (this.phase !== 'recovering') return;
      if (responseOf(r, 'updatePipelineResponse') === undefined) {
        this.fail(`updatePipeline failed: ${errorText(r)}`);
        return;
      }
      this.block = newBlock;
      this.host.annotate(`${this.host.clientName}: pipeline of blk_${newBlock.blockId} recovered with GS ${newBlock.genStamp} on ${this.nodes.map((n) => n.name).join(', ')}`);
      this.phase = 'streaming';
      this.lastAckUs = this.host.nowUs();
      this.lastSendUs = this.host.nowUs();
      this.pump();
    });
  }

  // ------------------------------------------------------------------ end

  fail(why: string): void {
    if (this.error !== null) return;
    this.error = why;
    this.phase = 'failed';
    if (this.xid >= 0) this.host.closeXceiver(this.xid);
    this.host.annotate(`${this.host.clientName}: stream for ${this.file.src} failed: ${why}`);
    const ws = this.waiters.splice(0);
    for (const w of ws) w.done(why);
    this.onProgress();
  }

  /** Every packet sent and acknowledged, no block open. */
  get drained(): boolean {
    return this.dataQueue.length === 0 && this.ackQueue.length === 0 && this.phase === 'idle';
  }
}
