import { History } from './history.ts';
import type { Checker, Violation } from './checker.ts';
import { Clock } from '../env/clock.ts';
import { Disk, type DiskOptions } from '../env/disk.ts';
import { Network, type NetworkOptions } from '../env/network.ts';
import type { Actor, ActorFactory } from '../core/actor.ts';
import type { Config } from '../core/config.ts';
import type { ObservationData, ObservationKind } from '../core/observation.ts';
import { Hash64 } from '../core/hash.ts';
import { invariant, position } from '../core/invariant.ts';
import { ProcessContext } from './process.ts';
import { Rng } from '../core/rng.ts';
import { Scheduler } from '../core/scheduler.ts';
import { diffJson, traceReplacer, type TraceSink } from './trace.ts';
import { diffView, jsonTextLongerThan, type ViewDiff } from './view-diff.ts';
import type { HostId, Json, Message, ProcessId } from '../core/types.ts';

// The world owns time, randomness, hosts, processes, the network, disks, faults, checkers and the
// trace. It is single-threaded: one event at a time, in (time, seq) order.

import { K_CALL, K_DELIVER, K_DELIVER_ARRIVED, K_DISCONNECT, K_SHUTDOWN, K_START, K_TIMER } from './events.ts';
import { Transport, type Envelope } from './transport.ts';

export { K_CALL, K_DELIVER, K_DELIVER_ARRIVED, K_DISCONNECT, K_START, K_TIMER } from './events.ts';
export type { Envelope } from './transport.ts';

/** State views up to this many characters are traced whole instead of as a patch. */
const FULL_VIEW_CHARS_MAX = 512;
/** lastViewText of a process whose last traced view was large and kept only as a tree (never a JSON text). */
const LARGE_VIEW = '\u0000large';

export interface HostOptions {
  rack?: string;
  disk?: Partial<DiskOptions>;
  clockOffsetUs?: number;
  clockDriftPpm?: number;
}

export interface ProcessOptions {
  system: string;
  role?: string;
  /** Start at time 0 (default) or wait for an explicit start. */
  autostart?: boolean;
  /** Per-process config (defaults to the world's). */
  config?: Config;
}

export interface Backlogged {
  kind: number;
  aux: number;
  payload: unknown;
}

export type ProcessStatus = 'up' | 'down';

export interface WorldOptions {
  seed: number;
  scenario?: string;
  config: Config;
  network?: Partial<NetworkOptions>;
  trace?: TraceSink | null;
}

/** A listener of what happens at the processes (World.addTap). */
export interface WorldTap {
  /** A process sent a message (p: the sender) or a message was handed to its process (p: the receiver). */
  message?(dir: 'sends' | 'receives', p: ProcessId, peer: ProcessId, type: string): void;
  /** A process made an observation (Context.observe). */
  observed?(p: ProcessId, kind: string): void;
  /** A handler of p ran and p is still up: its inspect() view may have changed. */
  handled?(p: ProcessId): void;
}

export class World {
  readonly seed: number;
  readonly rng: Rng;
  readonly config: Config;
  readonly scheduler: Scheduler;
  readonly net: Network;
  readonly history: History;
  readonly checkers: Checker[] = [];
  readonly violations: Violation[] = [];

  // hosts
  readonly hostNames: string[] = [];
  readonly hostRacks: string[] = [];
  readonly disks: Disk[] = [];
  readonly clocks: Clock[] = [];
  readonly powered: boolean[] = [];
  private readonly hostByName = new Map<string, HostId>();

  // processes
  readonly procNames: string[] = [];
  readonly procHost: HostId[] = [];
  readonly procSystem: string[] = [];
  readonly procRole: string[] = [];
  readonly procConfig: Config[] = [];
  readonly actors: (Actor | null)[] = [];
  readonly incarnation: number[] = [];
  readonly procRng: Rng[] = [];
  private readonly factories: ActorFactory[] = [];
  /** Should be running (started and not deliberately stopped): heal restarts these. */
  readonly wanted: boolean[] = [];
  /** @internal (sim/core) */
  readonly pauseDepth: number[] = [];
  /** @internal (sim/core): events held for a paused process, replayed in order on resume. */
  readonly backlog: Backlogged[][] = [];
  private readonly lastViewText: string[] = [];
  /** JSON.parse(lastViewText[p]) when the last traced view was large (a patch base), else undefined. */
  private readonly lastViewTree: (Json | undefined)[] = [];
  /** Process names already JSON-quoted, for hand-built trace lines. */
  readonly quoted: string[] = [];
  private readonly stalledOnDisk: Set<number>[] = [];
  private readonly procByName = new Map<string, ProcessId>();

