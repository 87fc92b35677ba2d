import type { Actor, Context } from '../../core/actor.ts';
import type { Json, Message, ProcessId } from '../../core/types.ts';
import { MS, SEC } from '../../core/types.ts';
import { isZkClientTimer, ZkClient, type ZkClientTimer, type ZkSessionEvent } from '../../zookeeper/client.ts';
import { HA_RPC_BYTES, type HaServiceRequest, type HaServiceResponse } from './ha-protocol.ts';
import './observations.ts';

// The ZKFailoverController beside a NameNode (DFSZKFailoverController / ZKFailoverController,
// HealthMonitor and ActiveStandbyElector of hadoop-common, Hadoop 3.3):
//
// - HealthMonitor: monitorHealth on the local NameNode every ha.health-monitor.check-interval.ms,
//   each call given ha.health-monitor.rpc-timeout.ms; an answer makes the service SERVICE_HEALTHY,
//   an error, a timeout or a lost connection SERVICE_NOT_RESPONDING.
// - While healthy the elector is in the election (joinElection): it creates the ephemeral lock
//   znode /hadoop-ha/<ns>/ActiveStandbyElectorLock on its ZooKeeper session
//   (ha.zookeeper.session-timeout.ms). Created: becomeActive. NODEEXISTS: becomeStandby and watch
//   the lock; its deletion starts another attempt. Unhealthy: quitElection(needFence=true): the
//   session is closed, the lock goes with it, the breadcrumb stays (the next active fences us).
// - becomeActive (ActiveStandbyElector.becomeActive -> fenceOldActive, writeBreadCrumbNode,
//   ZKFailoverController.becomeActive): read /hadoop-ha/<ns>/ActiveBreadCrumb; when it names the
//   other NameNode, fence it: first gracefully (transitionToStandby, with
//   ha.failover-controller.graceful-fence.rpc-timeout.ms), then by the configured fencing
//   methods; write our breadcrumb; transitionToActive on the local NameNode
//   (ha.failover-controller.new-active.rpc-timeout.ms). A failure leaves the election and joins it
//   again a second later (SLEEP_AFTER_FAILURE_TO_BECOME_ACTIVE).
// - Session events: Disconnected -> neutral (the NameNode keeps its state); SyncConnected again ->
//   check the lock; Expired -> a new session and a new attempt (reJoinElection).
//
// Fencing methods: `shell(/bin/true)` (the usual setting with QJM, whose epochs fence the writer)
// succeeds at once; dsim has no ssh, so `sshfence` is not offered (README Deviations).

export interface ZkfcOptions {
  readonly nameservice: string;
  /** The local NameNode and the other one. */
  readonly namenode: string;
  readonly otherNamenode: string;
  /** ha.zookeeper.quorum: ZooKeeper server process names. */
  readonly zkServers: readonly string[];
  readonly sessionTimeoutMs: number;
  readonly healthCheckIntervalMs: number;
  readonly healthRpcTimeoutMs: number;
  readonly gracefulFenceTimeoutMs: number;
  readonly newActiveTimeoutMs: number;
  /** dfs.ha.fencing.methods, parsed: each method is tried in order until one succeeds. */
  readonly fencingMethods: readonly string[];
}

type ZkfcTimer =
  | { readonly kind: 'health' }
  | { readonly kind: 'rpc-timeout'; readonly callId: number }
  | { readonly kind: 'rejoin' }
  | ZkClientTimer;

export type HealthState = 'INITIALIZING' | 'SERVICE_HEALTHY' | 'SERVICE_NOT_RESPONDING' | 'SERVICE_UNHEALTHY';
export type ElectorState = 'NEUTRAL' | 'ACTIVE' | 'STANDBY';

const SLEEP_AFTER_FAILURE_US = 1 * SEC;

export class Zkfc implements Actor<Message, ZkfcTimer> {
  health: HealthState = 'INITIALIZING';
  elector: ElectorState = 'NEUTRAL';
  private zk: ZkClient | null = null;
  private inElection = false;
  private parentsReady = false;
  private attempting = false;
  private nextCallId = 1;
  private readonly pending = new Map<number, { to: string; timer: number; cb: (r: HaServiceResponse | null) => void }>();
  private healthInFlight = false;
  private readonly lockPath: string;
  private readonly crumbPath: string;
  fenced = 0;

  constructor(private readonly ctx: Context, private readonly opts: ZkfcOptions) {
    this.lockPath = `/hadoop-ha/${opts.nameservice}/ActiveStandbyElectorLock`;
    this.crumbPath = `/hadoop-ha/${opts.nameservice}/ActiveBreadCrumb`;
    this.connect();
    ctx.setTimer(0, { kind: 'health' });
  }

  private get me(): string {
    return `${this.opts.nameservice}/${this.opts.namenode}`;
  }

  // ------------------------------------------------------------------ RPCs to the NameNodes

