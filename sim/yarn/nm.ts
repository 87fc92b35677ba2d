import type { Actor, Context } from '../core/actor.ts';
import { invariant } from '../core/invariant.ts';
import type { Json, Message, ProcessId } from '../core/types.ts';
import { MS } from '../core/types.ts';
import { AppMaster, type AmHost } from './am.ts';
import { ExitStatus, type ContainerStatus, type NodeHeartbeatResponse, type StartContainers, type ToNm, type YarnMessage } from './messages.ts';
import { DiskHealthChecker, type DiskHealth } from './nm-health.ts';
import type { Resource } from './resource.ts';

// The NodeManager (nm-N on worker host w-N). NodeStatusUpdaterImpl: registers with the RM
// (retrying every yarn.resourcemanager.connect.retry-interval), then heartbeats every interval the
// RM hands out with the status of every container (RUNNING, or COMPLETE with its exit status until
// the RM lists it in containersToBeRemovedFromNM); kills what the RM lists in containersToCleanup;
// on RESYNC registers again, reporting the containers it still runs. ContainerManagerImpl:
// startContainers from the RM's AM launcher or from an AM, stopContainers from an AM. A task
// container runs for its duration and exits with its exit status; an AM container runs an
// AppMaster object inside this process until the AM exits. No NM recovery
// (yarn.nodemanager.recovery.enabled false): a restarted NM starts with no containers.

type NmTimer =
  | { readonly t: 'aux'; readonly tag: unknown }
  | { readonly t: 'register' }
  | { readonly t: 'heartbeat' }
  | { readonly t: 'task'; readonly id: string }
  | { readonly t: 'am'; readonly attemptId: string }
  | { readonly t: 'disk-check' };

interface NmContainer {
  readonly id: string;
  readonly attemptId: string;
  readonly resource: Resource;
  state: 'RUNNING' | 'COMPLETE';
  exitStatus: number;
  timer: number | null;
  /** The AM's heartbeat timer (AM containers). */
  amTimer: number | null;
  am: AppMaster | null;
  /** A task's exit status when its duration is over. */
  exit: number;
  /** Run by the auxiliary service (launch kind 'aux'). */
  aux: boolean;
  status: ContainerStatus | null;
}

/** Where this model numbers a NodeManager's ephemeral port from (incarnation 1 is EPHEMERAL_PORT_BASE + 1). */
export const EPHEMERAL_PORT_BASE = 45453;

export interface NodeManagerOptions {
  readonly rack: string;
  /** The RM's process name. */
  readonly rm?: string;
  /**
   * yarn.nodemanager.aux-services: a service living in the NM process (MapReduce's
   * mapreduce_shuffle: the ShuffleHandler, and here also the runtime of MapReduce's AM and task
   * containers). Built with the NM, so a restarted NM has a fresh one.
   */
  readonly auxService?: { readonly name: string; readonly make: (host: NmAuxHost) => NmAuxService };
}

/** What the NodeManager gives its auxiliary service. */
export interface NmAuxHost {
  /** The NM's context: send, disk, config, rng, observe, annotate (timers go through setTimer below). */
  readonly ctx: Context;
  readonly nodeId: string;
  readonly rack: string;
  /** A timer whose tag comes back to NmAuxService.onTimer. */
  setTimer(delayUs: number, tag: unknown): number;
  cancelTimer(id: number): void;
  /** A container the service runs ended: the NM reports it to the RM with this exit status. */
  exit(containerId: string, exitStatus: number, why: string): void;
}

/** An auxiliary service (AuxServices): gets what the NM itself does not handle. */
export interface NmAuxService {
  onMessage(from: ProcessId, m: Message): void;
  onTimer(tag: unknown): void;
  onDisconnect(peer: ProcessId): void;
  /** Runs a container launched with kind 'aux' (its AM or task program). */
  launch(containerId: string, attemptId: string, appId: string, args: Json): void;
  /** The container was stopped (StopContainers, the RM's cleanup): its program ends now. */
  stopped(containerId: string): void;
  inspect(): Json;
}

