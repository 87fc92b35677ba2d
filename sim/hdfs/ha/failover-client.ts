import type { Actor, Context } from '../../core/actor.ts';
import type { Json, ProcessId } from '../../core/types.ts';
import { MS, SEC } from '../../core/types.ts';
import type { HdfsMessage } from '../messages.ts';
import { rpcBytes, type ClientProtocolRequest } from '../protocol.ts';

// A namespace client of an HA nameservice: it makes directories one at a time through
// ConfiguredFailoverProxyProvider's rules (the NameNodes of dfs.ha.namenodes.<ns> in order; a
// StandbyException, a lost connection or a call unanswered for `callTimeoutUs` sends the call to the
// other NameNode after a failover sleep). Every mkdirs is recorded in the history, invoked once and
// completed when a NameNode answers it (ok, or fail with the exception); failovers keep it open.
// (The DFS client of client/ talks to one NameNode; README "HA" Status.)

export interface FailoverClientOptions {
  readonly namenodes: readonly string[];
  readonly paths: readonly string[];
  readonly startUs: number;
  readonly gapUs: number;
  /** The failover sleep (RetryPolicies.failoverOnNetworkException's base sleep, dfs.client.failover.sleep.base.millis 500). */
  readonly failoverSleepUs?: number;
  readonly callTimeoutUs?: number;
}

type Timer = 'go' | { readonly kind: 'timeout'; readonly callId: number };

export class FailoverClient implements Actor<HdfsMessage, Timer> {
  readonly acked: string[] = [];
  readonly failed: string[] = [];
  private i = 0;
  private target = 0;
  private callId = 0;
  private timer = -1;
  private op: number | null = null;
  failovers = 0;

  constructor(private readonly ctx: Context, private readonly opts: FailoverClientOptions) {
    ctx.setTimer(opts.startUs, 'go');
  }

  private nn(): ProcessId {
    return this.ctx.lookup(this.opts.namenodes[this.target]!);
  }

  private send(): void {
    const p = this.opts.paths[this.i];
    if (p === undefined) return;
    if (this.op === null) this.op = this.ctx.invoke('mkdirs', p, null);
    const req: ClientProtocolRequest = { type: 'mkdirs', callId: ++this.callId, src: p, createParent: true };
    this.ctx.send(this.nn(), req, rpcBytes(req));
    this.timer = this.ctx.setTimer(this.opts.callTimeoutUs ?? 10 * SEC, { kind: 'timeout', callId: this.callId });
  }

  private failover(why: string): void {
    this.ctx.cancelTimer(this.timer);
    const from = this.opts.namenodes[this.target];
    this.target = (this.target + 1) % this.opts.namenodes.length;
    this.failovers++;
    this.callId++;
    this.ctx.annotate(`${why} from ${from}: failing over to ${this.opts.namenodes[this.target]}`);
    this.ctx.setTimer(this.opts.failoverSleepUs ?? 500 * MS, 'go');
  }

  onTimer(t: Timer): void {
    if (t === 'go') return this.send();
    if (t.callId === this.callId) this.failover('no answer');
  }

  onMessage(from: ProcessId, m: HdfsMessage): void {
    if (from !== this.nn() || !('callId' in m) || m.callId !== this.callId) return;
    this.ctx.cancelTimer(this.timer);
    const p = this.opts.paths[this.i]!;
    if (m.type === 'RemoteException') {
      if (m.className === 'StandbyException') return this.failover('StandbyException');
      this.failed.push(`${p}: ${m.className}`);
      this.ctx.complete(this.op!, 'fail', null, m.className);
    } else {
      this.acked.push(p);
      this.ctx.complete(this.op!, 'ok', true);
    }
    this.op = null;
    this.i++;
    this.callId++;
    this.ctx.setTimer(this.opts.gapUs, 'go');
  }

  onDisconnect(peer: ProcessId): void {
    if (peer === this.nn() && this.i < this.opts.paths.length) this.failover('connection lost');
  }

  inspect(): Json {
    return { role: 'client', acked: this.acked.length, failed: this.failed.length, target: this.opts.namenodes[this.target]!, failovers: this.failovers };
  }
}

export function failoverClientFactory(opts: FailoverClientOptions): (ctx: Context) => FailoverClient {
  return (ctx) => new FailoverClient(ctx, opts);
}
