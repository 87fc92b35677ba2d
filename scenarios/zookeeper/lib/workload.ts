// Client processes for the ZooKeeper scenarios. Each embeds a ZkClient (the way a Kafka broker
// would) and keeps one operation in flight at a time, so its history reads like a Jepsen client's.
//
// - RegisterClient: reads and writes a few persistent znodes: unconditional and versioned setData,
//   getData (some with watches), sync-then-read, exists, create and the odd delete.
// - MemberClient: registers itself as an ephemeral node /members/<name> in every session and
//   watches the membership, as a broker registers under /brokers/ids.
// A client whose session expired starts a new session, as applications must.

import type { Actor, Context } from '../../../sim/core/actor.ts';
import type { Json, Message, ProcessId } from '../../../sim/core/types.ts';
import { MS } from '../../../sim/core/types.ts';
import { ZkClient, isZkClientTimer, type ZkSessionEvent } from '../../../sim/zookeeper/client.ts';
import type { ZkErrorCode } from '../../../sim/zookeeper/messages.ts';

export interface ClientOptions {
  readonly servers: readonly string[];
  readonly sessionTimeoutMs: number;
  /** Mean think time between operations. */
  readonly opIntervalMs: number;
  /** Wait before the first connection. */
  readonly startDelayMs?: number;
}

abstract class ZkApp implements Actor<Message, unknown> {
  protected zk: ZkClient | null = null;
  protected sessions = 0;

  constructor(protected readonly ctx: Context, protected readonly opts: ClientOptions) {
    ctx.setTimer((opts.startDelayMs ?? 0) * MS, 'start');
  }

  protected connect(): void {
    this.sessions++;
    this.zk = new ZkClient(this.ctx, {
      connectString: this.opts.servers,
      sessionTimeoutMs: this.opts.sessionTimeoutMs,
      onEvent: (e) => this.onSession(e),
    });
  }

  protected onSession(e: ZkSessionEvent): void {
    if (e.state === 'Expired') {
      this.ctx.annotate(`session 0x${e.sessionId.toString(16)} expired: starting a new one`);
      this.connect();
    }
  }

  protected thinkUs(): number {
    return Math.max(1, Math.round(this.ctx.rng.exponential(this.opts.opIntervalMs) * MS));
  }

  onMessage(from: ProcessId, msg: Message): void {
    this.zk?.handleMessage(from, msg);
  }

  onTimer(tag: unknown): void {
    if (isZkClientTimer(tag)) {
      this.zk?.handleTimer(tag);
      return;
    }
    if (tag === 'start') {
      this.connect();
      this.onStart();
      return;
    }
    this.onAppTimer(tag);
  }

  onDisconnect(peer: ProcessId): void {
    this.zk?.handleDisconnect(peer);
  }

  protected abstract onStart(): void;
  protected abstract onAppTimer(tag: unknown): void;

  inspect(): Json {
    return this.zk === null ? { role: 'client', state: 'CONNECTING', sessionId: '0x0', server: null } : this.zk.inspect();
  }
}

export interface RegisterClientOptions extends ClientOptions {
  readonly keys: readonly string[];
}

export class RegisterClient extends ZkApp {
  private n = 0;
  private readonly versions = new Map<string, number>();

  constructor(ctx: Context, private readonly ropts: RegisterClientOptions) {
    super(ctx, ropts);
  }

  protected onStart(): void {
    this.ctx.setTimer(this.thinkUs(), 'op');
  }

  protected onAppTimer(tag: unknown): void {
    if (tag === 'op') this.nextOp();
  }

  private done = (): void => {
    this.ctx.setTimer(this.thinkUs(), 'op');
  };

  private nextOp(): void {
    const zk = this.zk;
    if (zk === null) return this.done();
    const rng = this.ctx.rng;
    const key = rng.pick(this.ropts.keys);
    const value = `${this.ctx.name}:${++this.n}`;
    const known = this.versions.get(key);
    const r = rng.float();
    const onWrite = (err: ZkErrorCode | null, version: number | null): void => {
      if (err === null && version !== null) this.versions.set(key, version);
      if (err === 'NONODE') this.versions.delete(key);
      this.done();
    };
    if (r < 0.35) {
      zk.setData(key, value, -1, (err, stat) => onWrite(err, stat?.version ?? null));
    } else if (r < 0.5) {
      zk.setData(key, value, known ?? 0, (err, stat) => onWrite(err, stat?.version ?? null));
    } else if (r < 0.72) {
      const watch = rng.float() < 0.3 ? () => undefined : undefined;
      zk.getData(key, watch !== undefined ? { watch } : {}, (err, _d, stat) => onWrite(err, stat?.version ?? null));
    } else if (r < 0.8) {
      zk.sync('/', (err) => {
        if (err !== null || this.zk !== zk) return this.done();
        zk.getData(key, {}, (e2, _d, stat) => onWrite(e2, stat?.version ?? null));
      });
    } else if (r < 0.88) {
      const watch = rng.float() < 0.5 ? () => undefined : undefined;
      zk.exists(key, watch !== undefined ? { watch } : {}, (err, stat) => onWrite(err, stat?.version ?? null));
    } else if (r < 0.97 || known === undefined) {
      zk.create(key, value, {}, (err) => {
        if (err === null) this.versions.set(key, 0);
        this.done();
      });
    } else {
      zk.delete(key, known, (err) => {
        if (err === null) this.versions.delete(key);
        this.done();
      });
    }
  }
}

/** Registers an ephemeral /members/<name> per session and watches the membership. */
export class MemberClient extends ZkApp {
  private registeredSession = 0;
  private members: readonly string[] = [];

  protected onStart(): void {
    this.ctx.setTimer(this.thinkUs(), 'tick');
  }

  protected override onSession(e: ZkSessionEvent): void {
    super.onSession(e);
    if (e.state === 'SyncConnected') this.register();
  }

  private register(): void {
    const zk = this.zk;
    if (zk === null || zk.state !== 'CONNECTED' || this.registeredSession === zk.sessionId) return;
    zk.create('/members', '', {}, () => {
      zk.create(`/members/${this.ctx.name}`, `session 0x${zk.sessionId.toString(16)}`, { ephemeral: true }, (err) => {
        if (err === null) this.registeredSession = zk.sessionId;
        // NODEEXISTS: the node of our previous session is still there until that session expires.
      });
    });
  }

  protected onAppTimer(tag: unknown): void {
    if (tag !== 'tick') return;
    this.ctx.setTimer(this.thinkUs(), 'tick');
    const zk = this.zk;
    if (zk === null || zk.state !== 'CONNECTED') return;
    if (this.registeredSession !== zk.sessionId) {
      this.register();
      return;
    }
    zk.getChildren('/members', { watch: () => undefined }, (err, children) => {
      if (err === null && children !== null) this.members = children;
    });
  }

  override inspect(): Json {
    return { ...(super.inspect() as { [k: string]: Json }), members: this.members.length };
  }
}