/** The message types the NM handles itself; everything else goes to the auxiliary service. */
const NM_MESSAGES: ReadonlySet<string> = new Set<ToNm['type']>([
  'RegisterNodeManagerResponse', 'NodeHeartbeatResponse', 'StartContainers', 'StopContainers', 'StartContainersResponse',
  'RegisterApplicationMasterResponse', 'AllocateResponse', 'FinishApplicationMasterResponse',
]);

export class NodeManager implements Actor<ToNm, NmTimer> {
  private readonly rm: ProcessId;
  readonly nodeId: string;
  /**
   * This incarnation's port: yarn.nodemanager.address defaults to host:0, an ephemeral port, so a
   * restarted NodeManager is a new NodeId (host:port) to the RM and to container tokens. Ports are
   * numbered by incarnation (deterministic, and distinct across restarts as ephemeral ports are).
   */
  readonly port: number;
  readonly capability: Resource;
  state: 'REGISTERING' | 'RUNNING' = 'REGISTERING';
  private heartbeatUs: number;
  private readonly retryUs: number;
  private responseId = 0;
  readonly containers = new Map<string, NmContainer>();
  /**
   * The statuses of the last heartbeat, sent again while no container started, ended or was
   * forgotten (null: rebuild). Never changed once sent: a new array replaces it.
   */
  private statusCache: readonly ContainerStatus[] | null = null;
  /** Running AM containers by attempt id. */
  private readonly ams = new Map<string, NmContainer>();
  /**
   * NMContainerTokenSecretManager's recentlyStartedContainerTracker: containers started here, kept
   * until their token expires, so that a late or repeated startContainers of a container that already
   * ran and was forgotten is refused instead of running it twice. In start order (token expiries
   * grow with allocation time), pruned from the front.
   */
  private readonly recentlyStarted = new Map<string, number>();
  private heartbeatTimer: number | null = null;
  private registerTimer: number | null = null;
  allocatedMb = 0;
  allocatedVcores = 0;
  readonly aux: NmAuxService | null;
  private readonly diskChecker: DiskHealthChecker;
  /** The last disk health check's verdict (NodeHealthCheckerService), reported in every heartbeat. */
  health: DiskHealth = { healthy: true, report: '' };

  constructor(readonly ctx: Context, readonly opts: NodeManagerOptions) {
    this.rm = ctx.lookup(opts.rm ?? 'rm');
    this.nodeId = ctx.hostName;
    this.port = EPHEMERAL_PORT_BASE + ctx.incarnation;
    const cfg = ctx.config;
    this.capability = { memoryMb: cfg.int('yarn.nodemanager.resource.memory-mb'), vcores: cfg.int('yarn.nodemanager.resource.cpu-vcores') };
    this.heartbeatUs = cfg.int('yarn.resourcemanager.nodemanagers.heartbeat-interval-ms') * MS;
    this.retryUs = cfg.int('yarn.resourcemanager.nodemanager-connect-retry-interval-ms') * MS;
    this.aux = opts.auxService === undefined ? null : opts.auxService.make({
      ctx, nodeId: this.nodeId, rack: opts.rack,
      setTimer: (d, tag) => ctx.setTimer(d, { t: 'aux', tag }),
      cancelTimer: (id) => ctx.cancelTimer(id),
      exit: (id, status, why) => {
        const c = this.containers.get(id);
        if (c !== undefined && c.state === 'RUNNING') this.finishContainer(c, status, why);
      },
    });
    this.diskChecker = new DiskHealthChecker(cfg);
    if (this.diskChecker.enabled) {
      // LocalDirsHandlerService.serviceInit checks at once, then every interval.
      this.checkDisks();
      ctx.setTimer(this.diskChecker.intervalMs * MS, { t: 'disk-check' });
    }
    this.register();
  }

  private checkDisks(): void {
    const before = this.health.healthy;
    this.health = this.diskChecker.check(this.ctx.disk);
    if (before !== this.health.healthy && this.ctx.tracing) this.ctx.annotate(this.health.healthy ? `disks turned good` : `Most of the disks failed. ${this.health.report}`);
  }

