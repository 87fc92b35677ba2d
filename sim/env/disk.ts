import type { Rng } from '../core/rng.ts';
import { invariant } from '../core/invariant.ts';
import { SEC } from '../core/types.ts';

// A host's disk: a page cache in front of durable media, with a real machine's semantics.
//
// - Writes land in the page cache at once (what every process on the host reads) and are written
//   back to the media later: when they are older than `dirtyExpireUs` (Linux dirty_expire_centisecs,
//   30 s), when dirty bytes exceed `dirtyBackgroundBytes`, or when a process fsyncs the file.
//   Writeback runs at `writeBytesPerSec` and is ordered within a file, not across files.
// - fsync completes once everything written to that file before it is on the media, plus
//   `fsyncLatencyUs`.
// - A process crash does nothing here: the page cache belongs to the host (kill -9 semantics).
// - Host power loss drops the page cache: unsynced writes are gone, and a write-back in progress is
//   torn at a sector boundary.
// - Metadata (create, rename, delete, truncate) is journaled and durable at once; a rename of a file
//   whose data is not yet written back therefore survives power loss with that data missing, as
//   with ext4's delayed allocation. Write, fsync, then rename to publish a file safely.
// - Dirty bytes above `dirtyBytesMax` stall the writer (balance_dirty_pages) until writeback catches up.

import type { DiskError } from '../core/types.ts';
export type { DiskError } from '../core/types.ts';

export interface DiskOptions {
  writeBytesPerSec: number;
  readBytesPerSec: number;
  fsyncLatencyUs: number;
  capacityBytes: number;
  dirtyBytesMax: number;
  dirtyBackgroundBytes: number;
  dirtyExpireUs: number;
  sectorBytes: number;
  /** Largest amount written back in one go. */
  writebackChunkBytes: number;
}

/** Defaults from measured hardware (../shared/DESIGN.md: write 240 MB/s, read 374 MB/s). */
export const DEFAULT_DISK: DiskOptions = {
  writeBytesPerSec: 240e6,
  readBytesPerSec: 374e6,
  fsyncLatencyUs: 1000,
  capacityBytes: 1024 ** 4,
  dirtyBytesMax: 2 * 1024 ** 3,
  dirtyBackgroundBytes: 512 * 1024 ** 2,
  dirtyExpireUs: 30 * SEC,
  sectorBytes: 512,
  writebackChunkBytes: 1024 * 1024,
};

/** What the disk needs from the world: time, scheduling and a random stream. */
export interface DiskHost {
  nowUs(): number;
  schedule(atUs: number, fn: () => void): void;
  readonly rng: Rng;
  /** Called when dirty bytes fall back under dirtyBytesMax (stalled writers may continue). */
  onDirtyDrained(): void;
  /** Trace hook for disk-level events (write-back, power loss, corruption). */
  traceDisk(op: string, file: string, bytes: number, detail?: string): void;
}

/**
 * A growable byte buffer: the content of one file. Views of its bytes are handed out (readView,
 * and pending write-backs) without copying; `shared` is the end of the region such views may cover,
 * and a write, fill or bit flip inside it first copies the buffer (copy-on-write), so a view never
 * sees a later change. Appends past `shared`, the common case, write in place.
 */
class Bytes {
  buf: Uint8Array;
  len: number;
  /** Bytes [0, shared) of buf may be referenced by views handed out: copy before changing them. */
  shared = 0;
  constructor(initial?: Uint8Array) {
    this.buf = initial !== undefined ? initial.slice() : new Uint8Array(64);
    this.len = initial !== undefined ? initial.length : 0;
  }
  ensure(n: number): void {
    if (n <= this.buf.length) return;
    // A buffer cloned from an empty file has length 0: doubling 0 would never reach n.
    let cap = Math.max(64, this.buf.length * 2);
    while (cap < n) cap *= 2;
    const b = new Uint8Array(cap);
    b.set(this.buf.subarray(0, this.len));
    this.buf = b;
    this.shared = 0;
  }
  /** Makes bytes from `offset` on writable: copies the buffer if views may cover them. */
  private own(offset: number): void {
    if (offset >= this.shared) return;
    const b = new Uint8Array(this.buf.length);
    b.set(this.buf.subarray(0, this.len));
    this.buf = b;
    this.shared = 0;
  }
  writeAt(offset: number, data: Uint8Array): void {
    const end = offset + data.length;
    this.ensure(end);
    this.own(Math.min(offset, this.len));
    if (offset > this.len) this.buf.fill(0, this.len, offset);
    this.buf.set(data, offset);
    if (end > this.len) this.len = end;
  }
  truncate(size: number): void {
    if (size < this.len) this.len = size;
    else if (size > this.len) {
      this.ensure(size);
      this.own(this.len);
      this.buf.fill(0, this.len, size);
      this.len = size;
    }
  }
  /** Flips bits of one stored byte. */
  flip(offset: number, bit: number): void {
    this.own(offset);
    this.buf[offset]! ^= bit;
  }
  /** A view of [start, end) that later changes will not affect (the caller must not write to it). */
  share(start: number, end: number): Uint8Array {
    if (end > this.shared) this.shared = end;
    return this.buf.subarray(start, end);
  }
  view(): Uint8Array {
    return this.buf.subarray(0, this.len);
  }
  clone(): Bytes {
    return new Bytes(this.view());
  }
}

