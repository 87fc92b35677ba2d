import type { Actor, Context } from '../../../sim/core/actor.ts';
import type { ConfigSchema } from '../../../sim/core/config.ts';
import type { Json, ProcessId } from '../../../sim/core/types.ts';
import { MS } from '../../../sim/core/types.ts';

// A primary-backup register: the kernel's worked example of a replicated service with timeout-based
// failover and no fencing. The primary replicates each write to the backup synchronously, then
// acknowledges it; reads are served by the primary from memory. A backup that hears no heartbeat
// for `pb.failoverTimeoutMs` promotes itself; a primary that hears nothing from its backup for as
// long carries on alone. Clean crashes are survived; a partition or a long pause gives two
// primaries (split brain), and the linearizability checker shows the stale reads and lost writes.

export const pbSchema: ConfigSchema = {
  'pb.clients': { type: 'int', default: 3, min: 1, max: 50, doc: 'number of clients' },
  'pb.clientIntervalMs': { type: 'int', default: 40, min: 1, doc: 'think time between a client\'s operations' },
  'pb.clientTimeoutMs': { type: 'int', default: 800, min: 1, doc: 'client gives up on an operation after this long' },
  'pb.heartbeatMs': { type: 'int', default: 100, min: 1, doc: 'primary -> backup heartbeat interval' },
  'pb.failoverTimeoutMs': { type: 'int', default: 500, min: 1, doc: 'silence after which the backup promotes itself / the primary goes solo' },
  'pb.readFraction': { type: 'double', default: 0.5, min: 0, max: 1, doc: 'fraction of client operations that are reads' },
};

type PbMsg =
  | { readonly type: 'Write'; readonly op: number; readonly value: string }
  | { readonly type: 'Read'; readonly op: number }
  | { readonly type: 'WriteOk'; readonly op: number }
  | { readonly type: 'ReadOk'; readonly op: number; readonly value: string | null }
  | { readonly type: 'NotPrimary'; readonly op: number }
  | { readonly type: 'Replicate'; readonly seq: number; readonly term: number; readonly value: string | null }
  | { readonly type: 'ReplicateAck'; readonly seq: number }
  | { readonly type: 'Heartbeat'; readonly term: number }
  | { readonly type: 'HeartbeatAck'; readonly term: number }
  | { readonly type: 'SyncRequest' }
  | { readonly type: 'SyncState'; readonly term: number; readonly seq: number; readonly value: string | null };

const SMALL = 64;

type Role = 'primary' | 'backup' | 'recovering';

interface PendingWrite {
  readonly client: ProcessId;
  readonly op: number;
  readonly value: string;
}

export class PbServer implements Actor<PbMsg, 'tick'> {
  private role: Role;
  private term = 0;
  private value: string | null = null;
  private seq = 0;
  private lastPeerUs: number;
  private readonly pending = new Map<number, PendingWrite>();
  private readonly peer: ProcessId;
  private readonly heartbeatUs: number;
  private readonly failoverUs: number;

  constructor(private readonly ctx: Context, peerName: string, initiallyPrimary: boolean) {
    this.peer = ctx.lookup(peerName);
    this.heartbeatUs = ctx.config.int('pb.heartbeatMs') * MS;
    this.failoverUs = ctx.config.int('pb.failoverTimeoutMs') * MS;
    this.lastPeerUs = ctx.nowUs();
    // A first boot starts in its configured role; a restart has lost its memory and must resync.
    this.role = ctx.incarnation === 1 ? (initiallyPrimary ? 'primary' : 'backup') : 'recovering';
    if (this.role === 'primary') this.term = 1;
    ctx.setTimer(this.heartbeatUs, 'tick');
  }

