import { invariant } from '../core/invariant.ts';
import { K_DELIVER, K_DELIVER_ARRIVED, K_DISCONNECT } from './events.ts';
import { fnv1a } from '../core/hash.ts';
import { messageJson } from './trace.ts';
import type { Message, ProcessId } from '../core/types.ts';
import type { World } from './world.ts';

// Message transport between processes, on top of the network model (sim/env/network.ts), which
// says when a packet would arrive and which links are cut.
//
// Streams behave like TCP connections: FIFO; no loss or duplication while the connection lives; a
// lost packet costs a retransmission timeout; data sent into a partition (or to a host without
// power) is held and retransmitted with exponential RTO backoff, then delivered in order after the
// heal, unless a side closes the connection or the TCP user timeout expires. A crashed process's
// peers see the connection close (FIN) when the close can reach them; data for a restarted process
// on an old connection is reset. A connection opened before the receiver's first start binds to
// the incarnation that first answers. Data from a restarted process arrives on its new connection,
// and the answers go back on it, not behind what the old connection still holds.
//
// Datagrams can be lost, duplicated and reordered, and are dropped by partitions.

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
  /** The stream's channel (null for a datagram): delivery needs no lookup. Channels live as long as the transport. */
  readonly ch: Channel | null;
}

export interface Channel {
  /** The channel of the opposite direction, once both exist (linked when the second is created). */
  back: Channel | null;
  /** peersEpoch of the sender and of the receiver when this channel last put them in each other's peer sets (-1: never). */
  fromEpoch: number;
  toEpoch: number;
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

/**
 * Manual delivery (interaction tests): consulted for every message sent; returning true takes the
 * message off the network, and the caller hands it over later with Transport.deliverNow (or never).
 */
export type SendInterceptor = (env: Envelope) => boolean;

export class Transport {
  /** Null in every scenario run: no message is held and nothing changes. */
  interceptor: SendInterceptor | null = null;
  private readonly channels = new Map<number, Channel>();
  /** Processes each process has a stream with (either direction): told when it dies. */
  private readonly peers: Set<number>[] = [];
  /**
   * Bumped when a process's peer set is cleared (it died): a channel records the epochs of both ends
   * when it last added them to each other's sets, so a send adds them again only after a clear
   * (the sets' contents are exactly as if every send added them).
   */
  private readonly peersEpoch: number[] = [];
  private readonly typeIds = new Map<string, number>();
  private nextMsgId = 1;

  constructor(private readonly w: World) {}

  /** The process died (crash, exit, power loss): close its streams. */
  processDied(pid: ProcessId): void {
    const peers = this.peersOf(pid);
    // The OS closes the dead process's sockets: a peer sees the connection close (FIN) if the host
    // is up and the FIN gets through. Otherwise the peer's side stays open, bound to the dead
    // incarnation, until its data meets a reset (or the TCP user timeout).
    const host = this.w.procHost[pid]!;
    const hostUp = this.w.powered[host]!;
    for (const peer of peers) {
      this.breakChannel(pid, peer as ProcessId);
      if (!hostUp || this.w.net.isCut(host, this.w.procHost[peer]!)) continue;
      this.breakChannel(peer as ProcessId, pid);
      this.notifyDisconnect(peer as ProcessId, pid);
    }
    peers.clear();
    this.peersEpoch[pid] = (this.peersEpoch[pid] ?? 0) + 1;
  }

  private peersOf(pid: number): Set<number> {
    let s = this.peers[pid];
    if (s === undefined) {
      s = new Set();
      this.peers[pid] = s;
    }
    return s;
  }

  typeId(type: string): number {
    let id = this.typeIds.get(type);
    if (id === undefined) {
      id = fnv1a(type);
      this.typeIds.set(type, id);
    }
    return id;
  }