  private readonly observers = new Map<ObservationKind, ((p: ProcessId, data: never) => void)[]>();
  private readonly taps: WorldTap[] = [];
  /** Whether any tap listens (addTap). */
  tapping = false;
  /** @internal (sim/core): the event-identity digest. */
  readonly hash = new Hash64();
  readonly transport: Transport;

  /** The trace sink, or null when tracing is off. */
  readonly trace: TraceSink | null;
  /** The process whose handler is running (-1: the world itself). */
  current = -1;

  constructor(opts: WorldOptions) {
    this.seed = opts.seed;
    this.rng = new Rng(opts.seed);
    this.config = opts.config;
    this.trace = opts.trace ?? null;
    this.scheduler = new Scheduler((kind, target, aux, payload) => this.dispatch(kind, target, aux, payload));
    this.net = new Network(this.rng.fork('net'), opts.network);
    this.transport = new Transport(this);
    this.history = new History(() => this.scheduler.executed, () => this.scheduler.nowUs);
  }

  get nowUs(): number {
    return this.scheduler.nowUs;
  }

  get tracing(): boolean {
    return this.trace !== null;
  }

  // ---------------------------------------------------------------- building

  addHost(name: string, opts: HostOptions = {}): HostId {
    invariant(!this.hostByName.has(name), `duplicate host name ${name}`);
    const id = this.hostNames.length as HostId;
    const rack = opts.rack ?? '/default-rack';
    this.hostNames.push(name);
    this.hostRacks.push(rack);
    this.powered.push(true);
    this.hostByName.set(name, id);
    this.net.addHost(rack);
    const diskRng = this.rng.fork(`disk/${name}`);
    this.disks.push(new Disk({
      nowUs: () => this.scheduler.nowUs,
      schedule: (at, fn) => this.schedule(at, fn),
      rng: diskRng,
      onDirtyDrained: () => this.resumeDiskStalled(id),
      traceDisk: (op, file, bytes, detail) => {
        if (this.trace !== null) this.line({ type: 'disk', host: name, op, file, bytes, ...(detail !== undefined ? { detail } : {}) });
      },
    }, opts.disk));
    this.clocks.push(new Clock(opts.clockOffsetUs ?? 0, opts.clockDriftPpm ?? 0));
    this.stalledOnDisk.push(new Set());
    return id;
  }

  addProcess(name: string, host: HostId | string, factory: ActorFactory, opts: ProcessOptions): ProcessId {
    invariant(!this.procByName.has(name), `duplicate process name ${name}`);
    const pid = this.procNames.length as ProcessId;
    const h = this.hostOf(host);
    this.procNames.push(name);
    this.procHost.push(h);
    this.procSystem.push(opts.system);
    this.procRole.push(opts.role ?? opts.system);
    this.procConfig.push(opts.config ?? this.config);
    this.factories.push(factory);
    this.actors.push(null);
    this.incarnation.push(0);
    this.procRng.push(this.rng.fork(`proc/${name}`));
    this.pauseDepth.push(0);
    this.wanted.push(opts.autostart !== false);
    this.backlog.push([]);
    this.lastViewText.push('');
    this.lastViewTree.push(undefined);
    this.quoted.push(JSON.stringify(name));
    this.procByName.set(name, pid);
    if (opts.autostart !== false) this.scheduler.at(this.nowUs, K_START, pid, 0, null);
    return pid;
  }

  hostOf(h: HostId | string): HostId {
    if (typeof h === 'number') return h;
    const id = this.hostByName.get(h);
    if (id === undefined) throw new Error(`unknown host ${h}`);
    return id;
  }

