import { invariant } from '../../core/invariant.ts';
import { normalize, type Resource, type ResourceCalculator } from '../resource.ts';
import { PriorityAsks, SchedulerApp } from './app.ts';
import { SchedulerNode } from './node.ts';
import type { AppSubmission, NodeType, PreemptionDecision, QueueView, ResourceRequest, SchedContainer, YarnScheduler } from './types.ts';

// What every scheduler shares (AbstractYarnScheduler): nodes, application attempts, containers,
// normalization of asks to the minimum/maximum allocation, the allocation of one container of an
// application on a node by locality (node-local, rack-local, off-switch), and the release of
// containers. A subclass supplies queues, the order in which applications are offered a node,
// and the limits that may refuse an allocation.

export interface SchedulerLimits {
  readonly minimumAllocation: Resource;
  readonly maximumAllocation: Resource;
}

export const NO_PREEMPTION: PreemptionDecision = Object.freeze({ marked: [], kill: [] });

export abstract class SchedulerBase implements YarnScheduler {
  abstract readonly kind: 'fifo' | 'capacity' | 'fair';
  abstract readonly updateIntervalMs: number;
  readonly nodes = new Map<string, SchedulerNode>();
  readonly apps = new Map<string, SchedulerApp>();
  readonly containers = new Map<string, SchedContainer>();
  clusterMb = 0;
  clusterVcores = 0;
  /** Whether the subclass keeps `app` in its set of applications with pending asks. */
  private readonly inPending = new Set<SchedulerApp>();

  constructor(readonly limits: SchedulerLimits, readonly rc: ResourceCalculator) {}

  get cluster(): Resource {
    return { memoryMb: this.clusterMb, vcores: this.clusterVcores };
  }

  // ------------------------------------------------------------------ subclass hooks

  /** The leaf queue for a new attempt, or an error text (Hadoop's wording). */
  protected abstract place(sub: AppSubmission): { queue: string } | { error: string };
  protected abstract attach(app: SchedulerApp, nowUs: number): void;
  protected abstract detach(app: SchedulerApp): void;
  /** Queue usage follows each container: +1 when allocated, -1 when released. */
  protected abstract charge(app: SchedulerApp, c: SchedContainer, sign: 1 | -1): void;
  /** The application gained (true) or lost (false) pending asks. */
  protected abstract pendingToggled(app: SchedulerApp, pending: boolean): void;
  /** Offer the node to the queues and applications; allocate through tryAllocate. */
  protected abstract assignOnNode(node: SchedulerNode, nowUs: number): SchedContainer[];
  abstract update(nowUs: number): PreemptionDecision;
  abstract queues(): QueueView[];
  abstract queueMaximum(name: string): Resource | undefined;
  protected abstract checkQueueInvariants(): void;

  // ------------------------------------------------------------------ nodes

  addNode(nodeId: string, host: string, rack: string, capability: Resource): void {
    invariant(!this.nodes.has(nodeId), `node ${nodeId} added twice`);
    this.nodes.set(nodeId, new SchedulerNode(nodeId, host, rack, capability));
    this.clusterMb += capability.memoryMb;
    this.clusterVcores += capability.vcores;
    this.clusterChanged();
  }

  removeNode(nodeId: string): SchedContainer[] {
    const node = this.nodes.get(nodeId);
    if (node === undefined) return [];
    const gone = [...node.containers.values()];
    for (const c of gone) this.release(c);
    this.nodes.delete(nodeId);
    this.clusterMb -= node.capability.memoryMb;
    this.clusterVcores -= node.capability.vcores;
    this.clusterChanged();
    return gone;
  }

  /** Cluster resources changed (steady shares, limits). */
  protected clusterChanged(): void {}

  // ------------------------------------------------------------------ applications

  addApp(sub: AppSubmission, nowUs: number): string | null {
    invariant(!this.apps.has(sub.attemptId), `attempt ${sub.attemptId} added twice`);
    const placed = this.place(sub);
    if ('error' in placed) return placed.error;
    const amResource = normalize(sub.amResource, this.limits.minimumAllocation, this.limits.maximumAllocation);
    const app = new SchedulerApp({ ...sub, amResource }, placed.queue, nowUs);
    this.apps.set(sub.attemptId, app);
    this.attach(app, nowUs);
    this.refreshPending(app);
    return null;
  }

  removeApp(attemptId: string): SchedContainer[] {
    const app = this.apps.get(attemptId);
    if (app === undefined) return [];
    const live = [...app.live.values()];
    for (const c of live) this.release(c);
    if (this.inPending.delete(app)) this.pendingToggled(app, false);
    this.detach(app);
    this.apps.delete(attemptId);
    return live;
  }

  updateAsks(attemptId: string, asks: readonly ResourceRequest[]): void {
    const app = this.apps.get(attemptId);
    if (app === undefined) return;
    const { minimumAllocation: lo, maximumAllocation: hi } = this.limits;
    app.updateAsks(asks.map((r) => ({ ...r, capability: normalize(r.capability, lo, hi) })));
    this.refreshPending(app);
  }

  recoverRequest(attemptId: string, priority: number, capability: Resource, host: string, rack: string, locality: NodeType): void {
    const app = this.apps.get(attemptId);
    if (app === undefined) return;
    app.recoverAsk(priority, capability, host, rack, locality);
    this.refreshPending(app);
  }

  protected refreshPending(app: SchedulerApp): void {
    const has = app.hasPending();
    if (has === this.inPending.has(app)) return;
    if (has) this.inPending.add(app);
    else this.inPending.delete(app);
    this.pendingToggled(app, has);
  }

  queueOf(attemptId: string): string | undefined {
    return this.apps.get(attemptId)?.queue;
  }