  send(from: ProcessId, to: ProcessId, msg: Message, bytes: number, datagram: boolean): void {
    invariant(to >= 0 && to < this.w.procNames.length, () => `send to unknown process id ${to}`);
    const now = this.w.scheduler.nowUs;
    const srcHost = this.w.procHost[from]!;
    const dstHost = this.w.procHost[to]!;
    const id = this.nextMsgId++;
    let gen = 0;
    let dstInc = 0;
    let ch: Channel | undefined;
    if (!datagram) {
      ch = this.channel(from, to);
      if (ch.srcInc !== this.w.incarnation[from]) {
        // A new process instance opens a new connection.
        ch.gen++;
        ch.srcInc = this.w.incarnation[from]!;
        ch.dstInc = this.w.incarnation[to]!;
        ch.held = [];
      }
      if (ch.dstInc === 0) ch.dstInc = this.w.incarnation[to]!;
      gen = ch.gen;
      dstInc = ch.dstInc;
      const fe = this.peersEpoch[from] ?? 0;
      if (ch.fromEpoch !== fe) {
        this.peersOf(from).add(to);
        ch.fromEpoch = fe;
      }
      const te = this.peersEpoch[to] ?? 0;
      if (ch.toEpoch !== te) {
        this.peersOf(to).add(from);
        ch.toEpoch = te;
      }
    }
    const env: Envelope = { id, from, to, msg, bytes, datagram, gen, dstInc, ch: ch ?? null };
    if (this.w.trace !== null) {
      this.w.raw(`"type":"send","p":${this.w.quoted[from]},"to":${this.w.quoted[to]},"id":${id},"msg":${messageJson(msg)},"bytes":${bytes},"mode":"${datagram ? 'datagram' : 'stream'}"}`);
    }
    if (this.w.tapping) this.w.tapMessage('sends', from, to, msg.type);
    if (this.interceptor !== null && this.interceptor(env)) return;
    if (ch !== undefined && ch.held.length > 0) {
      // Earlier data waits for retransmission: this data queues behind it (TCP sends in order),
      // so it cannot arrive first when the retransmission is scheduled after its own arrival.
      ch.held.push(env);
      return;
    }
    let at = this.w.net.arrival(srcHost, dstHost, bytes, now, datagram);
    if (at < 0) {
      if (this.w.trace !== null) this.w.line({ type: 'drop', p: this.w.procNames[to]!, from: this.w.procNames[from]!, id, reason: 'packet loss' });
      return;
    }
    if (ch !== undefined) {
      if (at < ch.lastArrivalUs) at = ch.lastArrivalUs;
      ch.lastArrivalUs = at;
    }
    this.w.scheduler.at(at, K_DELIVER, to, 0, env);
    if (datagram && this.w.net.duplicates(srcHost, dstHost)) {
      const dup: Envelope = { ...env, id: this.nextMsgId++ };
      const at2 = this.w.net.arrival(srcHost, dstHost, bytes, now, true);
      if (at2 >= 0) {
        if (this.w.trace !== null) this.w.line({ type: 'dup', p: this.w.procNames[to]!, from: this.w.procNames[from]!, id: dup.id, dupOf: id });
        this.w.scheduler.at(at2, K_DELIVER, to, 0, dup);
      }
    }
  }

  /**
   * Delivers a message an interceptor held, at the current time, through the normal receive path (a
   * connection closed meanwhile, a dead or restarted receiver or a partition still apply).
   */
  deliverNow(env: Envelope): void {
    this.w.scheduler.at(this.w.nowUs, K_DELIVER, env.to, 0, env);
  }

  private channel(from: number, to: number): Channel {
    const key = from * 65536 + to;
    let ch = this.channels.get(key);
    if (ch === undefined) {
      ch = { back: null, fromEpoch: -1, toEpoch: -1, gen: 1, srcInc: this.w.incarnation[from]!, dstInc: this.w.incarnation[to]!, lastArrivalUs: 0, held: [], heldSinceUs: 0, retryScheduled: false, arrived: 0, arrivedInc: 0 };
      this.channels.set(key, ch);
      const back = this.channels.get(to * 65536 + from);
      if (back !== undefined) {
        ch.back = back;
        back.back = ch;
      }
    }
    return ch;
  }

  private breakChannel(from: ProcessId, to: ProcessId): void {
    const ch = this.channels.get(from * 65536 + to);
    if (ch === undefined) return;
    ch.gen++;
    ch.srcInc = this.w.incarnation[from]!;
    ch.dstInc = 0;
    ch.held = [];
    ch.retryScheduled = false;
  }

  private notifyDisconnect(pid: ProcessId, peer: ProcessId): void {
    if (this.w.actors[pid] === null) return;
    const latency = this.w.procHost[pid] === this.w.procHost[peer] ? this.w.net.opts.loopbackUs : 200;
    this.w.scheduler.after(latency, K_DISCONNECT, pid, this.w.incarnation[pid]!, peer);
  }