  private register(): void {
    this.state = 'REGISTERING';
    const running: ContainerStatus[] = [];
    for (const c of this.containers.values()) if (c.state === 'RUNNING') running.push({ containerId: c.id, state: 'RUNNING', exitStatus: ExitStatus.INVALID });
    this.ctx.send(this.rm, { type: 'RegisterNodeManager', nodeId: this.nodeId, host: this.ctx.hostName, rack: this.opts.rack, port: this.port, capability: this.capability, running }, 256);
    if (this.registerTimer !== null) this.ctx.cancelTimer(this.registerTimer);
    this.registerTimer = this.ctx.setTimer(this.retryUs, { t: 'register' });
  }

  onTimer(tag: NmTimer): void {
    switch (tag.t) {
      case 'aux':
        this.aux?.onTimer(tag.tag);
        return;
      case 'disk-check':
        this.checkDisks();
        this.ctx.setTimer(this.diskChecker.intervalMs * MS, tag);
        return;
      case 'register':
        this.registerTimer = null;
        if (this.state === 'REGISTERING') this.register();
        return;
      case 'heartbeat':
        this.heartbeatTimer = null;
        if (this.state === 'RUNNING') this.heartbeat();
        return;
      case 'task': {
        const c = this.containers.get(tag.id);
        if (c === undefined || c.state !== 'RUNNING') return;
        c.timer = null;
        this.finishContainer(c, c.exit, 'task done');
        return;
      }
      case 'am': {
        const c = this.amContainer(tag.attemptId);
        if (c === undefined) return;
        c.amTimer = null;
        c.am?.onTimer();
        return;
      }
    }
  }

  /** NodeStatusUpdaterImpl.getContainerStatuses: every container, running or completed and not yet acknowledged. */
  protected statusesForHeartbeat(): readonly ContainerStatus[] {
    if (this.statusCache !== null) return this.statusCache;
    const statuses: ContainerStatus[] = [];
    for (const c of this.containers.values()) {
      // The same status object while nothing changed: no garbage per container per heartbeat.
      if (c.status === null || c.status.state !== c.state) c.status = { containerId: c.id, state: c.state, exitStatus: c.exitStatus };
      statuses.push(c.status);
    }
    this.statusCache = statuses;
    return statuses;
  }

  private heartbeat(): void {
    const statuses = this.statusesForHeartbeat();
    this.ctx.send(this.rm, { type: 'NodeHeartbeat', nodeId: this.nodeId, responseId: this.responseId, statuses, healthy: this.health.healthy, healthReport: this.health.report }, 64 + 24 * statuses.length);
    this.heartbeatTimer = this.ctx.setTimer(this.heartbeatUs, { t: 'heartbeat' });
  }

  onMessage(from: ProcessId, m: ToNm): void {
    if (!NM_MESSAGES.has(m.type)) {
      // Not ContainerManagement/ResourceTracker/AM protocol: the auxiliary service's (shuffle, umbilical, HDFS answers).
      this.aux?.onMessage(from, m as Message);
      return;
    }
    switch (m.type) {
      case 'NodeHeartbeatResponse':
        return this.heartbeatAnswered(m);
      case 'RegisterNodeManagerResponse':
        if (this.state !== 'REGISTERING' || m.nodeAction !== 'NORMAL') return;
        this.state = 'RUNNING';
        this.heartbeatUs = m.heartbeatIntervalMs * MS;
        if (this.registerTimer !== null) this.ctx.cancelTimer(this.registerTimer);
        this.registerTimer = null;
        if (this.heartbeatTimer === null) this.heartbeat();
        return;
      case 'StartContainers':
        return this.startContainer(from, m);
      case 'StopContainers':
        for (const id of m.containerIds) {
          const c = this.containers.get(id);
          if (c !== undefined && c.state === 'RUNNING') this.finishContainer(c, m.exitStatus, 'stopped by the application master');
        }
        return;
      default: {
        // The AM-side protocol: to the AM this message belongs to.
        const c = this.amContainer(m.attemptId);
        if (c?.am != null) c.am.onMessage(m);
        else if (this.aux !== null) this.aux.onMessage(from, m);
      }
    }
  }