  container(id: string): SchedContainer | undefined {
    return this.containers.get(id);
  }

  completeContainer(containerId: string): SchedContainer | null {
    const c = this.containers.get(containerId);
    if (c === undefined) return null;
    this.release(c);
    return c;
  }

  private release(c: SchedContainer): void {
    const app = this.apps.get(c.attemptId);
    invariant(app !== undefined, `${c.id}: its attempt ${c.attemptId} is unknown`);
    const node = this.nodes.get(c.nodeId);
    invariant(node !== undefined, `${c.id}: its node ${c.nodeId} is unknown`);
    node.release(c);
    app.removeContainer(c);
    this.charge(app, c, -1);
    this.containers.delete(c.id);
  }

  // ------------------------------------------------------------------ allocation

  nodeUpdate(nodeId: string, nowUs: number): SchedContainer[] {
    const node = this.nodes.get(nodeId);
    if (node === undefined) return [];
    const min = this.limits.minimumAllocation;
    // A full node is the common case on a busy cluster: nothing to offer, nothing to walk.
    if (node.availableMb < Math.max(1, min.memoryMb) || node.availableVcores < Math.max(1, min.vcores)) return [];
    if (this.inPending.size === 0) return [];
    return this.assignOnNode(node, nowUs);
  }

  /**
   * Offers `node` to one application: its AM ask first, then its priorities in order, each by
   * locality (node-local, rack-local, off-switch as `allowed` permits). `canUse` applies the
   * queue's limits to a capability. Returns the new container or null.
   */
  protected tryAllocate(
    app: SchedulerApp,
    node: SchedulerNode,
    nowUs: number,
    canUse: (app: SchedulerApp, capability: Resource, isAm: boolean) => boolean,
    allowed?: (app: SchedulerApp, pa: PriorityAsks, type: NodeType) => boolean,
  ): SchedContainer | null {
    if (app.amPending) {
      if (!node.fits(app.amResource) || !canUse(app, app.amResource, true)) return null;
      app.amPending = false;
      app.pendingMb -= app.amResource.memoryMb;
      app.pendingVcores -= app.amResource.vcores;
      return this.allocate(app, node, app.amResource, 0, true, 'OFF_SWITCH', nowUs);
    }
    for (const pa of app.priorities) {
      if (pa.anyNum <= 0) continue;
      if (!node.fits(pa.capability)) continue;
      if (!canUse(app, pa.capability, false)) continue;
      if (allowed !== undefined) pa.missed++;
      const local = pa.byName.get(node.host);
      if (local !== undefined && local.num > 0) return this.take(app, node, pa, 'NODE_LOCAL', nowUs);
      const rack = pa.byName.get(node.rack);
      if (rack !== undefined && rack.num > 0 && rack.relax && (allowed === undefined || allowed(app, pa, 'RACK_LOCAL'))) {
        return this.take(app, node, pa, 'RACK_LOCAL', nowUs);
      }
      const offSwitchOk = pa.anyRelax || pa.byName.size === 0;
      if (offSwitchOk && (allowed === undefined || allowed(app, pa, 'OFF_SWITCH'))) return this.take(app, node, pa, 'OFF_SWITCH', nowUs);
    }
    return null;
  }

  private take(app: SchedulerApp, node: SchedulerNode, pa: PriorityAsks, type: NodeType, nowUs: number): SchedContainer {
    app.takeAsk(pa, node.host, node.rack, type);
    return this.allocate(app, node, pa.capability, pa.priority, false, type, nowUs);
  }

  private allocate(app: SchedulerApp, node: SchedulerNode, resource: Resource, priority: number, isAm: boolean, locality: NodeType, nowUs: number): SchedContainer {
    const seq = app.nextContainerSeq++;
    // container_<cluster timestamp>_<app>_<attempt>_<container>, as ContainerId.toString prints it.
    const id = `container_${app.attemptId.slice('appattempt_'.length, app.attemptId.lastIndexOf('_'))}_${app.attemptId.slice(-2)}_${String(seq).padStart(6, '0')}`;
    const c: SchedContainer = { id, appId: app.id, attemptId: app.attemptId, nodeId: node.id, resource, priority, isAm, locality, allocatedUs: nowUs, seq };
    node.allocate(c);
    app.addContainer(c);
    this.charge(app, c, 1);
    invariant(!this.containers.has(id), `duplicate container id ${id}`);
    this.containers.set(id, c);
    this.refreshPending(app);
    return c;
  }

  // ------------------------------------------------------------------ invariants

  checkInvariants(): void {
    let mb = 0;
    let vc = 0;
    for (const n of this.nodes.values()) {
      let nm = 0;
      let nv = 0;
      for (const c of n.containers.values()) {
        nm += c.resource.memoryMb;
        nv += c.resource.vcores;
        invariant(this.containers.get(c.id) === c, `${c.id} on node ${n.id} is not a live container`);
      }
      invariant(nm === n.allocatedMb && nv === n.allocatedVcores, `node ${n.id}: allocated sum mismatch`);
      invariant(n.allocatedMb <= n.capability.memoryMb && n.allocatedVcores <= n.capability.vcores, `node ${n.id} overcommitted`);
      mb += n.capability.memoryMb;
      vc += n.capability.vcores;
    }
    invariant(mb === this.clusterMb && vc === this.clusterVcores, 'cluster resource mismatch');
    for (const a of this.apps.values()) {
      let um = 0;
      for (const c of a.live.values()) um += c.resource.memoryMb;
      invariant(um === a.usedMb, `${a.attemptId}: used mismatch`);
      invariant(this.inPending.has(a) === a.hasPending(), `${a.attemptId}: pending set out of date`);
    }
    this.checkQueueInvariants();
  }
}