  pid(name: string): ProcessId {
    const p = this.procByName.get(name);
    if (p === undefined) throw new Error(`unknown process ${name}`);
    return p;
  }

  hasProcess(name: string): boolean {
    return this.procByName.has(name);
  }

  findHost(name: string): HostId | undefined {
    return this.hostByName.get(name);
  }

  processesOn(host: HostId): ProcessId[] {
    const out: ProcessId[] = [];
    for (let p = 0; p < this.procHost.length; p++) if (this.procHost[p] === host) out.push(p as ProcessId);
    return out;
  }

  get processCount(): number {
    return this.procNames.length;
  }

  isUp(pid: ProcessId): boolean {
    return this.actors[pid] !== null;
  }

  isPaused(pid: ProcessId): boolean {
    return this.pauseDepth[pid]! > 0;
  }

  actor<A extends Actor>(pid: ProcessId | string): A | null {
    const p = typeof pid === 'string' ? this.pid(pid) : pid;
    return this.actors[p] as A | null;
  }

  inspect(pid: ProcessId): Json {
    const a = this.actors[pid];
    return a === null || a === undefined ? null : a.inspect();
  }

  addChecker(c: Checker): void {
    this.checkers.push(c);
    c.attach?.(this);
  }

  /**
   * Listens to what happens at the processes: sends and deliveries, observations, handler ends.
   * Fault triggers use it (sim/harness/triggers.ts); with no tap, the hot paths pay one check.
   */
  addTap(tap: WorldTap): void {
    this.taps.push(tap);
    this.tapping = true;
  }

  /** @internal (sim/world) A send (p: the sender) or a delivery to a process (p: the receiver). */
  tapMessage(dir: 'sends' | 'receives', p: ProcessId, peer: ProcessId, type: string): void {
    for (const t of this.taps) t.message?.(dir, p, peer, type);
  }

  /**
   * Calls cb when a process starts (up: true) or dies (up: false, with the reason: crash, power
   * loss, restart, stopped). Listeners only read: the story of a run (harness/story.ts) uses it.
   */
  onLifecycle(cb: (p: ProcessId, up: boolean, reason: string) => void): void {
    this.lifecycleListeners.push(cb);
  }

  private readonly lifecycleListeners: ((p: ProcessId, up: boolean, reason: string) => void)[] = [];

  /** Calls cb with every observation of this kind (kinds and data: core/observation.ts). */
  onObserve<K extends ObservationKind>(kind: K, cb: (p: ProcessId, data: ObservationData<K>) => void): void {
    let list = this.observers.get(kind);
    if (list === undefined) this.observers.set(kind, (list = []));
    list.push(cb);
  }

  // ---------------------------------------------------------------- running

  schedule(atUs: number, fn: () => void): void {
    this.scheduler.at(atUs, K_CALL, -1, 0, fn);
  }

  runUntil(untilUs: number, stop?: () => boolean): number {
    return this.scheduler.run(untilUs, Number.MAX_SAFE_INTEGER, stop);
  }

  /** The digest of the event sequence so far (kind, target, time, message type of every event). */
  eventHash(): string {
    return this.hash.hex();
  }

  private dispatch(kind: number, target: number, aux: number, payload: unknown): void {
    const now = this.scheduler.nowUs;
    this.hash.int(kind).int(target).num(now);
    position.timeUs = now;
    position.eventIndex = this.scheduler.executed;
    position.seed = this.seed;
    switch (kind) {
      case K_DELIVER:
        this.transport.deliver(payload as Envelope);
        return;
      case K_TIMER:
        this.fireTimer(target as ProcessId, aux, payload);
        return;
      case K_CALL:
        position.process = '-';
        (payload as () => void)();
        return;
      case K_START:
        this.startProcess(target as ProcessId);
        return;
      case K_DISCONNECT:
        this.transport.fireDisconnect(target as ProcessId, aux, payload as ProcessId);
        return;
      case K_DELIVER_ARRIVED:
        this.transport.deliverArrived(payload as Envelope);
        return;
      case K_SHUTDOWN:
        this.deliverShutdown(target as ProcessId, aux);
        return;
    }
  }

