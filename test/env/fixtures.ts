import type { Actor, Context } from '../../sim/core/actor.ts';
import { resolveConfig } from '../../sim/core/config.ts';
import { Rng } from '../../sim/core/rng.ts';
import { Scheduler } from '../../sim/core/scheduler.ts';
import type { TraceSink } from '../../sim/world/trace.ts';
import type { Json, Message, ProcessId } from '../../sim/core/types.ts';
import { World, type HostOptions } from '../../sim/world/world.ts';
import { Disk, type DiskError, type DiskOptions } from '../../sim/env/disk.ts';
import type { NetworkOptions } from '../../sim/env/network.ts';

// Small worlds and probe actors for the environment tests. A probe records everything that happens
// to it (start, message, timer, disk completion, disconnect) with the simulated time, and lets a
// test act through its live Context from outside a handler (world.schedule(at, () => probe.ctx...)).

export interface Data extends Message {
  readonly type: 'Data';
  readonly n: number;
}

export type ProbeEvent =
  | { readonly kind: 'start'; readonly t: number; readonly inc: number }
  | { readonly kind: 'msg'; readonly t: number; readonly inc: number; readonly from: string; readonly msg: Message }
  | { readonly kind: 'timer'; readonly t: number; readonly inc: number; readonly tag: unknown }
  | { readonly kind: 'disk'; readonly t: number; readonly inc: number; readonly tag: unknown; readonly error: DiskError | null; readonly data?: Uint8Array }
  | { readonly kind: 'disconnect'; readonly t: number; readonly inc: number; readonly peer: string }
  | { readonly kind: 'shutdown'; readonly t: number; readonly inc: number };

export interface ProbeHooks {
  start?(ctx: Context): void;
  message?(ctx: Context, from: ProcessId, msg: Message): void;
  timer?(ctx: Context, tag: unknown): void;
  disk?(ctx: Context, tag: unknown, error: DiskError | null, data?: Uint8Array): void;
  /** Given: the probe handles SIGTERM (Actor.onShutdown) with this; absent: it has no handler. */
  shutdown?(ctx: Context): void;
}

export class Probe {
  readonly events: ProbeEvent[] = [];
  private current: Context | null = null;
  pid: ProcessId = -1 as ProcessId;

  constructor(readonly name: string) {}

  /** The Context of the live incarnation. */
  get ctx(): Context {
    if (this.current === null) throw new Error(`probe ${this.name} has not started`);
    return this.current;
  }

  of<K extends ProbeEvent['kind']>(kind: K): Extract<ProbeEvent, { kind: K }>[] {
    return this.events.filter((e): e is Extract<ProbeEvent, { kind: K }> => e.kind === kind);
  }

  /** Numbers of the Data messages received, in arrival order. */
  received(): number[] {
    return this.of('msg').filter((e) => e.msg.type === 'Data').map((e) => (e.msg as Data).n);
  }

  factory(hooks: ProbeHooks = {}): (ctx: Context) => Actor {
    return (ctx) => {
      this.current = ctx;
      const events = this.events;
      events.push({ kind: 'start', t: ctx.nowUs(), inc: ctx.incarnation });
      hooks.start?.(ctx);
      const shutdown = hooks.shutdown;
      return {
        ...(shutdown !== undefined ? {
          onShutdown(): void {
            events.push({ kind: 'shutdown', t: ctx.nowUs(), inc: ctx.incarnation });
            shutdown(ctx);
          },
        } : {}),
        onMessage(from: ProcessId, msg: Message): void {
          events.push({ kind: 'msg', t: ctx.nowUs(), inc: ctx.incarnation, from: ctx.nameOf(from), msg });
          hooks.message?.(ctx, from, msg);
        },
        onTimer(tag: unknown): void {
          events.push({ kind: 'timer', t: ctx.nowUs(), inc: ctx.incarnation, tag });
          hooks.timer?.(ctx, tag);
        },
        onDiskDone(tag: unknown, error: DiskError | null, data?: Uint8Array): void {
          events.push({ kind: 'disk', t: ctx.nowUs(), inc: ctx.incarnation, tag, error, ...(data !== undefined ? { data } : {}) });
          hooks.disk?.(ctx, tag, error, data);
        },
        onDisconnect(peer: ProcessId): void {
          events.push({ kind: 'disconnect', t: ctx.nowUs(), inc: ctx.incarnation, peer: ctx.nameOf(peer) });
        },
        inspect(): Json {
          return { events: events.length };
        },
      };
    };
  }
}

