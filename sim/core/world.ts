import { History } from '../check/history.ts';
import type { Checker, Violation } from '../check/checker.ts';
import { Clock } from '../env/clock.ts';
import { Disk, type DiskOptions } from '../env/disk.ts';
import { Network, type NetworkOptions } from '../env/network.ts';
import type { Actor, ActorFactory } from './actor.ts';
import type { Config } from './config.ts';
import { Hash64, fnv1a } from './hash.ts';
import { invariant, position } from './invariant.ts';
import { ProcessContext } from './process.ts';
import { Rng } from './rng.ts';
import { Scheduler } from './scheduler.ts';
import { diffJson, messageJson, traceReplacer, type TraceSink } from './trace.ts';
import type { HostId, Json, Message, ProcessId } from './types.ts';

// The world owns time, randomness, hosts, processes, the network, disks, faults, checkers and the
// trace. It is single-threaded: one event at a time, in (time, seq) order.

/** Scheduler event kinds. */
export const K_DELIVER = 1;
export const K_TIMER = 2;
export const K_CALL = 3;
export const K_START = 4;
export const K_DISCONNECT = 5;
/** A stream message or datagram that already reached the receiver's host (queued while it was paused). */
export const K_DELIVER_ARRIVED = 6;

/** State views up to this many characters are traced whole instead of as a patch. */
const FULL_VIEW_CHARS_MAX = 512;

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

export interface Envelope {
  readonly id: number;
  readonly from: ProcessId;
  readonly to: ProcessId;
  readonly msg: Message;
  readonly bytes: number;
  readonly datagram: boolean;
  /** Stream connection generation and the receiver incarnation it was opened with. */
  readonly gen: number;
  readonly dstInc: number;
}

interface Channel {
  gen: number;
  srcInc: number;
  dstInc: number;
  lastArrivalUs: number;
  held: Envelope[];
  heldSinceUs: number;
  retryScheduled: boolean;
  /**
   * Messages that reached the receiver but wait for it to resume (a pause), and the receiver
   * incarnation they wait for: later arrivals queue behind them, so the stream stays FIFO.
   */
  arrived: number;
  arrivedInc: number;
}

interface Backlogged {
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
  private readonly pauseDepth: number[] = [];
  private readonly backlog: Backlogged[][] = [];
  private readonly peers: Set<number>[] = [];
  private readonly lastViewText: string[] = [];
  /** Process names already JSON-quoted, for hand-built trace lines. */
  private readonly quoted: string[] = [];
  private readonly stalledOnDisk: Set<number>[] = [];
  private readonly procByName = new Map<string, ProcessId>();

  private readonly channels = new Map<number, Channel>();
  private readonly observers = new Map<string, ((p: ProcessId, data: Json) => void)[]>();
  private readonly typeIds = new Map<string, number>();
  private nextMsgId = 1;
  private readonly hash = new Hash64();

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
    this.peers.push(new Set());
    this.lastViewText.push('');
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

  onObserve(kind: string, cb: (p: ProcessId, data: Json) => void): void {
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
    switch (kind) {
      case K_DELIVER:
        this.deliver(payload as Envelope);
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
        this.fireDisconnect(target as ProcessId, aux, payload as ProcessId);
        return;
      case K_DELIVER_ARRIVED:
        this.deliverArrived(payload as Envelope);
        return;
    }
  }

  /** Runs a handler of process `pid` with tracing of its state change. */
  private activate(pid: ProcessId, fn: (a: Actor) => void): void {
    const a = this.actors[pid]!;
    const prev = this.current;
    this.current = pid;
    position.process = this.procNames[pid]!;
    fn(a);
    this.current = prev;
    if (this.trace !== null && this.actors[pid] === a) this.traceState(pid, a);
  }