  /** Runs a handler of process `pid` with tracing of its state change. */
  /** @internal (sim/core) */
  activate(pid: ProcessId, fn: (a: Actor) => void): void {
    const a = this.actors[pid]!;
    const prev = this.current;
    this.current = pid;
    position.process = this.procNames[pid]!;
    fn(a);
    this.current = prev;
    if (this.trace !== null && this.actors[pid] === a) this.traceState(pid, a);
    if (this.tapping && this.actors[pid] === a) for (const t of this.taps) t.handled?.(pid);
  }

  /**
   * Records the process's inspect() view after a handler when its JSON text changed. Views are plain
   * JSON by contract (docs/inspect-views.md). Small views are written whole (cheaper than a diff);
   * large ones as a patch against the previous view, the one diffJson(JSON.parse(prevText),
   * JSON.parse(text)) gives. The previous large view is kept as a parsed tree and diffView walks it
   * against the fresh inspect() object, so a large view that stays large costs neither a stringify
   * nor a parse (docs/performance.md); anything else takes the text path.
   */
  private traceState(pid: ProcessId, a: Actor): void {
    const view = a.inspect();
    const prevTree = this.lastViewText[pid] !== '' ? this.lastViewTree[pid] : undefined;
    let d: ViewDiff | null = null;
    if (prevTree !== undefined) {
      // The last view was large: diff against its tree, and skip the stringify when the new one
      // is certainly large too (the common case: a broker view of a few kilobytes).
      d = diffView(prevTree, view);
      if (d !== null) {
        if (d.tree === prevTree) return; // the same JSON text as last time
        if (jsonTextLongerThan(d.tree, FULL_VIEW_CHARS_MAX)) {
          this.lastViewText[pid] = LARGE_VIEW;
          this.lastViewTree[pid] = d.tree;
          if (d.ops.length > 0) this.raw(`"type":"state","p":${this.quoted[pid]},"patch":${JSON.stringify(d.ops)}}`);
          return;
        }
      }
    }
    const text = JSON.stringify(view);
    const prevText = this.lastViewText[pid]!;
    if (text === prevText) return;
    this.lastViewText[pid] = text;
    if (prevText === '' || text.length <= FULL_VIEW_CHARS_MAX) {
      this.lastViewTree[pid] = undefined;
      this.raw(`"type":"state","p":${this.quoted[pid]},"view":${text}}`);
      return;
    }
    const base = prevTree ?? (JSON.parse(prevText) as Json);
    d ??= prevTree === undefined ? diffView(base, view) : null;
    const next = d !== null ? d.tree : (JSON.parse(text) as Json);
    const patch = d !== null ? d.ops : diffJson(base, next);
    this.lastViewTree[pid] = next;
    if (patch.length > 0) this.raw(`"type":"state","p":${this.quoted[pid]},"patch":${JSON.stringify(patch)}}`);
  }

  // ---------------------------------------------------------------- process lifecycle

  start(pid: ProcessId): void {
    this.wanted[pid] = true;
    this.scheduler.at(this.nowUs, K_START, pid, 0, null);
  }

  private startProcess(pid: ProcessId): void {
    if (this.actors[pid] !== null) return;
    if (!this.powered[this.procHost[pid]!]) return;
    const inc = ++this.incarnation[pid]!;
    this.pauseDepth[pid] = 0;
    this.backlog[pid] = [];
    this.lastViewText[pid] = '';
    this.hash.int(inc);
    if (this.trace !== null) this.line({ type: 'start', p: this.procNames[pid]!, incarnation: inc });
    const ctx = new ProcessContext(this, pid, inc);
    const prev = this.current;
    this.current = pid;
    position.process = this.procNames[pid]!;
    const actor = this.factories[pid]!(ctx);
    this.current = prev;
    if (this.incarnation[pid] !== inc) return; // exited during start
    this.actors[pid] = actor;
    if (this.trace !== null) this.traceState(pid, actor);
    for (const cb of this.lifecycleListeners) cb(pid, true, 'start');
  }

