import type { Actor, Context } from '../core/actor.ts';
import { invariant } from '../core/invariant.ts';
import type { Json, ProcessId } from '../core/types.ts';
import { MS } from '../core/types.ts';
import { ExitStatus, type ContainerStatus, type NodeHeartbeat, type NodeHeartbeatResponse, type RegisterNodeManager, type ToRm, type YarnMessage } from './messages.ts';
import type { Resource } from './resource.ts';
import { AppManager, type AppHost } from './rm-apps.ts';
import { FINAL_APP_STATES, type RMContainer, type RMNode } from './rm-state.ts';
import { createScheduler, schedulerLimits } from './scheduler/index.ts';
import type { SchedContainer, YarnScheduler } from './scheduler/types.ts';

// The ResourceManager (rm). ResourceTrackerService: NodeManagers register and heartbeat every
// yarn.resourcemanager.nodemanagers.heartbeat-interval-ms; each heartbeat carries the node's
// container statuses (RUNNING: the container was launched; COMPLETE: its exit status) and is a
// NODE_UPDATE for the scheduler, whose new containers go to their application's next allocate()
// response (or, for an AM container, to the ApplicationMasterLauncher). The response carries the
// containers the NM must kill. Liveness monitors scan on a third of their expiry interval
// (AbstractLivelinessMonitor): NMLivelinessMonitor (a silent node is LOST, its containers complete
// ABORTED), AMLivelinessMonitor (rm-apps.ts) and ContainerAllocationExpirer (a container allocated
// but not running on its node in time is EXPIRED, exit ABORTED). The scheduler's own timer
// (fair-share update, preemption monitor) marks and kills containers (PREEMPTED).

type RmTimer = { readonly t: 'am-launch'; readonly attemptId: string } | { readonly t: 'nm-liveness' } | { readonly t: 'am-liveness' } | { readonly t: 'alloc-expiry' } | { readonly t: 'scheduler' };

const EMPTY: readonly never[] = Object.freeze([]);

export class ResourceManager implements Actor<ToRm, RmTimer> {
  readonly scheduler: YarnScheduler;
  readonly nodes = new Map<string, RMNode>();
  readonly containers = new Map<string, RMContainer>();
  readonly apps: AppManager;
  readonly heartbeatIntervalMs: number;
  readonly nmExpiryUs: number;
  readonly amExpiryUs: number;
  readonly allocExpiryUs: number;
  readonly maximumCapability: Resource;
  private runningNodes = 0;
  /** The current RMNode registered from each NodeManager process. */
  private readonly byPid: (RMNode | undefined)[] = [];
  /** Containers in ALLOCATED or ACQUIRED: the allocation expirer walks only these. */
  private readonly unlaunched = new Set<RMContainer>();
  nodesLost = 0;
  /** Times a node turned UNHEALTHY. */
  nodesUnhealthy = 0;
  containersPreempted = 0;

  constructor(readonly ctx: Context) {
    const cfg = ctx.config;
    this.scheduler = createScheduler(cfg);
    this.heartbeatIntervalMs = cfg.int('yarn.resourcemanager.nodemanagers.heartbeat-interval-ms');
    this.nmExpiryUs = cfg.int('yarn.nm.liveness-monitor.expiry-interval-ms') * MS;
    this.amExpiryUs = cfg.int('yarn.am.liveness-monitor.expiry-interval-ms') * MS;
    this.allocExpiryUs = cfg.int('yarn.resourcemanager.rm.container-allocation.expiry-interval-ms') * MS;
    this.maximumCapability = schedulerLimits(cfg).maximumAllocation;
    const host: AppHost = {
      ctx, scheduler: this.scheduler, clusterTimestamp: 1,
      nmConnectRetryUs: cfg.int('yarn.client.nodemanager-connect.retry-interval-ms') * MS,
      nmConnectMaxWaitUs: cfg.int('yarn.client.nodemanager-connect.max-wait-ms') * MS, maxAttempts: cfg.int('yarn.resourcemanager.am.max-attempts'), maximumCapability: this.maximumCapability,
      node: (id) => this.nodes.get(id), container: (id) => this.containers.get(id), numClusterNodes: () => this.runningNodes,
      completeContainer: (c, exit, state, diag) => this.completeContainer(c, exit, state, diag),
      send: (to, msg, bytes) => this.send(to, msg, bytes),
    };
    this.apps = this.createAppManager(host);
    ctx.setTimer(Math.max(1, Math.floor(this.nmExpiryUs / 3)), { t: 'nm-liveness' });
    ctx.setTimer(Math.max(1, Math.floor(this.amExpiryUs / 3)), { t: 'am-liveness' });
    ctx.setTimer(Math.max(1, Math.floor(this.allocExpiryUs / 3)), { t: 'alloc-expiry' });
    if (this.scheduler.updateIntervalMs > 0) ctx.setTimer(this.scheduler.updateIntervalMs * MS, { t: 'scheduler' });
  }