interface PendingWrite {
  readonly seq: number;
  offset: number;
  data: Uint8Array;
  readonly enqueuedUs: number;
}

interface FileState {
  cache: Bytes;
  pending: PendingWrite[];
  /** fsync requested up to this op seq: makes those writes eligible for write-back now. */
  urgentSeq: number;
}

interface FsyncWaiter {
  path: string;
  seq: number;
  done: () => void;
}

interface InFlight {
  path: string;
  ops: PendingWrite[];
  bytes: number;
  startUs: number;
  endUs: number;
}

export class Disk {
  readonly opts: DiskOptions;
  private readonly files = new Map<string, FileState>();
  private readonly media = new Map<string, Bytes>();
  private nextSeq = 1;
  private dirty = 0;
  private usedBytes = 0;
  /** Bits flipped in the page cache so far (see DiskView.cacheFlips). */
  cacheFlips = 0;
  private inFlight: InFlight | null = null;
  private wakeAtUs = Infinity;
  private waiters: FsyncWaiter[] = [];
  private readFreeAtUs = 0;
  /** Power generation: completions scheduled before a power loss are ignored after it. */
  private powerGen = 0;
  /** Fault state: a slow disk multiplies every duration; Infinity stalls it. */
  private slowFactor = 1;
  /** Completions held while the disk is stalled: they run when it is restored. */
  private stalled: (() => void)[] = [];
  failWrites = false;
  capacityOverride: number | null = null;

  constructor(private readonly host: DiskHost, opts: Partial<DiskOptions> = {}) {
    this.opts = { ...DEFAULT_DISK, ...opts };
  }

  get slowness(): number {
    return this.slowFactor;
  }

  /** Slows (factor > 1), stalls (Infinity) or restores (1) the disk. A stalled write-back resumes. */
  setSlowFactor(factor: number): void {
    this.slowFactor = factor;
    const fl = this.inFlight;
    if (fl !== null && !Number.isFinite(fl.endUs) && Number.isFinite(factor)) {
      // The stalled write-back never got a completion event; put its writes back and restart.
      this.inFlight = null;
      const f = this.files.get(fl.path);
      if (f !== undefined) f.pending.unshift(...fl.ops);
      else this.dirty -= fl.bytes;
      this.pump();
    }
    if (Number.isFinite(factor) && this.stalled.length > 0) {
      const held = this.stalled;
      this.stalled = [];
      for (const run of held) run();
    }
  }

  get dirtyBytes(): number {
    return this.dirty;
  }

  get used(): number {
    return this.usedBytes;
  }

  get capacity(): number {
    return this.capacityOverride ?? this.opts.capacityBytes;
  }

  exists(path: string): boolean {
    return this.files.has(path);
  }

  size(path: string): number {
    return this.files.get(path)?.cache.len ?? -1;
  }

  /** Paths starting with `prefix`, sorted. */
  list(prefix: string): string[] {
    const out: string[] = [];
    for (const p of this.files.keys()) if (p.startsWith(prefix)) out.push(p);
    return out.sort();
  }

  create(path: string): DiskError | null {
    if (this.files.has(path)) return 'EEXIST';
    if (this.failWrites) return 'EIO';
    this.files.set(path, { cache: new Bytes(), pending: [], urgentSeq: 0 });
    this.media.set(path, new Bytes());
    return null;
  }

  append(path: string, data: Uint8Array): DiskError | null {
    const f = this.files.get(path);
    return this.write(path, f === undefined ? 0 : f.cache.len, data);
  }