  onMessage(from: ProcessId, m: PbMsg): void {
    switch (m.type) {
      case 'Write':
        if (this.role !== 'primary') return this.ctx.send(from, { type: 'NotPrimary', op: m.op }, SMALL);
        return this.write(from, m.op, m.value);
      case 'Read':
        if (this.role !== 'primary') return this.ctx.send(from, { type: 'NotPrimary', op: m.op }, SMALL);
        return this.ctx.send(from, { type: 'ReadOk', op: m.op, value: this.value }, SMALL);
      case 'Replicate':
        if (this.role === 'recovering' || m.term < this.term) return;
        this.stepDownIfBehind(m.term);
        this.value = m.value;
        this.seq = m.seq;
        this.lastPeerUs = this.ctx.nowUs();
        return this.ctx.send(from, { type: 'ReplicateAck', seq: m.seq }, SMALL);
      case 'ReplicateAck': {
        this.lastPeerUs = this.ctx.nowUs();
        const w = this.pending.get(m.seq);
        if (w === undefined) return;
        this.pending.delete(m.seq);
        return this.ctx.send(w.client, { type: 'WriteOk', op: w.op }, SMALL);
      }
      case 'Heartbeat':
        this.stepDownIfBehind(m.term);
        if (m.term >= this.term && this.role !== 'primary') this.lastPeerUs = this.ctx.nowUs();
        return this.ctx.send(from, { type: 'HeartbeatAck', term: this.term }, SMALL);
      case 'HeartbeatAck':
        this.stepDownIfBehind(m.term);
        if (this.role === 'primary') this.lastPeerUs = this.ctx.nowUs();
        return;
      case 'SyncRequest':
        if (this.role !== 'primary') return;
        this.lastPeerUs = this.ctx.nowUs();
        this.ctx.send(from, { type: 'SyncState', term: this.term, seq: this.seq, value: this.value }, SMALL);
        // The synced state covers every pending write (a register keeps the latest value).
        for (const w of this.pending.values()) this.ctx.send(w.client, { type: 'WriteOk', op: w.op }, SMALL);
        this.pending.clear();
        return;
      case 'SyncState':
        if (this.role !== 'recovering') return;
        this.role = 'backup';
        this.term = m.term;
        this.seq = m.seq;
        this.value = m.value;
        this.lastPeerUs = this.ctx.nowUs();
        this.ctx.annotate(`synced from the primary (term ${m.term}): now a backup`);
        return;
      default:
        return;
    }
  }

  private write(client: ProcessId, op: number, value: string): void {
    this.value = value;
    this.seq++;
    if (this.solo()) {
      this.ctx.send(client, { type: 'WriteOk', op }, SMALL);
      return;
    }
    this.pending.set(this.seq, { client, op, value });
    this.ctx.send(this.peer, { type: 'Replicate', seq: this.seq, term: this.term, value }, SMALL);
  }

  private solo(): boolean {
    return this.ctx.nowUs() - this.lastPeerUs > this.failoverUs;
  }

  /** A server that learns of a higher term gives up its role and resyncs: whatever it held alone is lost. */
  private stepDownIfBehind(term: number): void {
    if (term <= this.term) return;
    if (this.role === 'primary') {
      this.ctx.annotate(`saw term ${term} > own term ${this.term}: stepping down and resyncing (writes it took alone are lost)`);
      this.role = 'recovering';
      this.pending.clear();
    }
    this.term = term;
  }

  onTimer(): void {
    this.ctx.setTimer(this.heartbeatUs, 'tick');
    const silentUs = this.ctx.nowUs() - this.lastPeerUs;
    if (this.role === 'primary') {
      this.ctx.send(this.peer, { type: 'Heartbeat', term: this.term }, SMALL);
      if (silentUs > this.failoverUs && this.pending.size > 0) {
        // The backup is presumed dead: acknowledge what it never confirmed and carry on alone.
        this.ctx.annotate(`backup silent for ${(silentUs / 1000).toFixed(0)} ms > pb.failoverTimeoutMs: acknowledging ${this.pending.size} writes alone`);
        for (const w of this.pending.values()) this.ctx.send(w.client, { type: 'WriteOk', op: w.op }, SMALL);
        this.pending.clear();
      }
    } else if (this.role === 'backup') {
      if (silentUs > this.failoverUs) {
        this.role = 'primary';
        this.term++;
        this.ctx.annotate(`no heartbeat for ${(silentUs / 1000).toFixed(0)} ms > pb.failoverTimeoutMs: promoting to primary, term ${this.term}`);
      }
    } else {
      this.ctx.send(this.peer, { type: 'SyncRequest' }, SMALL);
    }
  }

