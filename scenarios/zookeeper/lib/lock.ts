// The ZooKeeper lock recipe (zookeeper.apache.org/doc/current/recipes.html#sc_recipes_Locks, as
// Curator's InterProcessMutex does it), as a client process, and the checker of its one promise.
//
// Acquire: create an ephemeral sequential child of /lock whose name carries a per-attempt marker
// (Curator's "protection", so a create lost to CONNECTIONLOSS can be found again); list the
// children; the lowest sequence number holds the lock; otherwise watch the next lower one and look
// again when it goes. Release: delete the node.
// A holder treats a lost connection (Disconnected, i.e. Curator's SUSPENDED) as losing the lock: its
// session may expire on the servers any moment, and then another client will get the lock. This
// is safe because the client times out its connection after 2/3 of the session timeout without
// hearing from a server, while the servers expire a session only a full timeout after its last
// contact.
//
// Observations: lock-held {client} when a client starts believing it holds the lock, lock-released
// {client, why} when it stops. zk-lock-mutex checks that beliefs never overlap.

import type { Actor, Context } from '../../../sim/core/actor.ts';
import type { Checker } from '../../../sim/world/checker.ts';
import type { Json, Message, ProcessId } from '../../../sim/core/types.ts';
import type { World } from '../../../sim/world/world.ts';
import { MS } from '../../../sim/core/types.ts';

declare module '../../../sim/core/observation.ts' {
  interface Observations {
    /** A client starts believing it holds the lock. */
    'lock-held': { readonly client: string };
    /** A client stops believing it holds the lock, and why. */
    'lock-released': { readonly client: string; readonly why: string };
  }
}
import { ZkClient, isZkClientTimer, type ZkSessionEvent } from '../../../sim/zookeeper/client.ts';

export interface LockClientOptions {
  readonly servers: readonly string[];
  readonly sessionTimeoutMs: number;
  /** How long a holder keeps the lock before releasing it. */
  readonly holdMs: number;
  /** Pause after releasing before trying again. */
  readonly pauseMs: number;
  readonly startDelayMs: number;
}

const LOCK = '/lock';

function seqOf(name: string): number {
  return Number(name.slice(-10));
}

export class LockClient implements Actor<Message, unknown> {
  private zk: ZkClient | null = null;
  private attempt = 0;
  /** Our lock node's name under /lock, once known. */
  private node: string | null = null;
  private holding = false;
  private acquiredAtUs = 0;
  private waitingOn: string | null = null;
  private busy = false;

  constructor(private readonly ctx: Context, private readonly opts: LockClientOptions) {
    ctx.setTimer(opts.startDelayMs * MS, 'start');
  }

  private connect(): void {
    this.zk = new ZkClient(this.ctx, {
      connectString: this.opts.servers,
      sessionTimeoutMs: this.opts.sessionTimeoutMs,
      onEvent: (e) => this.onSession(e),
    });
  }

  private onSession(e: ZkSessionEvent): void {
    if (e.state === 'Disconnected' || e.state === 'Expired') this.release(e.state === 'Expired' ? 'session expired' : 'connection lost (suspended)');
    if (e.state === 'Expired') {
      this.node = null;
      this.waitingOn = null;
      this.busy = false;
      this.connect();
    }
    if (e.state === 'SyncConnected') this.tryAcquire();
  }

  private prefix(): string {
    return `_c_${this.ctx.name}-${this.attempt}-lock-`;
  }

  private release(why: string): void {
    if (!this.holding) return;
    this.holding = false;
    this.ctx.annotate(`lock released: ${why}`);
    this.ctx.observe('lock-released', { client: this.ctx.name, why });
  }

  /** Create our node (once per attempt), then look at the children. */
  private tryAcquire(): void {
    const zk = this.zk;
    if (zk === null || zk.state !== 'CONNECTED' || this.busy || this.holding) return;
    this.busy = true;
    if (this.node !== null) {
      this.check();
      return;
    }
    zk.create(LOCK, '', {}, () => {
      zk.create(`${LOCK}/${this.prefix()}`, this.ctx.name, { ephemeral: true, sequential: true }, (err, path) => {
        if (err === null && path !== null) {
          this.node = path.slice(LOCK.length + 1);
          this.check();
          return;
        }
        // CONNECTIONLOSS: the node may exist; check() finds it by our prefix.
        this.check();
      });
    });
  }

