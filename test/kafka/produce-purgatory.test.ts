import { describe, expect, it } from 'vitest';
import type { Context } from '../../sim/core/actor.ts';
import type { ProcessId } from '../../sim/core/types.ts';
import { REQUEST_HEADER_BYTES, type ProduceResponsePartition } from '../../sim/kafka/messages.ts';
import type { Partition } from '../../sim/kafka/partition.ts';
import { ProducePurgatory, type DelayedProduce, type ProduceStatus } from '../../sim/kafka/produce-purgatory.ts';

// The produce purgatory on its own (Kafka's DelayedProduce.tryComplete and onExpiration): what an
// acks=all request waits for, each early completion, the timeout, and the response it sends.
// The cluster runs drive it too (scenario tests); these pin each rule so `npm run mutate` sees it.

interface FakePart { key: string; isr: number[]; readonly maximalIsr: number[]; log: { highWatermark: number; config: { minInsyncReplicas: number } }; leads: boolean }

function part(key: string, hw: number, isr: number[], minIsr = 2): FakePart {
  // No AlterIsr pending here: the maximal ISR is the ISR.
  return { key, isr, get maximalIsr() { return this.isr; }, log: { highWatermark: hw, config: { minInsyncReplicas: minIsr } }, leads: true };
}

interface Sent { to: ProcessId; msg: { type: string; correlationId: number; partitions: ProduceResponsePartition[] }; bytes: number }

function harness() {
  const sent: Sent[] = [];
  const cancelled: number[] = [];
  const armed: { id: number; timeoutMs: number }[] = [];
  const ctx = {
    send: (to: ProcessId, msg: Sent['msg'], bytes: number) => { sent.push({ to, msg, bytes }); },
    cancelTimer: (t: number) => { cancelled.push(t); },
  } as unknown as Context;
  const purgatory = new ProducePurgatory(ctx, (p) => (p as unknown as FakePart).leads, (id, timeoutMs) => { armed.push({ id, timeoutMs }); return 1000 + id; });
  return { purgatory, sent, cancelled, armed };
}

const status = (p: FakePart, requiredOffset: number, baseOffset: number): ProduceStatus =>
  ({ part: p as unknown as Partition, requiredOffset, baseOffset, error: null, errorMessage: null });

function request(id: number, waiting: ProduceStatus[], done: ProduceResponsePartition[] = []): DelayedProduce {
  return { id, from: 7 as ProcessId, correlationId: 40 + id, done, waiting, timer: -1 };
}

