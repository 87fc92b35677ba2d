import type { Actor, Context, DiskView } from '../../sim/core/actor.ts';
import { resolveConfig } from '../../sim/core/config.ts';
import type { Json, ProcessId } from '../../sim/core/types.ts';
import { World } from '../../sim/world/world.ts';
import type { DiskError } from '../../sim/env/disk.ts';
import { brokerSettings, kafkaSchema, type BrokerSettings } from '../../sim/kafka/config.ts';
import type { FsyncRouter, KafkaStorageError, LogIO } from '../../sim/kafka/log/io.ts';
import { contextLogIO, LogManager, type LogTaskName, type StartupReport } from '../../sim/kafka/log/manager.ts';
import { encodeBatch, utf8 } from '../../sim/kafka/records.ts';

// Test rigs for the Kafka log layer.
// - LogHost: a tiny actor that owns a LogManager on a simulated host, so tests can crash, power off
//   and restart it and watch Kafka's recovery run through the same startup path a broker uses.
// - memIO: an in-memory disk for unit tests of pure formats and caches (fsync completes at once).

export class LogHost implements Actor {
  readonly manager: LogManager;
  readonly router: FsyncRouter;
  readonly io: LogIO;
  readonly report: StartupReport;
  offlineError: KafkaStorageError | null = null;

  constructor(readonly ctx: Context, settings: BrokerSettings, runTasks: boolean) {
    const { io, router } = contextLogIO(ctx);
    this.io = io;
    this.router = router;
    this.manager = new LogManager(io, settings, (e) => {
      this.offlineError = e;
    });
    this.report = this.manager.startup();
    if (runTasks) for (const t of this.manager.periodicTasks()) ctx.setTimer(t.initialDelayMs * 1000, t.name);
  }

  onMessage(): void {}

  onTimer(tag: unknown): void {
    const name = tag as LogTaskName;
    this.manager.runTask(name);
    const task = this.manager.periodicTasks().find((t) => t.name === name);
    if (task !== undefined && task.periodMs !== null) this.ctx.setTimer(task.periodMs * 1000, name);
  }

  onDiskDone(tag: unknown, err: DiskError | null): void {
    this.router.onDiskDone(tag, err);
  }

  inspect(): Json {
    return this.manager.inspect();
  }
}

export interface Rig {
  readonly world: World;
  readonly pid: ProcessId;
  readonly settings: BrokerSettings;
  /** The live LogHost (throws if the process is down). */
  host(): LogHost;
  /** Runs the simulation for `ms` more milliseconds. */
  run(ms: number): void;
  crashAndRestart(): LogHost;
  powerCycle(): LogHost;
}

export function logRig(overrides: Record<string, string> = {}, opts: { seed?: number; runTasks?: boolean } = {}): Rig {
  const cfg = resolveConfig(kafkaSchema, {}, overrides);
  const settings = brokerSettings(cfg);
  const world = new World({ seed: opts.seed ?? 1, config: cfg });
  const h = world.addHost('h1');
  const pid = world.addProcess('broker-1', h, (ctx) => new LogHost(ctx, settings, opts.runTasks ?? false), { system: 'kafka' });
  world.runUntil(0);
  const host = (): LogHost => {
    const a = world.actor<LogHost>(pid);
    if (a === null) throw new Error('log host is down');
    return a;
  };
  const run = (ms: number): void => {
    world.runUntil(world.nowUs + ms * 1000);
  };
  return {
    world, pid, settings, host, run,
    crashAndRestart() {
      world.crash(pid);
      world.start(pid);
      run(0);
      return host();
    },
    powerCycle() {
      world.powerOff(h);
      world.powerOn(h);
      run(0);
      return host();
    },
  };
}

/** A batch of `n` records whose values are `${prefix}-${i}`. */
export function batchOf(prefix: string, n: number, tsMs = 1_000, valueBytes = 0): Uint8Array {
  const records = [];
  for (let i = 0; i < n; i++) {
    const v = valueBytes > 0 ? new Uint8Array(valueBytes).fill(65 + (i % 26)) : utf8(`${prefix}-${i}`);
    records.push({ key: null, value: v });
  }
  return encodeBatch({ baseTimestampMs: tsMs, records });
}

/** An in-memory DiskView: fsync completes immediately. */
export function memIO(nowMs: () => number = () => 0): LogIO & { files: Map<string, Uint8Array> } {
  const files = new Map<string, Uint8Array>();
  const disk: DiskView = {
    exists: (p) => files.has(p),
    size: (p) => files.get(p)?.length ?? -1,
    list: (prefix = '') => [...files.keys()].filter((k) => k.startsWith(prefix)).sort(),
    create: (p) => {
      if (files.has(p)) return 'EEXIST';
      files.set(p, new Uint8Array(0));
      return null;
    },
    append: (p, d) => disk.write(p, files.get(p)?.length ?? 0, d),
    write: (p, off, d) => {
      const old = files.get(p) ?? new Uint8Array(0);
      const out = new Uint8Array(Math.max(old.length, off + d.length));
      out.set(old);
      out.set(d, off);
      files.set(p, out);
      return null;
    },
    read: (p, off, len) => {
      const f = files.get(p);
      return f === undefined ? 'ENOENT' : f.slice(off, Math.min(f.length, off + len));
    },
    readAll: (p) => files.get(p)?.slice() ?? 'ENOENT',
    truncate: (p, size) => {
      const f = files.get(p);
      if (f === undefined) return 'ENOENT';
      const out = new Uint8Array(size);
      out.set(f.subarray(0, Math.min(size, f.length)));
      files.set(p, out);
      return null;
    },
    rename: (a, b) => {
      const f = files.get(a);
      if (f === undefined) return 'ENOENT';
      files.delete(a);
      files.set(b, f);
      return null;
    },
    delete: (p) => (files.delete(p) ? null : 'ENOENT'),
    fsync: () => {},
    readAsync: () => {},
  };
  return {
    files,
    disk,
    nowMs,
    fsync: (_p, done) => done(null),
    annotate: () => {},
    tracing: false,
  };
}