  onDisconnect(peer: ProcessId): void {
    if (peer === this.peer && this.role === 'primary') this.lastPeerUs = -Infinity;
  }

  inspect(): Json {
    return { role: this.role, term: this.term, seq: this.seq, value: this.value, pending: this.pending.size };
  }
}

type Outstanding = { readonly op: number; readonly kind: 'read' | 'write'; readonly sentUs: number; readonly server: ProcessId };

export class PbClient implements Actor<PbMsg, 'next' | 'timeout'> {
  private servers: ProcessId[];
  private current = 0;
  private outstanding: Outstanding | null = null;
  private counter = 0;
  private done = 0;
  private readonly intervalUs: number;
  private readonly timeoutUs: number;
  private readonly readFraction: number;
  private timeoutTimer = -1;

  constructor(private readonly ctx: Context, serverNames: readonly string[]) {
    this.servers = serverNames.map((n) => ctx.lookup(n));
    this.intervalUs = ctx.config.int('pb.clientIntervalMs') * MS;
    this.timeoutUs = ctx.config.int('pb.clientTimeoutMs') * MS;
    this.readFraction = ctx.config.num('pb.readFraction');
    ctx.setTimer(ctx.rng.int(0, this.intervalUs), 'next');
  }

  private issue(): void {
    const server = this.servers[this.current]!;
    if (this.ctx.rng.bernoulli(this.readFraction)) {
      const op = this.ctx.invoke('read', null, null);
      this.outstanding = { op, kind: 'read', sentUs: this.ctx.nowUs(), server };
      this.ctx.send(server, { type: 'Read', op }, SMALL);
    } else {
      const value = `${this.ctx.name}:${++this.counter}`;
      const op = this.ctx.invoke('write', null, value);
      this.outstanding = { op, kind: 'write', sentUs: this.ctx.nowUs(), server };
      this.ctx.send(server, { type: 'Write', op, value }, SMALL);
    }
    this.timeoutTimer = this.ctx.setTimer(this.timeoutUs, 'timeout');
  }

  private finish(then: 'switch' | 'stay'): void {
    this.ctx.cancelTimer(this.timeoutTimer);
    this.outstanding = null;
    this.done++;
    if (then === 'switch') this.current = (this.current + 1) % this.servers.length;
    this.ctx.setTimer(this.intervalUs, 'next');
  }

  onMessage(_from: ProcessId, m: PbMsg): void {
    const o = this.outstanding;
    if (o === null || !('op' in m) || m.op !== o.op) return;
    if (m.type === 'WriteOk') {
      this.ctx.complete(o.op, 'ok', undefined);
      this.finish('stay');
    } else if (m.type === 'ReadOk') {
      this.ctx.complete(o.op, 'ok', m.value);
      this.finish('stay');
    } else if (m.type === 'NotPrimary') {
      this.ctx.complete(o.op, 'fail', undefined, 'not primary');
      this.finish('switch');
    }
  }

  onTimer(tag: 'next' | 'timeout'): void {
    if (tag === 'next') {
      if (this.outstanding === null) this.issue();
      return;
    }
    const o = this.outstanding;
    if (o === null) return;
    // A timed-out read changed nothing; a timed-out write may or may not have happened.
    if (o.kind === 'read') this.ctx.complete(o.op, 'fail', undefined, 'timeout');
    else this.ctx.complete(o.op, 'info', undefined, 'timeout');
    this.finish('switch');
  }

  onDisconnect(peer: ProcessId): void {
    const o = this.outstanding;
    if (o === null || o.server !== peer) return;
    if (o.kind === 'read') this.ctx.complete(o.op, 'fail', undefined, 'connection closed');
    else this.ctx.complete(o.op, 'info', undefined, 'connection closed');
    this.finish('switch');
  }

  inspect(): Json {
    return { role: 'client', server: this.ctx.nameOf(this.servers[this.current]!), outstanding: this.outstanding?.kind ?? null, done: this.done };
  }
}