  onDisconnect(peer: ProcessId): void {
    this.aux?.onDisconnect(peer);
  }

  private heartbeatAnswered(m: NodeHeartbeatResponse): void {
    if (m.nodeAction === 'RESYNC') {
      if (this.state === 'RUNNING') {
        if (this.heartbeatTimer !== null) this.ctx.cancelTimer(this.heartbeatTimer);
        this.heartbeatTimer = null;
        this.register();
      }
      return;
    }
    if (m.nodeAction === 'SHUTDOWN') return this.ctx.exit('the RM asked the NodeManager to shut down');
    this.responseId = m.responseId;
    for (const id of m.containersToCleanup) {
      const c = this.containers.get(id);
      if (c !== undefined && c.state === 'RUNNING') this.finishContainer(c, ExitStatus.KILLED_BY_RESOURCEMANAGER, 'killed on the RM\'s request');
    }
    for (const id of m.containersToBeRemovedFromNM) {
      const c = this.containers.get(id);
      if (c !== undefined && c.state === 'COMPLETE') {
        this.containers.delete(id);
        this.statusCache = null;
      }
    }
  }

  private startContainer(from: ProcessId, m: StartContainers): void {
    const answer = (ok: boolean, error: string): void => this.ctx.send(from, { type: 'StartContainersResponse', attemptId: m.attemptId, containerId: m.container.id, ok, error }, 64);
    if (this.state !== 'RUNNING') return answer(false, `NodeManager ${this.nodeId} is not registered with the ResourceManager`);
    // NMContainerTokenSecretManager.retrievePassword: the token names the NodeId (host:port) it was
    // issued for; one issued to an earlier incarnation of this node (another port) is refused.
    if (m.container.nodeId !== this.nodeId || m.container.nodePort !== this.port) {
      return answer(false, `Given Container ${m.container.id} identifier is not valid for current Node manager. Expected : ${this.nodeId}:${this.port} Found : ${m.container.nodeId}:${m.container.nodePort}`);
    }
    const known = this.containers.get(m.container.id);
    // A retried startContainers (its answer was lost) finds the container started: same answer.
    if (known !== undefined) return known.state === 'RUNNING' && known.attemptId === m.attemptId ? answer(true, '') : answer(false, `Container ${m.container.id} already is running on this node`);
    if (m.launch.kind === 'aux' && (this.aux === null || this.opts.auxService?.name !== m.launch.service)) {
      // ContainerManagerImpl's InvalidAuxServiceException.
      return answer(false, `The auxService:${m.launch.service} do not exist`);
    }
    // NMContainerTokenSecretManager.isValidStartContainerRequest and ContainerManagerImpl's token
    // checks: a container this NM started before (and has since forgotten), or an expired token.
    const now = this.ctx.nowUs();
    for (const [id, exp] of this.recentlyStarted) {
      if (exp >= now) break;
      this.recentlyStarted.delete(id);
    }
    if (this.recentlyStarted.has(m.container.id)) return answer(false, `Attempt to relaunch the same container with id ${m.container.id}.`);
    if (m.container.tokenExpiryUs < now) return answer(false, `This token is expired. current time is ${now / MS} found ${m.container.tokenExpiryUs / MS}`);
    this.recentlyStarted.set(m.container.id, m.container.tokenExpiryUs);
    const c: NmContainer = { id: m.container.id, attemptId: m.attemptId, resource: m.container.resource, state: 'RUNNING', exitStatus: ExitStatus.INVALID, timer: null, amTimer: null, am: null, exit: ExitStatus.SUCCESS, status: null, aux: m.launch.kind === 'aux' };
    this.containers.set(c.id, c);
    this.statusCache = null;
    this.allocatedMb += c.resource.memoryMb;
    this.allocatedVcores += c.resource.vcores;
    this.ctx.observe('yarn-nm-container', { node: this.nodeId, id: c.id, state: 'RUNNING', exitStatus: ExitStatus.INVALID, memoryMb: c.resource.memoryMb, vcores: c.resource.vcores, capacityMb: this.capability.memoryMb, capacityVcores: this.capability.vcores });
    answer(true, '');
    // ContainerLaunch.call: with too few good disks the launch fails, exit status DISKS_FAILED.
    if (!this.health.healthy) {
      this.finishContainer(c, ExitStatus.DISKS_FAILED, `Most of the disks failed. ${this.health.report}`);
      return;
    }
    if (m.launch.kind === 'aux') {
      this.aux!.launch(c.id, m.attemptId, m.launch.appId, m.launch.args);
      return;
    }
    if (m.launch.kind === 'task') {
      c.exit = m.launch.exitStatus;
      c.timer = this.ctx.setTimer(Math.max(1, Math.round(m.launch.durationMs * MS)), { t: 'task', id: c.id });
      return;
    }
    const cfg = this.ctx.config;
    this.ams.set(m.attemptId, c);
    c.am = new AppMaster(this.amHost(c), m.attemptId, m.launch.appId, m.launch.spec, cfg.int('yarn.app.am.heartbeat-interval-ms') * MS, {
      retryUs: cfg.int('yarn.client.nodemanager-connect.retry-interval-ms') * MS,
      maxWaitUs: cfg.int('yarn.client.nodemanager-connect.max-wait-ms') * MS,
    });
  }

