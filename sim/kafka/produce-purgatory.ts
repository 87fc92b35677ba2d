import type { Context } from '../core/actor.ts';
import type { ProcessId } from '../core/types.ts';
import { REQUEST_HEADER_BYTES, type ErrorCode, type ProduceResponsePartition } from './messages.ts';
import type { Partition } from './partition.ts';
import { acksAllStatus } from './replica-rules.ts';

// Delayed produce (Kafka's DelayedProduce in the produce purgatory): an acks=all request waits
// until the high watermark passes every partition's last appended offset. It completes early with
// NOT_ENOUGH_REPLICAS_AFTER_APPEND when the ISR shrinks below min.insync.replicas (the records stay
// in the leader's log), with NOT_LEADER_FOR_PARTITION when leadership moves, and with
// REQUEST_TIMED_OUT after the request's timeout.

export interface ProduceStatus {
  readonly part: Partition;
  readonly requiredOffset: number;
  readonly baseOffset: number;
  error: ErrorCode | null;
  errorMessage: string | null;
}

export interface DelayedProduce {
  readonly id: number;
  readonly from: ProcessId;
  readonly correlationId: number;
  readonly done: ProduceResponsePartition[];
  readonly waiting: ProduceStatus[];
  timer: number;
}

export class ProducePurgatory {
  private readonly byId = new Map<number, DelayedProduce>();
  /** Parked requests per partition, in the order they were parked (small: arrays, not Sets). */
  private readonly byTp = new Map<string, DelayedProduce[]>();

  constructor(
    private readonly ctx: Context,
    /** Whether this partition object still leads its partition on this broker. */
    private readonly leads: (part: Partition) => boolean,
    /** Arms the request timeout; its timer must call expire(id). */
    private readonly armTimeout: (id: number, timeoutMs: number) => number,
  ) {}

  /** Answers at once when nothing waits for the ISR; otherwise parks the request. */
  add(p: DelayedProduce, timeoutMs: number): void {
    if (p.waiting.length === 0) return this.respond(p);
    this.byId.set(p.id, p);
    for (const w of p.waiting) {
      let list = this.byTp.get(w.part.key);
      if (list === undefined) this.byTp.set(w.part.key, (list = []));
      if (!list.includes(p)) list.push(p);
    }
    p.timer = this.armTimeout(p.id, timeoutMs);
    this.tryComplete(p);
  }

  /** The partition's HW, ISR or leadership changed: complete what can be completed. */
  checkPartition(part: Partition): void {
    const list = this.byTp.get(part.key);
    if (list === undefined || list.length === 0) return;
    // finish() removes from the list while we walk it: walk a copy.
    for (const p of list.slice()) this.tryComplete(p);
  }

  expire(id: number): void {
    const p = this.byId.get(id);
    if (p === undefined) return;
    for (const w of p.waiting) {
      if (!this.statusOf(w)) {
        w.error = 'REQUEST_TIMED_OUT';
        w.errorMessage = 'Request timed out waiting for the ISR to replicate';
      }
    }
    this.finish(p);
  }

  private statusOf(w: ProduceStatus): boolean {
    if (w.error !== null) return true;
    const part = w.part;
    if (!this.leads(part)) {
      w.error = 'NOT_LEADER_FOR_PARTITION';
      w.errorMessage = `Leader changed for partition ${part.key} while waiting for acks`;
      return true;
    }
    // Partition.checkEnoughReplicasReachOffset counts the maximal ISR (KIP-497; the ISR before 2.7-IV2).
    const isrSize = part.maximalIsr.length;
    const s = acksAllStatus(part.log.highWatermark, w.requiredOffset, isrSize, part.log.config.minInsyncReplicas);
    if (s === 'WAIT') return false;
    w.error = s === 'NONE' ? 'NONE' : 'NOT_ENOUGH_REPLICAS_AFTER_APPEND';
    if (s !== 'NONE') w.errorMessage = `Number of insync replicas for partition ${part.key} is [${isrSize}], below required minimum [${part.log.config.minInsyncReplicas}]`;
    return true;
  }

  private tryComplete(p: DelayedProduce): void {
    for (const w of p.waiting) if (!this.statusOf(w)) return;
    this.finish(p);
  }

  private finish(p: DelayedProduce): void {
    if (!this.byId.delete(p.id)) return;
    this.ctx.cancelTimer(p.timer);
    for (const w of p.waiting) {
      const list = this.byTp.get(w.part.key);
      const i = list === undefined ? -1 : list.indexOf(p);
      if (i >= 0) list!.splice(i, 1);
    }
    this.respond(p);
  }

  private respond(p: DelayedProduce): void {
    const partitions = p.done.concat(p.waiting.map((w) => ({ tp: w.part.key, error: w.error ?? 'REQUEST_TIMED_OUT', baseOffset: w.error === 'NONE' ? w.baseOffset : -1, errorMessage: w.errorMessage })));
    this.ctx.send(p.from, { type: 'ProduceResponse', correlationId: p.correlationId, partitions }, REQUEST_HEADER_BYTES + partitions.length * 24);
  }
}