  private check(): void {
    const zk = this.zk;
    if (zk === null || zk.state !== 'CONNECTED') {
      this.busy = false;
      return;
    }
    zk.getChildren(LOCK, {}, (err, children) => {
      if (err !== null || children === null) {
        this.busy = false;
        return;
      }
      if (this.node === null) this.node = children.find((c) => c.startsWith(this.prefix())) ?? null;
      if (this.node === null || !children.includes(this.node)) {
        // Our node is gone (our session expired meanwhile) or was never created: start over.
        this.node = null;
        this.attempt++;
        this.busy = false;
        this.ctx.setTimer(100 * MS, 'retry');
        return;
      }
      const sorted = children.slice().sort((a, b) => seqOf(a) - seqOf(b));
      const i = sorted.indexOf(this.node);
      if (i === 0) {
        this.busy = false;
        if (zk.state !== 'CONNECTED') return;
        this.holding = true;
        this.acquiredAtUs = this.ctx.nowUs();
        this.ctx.annotate(`lock acquired: ${LOCK}/${this.node} is the lowest`);
        this.ctx.observe('lock-held', { client: this.ctx.name });
        this.ctx.setTimer(this.opts.holdMs * MS, 'release');
        return;
      }
      const prev = sorted[i - 1]!;
      this.waitingOn = prev;
      zk.exists(`${LOCK}/${prev}`, { watch: () => {
        if (this.waitingOn === prev) {
          this.waitingOn = null;
          this.busy = false;
          this.tryAcquire();
        }
      } }, (e2, stat) => {
        if (e2 !== null || stat === null) {
          this.waitingOn = null;
          this.busy = false;
          this.tryAcquire();
        }
      });
    });
  }

  onMessage(from: ProcessId, msg: Message): void {
    this.zk?.handleMessage(from, msg);
  }

  onTimer(tag: unknown): void {
    if (isZkClientTimer(tag)) {
      this.zk?.handleTimer(tag);
      return;
    }
    switch (tag) {
      case 'start':
        this.connect();
        return;
      case 'retry':
        this.tryAcquire();
        return;
      case 'release': {
        if (!this.holding || this.ctx.nowUs() - this.acquiredAtUs < this.opts.holdMs * MS) return;
        this.release('done with it');
        const zk = this.zk;
        const node = this.node;
        this.node = null;
        this.attempt++;
        if (zk !== null && node !== null) zk.delete(`${LOCK}/${node}`, -1, () => undefined);
        this.ctx.setTimer(this.opts.pauseMs * MS, 'retry');
        return;
      }
    }
  }

  onDisconnect(peer: ProcessId): void {
    this.zk?.handleDisconnect(peer);
  }

  inspect(): Json {
    const base = this.zk === null ? { role: 'client', state: 'CONNECTING', sessionId: '0x0', server: null } : (this.zk.inspect() as { [k: string]: Json });
    return { ...base, lock: this.holding ? 'held' : this.waitingOn !== null ? `waiting on ${this.waitingOn}` : 'none', node: this.node };
  }
}

/**
 * zk-lock-mutex: never two holders at once. With `mustHold`, each of those clients must have held
 * the lock at some point (so the scenario shows the lock passing).
 */
export function lockMutexChecker(mustHold: readonly string[] = []): Checker {
  const name = 'zk-lock-mutex';
  // A holder that crashed no longer believes anything: the process and incarnation tell.
  let holder: { client: string; pid: ProcessId; incarnation: number } | null = null;
  const held = new Set<string>();
  return {
    name,
    kind: 'safety',
    description: 'at most one client believes it holds the lock at any time',
    attach(world: World) {
      world.onObserve('lock-held', (pid, data) => {
        const c = data.client;
        if (holder !== null && holder.client !== c && world.isUp(holder.pid) && world.incarnation[holder.pid] === holder.incarnation) {
          world.reportViolation(name, `${c} acquired the lock while ${holder.client} still held it`);
        }
        holder = { client: c, pid, incarnation: world.incarnation[pid]! };
        held.add(c);
      });
      world.onObserve('lock-released', (_p, data) => {
        const c = data.client;
        if (holder?.client === c) holder = null;
      });
    },
    finish(world: World) {
      for (const c of mustHold) if (!held.has(c)) world.reportViolation(name, `${c} never held the lock: it never passed`);
    },
  };
}