  /** The application side (tests substitute a subclass with a planted bug). */
  protected createAppManager(host: AppHost): AppManager {
    return new AppManager(host);
  }

  send(to: ProcessId, msg: YarnMessage, bytes: number): void {
    this.ctx.send(to, msg, bytes);
  }

  onMessage(from: ProcessId, m: ToRm): void {
    switch (m.type) {
      case 'NodeHeartbeat':
        return this.nodeHeartbeat(from, m);
      case 'RegisterNodeManager':
        return this.registerNodeManager(from, m);
      case 'Allocate':
        return this.apps.allocate(from, m);
      case 'StartContainersResponse':
        return this.apps.amLaunchAnswered(m.attemptId, m.ok, m.error);
      case 'RegisterApplicationMaster':
        return this.apps.register(from, m);
      case 'FinishApplicationMaster':
        return this.apps.finish(from, m);
      case 'GetNewApplication':
        return this.send(from, { type: 'GetNewApplicationResponse', requestId: m.requestId, appId: this.apps.newApplication(), maximumCapability: this.maximumCapability }, 96);
      case 'SubmitApplication': {
        const error = this.apps.submit(from, m);
        return this.send(from, { type: 'SubmitApplicationResponse', appId: m.appId, error }, 96);
      }
      case 'GetApplicationReport':
        return this.send(from, this.apps.report(m), 160);
    }
  }

  onTimer(tag: RmTimer): void {
    switch (tag.t) {
      case 'am-launch':
        return this.apps.launchRetry(tag.attemptId);
      case 'nm-liveness':
        this.expireNodes();
        this.ctx.setTimer(Math.max(1, Math.floor(this.nmExpiryUs / 3)), tag);
        return;
      case 'am-liveness':
        this.apps.expireAttempts(this.amExpiryUs);
        this.ctx.setTimer(Math.max(1, Math.floor(this.amExpiryUs / 3)), tag);
        return;
      case 'alloc-expiry':
        this.expireAllocations();
        this.ctx.setTimer(Math.max(1, Math.floor(this.allocExpiryUs / 3)), tag);
        return;
      case 'scheduler':
        this.schedulerUpdate();
        this.ctx.setTimer(this.scheduler.updateIntervalMs * MS, tag);
        return;
    }
  }

  // ------------------------------------------------------------------ ResourceTrackerService

  private registerNodeManager(from: ProcessId, m: RegisterNodeManager): void {
    const now = this.ctx.nowUs();
    const old = this.nodes.get(m.nodeId);
    if (old !== undefined) {
      // RMNodeImpl.ReconnectNodeTransition: the NM restarted (or resynced); the old node is removed
      // from the scheduler, its containers completing ABORTED, and the node is added afresh.
      this.removeNode(old, 'REBOOTED', `Container released on a node that re-registered: ${m.nodeId}`);
    }
    const node: RMNode = {
      id: m.nodeId, host: m.host, rack: m.rack, nm: from, port: m.port, capability: m.capability, state: 'RUNNING', lastHeartbeatUs: now, registeredUs: now,
      responseId: 0, lastResponse: null, cleanup: [], removeFromNm: [], containers: new Set(),
    };
    // An NM that re-registers with containers still running (work-preserving resync) is told to
    // kill them: the RM already completed them when it removed the old node.
    for (const s of m.running) this.cleanupOnNode(node, s.containerId);
    this.nodes.set(m.nodeId, node);
    if (old !== undefined && this.byPid[old.nm] === old) this.byPid[old.nm] = undefined;
    this.byPid[from] = node;
    this.runningNodes++;
    this.scheduler.addNode(m.nodeId, m.host, m.rack, m.capability);
    this.ctx.observe('yarn-node', { node: m.nodeId, state: 'RUNNING', memoryMb: m.capability.memoryMb, vcores: m.capability.vcores, lastHeartbeatMs: now / MS, expiryMs: this.nmExpiryUs / MS });
    this.send(from, { type: 'RegisterNodeManagerResponse', nodeAction: 'NORMAL', heartbeatIntervalMs: this.heartbeatIntervalMs, diagnostics: '' }, 64);
  }