  /** Process crash (kill -9): memory gone; the host's page cache keeps what it wrote. */
  crash(pid: ProcessId, reason = 'crash'): void {
    if (this.actors[pid] === null) return;
    this.actors[pid] = null;
    this.pauseDepth[pid] = 0;
    this.backlog[pid] = [];
    this.lastViewText[pid] = '';
    this.stalledOnDisk[this.procHost[pid]!]!.delete(pid);
    if (this.trace !== null) this.line({ type: 'crash', p: this.procNames[pid]!, reason });
    this.transport.processDied(pid);
    for (const cb of this.lifecycleListeners) cb(pid, false, reason);
  }

  /** A deliberate stop (not a fault): the heal phase leaves it down. */
  stop(pid: ProcessId): void {
    this.wanted[pid] = false;
    this.crash(pid, 'stopped');
  }

  /**
   * Asks a process to stop in order (SIGTERM). It runs Actor.onShutdown, which ends with ctx.exit();
   * an actor without one is killed at once. A paused process gets the signal when it resumes. The
   * process stays wanted, so heal starts it again, as an operator finishing a rolling restart would.
   */
  shutdown(pid: ProcessId): void {
    if (this.actors[pid] === null) return;
    this.scheduler.at(this.nowUs, K_SHUTDOWN, pid, this.incarnation[pid]!, null);
  }

  private deliverShutdown(pid: ProcessId, inc: number): void {
    if (this.incarnation[pid] !== inc || this.actors[pid] === null) return;
    if (this.pauseDepth[pid]! > 0) {
      this.backlog[pid]!.push({ kind: K_SHUTDOWN, aux: inc, payload: null });
      return;
    }
    const a = this.actors[pid]!;
    if (a.onShutdown === undefined) {
      this.crash(pid, 'shutdown (no orderly stop)');
      return;
    }
    this.activate(pid, (x) => x.onShutdown!());
  }

  restart(pid: ProcessId): void {
    this.crash(pid, 'restart');
    this.start(pid);
  }

  pause(pid: ProcessId, reason = 'pause'): void {
    // A process still in its start handler has no actor yet but can stall on the dirty-page limit.
    if (this.actors[pid] === null && this.current !== pid) return;
    if (this.pauseDepth[pid]!++ === 0 && this.trace !== null) this.line({ type: 'pause', p: this.procNames[pid]!, reason });
  }

  resume(pid: ProcessId): void {
    if (this.actors[pid] === null || this.pauseDepth[pid] === 0) return;
    if (--this.pauseDepth[pid]! > 0) return;
    if (this.trace !== null) this.line({ type: 'resume', p: this.procNames[pid]! });
    const items = this.backlog[pid]!;
    this.backlog[pid] = [];
    for (const b of items) this.scheduler.at(this.nowUs, b.kind, pid, b.aux, b.payload);
  }

  /** Host power loss: every process on it dies and the page cache is lost. */
  powerOff(host: HostId): void {
    if (!this.powered[host]) return;
    this.powered[host] = false;
    if (this.trace !== null) this.line({ type: 'power-off', host: this.hostNames[host]! });
    for (const p of this.processesOn(host)) this.crash(p, 'power loss');
    this.disks[host]!.powerLoss();
  }

  powerOn(host: HostId, startProcesses = true): void {
    if (this.powered[host]) return;
    this.powered[host] = true;
    if (this.trace !== null) this.line({ type: 'power-on', host: this.hostNames[host]! });
    if (startProcesses) for (const p of this.processesOn(host)) if (this.wanted[p]) this.start(p);
  }

  /** A writer exceeded the dirty-page limit: it blocks until write-back catches up. */
  stallOnDisk(pid: ProcessId): void {
    const host = this.procHost[pid]!;
    const set = this.stalledOnDisk[host]!;
    if (set.has(pid)) return;
    set.add(pid);
    this.pause(pid, 'dirty page limit: writer blocked until write-back catches up');
  }