  private amHost(c: NmContainer): AmHost {
    const attemptId = c.attemptId;
    return {
      nowUs: () => this.ctx.nowUs(),
      send: (to: string, msg: YarnMessage, bytes: number) => this.ctx.send(this.ctx.lookup(to), msg, bytes),
      heartbeatIn: (delayUs: number) => {
        if (c.amTimer !== null) this.ctx.cancelTimer(c.amTimer);
        c.amTimer = this.ctx.setTimer(delayUs, { t: 'am', attemptId });
      },
      exit: (exitStatus: number, why: string) => {
        if (c.state === 'RUNNING') this.finishContainer(c, exitStatus, why);
      },
      observeAm: (data) => this.ctx.observe('yarn-am', data),
    };
  }

  private amContainer(attemptId: string): NmContainer | undefined {
    return this.ams.get(attemptId);
  }

  private finishContainer(c: NmContainer, exitStatus: number, why: string): void {
    invariant(c.state === 'RUNNING', `${c.id} finished twice`);
    c.state = 'COMPLETE';
    c.exitStatus = exitStatus;
    this.statusCache = null;
    if (c.timer !== null) this.ctx.cancelTimer(c.timer);
    c.timer = null;
    if (c.aux) this.aux?.stopped(c.id);
    if (c.am !== null) {
      c.am = null;
      this.ams.delete(c.attemptId);
      if (c.amTimer !== null) this.ctx.cancelTimer(c.amTimer);
      c.amTimer = null;
    }
    this.allocatedMb -= c.resource.memoryMb;
    this.allocatedVcores -= c.resource.vcores;
    invariant(this.allocatedMb >= 0 && this.allocatedVcores >= 0, `${this.nodeId}: NM allocation went negative`);
    this.ctx.observe('yarn-nm-container', { node: this.nodeId, id: c.id, state: 'COMPLETE', exitStatus, memoryMb: c.resource.memoryMb, vcores: c.resource.vcores, capacityMb: this.capability.memoryMb, capacityVcores: this.capability.vcores });
    if (this.ctx.tracing) this.ctx.annotate(`${c.id} exited ${exitStatus}: ${why}`);
  }

  inspect(): Json {
    const running: Json[] = [];
    for (const c of this.containers.values()) if (c.state === 'RUNNING') running.push(c.am !== null ? `${c.id} (AM)` : c.id);
    return { role: 'nodemanager', state: this.state, node: this.nodeId, usedMb: this.allocatedMb, capacityMb: this.capability.memoryMb, running, ...(this.aux !== null ? { aux: this.aux.inspect() } : {}) };
  }
}