  private nodeHeartbeat(from: ProcessId, m: NodeHeartbeat): void {
    // By the sender first (an array index, not a string hash: 10,000 heartbeats a second at scale);
    // byPid only ever holds current records, so a hit with the right id is nodes.get(m.nodeId).
    let node = this.byPid[from];
    if (node === undefined || node.id !== m.nodeId) node = this.nodes.get(m.nodeId);
    if (node === undefined || node.nm !== from || node.state === 'LOST' || node.state === 'REBOOTED') {
      // "Node not found resyncing": the NM registers again.
      this.send(from, { type: 'NodeHeartbeatResponse', responseId: m.responseId, nodeAction: 'RESYNC', containersToCleanup: EMPTY, containersToBeRemovedFromNM: EMPTY }, 32);
      return;
    }
    const now = this.ctx.nowUs();
    // NMLivelinessMonitor.receivedPing comes first: even a duplicate keeps the node alive.
    node.lastHeartbeatUs = now;
    // ResourceTrackerService.nodeHeartbeat: a heartbeat whose answer the NM has not received (its
    // responseId is the previous one) is a duplicate: answered with the last response, and not a
    // NODE_UPDATE (no container statuses read, nothing scheduled). One further behind (or ahead)
    // is told to resync ("Too far behind rm response id").
    if (node.lastResponse !== null && m.responseId + 1 === node.responseId) {
      this.send(from, node.lastResponse, 32 + 40 * (node.lastResponse.containersToCleanup.length + node.lastResponse.containersToBeRemovedFromNM.length));
      return;
    }
    if (m.responseId !== node.responseId) {
      if (this.ctx.tracing) this.ctx.annotate(`Too far behind rm response id:${node.responseId} nm response id:${m.responseId}: ${node.id} resyncs`);
      this.removeNode(node, 'REBOOTED', `Container released on a node that resynced: ${node.id}`);
      this.send(from, { type: 'NodeHeartbeatResponse', responseId: m.responseId, nodeAction: 'RESYNC', containersToCleanup: EMPTY, containersToBeRemovedFromNM: EMPTY }, 32);
      return;
    }
    node.responseId = m.responseId + 1;
    for (let i = 0; i < m.statuses.length; i++) this.containerStatus(node, m.statuses[i]!);
    // RMNodeImpl.StatusUpdateWhenHealthyTransition / WhenUnHealthyTransition: the NM's
    // NodeHealthStatus moves the node between RUNNING and UNHEALTHY.
    if (!m.healthy && node.state === 'RUNNING') this.nodeUnhealthy(node, m.healthReport);
    else if (m.healthy && node.state === 'UNHEALTHY') this.nodeHealthy(node);
    let fresh: SchedContainer[] = EMPTY as never[];
    if (node.state === 'RUNNING') {
      fresh = this.scheduler.nodeUpdate(node.id, now);
      for (let i = 0; i < fresh.length; i++) this.allocated(fresh[i]!, node);
    }
    const cleanup = node.cleanup.length === 0 ? EMPTY : node.cleanup;
    const remove = node.removeFromNm.length === 0 ? EMPTY : node.removeFromNm;
    if (cleanup !== EMPTY) node.cleanup = [];
    if (remove !== EMPTY) node.removeFromNm = [];
    const response: NodeHeartbeatResponse = { type: 'NodeHeartbeatResponse', responseId: node.responseId, nodeAction: 'NORMAL', containersToCleanup: cleanup, containersToBeRemovedFromNM: remove };
    node.lastResponse = response;
    this.send(from, response, 32 + 40 * (cleanup.length + remove.length));
    // ApplicationMasterLauncher works after the allocation, off the heartbeat: the NM hears what to
    // kill (containersToCleanup) before it is asked to start an AM in the space that freed.
    for (let i = 0; i < fresh.length; i++) if (fresh[i]!.isAm) this.apps.amAllocated(this.containers.get(fresh[i]!.id)!);
  }

  /** RMNodeImpl.handleContainerStatus and RMContainerImpl LAUNCHED / FINISHED. */
  private containerStatus(node: RMNode, s: ContainerStatus): void {
    const c = this.containers.get(s.containerId);
    if (c === undefined || c.nodeId !== node.id) {
      // Not a live container of this node (already completed, or unknown): the NM is to kill a
      // running one and may forget a completed one.
      if (s.state === 'RUNNING') this.cleanupOnNode(node, s.containerId);
      else node.removeFromNm.push(s.containerId);
      return;
    }
    if (s.state === 'RUNNING') {
      if (c.state === 'ALLOCATED' || c.state === 'ACQUIRED') {
        c.state = 'RUNNING';
        this.unlaunched.delete(c);
      }
      return;
    }
    node.removeFromNm.push(c.id);
    this.completeContainer(c, s.exitStatus, 'COMPLETED', s.diagnostics ?? '', false);
  }