  private resumeDiskStalled(host: HostId): void {
    const set = this.stalledOnDisk[host]!;
    if (set.size === 0) return;
    const pids = [...set].sort((a, b) => a - b);
    set.clear();
    for (const p of pids) this.resume(p as ProcessId);
  }

  // ---------------------------------------------------------------- timers

  setTimer(pid: ProcessId, delayUs: number, tag: unknown): number {
    const scaled = this.clocks[this.procHost[pid]!]!.scaleDelay(delayUs);
    return this.scheduler.after(Math.max(0, scaled), K_TIMER, pid, this.incarnation[pid]!, tag);
  }

  cancelTimer(id: number): void {
    this.scheduler.cancel(id);
  }

  private fireTimer(pid: ProcessId, inc: number, tag: unknown): void {
    if (this.incarnation[pid] !== inc || this.actors[pid] === null) return;
    if (this.pauseDepth[pid]! > 0) {
      this.backlog[pid]!.push({ kind: K_TIMER, aux: inc, payload: tag });
      return;
    }
    if (this.trace !== null) this.raw(`"type":"timer","p":${this.quoted[pid]},"tag":${JSON.stringify(tag) ?? 'null'}}`);
    this.activate(pid, (a) => a.onTimer(tag));
  }

  /** Completion of an asynchronous disk operation for a process instance. */
  diskDone(pid: ProcessId, inc: number, tag: unknown, error: Parameters<NonNullable<Actor['onDiskDone']>>[1], data?: Uint8Array): void {
    if (this.incarnation[pid] !== inc || this.actors[pid] === null) return;
    if (this.pauseDepth[pid]! > 0) {
      this.backlog[pid]!.push({ kind: K_CALL, aux: 0, payload: () => this.diskDone(pid, inc, tag, error, data) });
      return;
    }
    this.activate(pid, (a) => a.onDiskDone?.(tag, error, data));
  }

  // ---------------------------------------------------------------- messages (see transport.ts)

  send(from: ProcessId, to: ProcessId, msg: Message, bytes: number, datagram: boolean): void {
    this.transport.send(from, to, msg, bytes, datagram);
  }

  /** Closes both directions of the stream between a and b; b learns of it if reachable. */
  disconnect(a: ProcessId, b: ProcessId): void {
    this.transport.disconnect(a, b);
  }

  // ---------------------------------------------------------------- observation, history, trace

  observe<K extends ObservationKind>(pid: ProcessId, kind: K, data: ObservationData<K>): void {
    if (this.trace !== null) this.line({ type: 'obs', p: this.procNames[pid]!, kind, data });
    const list = this.observers.get(kind) as ((p: ProcessId, data: ObservationData<K>) => void)[] | undefined;
    if (list !== undefined) for (const cb of list) cb(pid, data);
    if (this.tapping) for (const t of this.taps) t.observed?.(pid, kind);
  }

  reportViolation(checker: string, message: string): void {
    const v: Violation = { checker, seq: this.scheduler.executed, timeMs: this.nowUs / 1000, message };
    this.violations.push(v);
    if (this.trace !== null) this.line({ type: 'violation', checker, message });
  }

  annotate(pid: ProcessId | -1, text: string): void {
    if (this.trace !== null) this.line({ type: 'note', p: pid < 0 ? '-' : this.procNames[pid]!, text });
  }

  /** Writes one trace line (only call when this.trace !== null). Fields must be plain JSON. */
  line(fields: { type: string; [key: string]: Json | undefined }): void {
    this.raw(JSON.stringify(fields).slice(1));
  }

  /** Writes a line from the JSON text of its fields without the opening brace. */
  /** @internal (sim/core) */
  raw(rest: string): void {
    this.trace!.write(`{"seq":${this.scheduler.executed},"t":${this.scheduler.nowUs},${rest}`);
  }

  /** Digest of every live process's inspect() view: equal runs end in equal states. */
  finalStateHash(): string {
    const h = new Hash64();
    for (let p = 0; p < this.procNames.length; p++) {
      h.str(this.procNames[p]!);
      const a = this.actors[p];
      h.str(a === null || a === undefined ? 'down' : JSON.stringify(a.inspect(), traceReplacer));
    }
    return h.hex();
  }
}
