import type { DiskError } from '../env/disk.ts';
import type { Context, DiskView, TimerId } from '../core/actor.ts';
import type { Config } from '../core/config.ts';
import { invariant } from '../core/invariant.ts';
import type { Rng } from '../core/rng.ts';
import type { Json, Message, ProcessId } from '../core/types.ts';
import type { ObservationData, ObservationKind } from '../core/observation.ts';
import type { World } from './world.ts';

// The Context handed to one incarnation of a process. Every effect goes through the world, so the
// world can apply faults (at the seam) and record the trace.

export class ProcessContext implements Context {
  readonly name: string;
  readonly hostName: string;
  readonly system: string;
  readonly rng: Rng;
  readonly config: Config;
  readonly disk: DiskView;
  readonly tracing: boolean;

  constructor(private readonly world: World, readonly pid: ProcessId, readonly incarnation: number) {
    this.name = world.procNames[pid]!;
    const host = world.procHost[pid]!;
    this.hostName = world.hostNames[host]!;
    this.system = world.procSystem[pid]!;
    this.rng = world.procRng[pid]!;
    this.config = world.procConfig[pid]!;
    this.tracing = world.tracing;
    this.disk = new ScopedDisk(world, pid, incarnation, `${this.name}/`);
  }

  private get live(): boolean {
    return this.world.incarnation[this.pid] === this.incarnation && this.world.actors[this.pid] !== null
      || this.world.current === this.pid;
  }

  nowUs(): number {
    return this.world.nowUs;
  }

  localTimeUs(): number {
    return this.world.clocks[this.world.procHost[this.pid]!]!.localUs(this.world.nowUs);
  }

  lookup(name: string): ProcessId {
    return this.world.pid(name);
  }

  nameOf(pid: ProcessId): string {
    return this.world.procNames[pid]!;
  }

  send<M extends Message>(to: ProcessId, msg: M, bytes: number): void {
    if (!this.live) return;
    this.world.send(this.pid, to, msg, bytes, false);
  }

  sendDatagram<M extends Message>(to: ProcessId, msg: M, bytes: number): void {
    if (!this.live) return;
    this.world.send(this.pid, to, msg, bytes, true);
  }

  disconnect(peer: ProcessId): void {
    if (!this.live) return;
    this.world.disconnect(this.pid, peer);
  }

  setTimer(delayUs: number, tag: unknown): TimerId {
    invariant(delayUs >= 0 && Number.isFinite(delayUs), () => `${this.name}: timer delay must be finite and >= 0, got ${delayUs}`);
    return this.world.setTimer(this.pid, delayUs, tag);
  }

  cancelTimer(id: TimerId): void {
    this.world.cancelTimer(id);
  }

  annotate(text: string): void {
    if (this.tracing) this.world.annotate(this.pid, text);
  }

  observe<K extends ObservationKind>(kind: K, data: ObservationData<K>): void {
    this.world.observe(this.pid, kind, data);
  }

  invoke(f: string, key: string | null, value: unknown): number {
    const opId = this.world.history.invoke(this.name, f, key, value);
    if (this.tracing) this.world.line({ type: 'op', p: this.name, opId, phase: 'invoke', f, key, value: value as Json });
    return opId;
  }

  complete(opId: number, type: 'ok' | 'fail' | 'info', value: unknown, error?: string): void {
    this.world.history.complete(opId, type, value, error);
    if (this.tracing) {
      this.world.line({ type: 'op', p: this.name, opId, phase: type, f: '', key: null, value: value as Json, ...(error !== undefined ? { error } : {}) });
    }
  }

  exit(reason: string): void {
    const starting = this.world.actors[this.pid] === null;
    if (starting && this.world.current !== this.pid) return;
    this.world.crash(this.pid, `exit: ${reason}`);
    // A start in progress has no actor yet: bump the incarnation so the world discards it.
    if (starting) this.world.incarnation[this.pid]!++;
  }
}

/** The host disk as one process sees it: paths under its own directory, completions to this incarnation. */
class ScopedDisk implements DiskView {
  constructor(private readonly world: World, private readonly pid: ProcessId, private readonly inc: number, private readonly root: string) {}

  /**
   * root + path, one string per path: the disk's Map then hashes a string whose hash it already
   * knows, instead of a fresh concatenation on every call (segment appends and reads are hot).
   */
  private readonly fullPaths = new Map<string, string>();

  private full(path: string): string {
    let f = this.fullPaths.get(path);
    if (f === undefined) {
      if (this.fullPaths.size >= 4096) this.fullPaths.clear();
      f = this.root + path;
      this.fullPaths.set(path, f);
    }
    return f;
  }

  private get disk() {
    return this.world.disks[this.world.procHost[this.pid]!]!;
  }

  private afterWrite(err: DiskError | null): DiskError | null {
    if (err === null && this.disk.dirtyBytes > this.disk.opts.dirtyBytesMax) this.world.stallOnDisk(this.pid);
    return err;
  }

  usage(): { readonly usedBytes: number; readonly capacityBytes: number } {
    return { usedBytes: this.disk.used, capacityBytes: this.disk.capacity };
  }
  exists(path: string): boolean {
    return this.disk.exists(this.full(path));
  }
  size(path: string): number {
    return this.disk.size(this.full(path));
  }
  list(prefix = ''): string[] {
    return this.disk.list(this.root + prefix).map((p) => p.slice(this.root.length));
  }
  create(path: string): DiskError | null {
    return this.disk.create(this.full(path));
  }
  append(path: string, data: Uint8Array): DiskError | null {
    return this.afterWrite(this.disk.append(this.full(path), data));
  }
  write(path: string, offset: number, data: Uint8Array): DiskError | null {
    return this.afterWrite(this.disk.write(this.full(path), offset, data));
  }
  read(path: string, offset: number, length: number): Uint8Array | 'ENOENT' {
    return this.disk.read(this.full(path), offset, length);
  }
  readView(path: string, offset: number, length: number): Uint8Array | 'ENOENT' {
    return this.disk.readView(this.full(path), offset, length);
  }
  get cacheFlips(): number {
    return this.disk.cacheFlips;
  }
  readAll(path: string): Uint8Array | 'ENOENT' {
    return this.disk.readAll(this.full(path));
  }
  truncate(path: string, size: number): DiskError | null {
    return this.disk.truncate(this.full(path), size);
  }
  rename(from: string, to: string): DiskError | null {
    return this.disk.rename(this.root + from, this.root + to);
  }
  delete(path: string): DiskError | null {
    return this.disk.delete(this.full(path));
  }
  fsync(path: string, tag: unknown): void {
    this.disk.fsync(this.full(path), (err) => this.world.diskDone(this.pid, this.inc, tag, err));
  }
  readAsync(path: string, offset: number, length: number, tag: unknown): void {
    this.disk.readAsync(this.full(path), offset, length, (data) => {
      if (data === 'ENOENT') this.world.diskDone(this.pid, this.inc, tag, 'ENOENT');
      else this.world.diskDone(this.pid, this.inc, tag, null, data);
    });
  }
}