  private call(to: string, type: HaServiceRequest['type'], timeoutMs: number, cb: (r: HaServiceResponse | null) => void): void {
    const callId = this.nextCallId++;
    const req = { type, callId } as HaServiceRequest;
    const timer = this.ctx.setTimer(timeoutMs * MS, { kind: 'rpc-timeout', callId });
    this.pending.set(callId, { to, timer, cb });
    this.ctx.send(this.ctx.lookup(to), req, HA_RPC_BYTES);
  }

  private settle(callId: number, r: HaServiceResponse | null): void {
    const p = this.pending.get(callId);
    if (p === undefined) return;
    this.pending.delete(callId);
    this.ctx.cancelTimer(p.timer);
    p.cb(r);
  }

  // ------------------------------------------------------------------ HealthMonitor

  private checkHealth(): void {
    if (this.healthInFlight) return;
    this.healthInFlight = true;
    this.call(this.opts.namenode, 'haMonitorHealth', this.opts.healthRpcTimeoutMs, (r) => {
      this.healthInFlight = false;
      this.setHealth(r !== null && r.type === 'haOk' ? 'SERVICE_HEALTHY' : r !== null && r.type === 'haError' && r.className === 'HealthCheckFailedException' ? 'SERVICE_UNHEALTHY' : 'SERVICE_NOT_RESPONDING');
    });
  }

  private setHealth(h: HealthState): void {
    if (h === this.health) return;
    this.ctx.annotate(`local service ${this.opts.namenode} entered state ${h}`);
    this.health = h;
    // ZKFailoverController.recheckElectability
    if (h === 'SERVICE_HEALTHY') this.joinElection();
    else this.quitElection(true);
  }

  // ------------------------------------------------------------------ ActiveStandbyElector

  private connect(): void {
    this.zk = new ZkClient(this.ctx, { connectString: this.opts.zkServers, sessionTimeoutMs: this.opts.sessionTimeoutMs, onEvent: (e) => this.onSession(e), recordHistory: false });
    this.parentsReady = false;
  }

  private onSession(e: ZkSessionEvent): void {
    switch (e.state) {
      case 'SyncConnected':
        this.ensureParents(() => {
          if (this.inElection) this.createLockNode();
        });
        return;
      case 'Disconnected':
        if (this.elector !== 'NEUTRAL') this.ctx.annotate('session disconnected: entering neutral mode');
        this.elector = 'NEUTRAL';
        return;
      case 'Expired':
        this.ctx.annotate('session expired: re-joining the election with a new session');
        this.elector = 'NEUTRAL';
        this.attempting = false;
        this.connect();
        return;
      case 'Closed':
        return;
    }
  }

  /** ZKFC -formatZK's parents, created if missing (README Deviations). */
  private ensureParents(then: () => void): void {
    if (this.parentsReady) return then();
    const zk = this.zk!;
    zk.create('/hadoop-ha', '', {}, (err) => {
      if (err !== null && err !== 'NODEEXISTS') return;
      zk.create(`/hadoop-ha/${this.opts.nameservice}`, '', {}, (err2) => {
        if (err2 !== null && err2 !== 'NODEEXISTS') return;
        this.parentsReady = true;
        then();
      });
    });
  }

  private joinElection(): void {
    if (this.inElection) return;
    this.inElection = true;
    if (this.zk === null || this.zk.state === 'CLOSED' || this.zk.state === 'EXPIRED') this.connect();
    else if (this.zk.state === 'CONNECTED') this.ensureParents(() => this.createLockNode());
  }

  /** quitElection(needFence): the session closes (the lock goes); with needFence the breadcrumb stays. */
  private quitElection(needFence: boolean): void {
    if (!this.inElection) return;
    this.ctx.annotate(`quitting master election for ${this.opts.namenode}${needFence ? ' (the breadcrumb stays: the next active fences it)' : ''}`);
    this.inElection = false;
    this.attempting = false;
    this.elector = 'NEUTRAL';
    this.zk?.close();
    this.zk = null;
  }

  private createLockNode(): void {
    const zk = this.zk;
    if (zk === null || !this.inElection || this.attempting || this.elector === 'ACTIVE') return;
    this.attempting = true;
    zk.create(this.lockPath, this.me, { ephemeral: true }, (err) => {
      this.attempting = false;
      if (zk !== this.zk || !this.inElection) return;
      if (err === null) return this.becomeActive();
      if (err === 'NODEEXISTS') {
        this.becomeStandby();
        this.monitorLock();
        return;
      }
      // CONNECTIONLOSS and the like: the session event decides what comes next.
    });
  }

  private monitorLock(): void {
    const zk = this.zk!;
    zk.exists(this.lockPath, {
      watch: (ev) => {
        if (zk === this.zk && ev.type === 'NodeDeleted') this.createLockNode();
      },
    }, (err, stat) => {
      if (zk === this.zk && err === null && stat === null) this.createLockNode();
    });
  }

