// The growable columns of the trace index and the table of messages in flight, used while loading.

/** A growable typed column (doubling). */
export class Column<A extends Float64Array | Int32Array | Uint8Array | Uint16Array | Uint32Array> {
  constructor(public data: A, private readonly make: (n: number) => A) {}
  ensure(n: number): void {
    if (n <= this.data.length) return;
    const next = this.make(Math.max(n, this.data.length * 2));
    next.set(this.data);
    this.data = next;
  }
  /** The first n values, copied so no spare capacity is kept (or transferred). */
  trim(n: number): A {
    return (this.data.length === n ? this.data : this.data.slice(0, n)) as A;
  }
}

/**
 * Message id -> index of its send, for messages not yet delivered or dropped. The world numbers
 * messages 1, 2, 3...: a typed array indexed by id; other ids (hand-written traces) use a map.
 */
export class MessageIds {
  private dense = new Int32Array(1 << 16).fill(-1);
  private readonly sparse = new Map<number, number>();
  private static readonly DENSE_MAX = 1 << 25;

  set(id: number, index: number): void {
    if (Number.isInteger(id) && id >= 0 && id < MessageIds.DENSE_MAX) {
      if (id >= this.dense.length) {
        let n = this.dense.length;
        while (n <= id) n *= 2;
        const next = new Int32Array(n).fill(-1);
        next.set(this.dense);
        this.dense = next;
      }
      this.dense[id] = index;
    } else this.sparse.set(id, index);
  }

  peek(id: number): number {
    if (Number.isInteger(id) && id >= 0 && id < this.dense.length) return this.dense[id]!;
    return this.sparse.get(id) ?? -1;
  }

  /** The send of `id`, forgotten afterwards (a message ends once). -1 if unknown. */
  take(id: number): number {
    if (Number.isInteger(id) && id >= 0 && id < this.dense.length) {
      const v = this.dense[id]!;
      this.dense[id] = -1;
      return v;
    }
    const v = this.sparse.get(id);
    if (v === undefined) return -1;
    this.sparse.delete(id);
    return v;
  }
}