  /** Closes both directions of the stream between a and b; b learns of it if reachable. */
  disconnect(a: ProcessId, b: ProcessId): void {
    this.breakChannel(a, b);
    if (!this.w.net.isCut(this.w.procHost[a]!, this.w.procHost[b]!)) {
      this.breakChannel(b, a);
      this.notifyDisconnect(b, a);
      return;
    }
    // b cannot be told: its side stays open and its data meets a reset once it gets through.
    const ch = this.channels.get(b * 65536 + a);
    if (ch !== undefined) ch.dstInc = -1;
  }

  fireDisconnect(pid: ProcessId, inc: number, peer: ProcessId): void {
    if (this.w.incarnation[pid] !== inc || this.w.actors[pid] === null) return;
    if (this.w.pauseDepth[pid]! > 0) {
      this.w.backlog[pid]!.push({ kind: K_DISCONNECT, aux: inc, payload: peer });
      return;
    }
    this.w.activate(pid, (a) => a.onDisconnect?.(peer));
  }

  private drop(env: Envelope, reason: string): void {
    if (this.w.trace !== null) this.w.line({ type: 'drop', p: this.w.procNames[env.to]!, from: this.w.procNames[env.from]!, id: env.id, reason });
  }

  deliver(env: Envelope): void {
    const to = env.to;
    const from = env.from;
    this.w.hash.int(this.typeId(env.msg.type));
    const srcHost = this.w.procHost[from]!;
    const dstHost = this.w.procHost[to]!;
    if (env.datagram) {
      if (this.w.net.isCut(srcHost, dstHost)) return this.drop(env, 'partition');
      if (this.w.actors[to] === null) return this.drop(env, 'process down');
    } else {
      const ch = env.ch ?? this.channel(from, to);
      if (env.gen !== ch.gen) return this.drop(env, 'connection closed');
      // Cut or host without power: TCP retransmits until the host answers or the user timeout.
      if (ch.held.length > 0 || this.w.net.isCut(srcHost, dstHost) || !this.w.powered[dstHost]) return this.hold(ch, env);
      // A connection opened before the receiver's first start binds to the incarnation that answers.
      if (ch.dstInc === 0 && this.w.actors[to] !== null) ch.dstInc = this.w.incarnation[to]!;
      if (this.w.actors[to] === null || this.w.incarnation[to] !== ch.dstInc) {
        // Connection refused / reset: the sender learns of it if the reset gets back. Until then its
        // side stays bound to the stale peer, so later data meets resets too instead of silently
        // opening a new connection past the lost data.
        this.drop(env, this.w.actors[to] === null ? 'process down' : 'connection reset');
        if (this.w.powered[dstHost] && !this.w.net.isCut(dstHost, srcHost)) {
          this.breakChannel(from, to);
          this.notifyDisconnect(from, to);
        }
        return;
      }
      // Data from a new incarnation of `from` (or over a connection it reopened) came on a new
      // connection, and the receiver answers on that one. Its side of the old connection, bound to
      // the dead incarnation, may still hold data waiting for a retransmission; replies must not
      // queue behind data that can only meet a reset.
      const back = ch.back;
      if (back !== null && back.dstInc !== 0 && back.dstInc !== this.w.incarnation[from]) this.breakChannel(to, from);
      // Earlier data of this stream reached the host and waits for the process: queue behind it.
      if (ch.arrived > 0 && ch.arrivedInc === this.w.incarnation[to]) {
        ch.arrived++;
        if (this.w.pauseDepth[to]! > 0) this.w.backlog[to]!.push({ kind: K_DELIVER_ARRIVED, aux: 0, payload: env });
        else this.w.scheduler.at(this.w.nowUs, K_DELIVER_ARRIVED, to, 0, env);
        return;
      }
    }
    if (this.w.pauseDepth[to]! > 0) {
      this.queueArrived(env);
      return;
    }
    if (this.w.trace !== null) this.w.raw(`"type":"deliver","p":${this.w.quoted[to]},"from":${this.w.quoted[from]},"id":${env.id}}`);
    if (this.w.tapping) this.w.tapMessage('receives', to, from, env.msg.type);
    this.w.activate(to, (a) => a.onMessage(from, env.msg));
  }