  private becomeActive(): void {
    const zk = this.zk!;
    zk.getData(this.crumbPath, {}, (err, data) => {
      if (zk !== this.zk) return;
      if (err !== null && err !== 'NONODE') return this.rejoinLater(`reading the breadcrumb failed: ${err}`);
      const old = err === null ? data : null;
      const afterFence = (): void => {
        const write = (cb: (e: string | null) => void): void => {
          if (old === null) zk.create(this.crumbPath, this.me, {}, (e) => cb(e));
          else zk.setData(this.crumbPath, this.me, -1, (e) => cb(e));
        };
        write((e) => {
          if (zk !== this.zk) return;
          if (e !== null) return this.rejoinLater(`writing the breadcrumb failed: ${e}`);
          this.call(this.opts.namenode, 'haTransitionToActive', this.opts.newActiveTimeoutMs, (r) => {
            if (zk !== this.zk) return;
            if (r === null || r.type !== 'haOk') return this.rejoinLater(`Couldn't make NameNode ${this.opts.namenode} active: ${r === null ? 'no answer' : r.type === 'haError' ? r.message : r.type}`);
            this.elector = 'ACTIVE';
            this.ctx.annotate(`successfully transitioned ${this.opts.namenode} to active state`);
          });
        });
      };
      if (old === null || old === this.me) return afterFence();
      this.fenceOldActive(old, (ok) => (ok ? afterFence() : this.rejoinLater(`unable to fence old active ${old}`)));
    });
  }

  /** ZKFailoverController.fenceOldActive: graceful transitionToStandby, then the fencing methods. */
  private fenceOldActive(old: string, done: (ok: boolean) => void): void {
    const target = old.slice(old.indexOf('/') + 1);
    this.ctx.annotate(`should fence: ${target}`);
    this.call(target, 'haTransitionToStandby', this.opts.gracefulFenceTimeoutMs, (r) => {
      if (r !== null && r.type === 'haOk') {
        this.ctx.annotate(`successfully transitioned ${target} to standby state without fencing`);
        return done(true);
      }
      for (const m of this.opts.fencingMethods) {
        // shell(/bin/true): the command's exit code 0.
        if (m === 'shell(/bin/true)') {
          this.fenced++;
          this.ctx.annotate(`fencing method ${m} was successful against ${target}`);
          return done(true);
        }
      }
      done(false);
    });
  }

  private becomeStandby(): void {
    if (this.elector === 'STANDBY') return;
    this.elector = 'STANDBY';
    this.call(this.opts.namenode, 'haTransitionToStandby', this.opts.newActiveTimeoutMs, (r) => {
      if (r === null || r.type !== 'haOk') this.ctx.annotate(`couldn't make ${this.opts.namenode} standby: ${r === null ? 'no answer' : r.type === 'haError' ? r.message : r.type}`);
    });
  }

  private rejoinLater(why: string): void {
    this.ctx.annotate(`${why}; leaving the election for ${SLEEP_AFTER_FAILURE_US / SEC} s`);
    this.quitElection(false);
    this.ctx.setTimer(SLEEP_AFTER_FAILURE_US, { kind: 'rejoin' });
  }

  // ------------------------------------------------------------------ actor

  onMessage(from: ProcessId, msg: Message): void {
    if (this.zk?.handleMessage(from, msg) === true) return;
    const m = msg as HaServiceResponse;
    if (m.type === 'haOk' || m.type === 'haError' || m.type === 'haServiceStatus') {
      const p = this.pending.get(m.callId);
      if (p !== undefined && p.to === this.ctx.nameOf(from)) this.settle(m.callId, m);
    }
  }

  onTimer(t: ZkfcTimer): void {
    if (isZkClientTimer(t)) {
      this.zk?.handleTimer(t);
      return;
    }
    switch (t.kind) {
      case 'health':
        this.checkHealth();
        this.ctx.setTimer(this.opts.healthCheckIntervalMs * MS, t);
        return;
      case 'rpc-timeout':
        this.settle(t.callId, null);
        return;
      case 'rejoin':
        if (this.health === 'SERVICE_HEALTHY') this.joinElection();
        return;
    }
  }

  onDisconnect(peer: ProcessId): void {
    if (this.zk?.handleDisconnect(peer) === true) return;
    const name = this.ctx.nameOf(peer);
    for (const [id, p] of [...this.pending]) if (p.to === name) this.settle(id, null);
  }

  inspect(): Json {
    return { role: 'zkfc', namenode: this.opts.namenode, health: this.health, elector: this.elector, inElection: this.inElection, zk: this.zk?.state ?? 'none', fenced: this.fenced };
  }
}

export function zkfcFactory(opts: ZkfcOptions): (ctx: Context) => Zkfc {
  return (ctx) => new Zkfc(ctx, opts);
}