  private allocated(sc: SchedContainer, node: RMNode): void {
    const now = this.ctx.nowUs();
    const queue = this.scheduler.queueOf(sc.attemptId) ?? '';
    const c: RMContainer = {
      id: sc.id, appId: sc.appId, attemptId: sc.attemptId, nodeId: sc.nodeId, nodePort: node.port, tokenExpiryUs: now + this.allocExpiryUs, resource: sc.resource, priority: sc.priority, isAm: sc.isAm, locality: sc.locality,
      queue, state: 'ALLOCATED', allocatedUs: now, expiryFromUs: now,
    };
    invariant(!this.containers.has(c.id), `container ${c.id} allocated twice`);
    this.containers.set(c.id, c);
    this.unlaunched.add(c);
    node.containers.add(c.id);
    const attempt = this.apps.attempts.get(c.attemptId);
    invariant(attempt !== undefined, `${c.id}: unknown attempt ${c.attemptId}`);
    attempt.containers.add(c.id);
    this.ctx.observe('yarn-container', { id: c.id, app: c.appId, node: c.nodeId, state: 'ALLOCATED', exitStatus: ExitStatus.INVALID, memoryMb: c.resource.memoryMb, vcores: c.resource.vcores, queue, am: c.isAm });
    if (!c.isAm) attempt.newlyAllocated.push(c);
  }

  /**
   * A live container ends: the scheduler gets its resources back, its attempt hears of it, and
   * (unless the NM itself reported the completion) the NM is told to kill it.
   */
  completeContainer(c: RMContainer, exitStatus: number, state: 'COMPLETED' | 'RELEASED' | 'KILLED' | 'EXPIRED', diagnostics: string, cleanupOnNm = true): void {
    invariant(this.containers.get(c.id) === c, `${c.id} completed twice`);
    this.scheduler.completeContainer(c.id);
    // Killed, lost or expired before its AM pulled it: the request is outstanding again.
    if (c.state === 'ALLOCATED' && !c.isAm) {
      const n = this.nodes.get(c.nodeId);
      if (n !== undefined) this.scheduler.recoverRequest(c.attemptId, c.priority, c.resource, n.host, n.rack, c.locality);
    }
    this.containers.delete(c.id);
    this.unlaunched.delete(c);
    c.state = state;
    const node = this.nodes.get(c.nodeId);
    if (node !== undefined) {
      node.containers.delete(c.id);
      if (cleanupOnNm && (node.state === 'RUNNING' || node.state === 'UNHEALTHY')) this.cleanupOnNode(node, c.id);
    }
    this.ctx.observe('yarn-container', { id: c.id, app: c.appId, node: c.nodeId, state, exitStatus, memoryMb: c.resource.memoryMb, vcores: c.resource.vcores, queue: c.queue, am: c.isAm });
    this.apps.containerDone(c, exitStatus, diagnostics);
  }

  /** Puts a container on its node's cleanup list (containersToCleanup of the next heartbeat response). */
  protected cleanupOnNode(node: RMNode, containerId: string): void {
    node.cleanup.push(containerId);
  }

  protected removeNode(node: RMNode, state: 'LOST' | 'REBOOTED', diagnostics: string): void {
    // An UNHEALTHY node already left the scheduler and the running count.
    if (node.state === 'RUNNING') this.runningNodes--;
    node.state = state;
    const gone = this.scheduler.removeNode(node.id);
    void gone;
    for (const id of [...node.containers]) {
      const c = this.containers.get(id);
      if (c !== undefined) this.completeContainer(c, ExitStatus.ABORTED, 'KILLED', diagnostics, false);
    }
    invariant(node.containers.size === 0, `node ${node.id}: containers left after removal`);
    this.ctx.observe('yarn-node', { node: node.id, state, memoryMb: node.capability.memoryMb, vcores: node.capability.vcores, lastHeartbeatMs: node.lastHeartbeatUs / MS, expiryMs: this.nmExpiryUs / MS });
  }