  /** The receiver is paused: the message is in its host's socket buffer and waits for it. */
  private queueArrived(env: Envelope): void {
    if (!env.datagram) {
      const ch = this.channel(env.from, env.to);
      if (ch.arrived === 0 || ch.arrivedInc !== this.w.incarnation[env.to]) {
        ch.arrived = 0;
        ch.arrivedInc = this.w.incarnation[env.to]!;
      }
      ch.arrived++;
    }
    this.w.backlog[env.to]!.push({ kind: K_DELIVER_ARRIVED, aux: 0, payload: env });
  }

  /**
   * Hands a message that already arrived to its process: no partition or hold applies any more
   * (the data is past the network), only a closed connection or a dead process drops it.
   */
  deliverArrived(env: Envelope): void {
    const to = env.to;
    const from = env.from;
    this.w.hash.int(this.typeId(env.msg.type));
    if (!env.datagram) {
      const ch = this.channel(from, to);
      if (ch.arrived > 0) ch.arrived--;
      if (env.gen !== ch.gen) return this.drop(env, 'connection closed');
      if (this.w.actors[to] === null || this.w.incarnation[to] !== ch.arrivedInc) return this.drop(env, 'process down');
      if (this.w.pauseDepth[to]! > 0) {
        ch.arrived++;
        this.w.backlog[to]!.push({ kind: K_DELIVER_ARRIVED, aux: 0, payload: env });
        return;
      }
    } else {
      if (this.w.actors[to] === null) return this.drop(env, 'process down');
      if (this.w.pauseDepth[to]! > 0) {
        this.w.backlog[to]!.push({ kind: K_DELIVER_ARRIVED, aux: 0, payload: env });
        return;
      }
    }
    if (this.w.trace !== null) this.w.raw(`"type":"deliver","p":${this.w.quoted[to]},"from":${this.w.quoted[from]},"id":${env.id}}`);
    if (this.w.tapping) this.w.tapMessage('receives', to, from, env.msg.type);
    this.w.activate(to, (a) => a.onMessage(from, env.msg));
  }

  /** TCP under a partition: data waits for retransmission; the connection breaks after the user timeout. */
  private hold(ch: Channel, env: Envelope): void {
    if (ch.held.length === 0) ch.heldSinceUs = this.w.nowUs;
    // In send order (message ids grow with each send): data sent while earlier data was held went
    // straight to `held`, ahead of data that was still in flight then and is held only now.
    let i = ch.held.length;
    while (i > 0 && ch.held[i - 1]!.id > env.id) i--;
    ch.held.splice(i, 0, env);
    if (ch.retryScheduled) return;
    ch.retryScheduled = true;
    this.scheduleRetry(ch, env.from, env.to, this.w.net.opts.rtoMinUs);
  }

  private scheduleRetry(ch: Channel, from: ProcessId, to: ProcessId, rtoUs: number): void {
    const gen = ch.gen;
    this.w.schedule(this.w.nowUs + rtoUs, () => {
      if (ch.gen !== gen) return; // closed meanwhile: a new connection schedules its own retries
      if (ch.held.length === 0) {
        ch.retryScheduled = false;
        return;
      }
      const srcHost = this.w.procHost[from]!;
      const dstHost = this.w.procHost[to]!;
      if (this.w.nowUs - ch.heldSinceUs >= this.w.net.opts.tcpUserTimeoutUs) {
        ch.retryScheduled = false;
        for (const e of ch.held) this.drop(e, 'tcp user timeout');
        this.breakChannel(from, to);
        this.notifyDisconnect(from, to);
        return;
      }
      if (this.w.net.isCut(srcHost, dstHost) || !this.w.powered[dstHost] || this.w.net.clogUntil(srcHost, dstHost) > this.w.nowUs) {
        this.scheduleRetry(ch, from, to, Math.min(rtoUs * 2, this.w.net.opts.rtoMaxUs));
        return;
      }
      ch.retryScheduled = false;
      const items = ch.held;
      ch.held = [];
      for (const e of items) {
        let at = this.w.net.arrival(srcHost, dstHost, e.bytes, this.w.nowUs, false);
        if (at < ch.lastArrivalUs) at = ch.lastArrivalUs;
        ch.lastArrivalUs = at;
        this.w.scheduler.at(at, K_DELIVER, to, 0, e);
      }
    });
  }
}
