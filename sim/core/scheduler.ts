// The event queue: a binary min-heap ordered by (time, insertion seq), stored as struct-of-arrays in
// typed arrays so the per-event hot path allocates nothing. An event is a slot holding (time, seq,
// kind, target, aux, payload); the heap orders slot indices. Freed slots are reused. A cancelled
// event stays in the heap and is skipped when popped (lazy deletion); its handle carries the slot's
// generation so a stale handle never cancels a reused slot.

const INITIAL_CAPACITY = 1024;
/** Handles pack (generation, slot): slot in the low 24 bits' worth of range. */
const SLOT_RANGE = 1 << 24;
/**
 * Events allowed at one instant before the run is declared a livelock: a handler that keeps
 * scheduling itself with no delay would otherwise spin forever. Real bursts are far smaller.
 */
export const SAME_INSTANT_MAX = 1_000_000;

export type EventHandle = number;

export type Dispatch = (kind: number, target: number, aux: number, payload: unknown) => void;

export class Scheduler {
  nowUs = 0;
  /** Events executed so far (cancelled ones are not counted). */
  executed = 0;
  /** Events run at the current instant so far (the livelock guard). */
  private sameInstant = 0;

  private kind = new Int32Array(INITIAL_CAPACITY);
  private target = new Int32Array(INITIAL_CAPACITY);
  private aux = new Int32Array(INITIAL_CAPACITY);
  private gen = new Int32Array(INITIAL_CAPACITY);
  private cancelled = new Uint8Array(INITIAL_CAPACITY);
  private payload: unknown[] = new Array<unknown>(INITIAL_CAPACITY).fill(undefined);
  /** Heap entries by heap position: slot, time and insertion seq side by side, so comparisons never chase a slot. */
  private heap = new Int32Array(INITIAL_CAPACITY);
  private heapT = new Float64Array(INITIAL_CAPACITY);
  private heapS = new Float64Array(INITIAL_CAPACITY);
  private free = new Int32Array(INITIAL_CAPACITY);
  private freeTop = 0;
  private capacity = INITIAL_CAPACITY;
  private used = 0;
  private size = 0;
  /** Events scheduled and neither run nor cancelled (size also counts lazily cancelled entries). */
  private live = 0;
  private nextSeq = 0;

  constructor(private readonly dispatch: Dispatch) {}

  /** Events still to run (cancelled ones excluded). */
  get pending(): number {
    return this.live;
  }

  /** Schedules an event at an absolute time (never in the past). */
  at(timeUs: number, kind: number, target: number, aux: number, payload: unknown): EventHandle {
    // NaN compares false both ways and would silently break the heap order for every later event.
    if (timeUs !== timeUs) throw new Error(`scheduler: event time is NaN (kind ${kind}, target ${target})`);
    const t = timeUs < this.nowUs ? this.nowUs : Math.round(timeUs);
    const slot = this.allocSlot();
    this.kind[slot] = kind;
    this.target[slot] = target;
    this.aux[slot] = aux;
    this.payload[slot] = payload;
    this.cancelled[slot] = 0;
    this.siftUp(this.size++, slot, t, this.nextSeq++);
    this.live++;
    return this.gen[slot]! * SLOT_RANGE + slot;
  }

  after(delayUs: number, kind: number, target: number, aux: number, payload: unknown): EventHandle {
    return this.at(this.nowUs + delayUs, kind, target, aux, payload);
  }

  cancel(handle: EventHandle): boolean {
    const slot = handle % SLOT_RANGE;
    const g = (handle - slot) / SLOT_RANGE;
    if (slot >= this.used || this.gen[slot] !== g || this.cancelled[slot] === 1) return false;
    this.cancelled[slot] = 1;
    this.payload[slot] = undefined;
    this.live--;
    return true;
  }

  /** Time of the next live event, or Infinity. Drops cancelled events at the top. */
  peekTimeUs(): number {
    while (this.size > 0) {
      const top = this.heap[0]!;
      if (this.cancelled[top] === 0) return this.heapT[0]!;
      this.popTop();
      this.releaseSlot(top);
    }
    return Infinity;
  }