  /**
   * The node reports itself unhealthy (bad disks): RMNodeImpl sends NodeRemovedSchedulerEvent, so
   * nothing more is scheduled on it, and the scheduler kills what it runs (exit ABORTED,
   * SchedulerUtils.LOST_CONTAINER); the NM hears of each in containersToCleanup and kills it.
   */
  private nodeUnhealthy(node: RMNode, report: string): void {
    node.state = 'UNHEALTHY';
    this.runningNodes--;
    this.nodesUnhealthy++;
    this.ctx.observe('yarn-node', { node: node.id, state: 'UNHEALTHY', memoryMb: node.capability.memoryMb, vcores: node.capability.vcores, lastHeartbeatMs: node.lastHeartbeatUs / MS, expiryMs: this.nmExpiryUs / MS });
    if (this.ctx.tracing) this.ctx.annotate(`node ${node.id} UNHEALTHY: ${report}`);
    this.scheduler.removeNode(node.id);
    for (const id of [...node.containers]) {
      const c = this.containers.get(id);
      if (c !== undefined) this.completeContainer(c, ExitStatus.ABORTED, 'KILLED', 'Container released on a *lost* node');
    }
  }

  /** Healthy again: NodeAddedSchedulerEvent, the node takes containers again. */
  private nodeHealthy(node: RMNode): void {
    node.state = 'RUNNING';
    this.runningNodes++;
    if (this.ctx.tracing) this.ctx.annotate(`node ${node.id} healthy again: RUNNING`);
    this.scheduler.addNode(node.id, node.host, node.rack, node.capability);
    this.ctx.observe('yarn-node', { node: node.id, state: 'RUNNING', memoryMb: node.capability.memoryMb, vcores: node.capability.vcores, lastHeartbeatMs: node.lastHeartbeatUs / MS, expiryMs: this.nmExpiryUs / MS });
  }

  /** NMLivelinessMonitor. */
  protected expireNodes(): void {
    const now = this.ctx.nowUs();
    for (const node of this.nodes.values()) {
      if (node.state !== 'RUNNING' && node.state !== 'UNHEALTHY') continue;
      if (now - node.lastHeartbeatUs < this.nmExpiryUs) continue;
      this.nodesLost++;
      if (this.ctx.tracing) this.ctx.annotate(`node ${node.id} LOST: no heartbeat for ${((now - node.lastHeartbeatUs) / 1e6).toFixed(1)} s (yarn.nm.liveness-monitor.expiry-interval-ms=${this.nmExpiryUs / MS})`);
      this.removeNode(node, 'LOST', `Container released on a *lost* node`);
    }
  }

  /** ContainerAllocationExpirer. */
  private expireAllocations(): void {
    const now = this.ctx.nowUs();
    for (const c of [...this.unlaunched]) {
      if (now - c.expiryFromUs < this.allocExpiryUs) continue;
      this.completeContainer(c, ExitStatus.ABORTED, 'EXPIRED', `Container expired since it was unused`);
    }
  }

  private schedulerUpdate(): void {
    const d = this.scheduler.update(this.ctx.nowUs());
    for (const sc of d.marked) {
      const a = this.apps.attempts.get(sc.attemptId);
      if (a !== undefined) a.preempt.push(sc.id);
    }
    for (const sc of d.kill) {
      const c = this.containers.get(sc.id);
      if (c === undefined) continue;
      this.containersPreempted++;
      if (this.ctx.tracing) this.ctx.annotate(`preempting ${c.id} of ${c.appId} in ${c.queue}`);
      this.completeContainer(c, ExitStatus.PREEMPTED, 'KILLED', 'Container preempted by scheduler');
    }
  }

  // ------------------------------------------------------------------ views

  checkInvariants(): void {
    this.scheduler.checkInvariants();
    this.apps.checkInvariants();
    for (const c of this.containers.values()) {
      invariant(this.scheduler.container(c.id) !== undefined, `${c.id} live in the RM but not in the scheduler`);
    }
  }

  inspect(): Json {
    let running = 0;
    let finished = 0;
    for (const a of this.apps.apps.values()) {
      if (FINAL_APP_STATES.has(a.state)) finished++;
      else running++;
    }
    return {
      role: 'resourcemanager',
      scheduler: this.scheduler.kind,
      nodes: { running: this.runningNodes, lost: this.nodesLost, unhealthy: this.nodesUnhealthy },
      apps: { live: running, finished },
      containers: this.containers.size,
      preempted: this.containersPreempted,
      queues: this.scheduler.queues().map((q) => ({ name: q.name, usedMb: q.used.memoryMb, pendingMb: q.pending.memoryMb, guaranteedMb: Math.round(q.guaranteed.memoryMb), fairShareMb: Math.round(q.fairShare.memoryMb), apps: q.apps })),
    };
  }
}

/** The RM actor of a world, for checkers and summaries. */
export function rmOf(actor: unknown): ResourceManager | null {
  return actor instanceof ResourceManager ? actor : null;
}
