import type { ProcessId } from '../../core/types.ts';
import type { CommitBlockSynchronizationRequest, RecoveringBlock } from '../protocol-dn.ts';
import type {
  DnInitReplicaRecovery, DnInitReplicaRecoveryResponse, DnUpdateReplicaUnderRecovery, DnUpdateReplicaUnderRecoveryResponse, ReplicaRecoveryInfo,
} from '../protocol-dt.ts';
import type { Block, DatanodeName, GenStamp } from '../types.ts';
import { planSyncBlock, type ReplicaAnswer } from './sync-block.ts';

// BlockRecoveryWorker: this DataNode is the primary of a block recovery (DNA_RECOVERBLOCK, sent by
// the NameNode for lease recovery). It asks every DataNode holding a replica to initReplicaRecovery
// with the recovery id (the new GS), decides the length by syncBlock's rule (sync-block.ts), has
// each participant updateReplicaUnderRecovery (new GS, cut to the length, finalized), and reports
// to the NameNode with commitBlockSynchronization (closeFile = true).

export interface RecoveryHost {
  readonly name: DatanodeName;
  lookup(name: DatanodeName): ProcessId;
  send(to: ProcessId, m: DnInitReplicaRecovery | DnUpdateReplicaUnderRecovery, bytes: number): void;
  setTimer(delayUs: number, tag: RecoveryTimer): void;
  initLocal(b: Block, recoveryId: GenStamp): ReplicaRecoveryInfo | string;
  updateLocal(b: Block, recoveryId: GenStamp, newLength: number): Block | string;
  commit(req: Omit<CommitBlockSynchronizationRequest, 'callId' | 'type' | 'datanode'>): void;
  annotate(text: string): void;
}

export type RecoveryTimer = { readonly kind: 'recovery-timeout'; readonly task: number; readonly phase: 'init' | 'update' };

interface Task {
  readonly id: number;
  readonly rb: RecoveringBlock;
  phase: 'init' | 'update' | 'done';
  /** Outstanding calls: callId -> DataNode. */
  readonly waiting: Map<number, DatanodeName>;
  readonly answers: ReplicaAnswer[];
  readonly synced: DatanodeName[];
  newLength: number;
}

export class RecoveryWorker {
  private readonly tasks = new Map<number, Task>();
  private readonly byCall = new Map<number, Task>();
  private nextTask = 1;
  private nextCall = 1;

  constructor(private readonly host: RecoveryHost, private readonly timeoutUs: number) {}

  recover(rb: RecoveringBlock): void {
    for (const t of this.tasks.values()) if (t.rb.block.blockId === rb.block.blockId && t.phase !== 'done' && t.rb.newGenStamp >= rb.newGenStamp) return;
    const t: Task = { id: this.nextTask++, rb, phase: 'init', waiting: new Map(), answers: [], synced: [], newLength: 0 };
    this.tasks.set(t.id, t);
    this.host.annotate(`${this.host.name} recovers blk_${rb.block.blockId}_${rb.block.genStamp} with recovery id ${rb.newGenStamp} over ${rb.locations.join(', ')}`);
    for (const dn of rb.locations) {
      if (dn === this.host.name) {
        const res = this.host.initLocal(rb.block, rb.newGenStamp);
        if (typeof res !== 'string') t.answers.push({ datanode: dn, info: res });
        continue;
      }
      const callId = this.nextCall++;
      t.waiting.set(callId, dn);
      this.byCall.set(callId, t);
      this.host.send(this.host.lookup(dn), { type: 'DnInitReplicaRecovery', callId, block: rb.block, recoveryId: rb.newGenStamp }, 80);
    }
    this.host.setTimer(this.timeoutUs, { kind: 'recovery-timeout', task: t.id, phase: 'init' });
    this.advance(t);
  }

  onResponse(_from: ProcessId, m: DnInitReplicaRecoveryResponse | DnUpdateReplicaUnderRecoveryResponse): void {
    const t = this.byCall.get(m.callId);
    if (t === undefined) return;
    this.byCall.delete(m.callId);
    const dn = t.waiting.get(m.callId)!;
    t.waiting.delete(m.callId);
    if (m.type === 'DnInitReplicaRecoveryResponse') {
      if (t.phase === 'init' && m.info !== null) t.answers.push({ datanode: dn, info: m.info });
    } else if (t.phase === 'update' && m.block !== null) t.synced.push(dn);
    this.advance(t);
  }

  onDisconnect(peer: ProcessId): void {
    for (const [callId, t] of [...this.byCall]) {
      const dn = t.waiting.get(callId);
      if (dn === undefined || this.host.lookup(dn) !== peer) continue;
      t.waiting.delete(callId);
      this.byCall.delete(callId);
      this.advance(t);
    }
  }

  onTimer(tag: RecoveryTimer): void {
    const t = this.tasks.get(tag.task);
    if (t === undefined || t.phase !== tag.phase) return;
    for (const callId of t.waiting.keys()) this.byCall.delete(callId);
    t.waiting.clear();
    this.advance(t);
  }

  private advance(t: Task): void {
    if (t.waiting.size > 0 || t.phase === 'done') return;
    const rb = t.rb;
    if (t.phase === 'init') {
      const plan = planSyncBlock(rb.block, t.answers);
      if (plan.kind === 'delete') {
        t.phase = 'done';
        this.tasks.delete(t.id);
        this.host.annotate(`${this.host.name}: recovery of blk_${rb.block.blockId}: ${plan.why}; the block is deleted`);
        this.host.commit({ block: rb.block, newGenStamp: rb.newGenStamp, newLength: 0, closeFile: true, deleteBlock: true, newTargets: [] });
        return;
      }
      t.phase = 'update';
      t.newLength = plan.newLength;
      this.host.annotate(`${this.host.name}: recovery of blk_${rb.block.blockId}: best state ${plan.bestState}, length ${plan.newLength}, participants ${plan.participants.join(', ')}`);
      for (const dn of plan.participants) {
        if (dn === this.host.name) {
          if (typeof this.host.updateLocal(rb.block, rb.newGenStamp, plan.newLength) !== 'string') t.synced.push(dn);
          continue;
        }
        const callId = this.nextCall++;
        t.waiting.set(callId, dn);
        this.byCall.set(callId, t);
        this.host.send(this.host.lookup(dn), { type: 'DnUpdateReplicaUnderRecovery', callId, block: rb.block, recoveryId: rb.newGenStamp, newLength: plan.newLength }, 80);
      }
      this.host.setTimer(this.timeoutUs, { kind: 'recovery-timeout', task: t.id, phase: 'update' });
      this.advance(t);
      return;
    }
    t.phase = 'done';
    this.tasks.delete(t.id);
    if (t.synced.length === 0) {
      this.host.annotate(`${this.host.name}: Cannot recover blk_${rb.block.blockId}: every participant failed`);
      return;
    }
    this.host.commit({ block: rb.block, newGenStamp: rb.newGenStamp, newLength: t.newLength, closeFile: true, deleteBlock: false, newTargets: t.synced });
  }
}