describe('produce purgatory', () => {
  it('answers at once when nothing waits for the ISR, without arming a timeout', () => {
    const h = harness();
    const done: ProduceResponsePartition = { tp: 'events-1', error: 'NONE', baseOffset: 3, errorMessage: null };
    h.purgatory.add(request(1, [], [done]), 30_000);
    expect(h.armed).toEqual([]);
    expect(h.sent).toEqual([{ to: 7, msg: { type: 'ProduceResponse', correlationId: 41, partitions: [done] }, bytes: REQUEST_HEADER_BYTES + 24 }]);
  });

  it('parks until the high watermark reaches the required offset, then answers NONE with the base offset and cancels the timeout', () => {
    const h = harness();
    const p0 = part('events-0', 5, [1, 2, 3]);
    h.purgatory.add(request(2, [status(p0, 8, 5)]), 30_000);
    expect(h.armed).toEqual([{ id: 2, timeoutMs: 30_000 }]);
    expect(h.sent).toEqual([]);
    p0.log.highWatermark = 7;
    h.purgatory.checkPartition(p0 as unknown as Partition);
    expect(h.sent).toEqual([]);
    p0.log.highWatermark = 8;
    h.purgatory.checkPartition(p0 as unknown as Partition);
    expect(h.cancelled).toEqual([1002]);
    expect(h.sent.map((s) => s.msg.partitions)).toEqual([[{ tp: 'events-0', error: 'NONE', baseOffset: 5, errorMessage: null }]]);
    // Answered once: later changes of the partition send nothing more.
    h.purgatory.checkPartition(p0 as unknown as Partition);
    h.purgatory.expire(2);
    expect(h.sent).toHaveLength(1);
  });

  it('completes at once when the high watermark is already there', () => {
    const h = harness();
    const p0 = part('events-0', 9, [1, 2]);
    h.purgatory.add(request(3, [status(p0, 9, 8)]), 30_000);
    expect(h.sent.map((s) => s.msg.partitions[0]!.error)).toEqual(['NONE']);
    expect(h.cancelled).toEqual([1003]);
  });

  it('answers NOT_ENOUGH_REPLICAS_AFTER_APPEND when the HW is reached with the ISR below min.insync.replicas', () => {
    const h = harness();
    const p0 = part('events-0', 2, [1, 2], 2);
    h.purgatory.add(request(4, [status(p0, 4, 2)]), 30_000);
    p0.isr = [1];
    p0.log.highWatermark = 4;
    h.purgatory.checkPartition(p0 as unknown as Partition);
    expect(h.sent.map((s) => s.msg.partitions)).toEqual([[{
      tp: 'events-0', error: 'NOT_ENOUGH_REPLICAS_AFTER_APPEND', baseOffset: -1,
      errorMessage: 'Number of insync replicas for partition events-0 is [1], below required minimum [2]',
    }]]);
  });

  it('answers NOT_LEADER_FOR_PARTITION when leadership moves while it waits', () => {
    const h = harness();
    const p0 = part('events-0', 0, [1, 2, 3]);
    h.purgatory.add(request(5, [status(p0, 3, 0)]), 30_000);
    p0.leads = false;
    h.purgatory.checkPartition(p0 as unknown as Partition);
    expect(h.sent.map((s) => s.msg.partitions)).toEqual([[{ tp: 'events-0', error: 'NOT_LEADER_FOR_PARTITION', baseOffset: -1, errorMessage: 'Leader changed for partition events-0 while waiting for acks' }]]);
  });

  it('waits for every partition of the request; on expiry the completed ones keep NONE and the rest time out', () => {
    const h = harness();
    const p0 = part('events-0', 0, [1, 2, 3]);
    const p1 = part('events-1', 0, [1, 2, 3]);
    h.purgatory.add(request(6, [status(p0, 2, 0), status(p1, 2, 0)]), 10_000);
    p0.log.highWatermark = 2;
    h.purgatory.checkPartition(p0 as unknown as Partition);
    expect(h.sent).toEqual([]);
    h.purgatory.expire(99); // not a parked request: nothing
    expect(h.sent).toEqual([]);
    h.purgatory.expire(6);
    expect(h.sent.map((s) => s.msg.partitions)).toEqual([[
      { tp: 'events-0', error: 'NONE', baseOffset: 0, errorMessage: null },
      { tp: 'events-1', error: 'REQUEST_TIMED_OUT', baseOffset: -1, errorMessage: 'Request timed out waiting for the ISR to replicate' },
    ]]);
    expect(h.sent[0]!.bytes).toBe(REQUEST_HEADER_BYTES + 2 * 24);
    expect(h.cancelled).toEqual([1006]);
  });

  it('completes every request parked on a partition when one change satisfies them all', () => {
    const h = harness();
    const p0 = part('events-0', 0, [1, 2, 3]);
    h.purgatory.add(request(7, [status(p0, 1, 0)]), 30_000);
    h.purgatory.add(request(8, [status(p0, 2, 1)]), 30_000);
    h.purgatory.add(request(9, [status(p0, 5, 2)]), 30_000);
    p0.log.highWatermark = 2;
    h.purgatory.checkPartition(p0 as unknown as Partition);
    expect(h.sent.map((s) => s.msg.correlationId)).toEqual([47, 48]);
    p0.log.highWatermark = 5;
    h.purgatory.checkPartition(p0 as unknown as Partition);
    expect(h.sent.map((s) => s.msg.correlationId)).toEqual([47, 48, 49]);
  });

  it("keeps a partition's answer once decided: a later ISR shrink does not turn its NONE into an error", () => {
    // DelayedProduce.tryComplete checks only the partitions whose acks are still pending.
    const h = harness();
    const p0 = part('events-0', 0, [1, 2, 3]);
    const p1 = part('events-1', 0, [1, 2, 3]);
    h.purgatory.add(request(10, [status(p0, 1, 0), status(p1, 1, 0)]), 30_000);
    p0.log.highWatermark = 1;
    h.purgatory.checkPartition(p0 as unknown as Partition);
    p0.isr = [1];
    p1.log.highWatermark = 1;
    h.purgatory.checkPartition(p1 as unknown as Partition);
    expect(h.sent.map((s) => s.msg.partitions.map((x) => x.error))).toEqual([['NONE', 'NONE']]);
  });
});