export interface TestWorldOptions {
  seed?: number;
  network?: Partial<NetworkOptions>;
  trace?: TraceSink | null;
}

export function testWorld(opts: TestWorldOptions = {}): World {
  return new World({
    seed: opts.seed ?? 1,
    config: resolveConfig({}),
    ...(opts.network !== undefined ? { network: opts.network } : {}),
    trace: opts.trace ?? null,
  });
}

/** Adds a host named `host` (if missing) and a probe process `name` on it. */
export function addProbe(world: World, name: string, host: string, hooks: ProbeHooks = {}, hostOpts: HostOptions = {}, autostart = true): Probe {
  if (world.findHost(host) === undefined) world.addHost(host, hostOpts);
  const probe = new Probe(name);
  probe.pid = world.addProcess(name, host, probe.factory(hooks), { system: 'test', autostart });
  return probe;
}

/** A constant-latency, fault-free network: arrival times are exact. */
export function constantNetwork(us: number, extra: Partial<NetworkOptions> = {}): Partial<NetworkOptions> {
  const link = { latency: { kind: 'constant', us } as const, loss: 0, duplicate: 0, reorderJitterUs: 0, bytesPerSec: Infinity };
  return { sameRack: link, crossRack: link, ...extra };
}

/** A disk driven by a bare scheduler: the fake host of the disk model. */
export interface DiskRig {
  readonly disk: Disk;
  readonly sched: Scheduler;
  drained: number;
  readonly traced: { op: string; file: string; bytes: number; detail?: string }[];
  run(untilUs: number): void;
}

export function diskRig(opts: Partial<DiskOptions> = {}, seed = 1): DiskRig {
  const sched = new Scheduler((_k, _t, _a, payload) => (payload as () => void)());
  const rig: { drained: number; traced: DiskRig['traced'] } = { drained: 0, traced: [] };
  const disk = new Disk({
    nowUs: () => sched.nowUs,
    schedule: (at, fn) => { sched.at(at, 0, 0, 0, fn); },
    rng: new Rng(seed).fork('disk'),
    onDirtyDrained: () => { rig.drained++; },
    traceDisk: (op, file, bytes, detail) => { rig.traced.push({ op, file, bytes, ...(detail !== undefined ? { detail } : {}) }); },
  }, opts);
  return {
    disk,
    sched,
    get drained() { return rig.drained; },
    set drained(v: number) { rig.drained = v; },
    traced: rig.traced,
    run(untilUs: number) { sched.run(untilUs, Infinity); },
  };
}

export function bytes(n: number, fill: (i: number) => number = (i) => (i * 31 + 7) & 0xff): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = fill(i);
  return b;
}

/** Byte-wise equality (expect().toEqual on large typed arrays is very slow). */
export function sameBytes(a: Uint8Array | 'ENOENT' | null, b: Uint8Array): boolean {
  if (a === null || a === 'ENOENT' || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export const text = (s: string): Uint8Array => new TextEncoder().encode(s);
export const untext = (b: Uint8Array | 'ENOENT'): string => (b === 'ENOENT' ? 'ENOENT' : new TextDecoder().decode(b));

/** The kernel's CRC-32 (IEEE), re-exported for the disk tests. */
export { crc32 } from '../../sim/core/crc32.ts';