  /** Writes into the page cache, creating the file if needed. */
  write(path: string, offset: number, data: Uint8Array): DiskError | null {
    if (this.failWrites) return 'EIO';
    let f = this.files.get(path);
    const oldLen = f?.cache.len ?? 0;
    const grow = Math.max(0, offset + data.length - oldLen);
    if (this.usedBytes + grow > this.capacity) return 'ENOSPC';
    if (f === undefined) {
      f = { cache: new Bytes(), pending: [], urgentSeq: 0 };
      this.files.set(path, f);
      this.media.set(path, new Bytes());
    }
    f.cache.writeAt(offset, data);
    this.usedBytes += grow;
    // The write-back keeps a view of the page cache (copy-on-write), not a copy of the caller's bytes.
    const end = offset + data.length;
    f.pending.push({ seq: this.nextSeq++, offset, data: f.cache.share(offset, end), enqueuedUs: this.host.nowUs() });
    this.dirty += data.length;
    // A new write is due no sooner than the writes already waiting (their wake-up is scheduled),
    // so the write-back engine only needs a look when it is idle with nothing scheduled, or under
    // dirty-page pressure. This keeps a stream of small appends from rescanning every file.
    if (this.inFlight === null && (this.wakeAtUs === Infinity || this.dirty > this.opts.dirtyBackgroundBytes)) this.pump();
    return null;
  }

  read(path: string, offset: number, length: number): Uint8Array | 'ENOENT' {
    const f = this.files.get(path);
    if (f === undefined) return 'ENOENT';
    const end = Math.min(f.cache.len, offset + length);
    return f.cache.buf.slice(Math.min(offset, end), end);
  }

  /**
   * Like read, without a copy: a view of the page cache that later writes will not change (they copy
   * the cache first). The caller must treat it as read-only.
   */
  readView(path: string, offset: number, length: number): Uint8Array | 'ENOENT' {
    const f = this.files.get(path);
    if (f === undefined) return 'ENOENT';
    const end = Math.min(f.cache.len, offset + length);
    return f.cache.share(Math.min(offset, end), end);
  }

  readAll(path: string): Uint8Array | 'ENOENT' {
    const f = this.files.get(path);
    if (f === undefined) return 'ENOENT';
    return f.cache.view().slice();
  }

  /** Reads with bandwidth: `done` runs when the read queue reaches it. */
  readAsync(path: string, offset: number, length: number, done: (data: Uint8Array | 'ENOENT') => void): void {
    if (!Number.isFinite(this.slowFactor)) {
      // A read scheduled at time Infinity would never complete, even after the stall ends.
      this.stalled.push(() => this.readAsync(path, offset, length, done));
      return;
    }
    const now = this.host.nowUs();
    const start = Math.max(now, this.readFreeAtUs);
    const durUs = (length / this.opts.readBytesPerSec) * SEC * this.slowFactor;
    this.readFreeAtUs = start + durUs;
    const gen = this.powerGen;
    this.host.schedule(this.readFreeAtUs, () => {
      if (gen === this.powerGen) done(this.read(path, offset, length));
    });
  }

  truncate(path: string, size: number): DiskError | null {
    const f = this.files.get(path);
    if (f === undefined) return 'ENOENT';
    if (this.failWrites) return 'EIO';
    const old = f.cache.len;
    if (size > old && this.usedBytes + (size - old) > this.capacity) return 'ENOSPC';
    f.cache.truncate(size);
    this.usedBytes += size - old;
    this.media.get(path)!.truncate(Math.min(size, this.media.get(path)!.len));
    // Pending writes beyond the new end must not resurrect truncated bytes.
    const kept: PendingWrite[] = [];
    for (const w of f.pending) {
      if (w.offset >= size) {
        this.dirty -= w.data.length;
        continue;
      }
      if (w.offset + w.data.length > size) {
        this.dirty -= w.offset + w.data.length - size;
        w.data = w.data.subarray(0, size - w.offset);
      }
      kept.push(w);
    }
    f.pending = kept;
    if (this.inFlight !== null && this.inFlight.path === path) this.clipInFlight(size);
    // An fsync waiting for writes the truncate just dropped has nothing left to wait for.
    this.resolveWaitersFor(path);
    this.afterDirtyChange();
    return null;
  }

  delete(path: string): DiskError | null {
    const f = this.files.get(path);
    if (f === undefined) return 'ENOENT';
    for (const w of f.pending) this.dirty -= w.data.length;
    this.usedBytes -= f.cache.len;
    this.files.delete(path);
    this.media.delete(path);
    if (this.inFlight !== null && this.inFlight.path === path) this.inFlight.path = '';
    this.resolveWaitersFor(path);
    this.afterDirtyChange();
    return null;
  }

