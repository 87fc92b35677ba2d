import type { World } from '../../world/world.ts';

// What every replica's log holds, rebuilt from the brokers' observations without reading disks:
// `kafka-append` {tp, broker, base, last, crc} per batch (leaders and followers), `kafka-truncate`
// {tp, broker, offset: the LEO after it}, `kafka-broker-start` {broker, logs: {tp: LEO after
// recovery}} (what a crash or power loss left). A batch is identified by (base offset, last offset,
// CRC-32C): the CRC covers the records, so two batches with equal identities hold the same writes.

export class ReplicaShadow {
  readonly base: number[] = [];
  readonly last: number[] = [];
  readonly crc: number[] = [];

  get leo(): number {
    const n = this.last.length;
    return n === 0 ? 0 : this.last[n - 1]! + 1;
  }

  append(base: number, last: number, crc: number): void {
    this.truncate(base);
    this.base.push(base);
    this.last.push(last);
    this.crc.push(crc);
  }

  truncate(leo: number): void {
    while (this.last.length > 0 && this.last[this.last.length - 1]! >= leo) {
      this.base.pop();
      this.last.pop();
      this.crc.pop();
    }
  }

  /** Index of the first batch whose base offset is at least `offset` (binary search). */
  lowerBound(offset: number): number {
    let lo = 0;
    let hi = this.base.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.base[mid]! < offset) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Index of the batch starting at `base`, or -1. */
  indexOf(base: number): number {
    let lo = 0;
    let hi = this.base.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const b = this.base[mid]!;
      if (b === base) return mid;
      if (b < base) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  }
}

export class ShadowLogs {
  private readonly logs = new Map<string, Map<number, ReplicaShadow>>();
  private attached = false;

  attach(world: World): void {
    if (this.attached) return;
    this.attached = true;
    world.onObserve('kafka-append', (_p, o) => {
      this.of(o.tp, o.broker).append(o.base, o.last, o.crc);
    });
    world.onObserve('kafka-truncate', (_p, o) => {
      this.of(o.tp, o.broker).truncate(o.offset);
    });
    world.onObserve('kafka-broker-start', (_p, o) => {
      for (const [tp, m] of this.logs) {
        const s = m.get(o.broker);
        if (s !== undefined) s.truncate(o.logs[tp] ?? 0);
      }
    });
  }

  of(tp: string, broker: number): ReplicaShadow {
    let m = this.logs.get(tp);
    if (m === undefined) this.logs.set(tp, (m = new Map()));
    let s = m.get(broker);
    if (s === undefined) m.set(broker, (s = new ReplicaShadow()));
    return s;
  }

  replicas(tp: string): ReadonlyMap<number, ReplicaShadow> {
    return this.logs.get(tp) ?? new Map();
  }

  topicPartitions(): string[] {
    return [...this.logs.keys()].sort();
  }
}