  /**
   * Runs events until the queue is empty, the next event lies after `untilUs`, `maxEvents` have run,
   * or `stop()` returns true (checked after each event). Returns the number of events run.
   */
  run(untilUs: number, maxEvents: number, stop?: () => boolean): number {
    let n = 0;
    let stopped = false;
    const dispatch = this.dispatch;
    while (this.size > 0) {
      const top = this.heap[0]!;
      if (this.cancelled[top] === 1) {
        this.popTop();
        this.releaseSlot(top);
        continue;
      }
      const t = this.heapT[0]!;
      if (t > untilUs) break;
      // Stopped by the count only while live work is still due: otherwise the run is idle and the
      // clock advances to `untilUs` (independent of lazily cancelled entries left in the heap).
      if (n >= maxEvents) { stopped = true; break; }
      this.popTop();
      const kind = this.kind[top]!;
      const target = this.target[top]!;
      const aux = this.aux[top]!;
      const payload = this.payload[top];
      this.releaseSlot(top);
      if (t !== this.nowUs) {
        this.nowUs = t;
        this.sameInstant = 0;
      } else if (++this.sameInstant > SAME_INSTANT_MAX) {
        throw new Error(`livelock: more than ${SAME_INSTANT_MAX} events at t=${t} us without simulated time advancing (an actor keeps scheduling work with no delay)`);
      }
      this.executed++;
      this.live--;
      n++;
      dispatch(kind, target, aux, payload);
      if (stop !== undefined && stop()) { stopped = true; break; }
    }
    // Ran out of events before `untilUs`: simulated time still advances to it.
    if (!stopped && untilUs !== Infinity && untilUs > this.nowUs) this.nowUs = untilUs;
    return n;
  }

  private allocSlot(): number {
    if (this.freeTop > 0) return this.free[--this.freeTop]!;
    if (this.used === this.capacity) this.grow();
    return this.used++;
  }

  private releaseSlot(slot: number): void {
    this.payload[slot] = undefined;
    this.gen[slot] = (this.gen[slot]! + 1) & 0x1fffffff;
    this.free[this.freeTop++] = slot;
  }

  private grow(): void {
    const cap = this.capacity * 2;
    if (cap > SLOT_RANGE) throw new Error(`scheduler: more than ${SLOT_RANGE} pending events`);
    const f64 = (a: Float64Array<ArrayBuffer>): Float64Array<ArrayBuffer> => { const b = new Float64Array(cap); b.set(a); return b; };
    const i32 = (a: Int32Array<ArrayBuffer>): Int32Array<ArrayBuffer> => { const b = new Int32Array(cap); b.set(a); return b; };
    this.heapT = f64(this.heapT);
    this.heapS = f64(this.heapS);
    this.kind = i32(this.kind);
    this.target = i32(this.target);
    this.aux = i32(this.aux);
    this.gen = i32(this.gen);
    const c = new Uint8Array(cap); c.set(this.cancelled); this.cancelled = c;
    this.heap = i32(this.heap);
    this.free = i32(this.free);
    for (let i = this.capacity; i < cap; i++) this.payload.push(undefined);
    this.capacity = cap;
  }

  private siftUp(i: number, slot: number, t: number, q: number): void {
    const heap = this.heap;
    const ht = this.heapT;
    const hs = this.heapS;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const pt = ht[parent]!;
      if (pt < t || (pt === t && hs[parent]! < q)) break;
      heap[i] = heap[parent]!;
      ht[i] = pt;
      hs[i] = hs[parent]!;
      i = parent;
    }
    heap[i] = slot;
    ht[i] = t;
    hs[i] = q;
  }

  private popTop(): void {
    const n = --this.size;
    if (n === 0) return;
    const heap = this.heap;
    const ht = this.heapT;
    const hs = this.heapS;
    const slot = heap[n]!;
    const t = ht[n]!;
    const q = hs[n]!;
    let i = 0;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= n) break;
      let ct = ht[c]!;
      let cq = hs[c]!;
      const r = c + 1;
      if (r < n) {
        const rt = ht[r]!;
        if (rt < ct || (rt === ct && hs[r]! < cq)) {
          c = r;
          ct = rt;
          cq = hs[r]!;
        }
      }
      if (t < ct || (t === ct && q < cq)) break;
      heap[i] = heap[c]!;
      ht[i] = ct;
      hs[i] = cq;
      i = c;
    }
    heap[i] = slot;
    ht[i] = t;
    hs[i] = q;
  }
}