  /** Atomic rename (replacing `to`). Pending writes move with the file. */
  rename(from: string, to: string): DiskError | null {
    const f = this.files.get(from);
    if (f === undefined) return 'ENOENT';
    if (from === to) return null; // POSIX: renaming a file to itself does nothing (it used to delete it)
    if (this.files.has(to)) this.delete(to);
    this.files.delete(from);
    this.files.set(to, f);
    const m = this.media.get(from)!;
    this.media.delete(from);
    this.media.set(to, m);
    if (this.inFlight !== null && this.inFlight.path === from) this.inFlight.path = to;
    for (const w of this.waiters) if (w.path === from) w.path = to;
    return null;
  }

  /** fsync: `done` runs once every write to `path` issued so far is on the media. */
  fsync(path: string, done: (err: DiskError | null) => void): void {
    const f = this.files.get(path);
    const gen = this.powerGen;
    const finish = (err: DiskError | null): void => {
      if (!Number.isFinite(this.slowFactor)) {
        this.stalled.push(() => finish(err));
        return;
      }
      const at = this.host.nowUs() + this.opts.fsyncLatencyUs * this.slowFactor;
      this.host.schedule(at, () => {
        if (gen === this.powerGen) done(err);
      });
    };
    if (f === undefined) {
      finish('ENOENT');
      return;
    }
    const last = f.pending.length > 0 ? f.pending[f.pending.length - 1]!.seq : 0;
    const inflightLast = this.inFlight !== null && this.inFlight.path === path
      ? this.inFlight.ops[this.inFlight.ops.length - 1]!.seq : 0;
    const target = Math.max(last, inflightLast);
    if (target === 0) {
      finish(null);
      return;
    }
    f.urgentSeq = Math.max(f.urgentSeq, last);
    this.waiters.push({ path, seq: target, done: () => finish(null) });
    this.pump();
  }

  /** Host power loss: the page cache is gone; an in-progress write-back is torn. */
  powerLoss(): { lostBytes: number; tornBytes: number } {
    let torn = 0;
    const fl = this.inFlight;
    if (fl !== null && fl.path !== '') {
      const now = this.host.nowUs();
      const progress = fl.endUs > fl.startUs ? (now - fl.startUs) / (fl.endUs - fl.startUs) : 1;
      let budget = Math.floor((fl.bytes * Math.max(0, Math.min(1, progress))) / this.opts.sectorBytes) * this.opts.sectorBytes;
      const m = this.media.get(fl.path);
      for (const w of fl.ops) {
        if (budget <= 0 || m === undefined) break;
        const n = Math.min(budget, w.data.length);
        m.writeAt(w.offset, w.data.subarray(0, n));
        budget -= n;
        if (n < w.data.length) torn = n;
      }
    }
    this.inFlight = null;
    this.powerGen++;
    this.stalled = [];
    const lost = this.dirty;
    this.dirty = 0;
    this.waiters = [];
    this.wakeAtUs = Infinity;
    this.readFreeAtUs = 0;
    this.usedBytes = 0;
    this.files.clear();
    for (const [p, m] of this.media) {
      this.files.set(p, { cache: m.clone(), pending: [], urgentSeq: 0 });
      this.usedBytes += m.len;
    }
    this.host.traceDisk('power-loss', '*', lost, torn > 0 ? `torn write: ${torn} bytes of the last write-back reached the media` : undefined);
    return { lostBytes: lost, tornBytes: torn };
  }

  /** Flips one bit of a stored byte (on the media, and in the cache unless dirty there). Returns what was hit, or null if nothing is stored. */
  corrupt(rng: Rng, path?: string): { path: string; offset: number } | null {
    const candidates = path !== undefined ? [path] : [...this.media.keys()].filter((p) => this.media.get(p)!.len > 0).sort();
    if (candidates.length === 0) return null;
    const p = rng.pick(candidates);
    const m = this.media.get(p);
    const f = this.files.get(p);
    // Only stored bytes rot: pick a byte on the media. The page cache shows the flip too unless a
    // newer write to that byte is still dirty (its write-back will then overwrite the flip).
    if (m === undefined || f === undefined || m.len === 0) return null;
    const offset = rng.int(0, m.len - 1);
    const bit = 1 << rng.int(0, 7);
    m.flip(offset, bit);
    if (offset < f.cache.len && !this.dirtyAt(p, f, offset)) {
      f.cache.flip(offset, bit);
      this.cacheFlips++;
    }
    this.host.traceDisk('corrupt', p, 1, `bit flipped at offset ${offset}`);
    return { path: p, offset };
  }

