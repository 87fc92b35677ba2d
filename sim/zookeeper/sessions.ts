// Sessions on the leader (SessionTrackerImpl.java, ExpiryQueue.java). Expiry is bucketed: a session
// touched at time t with timeout T expires at the first multiple of tickTime after t + T, so the
// tracker wakes once per tick and expires whole buckets. A session being closed (expired, or closed
// by its client) is marked closing at once: requests from it fail with SESSIONEXPIRED while its
// closeSession txn is in flight.
//
// Time here is the monotonic clock (ZooKeeper reads System.nanoTime through Time.currentElapsedTime),
// so wall-clock steps do not expire sessions; timers still run at the host's drifting rate.

import { invariant } from '../core/invariant.ts';

/** Buckets of elements by expiry time, each a multiple of `intervalUs`. */
export class ExpiryQueue<E> {
  private readonly expiryOf = new Map<E, number>();
  private readonly buckets = new Map<number, Set<E>>();
  /** The next bucket boundary poll() will hand out. */
  nextExpirationUs: number;

  constructor(readonly intervalUs: number, nowUs: number) {
    invariant(intervalUs > 0, 'ExpiryQueue interval must be positive');
    this.nextExpirationUs = this.roundToNextInterval(nowUs);
  }

  roundToNextInterval(timeUs: number): number {
    return (Math.floor(timeUs / this.intervalUs) + 1) * this.intervalUs;
  }

  /** Moves `e` to the bucket for now + timeout; returns its new expiry time. */
  update(e: E, timeoutUs: number, nowUs: number): number {
    const prev = this.expiryOf.get(e);
    const next = this.roundToNextInterval(nowUs + timeoutUs);
    if (prev === next) return next;
    let set = this.buckets.get(next);
    if (set === undefined) this.buckets.set(next, (set = new Set()));
    set.add(e);
    this.expiryOf.set(e, next);
    if (prev !== undefined) {
      const old = this.buckets.get(prev);
      old?.delete(e);
      if (old !== undefined && old.size === 0) this.buckets.delete(prev);
    }
    return next;
  }

  remove(e: E): void {
    const prev = this.expiryOf.get(e);
    if (prev === undefined) return;
    this.expiryOf.delete(e);
    const set = this.buckets.get(prev);
    set?.delete(e);
    if (set !== undefined && set.size === 0) this.buckets.delete(prev);
  }

  expiryTimeOf(e: E): number | undefined {
    return this.expiryOf.get(e);
  }

  /** Elements whose bucket is due (ExpiryQueue.poll): at most one bucket per call, in time order. */
  poll(nowUs: number): E[] {
    if (nowUs < this.nextExpirationUs) return [];
    const due = this.nextExpirationUs;
    this.nextExpirationUs = due + this.intervalUs;
    const set = this.buckets.get(due);
    if (set === undefined) return [];
    this.buckets.delete(due);
    const out = [...set];
    for (const e of out) this.expiryOf.delete(e);
    return out;
  }

  get size(): number {
    return this.expiryOf.size;
  }
}

export interface TrackedSession {
  readonly id: number;
  timeoutMs: number;
  /** sid of the server the client is connected through (SESSIONMOVED check); 0 until known. */
  owner: number;
  closing: boolean;
}

export class SessionTracker {
  readonly sessions = new Map<number, TrackedSession>();
  private readonly queue: ExpiryQueue<number>;

  constructor(tickUs: number, nowUs: number) {
    this.queue = new ExpiryQueue<number>(tickUs, nowUs);
  }

  get nextExpirationUs(): number {
    return this.queue.nextExpirationUs;
  }

  /** trackSession: known from now on, expiring timeout after now. */
  add(id: number, timeoutMs: number, owner: number, nowUs: number): void {
    if (!this.sessions.has(id)) this.sessions.set(id, { id, timeoutMs, owner, closing: false });
    this.queue.update(id, timeoutMs * 1000, nowUs);
  }

  /** touchSession: false for unknown or closing sessions (the caller treats the session as expired). */
  touch(id: number, nowUs: number): boolean {
    const s = this.sessions.get(id);
    if (s === undefined || s.closing) return false;
    this.queue.update(id, s.timeoutMs * 1000, nowUs);
    return true;
  }

  /** checkSession(id, owner): null when the session may issue requests through server `owner`. */
  check(id: number, owner: number): 'SESSIONEXPIRED' | 'SESSIONMOVED' | null {
    const s = this.sessions.get(id);
    if (s === undefined || s.closing) return 'SESSIONEXPIRED';
    if (s.owner === 0) s.owner = owner;
    else if (s.owner !== owner) return 'SESSIONMOVED';
    return null;
  }

  setOwner(id: number, owner: number): void {
    const s = this.sessions.get(id);
    if (s !== undefined) s.owner = owner;
  }

  setClosing(id: number): void {
    const s = this.sessions.get(id);
    if (s !== undefined) s.closing = true;
  }

  isClosing(id: number): boolean {
    return this.sessions.get(id)?.closing === true;
  }

  remove(id: number): void {
    this.sessions.delete(id);
    this.queue.remove(id);
  }

  /** Sessions whose bucket is due now; each is marked closing. */
  expire(nowUs: number): TrackedSession[] {
    const out: TrackedSession[] = [];
    for (;;) {
      const ids = this.queue.poll(nowUs);
      for (const id of ids.sort((a, b) => a - b)) {
        const s = this.sessions.get(id);
        if (s === undefined || s.closing) continue;
        s.closing = true;
        out.push(s);
      }
      if (nowUs < this.queue.nextExpirationUs) return out;
    }
  }

  expiryTimeOf(id: number): number | undefined {
    return this.queue.expiryTimeOf(id);
  }
}

/** A session id from this server: ZooKeeper puts the server id in the top byte and time below it. */
export function initialSessionId(sid: number, nowUs: number): number {
  const ms = Math.floor(nowUs / 1000);
  return sid * 2 ** 40 + ((ms * 256) % 2 ** 40);
}