  /**
   * Records the process's inspect() view after a handler when its JSON text changed. Views are plain
   * JSON by contract (docs/inspect-views.md), so the native serializer is used and an unchanged view
   * costs one stringify and one string compare. Small views are written whole (cheaper than a
   * diff); large ones as a patch against the previous view.
   */
  private traceState(pid: ProcessId, a: Actor): void {
    const text = JSON.stringify(a.inspect());
    const prevText = this.lastViewText[pid]!;
    if (text === prevText) return;
    this.lastViewText[pid] = text;
    if (prevText === '' || text.length <= FULL_VIEW_CHARS_MAX) {
      this.raw(`"type":"state","p":${this.quoted[pid]},"view":${text}}`);
      return;
    }
    const patch = diffJson(JSON.parse(prevText) as Json, JSON.parse(text) as Json);
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
    // The OS closes the dead process's sockets: a peer sees the connection close (FIN) if the host
    // is up and the FIN gets through. Otherwise the peer's side stays open, bound to the dead
    // incarnation, until its data meets a reset (or the TCP user timeout).
    const host = this.procHost[pid]!;
    const hostUp = this.powered[host]!;
    for (const peer of this.peers[pid]!) {
      this.breakChannel(pid, peer as ProcessId);
      if (!hostUp || this.net.isCut(host, this.procHost[peer]!)) continue;
      this.breakChannel(peer as ProcessId, pid);
      this.notifyDisconnect(peer as ProcessId, pid);
    }
    this.peers[pid]!.clear();
  }