  private dirtyAt(path: string, f: FileState, offset: number): boolean {
    const covers = (w: PendingWrite): boolean => w.offset <= offset && offset < w.offset + w.data.length;
    if (f.pending.some(covers)) return true;
    return this.inFlight !== null && this.inFlight.path === path && this.inFlight.ops.some(covers);
  }

  /** The durable content of a file (what survives power loss), for tests and checkers. */
  durableContent(path: string): Uint8Array | null {
    return this.media.get(path)?.view().slice() ?? null;
  }

  // ---- write-back engine ----

  private pump(): void {
    if (this.inFlight !== null) return;
    const now = this.host.nowUs();
    const pressure = this.dirty > this.opts.dirtyBackgroundBytes;
    let pick: FileState | null = null;
    let pickPath = '';
    let oldest = Infinity;
    let nextEligible = Infinity;
    for (const [path, f] of this.files) {
      if (f.pending.length === 0) continue;
      const head = f.pending[0]!;
      const eligible = pressure || head.seq <= f.urgentSeq || head.enqueuedUs + this.opts.dirtyExpireUs <= now;
      if (eligible) {
        const key = head.seq <= f.urgentSeq ? -1 / (1 + head.seq) : head.seq;
        if (key < oldest) {
          oldest = key;
          pick = f;
          pickPath = path;
        }
      } else {
        nextEligible = Math.min(nextEligible, head.enqueuedUs + this.opts.dirtyExpireUs);
      }
    }
    if (pick === null) {
      if (nextEligible < this.wakeAtUs) {
        this.wakeAtUs = nextEligible;
        const gen = this.powerGen;
        this.host.schedule(nextEligible, () => {
          if (gen !== this.powerGen) return;
          if (this.wakeAtUs === nextEligible) this.wakeAtUs = Infinity;
          this.pump();
        });
      }
      return;
    }
    let take = 0;
    let bytes = 0;
    while (take < pick.pending.length && (take === 0 || bytes + pick.pending[take]!.data.length <= this.opts.writebackChunkBytes)) {
      bytes += pick.pending[take]!.data.length;
      take++;
    }
    const ops = pick.pending.splice(0, take);
    const durUs = Math.max(1, (bytes / this.opts.writeBytesPerSec) * SEC * this.slowFactor);
    const fl: InFlight = { path: pickPath, ops, bytes, startUs: now, endUs: now + durUs };
    this.inFlight = fl;
    const gen = this.powerGen;
    if (Number.isFinite(fl.endUs)) this.host.schedule(fl.endUs, () => {
      if (gen === this.powerGen && this.inFlight === fl) this.completeWriteback(fl);
    });
  }

  private completeWriteback(fl: InFlight): void {
    this.inFlight = null;
    const m = fl.path === '' ? undefined : this.media.get(fl.path);
    if (m !== undefined) for (const w of fl.ops) m.writeAt(w.offset, w.data);
    this.dirty -= fl.bytes;
    invariant(this.dirty >= 0, () => `disk dirty bytes went negative (${this.dirty})`);
    if (fl.path !== '') this.resolveWaitersFor(fl.path);
    this.afterDirtyChange();
    this.pump();
  }

  private clipInFlight(size: number): void {
    const fl = this.inFlight!;
    for (const w of fl.ops) {
      if (w.offset >= size) {
        fl.bytes -= w.data.length;
        this.dirty -= w.data.length;
        w.data = new Uint8Array(0);
      } else if (w.offset + w.data.length > size) {
        const cut = w.offset + w.data.length - size;
        fl.bytes -= cut;
        this.dirty -= cut;
        w.data = w.data.subarray(0, size - w.offset);
      }
    }
  }

  private resolveWaitersFor(path: string): void {
    const f = this.files.get(path);
    const pendingMin = f !== undefined && f.pending.length > 0 ? f.pending[0]!.seq : Infinity;
    const inflightMin = this.inFlight !== null && this.inFlight.path === path ? this.inFlight.ops[0]!.seq : Infinity;
    const lowest = Math.min(pendingMin, inflightMin);
    const keep: FsyncWaiter[] = [];
    const ready: FsyncWaiter[] = [];
    for (const w of this.waiters) {
      if (w.path === path && w.seq < lowest) ready.push(w);
      else if (w.path === path && f === undefined) ready.push(w);
      else keep.push(w);
    }
    this.waiters = keep;
    for (const w of ready) w.done();
  }

  private afterDirtyChange(): void {
    if (this.dirty <= this.opts.dirtyBytesMax) this.host.onDirtyDrained();
  }
}