  /** A deliberate stop (not a fault): the heal phase leaves it down. */
  stop(pid: ProcessId): void {
    this.wanted[pid] = false;
    this.crash(pid, 'stopped');
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

  // ---------------------------------------------------------------- messages

  typeId(type: string): number {
    let id = this.typeIds.get(type);
    if (id === undefined) {
      id = fnv1a(type);
      this.typeIds.set(type, id);
    }
    return id;
  }

  send(from: ProcessId, to: ProcessId, msg: Message, bytes: number, datagram: boolean): void {
    invariant(to >= 0 && to < this.procNames.length, `send to unknown process id ${to}`);
    const now = this.scheduler.nowUs;
    const srcHost = this.procHost[from]!;
    const dstHost = this.procHost[to]!;
    const id = this.nextMsgId++;
    let gen = 0;
    let dstInc = 0;
    let ch: Channel | undefined;
    if (!datagram) {
      ch = this.channel(from, to);
      if (ch.srcInc !== this.incarnation[from]) {
        // A new process instance opens a new connection.
        ch.gen++;
        ch.srcInc = this.incarnation[from]!;
        ch.dstInc = this.incarnation[to]!;
        ch.held = [];
      }
      if (ch.dstInc === 0) ch.dstInc = this.incarnation[to]!;
      gen = ch.gen;
      dstInc = ch.dstInc;
      this.peers[from]!.add(to);
      this.peers[to]!.add(from);
    }
    const env: Envelope = { id, from, to, msg, bytes, datagram, gen, dstInc };
    if (this.trace !== null) {
      this.raw(`"type":"send","p":${this.quoted[from]},"to":${this.quoted[to]},"id":${id},"msg":${messageJson(msg)},"bytes":${bytes},"mode":"${datagram ? 'datagram' : 'stream'}"}`);
    }
    let at = this.net.arrival(srcHost, dstHost, bytes, now, datagram);
    if (at < 0) {
      if (this.trace !== null) this.line({ type: 'drop', p: this.procNames[to]!, from: this.procNames[from]!, id, reason: 'packet loss' });
      return;
    }
    if (ch !== undefined) {
      if (at < ch.lastArrivalUs) at = ch.lastArrivalUs;
      ch.lastArrivalUs = at;
    }
    this.scheduler.at(at, K_DELIVER, to, 0, env);
    if (datagram && this.net.duplicates(srcHost, dstHost)) {
      const dup: Envelope = { ...env, id: this.nextMsgId++ };
      const at2 = this.net.arrival(srcHost, dstHost, bytes, now, true);
      if (at2 >= 0) {
        if (this.trace !== null) this.line({ type: 'dup', p: this.procNames[to]!, from: this.procNames[from]!, id: dup.id, dupOf: id });
        this.scheduler.at(at2, K_DELIVER, to, 0, dup);
      }
    }
  }

  private channel(from: number, to: number): Channel {
    const key = from * 65536 + to;
    let ch = this.channels.get(key);
    if (ch === undefined) {
      ch = { gen: 1, srcInc: this.incarnation[from]!, dstInc: this.incarnation[to]!, lastArrivalUs: 0, held: [], heldSinceUs: 0, retryScheduled: false, arrived: 0, arrivedInc: 0 };
      this.channels.set(key, ch);
    }
    return ch;
  }

  private breakChannel(from: ProcessId, to: ProcessId): void {
    const ch = this.channels.get(from * 65536 + to);
    if (ch === undefined) return;
    ch.gen++;
    ch.srcInc = this.incarnation[from]!;
    ch.dstInc = 0;
    ch.held = [];
    ch.retryScheduled = false;
  }

  private notifyDisconnect(pid: ProcessId, peer: ProcessId): void {
    if (this.actors[pid] === null) return;
    const latency = this.procHost[pid] === this.procHost[peer] ? this.net.opts.loopbackUs : 200;
    this.scheduler.after(latency, K_DISCONNECT, pid, this.incarnation[pid]!, peer);
  }

  /** Closes both directions of the stream between a and b; b learns of it if reachable. */
  disconnect(a: ProcessId, b: ProcessId): void {
    this.breakChannel(a, b);
    if (!this.net.isCut(this.procHost[a]!, this.procHost[b]!)) {
      this.breakChannel(b, a);
      this.notifyDisconnect(b, a);
      return;
    }
    // b cannot be told: its side stays open and its data meets a reset once it gets through.
    const ch = this.channels.get(b * 65536 + a);
    if (ch !== undefined) ch.dstInc = -1;
  }

  private fireDisconnect(pid: ProcessId, inc: number, peer: ProcessId): void {
    if (this.incarnation[pid] !== inc || this.actors[pid] === null) return;
    if (this.pauseDepth[pid]! > 0) {
      this.backlog[pid]!.push({ kind: K_DISCONNECT, aux: inc, payload: peer });
      return;
    }
    this.activate(pid, (a) => a.onDisconnect?.(peer));
  }

  private drop(env: Envelope, reason: string): void {
    if (this.trace !== null) this.line({ type: 'drop', p: this.procNames[env.to]!, from: this.procNames[env.from]!, id: env.id, reason });
  }

  private deliver(env: Envelope): void {
    const to = env.to;
    const from = env.from;
    this.hash.int(this.typeId(env.msg.type));
    const srcHost = this.procHost[from]!;
    const dstHost = this.procHost[to]!;
    if (env.datagram) {
      if (this.net.isCut(srcHost, dstHost)) return this.drop(env, 'partition');
      if (this.actors[to] === null) return this.drop(env, 'process down');
    } else {
      const ch = this.channel(from, to);
      if (env.gen !== ch.gen) return this.drop(env, 'connection closed');
      // Cut or host without power: TCP retransmits until the host answers or the user timeout.
      if (ch.held.length > 0 || this.net.isCut(srcHost, dstHost) || !this.powered[dstHost]) return this.hold(ch, env);
      // A connection opened before the receiver's first start binds to the incarnation that answers.
      if (ch.dstInc === 0 && this.actors[to] !== null) ch.dstInc = this.incarnation[to]!;
      if (this.actors[to] === null || this.incarnation[to] !== ch.dstInc) {
        // Connection refused / reset: the sender learns of it if the reset gets back. Until then its
        // side stays bound to the stale peer, so later data meets resets too instead of silently
        // opening a new connection past the lost data.
        this.drop(env, this.actors[to] === null ? 'process down' : 'connection reset');
        if (this.powered[dstHost] && !this.net.isCut(dstHost, srcHost)) {
          this.breakChannel(from, to);
          this.notifyDisconnect(from, to);
        }
        return;
      }
    }
    if (!env.datagram) {
      // Earlier data of this stream reached the host and waits for the process: queue behind it.
      const ch = this.channel(from, to);
      if (ch.arrived > 0 && ch.arrivedInc === this.incarnation[to]) {
        ch.arrived++;
        if (this.pauseDepth[to]! > 0) this.backlog[to]!.push({ kind: K_DELIVER_ARRIVED, aux: 0, payload: env });
        else this.scheduler.at(this.nowUs, K_DELIVER_ARRIVED, to, 0, env);
        return;
      }
    }
    if (this.pauseDepth[to]! > 0) {
      this.queueArrived(env);
      return;
    }
    if (this.trace !== null) this.raw(`"type":"deliver","p":${this.quoted[to]},"from":${this.quoted[from]},"id":${env.id}}`);
    this.activate(to, (a) => a.onMessage(from, env.msg));
  }

  /** The receiver is paused: the message is in its host's socket buffer and waits for it. */
  private queueArrived(env: Envelope): void {
    if (!env.datagram) {
      const ch = this.channel(env.from, env.to);
      if (ch.arrived === 0 || ch.arrivedInc !== this.incarnation[env.to]) {
        ch.arrived = 0;
        ch.arrivedInc = this.incarnation[env.to]!;
      }
      ch.arrived++;
    }
    this.backlog[env.to]!.push({ kind: K_DELIVER_ARRIVED, aux: 0, payload: env });
  }

  /**
   * Hands a message that already arrived to its process: no partition or hold applies any more
   * (the data is past the network), only a closed connection or a dead process drops it.
   */
  private deliverArrived(env: Envelope): void {
    const to = env.to;
    const from = env.from;
    this.hash.int(this.typeId(env.msg.type));
    if (!env.datagram) {
      const ch = this.channel(from, to);
      if (ch.arrived > 0) ch.arrived--;
      if (env.gen !== ch.gen) return this.drop(env, 'connection closed');
      if (this.actors[to] === null || this.incarnation[to] !== ch.arrivedInc) return this.drop(env, 'process down');
      if (this.pauseDepth[to]! > 0) {
        ch.arrived++;
        this.backlog[to]!.push({ kind: K_DELIVER_ARRIVED, aux: 0, payload: env });
        return;
      }
    } else {
      if (this.actors[to] === null) return this.drop(env, 'process down');
      if (this.pauseDepth[to]! > 0) {
        this.backlog[to]!.push({ kind: K_DELIVER_ARRIVED, aux: 0, payload: env });
        return;
      }
    }
    if (this.trace !== null) this.raw(`"type":"deliver","p":${this.quoted[to]},"from":${this.quoted[from]},"id":${env.id}}`);
    this.activate(to, (a) => a.onMessage(from, env.msg));
  }

  /** TCP under a partition: data waits for retransmission; the connection breaks after the user timeout. */
  private hold(ch: Channel, env: Envelope): void {
    if (ch.held.length === 0) ch.heldSinceUs = this.nowUs;
    ch.held.push(env);
    if (ch.retryScheduled) return;
    ch.retryScheduled = true;
    this.scheduleRetry(ch, env.from, env.to, this.net.opts.rtoMinUs);
  }

  private scheduleRetry(ch: Channel, from: ProcessId, to: ProcessId, rtoUs: number): void {
    const gen = ch.gen;
    this.schedule(this.nowUs + rtoUs, () => {
      if (ch.gen !== gen) return; // closed meanwhile: a new connection schedules its own retries
      if (ch.held.length === 0) {
        ch.retryScheduled = false;
        return;
      }
      const srcHost = this.procHost[from]!;
      const dstHost = this.procHost[to]!;
      if (this.nowUs - ch.heldSinceUs >= this.net.opts.tcpUserTimeoutUs) {
        ch.retryScheduled = false;
        for (const e of ch.held) this.drop(e, 'tcp user timeout');
        this.breakChannel(from, to);
        this.notifyDisconnect(from, to);
        return;
      }
      if (this.net.isCut(srcHost, dstHost) || !this.powered[dstHost] || this.net.clogUntil(srcHost, dstHost) > this.nowUs) {
        this.scheduleRetry(ch, from, to, Math.min(rtoUs * 2, this.net.opts.rtoMaxUs));
        return;
      }
      ch.retryScheduled = false;
      const items = ch.held;
      ch.held = [];
      for (const e of items) {
        let at = this.net.arrival(srcHost, dstHost, e.bytes, this.nowUs, false);
        if (at < ch.lastArrivalUs) at = ch.lastArrivalUs;
        ch.lastArrivalUs = at;
        this.scheduler.at(at, K_DELIVER, to, 0, e);
      }
    });
  }

  // ---------------------------------------------------------------- observation, history, trace

  observe(pid: ProcessId, kind: string, data: Json): void {
    if (this.trace !== null) this.line({ type: 'obs', p: this.procNames[pid]!, kind, data });
    const list = this.observers.get(kind);
    if (list !== undefined) for (const cb of list) cb(pid, data);
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
  private raw(rest: string): void {
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
