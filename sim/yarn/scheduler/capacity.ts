import { invariant } from '../../core/invariant.ts';
import type { Resource, ResourceCalculator } from '../resource.ts';
import type { PriorityAsks, SchedulerApp } from './app.ts';
import { SchedulerBase, type SchedulerLimits } from './base.ts';
import type { CsQueueConf } from './capacity-config.ts';
import { lowerBound } from './fifo.ts';
import type { SchedulerNode } from './node.ts';
import { ProportionalCapacityPreemptionPolicy, type PcppSettings } from './pcpp.ts';
import type { AppSubmission, NodeType, PreemptionDecision, QueueView, SchedContainer } from './types.ts';

// CapacityScheduler with ParentQueue, LeafQueue and UsersManager. A node heartbeat walks the tree
// from root: children in order of used capacity (used / guaranteed, least first:
// PriorityUtilizationQueueOrderingPolicy), a leaf's active applications by its ordering policy
// (fifo: submission order; fair: least usage first). An allocation must fit the node and keep
// every queue on the path within its absolute maximum capacity; the user must be within the
// user limit (UsersManager.computeUserLimit); delay scheduling holds rack-local and off-switch
// containers back for node-locality-delay missed opportunities. Applications start (are
// activated) only while the queue's AM resources stay within maximum-am-resource-percent, except
// that a queue with no active application always starts one (LeafQueue.activateApplications).

/** Capacities are fractions of the cluster: allow for float rounding (0.7 x 10240 MB is 7167.999...). */
const EPS = 1e-6;

export interface CapacitySettings {
  readonly nodeLocalityDelay: number;
  readonly multipleAssignments: boolean;
  readonly maxAssignments: number;
  readonly maxOffSwitchAssignments: number;
  /** Preemption monitor settings, or null when the monitor is off. */
  readonly preemption: PcppSettings | null;
}

interface UserUsage {
  usedMb: number;
  usedVcores: number;
  /** This user's applications in the queue with outstanding asks. */
  pendingApps: number;
}

export class CsQueue {
  readonly children: CsQueue[] = [];
  usedMb = 0;
  usedVcores = 0;
  // leaf only
  /** Active applications with outstanding asks, by submission order. */
  readonly pendingApps: SchedulerApp[] = [];
  /** Applications waiting for the AM limit, by submission order. */
  readonly waiting: SchedulerApp[] = [];
  readonly apps = new Set<SchedulerApp>();
  activeApps = 0;
  amActiveMb = 0;
  amActiveVcores = 0;
  readonly users = new Map<string, UserUsage>();
  activeUsers = 0;

  constructor(readonly conf: CsQueueConf, readonly parent: CsQueue | null) {}

  get leaf(): boolean {
    return this.conf.children.length === 0;
  }

  get used(): Resource {
    return { memoryMb: this.usedMb, vcores: this.usedVcores };
  }

  user(name: string): UserUsage {
    let u = this.users.get(name);
    if (u === undefined) {
      u = { usedMb: 0, usedVcores: 0, pendingApps: 0 };
      this.users.set(name, u);
    }
    return u;
  }
}

export class CapacityScheduler extends SchedulerBase {
  readonly kind = 'capacity';
  readonly updateIntervalMs: number;
  readonly root: CsQueue;
  /** Leaves by full path and by short name (unique short names only). */
  private readonly leafByName = new Map<string, CsQueue>();
  private readonly queueByPath = new Map<string, CsQueue>();
  private readonly ambiguous = new Set<string>();
  private readonly pcpp: ProportionalCapacityPreemptionPolicy | null;

  constructor(limits: SchedulerLimits, rc: ResourceCalculator, rootConf: CsQueueConf, readonly settings: CapacitySettings) {
    super(limits, rc);
    const build = (conf: CsQueueConf, parent: CsQueue | null): CsQueue => {
      const q = new CsQueue(conf, parent);
      this.queueByPath.set(conf.path, q);
      for (const c of conf.children) q.children.push(build(c, q));
      if (q.leaf) {
        this.leafByName.set(conf.path, q);
        if (this.leafByName.has(conf.name) && conf.name !== conf.path) this.ambiguous.add(conf.name);
        else this.leafByName.set(conf.name, q);
      }
      return q;
    };
    this.root = build(rootConf, null);
    for (const a of this.ambiguous) this.leafByName.delete(a);
    this.pcpp = settings.preemption === null ? null : new ProportionalCapacityPreemptionPolicy(settings.preemption, rc);
    this.updateIntervalMs = settings.preemption === null ? 0 : settings.preemption.monitoringIntervalMs;
  }

  leafQueues(): CsQueue[] {
    return [...this.queueByPath.values()].filter((q) => q.leaf);
  }

  queue(path: string): CsQueue | undefined {
    return this.queueByPath.get(path) ?? this.leafByName.get(path);
  }

  guaranteed(q: CsQueue): Resource {
    return { memoryMb: this.clusterMb * q.conf.absoluteCapacity, vcores: this.clusterVcores * q.conf.absoluteCapacity };
  }

  maximum(q: CsQueue): Resource {
    return { memoryMb: this.clusterMb * q.conf.absoluteMaximumCapacity, vcores: this.clusterVcores * q.conf.absoluteMaximumCapacity };
  }

  // ------------------------------------------------------------------ applications

  protected place(sub: AppSubmission): { queue: string } | { error: string } {
    const q = this.leafByName.get(sub.queue) ?? this.leafByName.get(`root.${sub.queue}`);
    if (q === undefined) {
      const parent = this.queueByPath.get(sub.queue) ?? this.queueByPath.get(`root.${sub.queue}`);
      // CapacityScheduler.addApplication's rejections.
      if (parent !== undefined) return { error: `Application ${sub.appId} submitted by user ${sub.user} to non-leaf queue: ${sub.queue}` };
      return { error: `Application ${sub.appId} submitted by user ${sub.user} to unknown queue: ${sub.queue}` };
    }
    return { queue: q.conf.path };
  }

  private leafOf(app: SchedulerApp): CsQueue {
    const q = this.queueByPath.get(app.queue);
    invariant(q !== undefined && q.leaf, `${app.attemptId}: queue ${app.queue} is not a leaf`);
    return q;
  }

  protected attach(app: SchedulerApp): void {
    const q = this.leafOf(app);
    q.apps.add(app);
    q.user(app.user);
    q.waiting.splice(lowerBound(q.waiting, app.appNum), 0, app);
    this.activate(q);
  }

  protected detach(app: SchedulerApp): void {
    const q = this.leafOf(app);
    q.apps.delete(app);
    if (app.active) {
      q.activeApps--;
      q.amActiveMb -= app.amResource.memoryMb;
      q.amActiveVcores -= app.amResource.vcores;
    } else {
      const i = q.waiting.indexOf(app);
      invariant(i >= 0, `${app.attemptId} neither active nor waiting`);
      q.waiting.splice(i, 1);
    }
    const u = q.users.get(app.user);
    if (u !== undefined && u.usedMb === 0 && u.usedVcores === 0 && u.pendingApps === 0 && ![...q.apps].some((a) => a.user === app.user)) q.users.delete(app.user);
    this.activate(q);
  }

  /** The AM resource limit of a leaf (LeafQueue.getAMResourceLimitPerPartition). */
  amLimit(q: CsQueue): Resource {
    const basis = Math.max(q.conf.absoluteCapacity, q.conf.absoluteMaximumCapacity);
    const f = basis * q.conf.maximumAmResourcePercent;
    return { memoryMb: this.clusterMb * f, vcores: this.clusterVcores * f };
  }

  /** LeafQueue.activateApplications: start waiting applications while the AM limit allows. */
  private activate(q: CsQueue): void {
    const limit = this.amLimit(q);
    while (q.waiting.length > 0) {
      const app = q.waiting[0]!;
      const after = { memoryMb: q.amActiveMb + app.amResource.memoryMb, vcores: q.amActiveVcores + app.amResource.vcores };
      if (q.activeApps > 0 && this.rc.compare(this.cluster, after, limit) > 0) break;
      q.waiting.shift();
      app.active = true;
      q.activeApps++;
      q.amActiveMb = after.memoryMb;
      q.amActiveVcores = after.vcores;
      if (app.hasPending()) this.addPending(q, app);
    }
  }

  protected override clusterChanged(): void {
    for (const q of this.queueByPath.values()) if (q.leaf) this.activate(q);
  }

  private addPending(q: CsQueue, app: SchedulerApp): void {
    const i = lowerBound(q.pendingApps, app.appNum);
    if (q.pendingApps[i] === app) return;
    q.pendingApps.splice(i, 0, app);
    const u = q.user(app.user);
    if (u.pendingApps++ === 0) q.activeUsers++;
  }

  private dropPending(q: CsQueue, app: SchedulerApp): void {
    const i = lowerBound(q.pendingApps, app.appNum);
    if (q.pendingApps[i] !== app) return;
    q.pendingApps.splice(i, 1);
    const u = q.user(app.user);
    if (--u.pendingApps === 0) q.activeUsers--;
    invariant(u.pendingApps >= 0 && q.activeUsers >= 0, `${q.conf.path}: active users went negative`);
  }

  protected pendingToggled(app: SchedulerApp, pending: boolean): void {
    const q = this.leafOf(app);
    if (!app.active) return;
    if (pending) this.addPending(q, app);
    else this.dropPending(q, app);
  }

  protected charge(app: SchedulerApp, c: SchedContainer, sign: 1 | -1): void {
    const leaf = this.leafOf(app);
    const u = leaf.user(app.user);
    u.usedMb += sign * c.resource.memoryMb;
    u.usedVcores += sign * c.resource.vcores;
    for (let q: CsQueue | null = leaf; q !== null; q = q.parent) {
      q.usedMb += sign * c.resource.memoryMb;
      q.usedVcores += sign * c.resource.vcores;
      invariant(q.usedMb >= 0 && q.usedVcores >= 0, `queue ${q.conf.path}: used went negative`);
      // An allocation never takes a queue above its maximum capacity (a cluster that shrinks later may).
      invariant(sign < 0 || this.rc.compare(this.cluster, q.used, this.maximum(q)) <= EPS, () => `queue ${q!.conf.path}: used ${q!.usedMb} MB above its maximum capacity ${this.maximum(q!).memoryMb} MB after ${c.id}`);
    }
  }

  // ------------------------------------------------------------------ allocation

  /** UsersManager.computeUserLimit for a container of size `required` in leaf `q`. */
  userLimit(q: CsQueue, required: Resource): Resource {
    const cap = this.guaranteed(q);
    const c = this.cluster;
    const current = this.rc.compare(c, q.used, cap) < 0 ? cap : { memoryMb: q.usedMb + required.memoryMb, vcores: q.usedVcores + required.vcores };
    const users = Math.max(1, q.activeUsers);
    const mulp = q.conf.minimumUserLimitPercent / 100;
    const ul = { memoryMb: Math.max(current.memoryMb / users, current.memoryMb * mulp), vcores: Math.max(current.vcores / users, current.vcores * mulp) };
    const maxUl = q.conf.userLimitFactor === -1 ? this.maximum(q) : { memoryMb: cap.memoryMb * q.conf.userLimitFactor, vcores: cap.vcores * q.conf.userLimitFactor };
    const min = this.limits.minimumAllocation;
    const roundUp = (v: number, step: number): number => (step > 0 ? Math.ceil(v / step) * step : v);
    return {
      memoryMb: roundUp(Math.min(ul.memoryMb, maxUl.memoryMb), min.memoryMb),
      vcores: roundUp(Math.min(ul.vcores, maxUl.vcores), min.vcores),
    };
  }

  /** Every queue from the leaf up stays within its absolute maximum capacity (AbstractCSQueue.canAssignToThisQueue). */
  private withinQueueLimits(leaf: CsQueue, r: Resource): boolean {
    for (let q: CsQueue | null = leaf; q !== null; q = q.parent) {
      const after = { memoryMb: q.usedMb + r.memoryMb, vcores: q.usedVcores + r.vcores };
      if (this.rc.compare(this.cluster, after, this.maximum(q)) > EPS) return false;
    }
    return true;
  }

  /** Within one leaf walk: user|capability -> allowed (usage changes only when the walk ends). */
  private readonly userLimitMemo = new Map<string, boolean>();

  private readonly canUse = (app: SchedulerApp, r: Resource): boolean => {
    const leaf = this.leafOf(app);
    if (!this.withinQueueLimits(leaf, r)) return false;
    const key = `${app.user}|${r.memoryMb}|${r.vcores}`;
    const memo = this.userLimitMemo.get(key);
    if (memo !== undefined) return memo;
    const u = leaf.user(app.user);
    // LeafQueue.canAssignToUser: refused once the user's usage is above the limit.
    const ok = this.rc.compare(this.cluster, { memoryMb: u.usedMb, vcores: u.usedVcores }, this.userLimit(leaf, r)) <= 0;
    this.userLimitMemo.set(key, ok);
    return ok;
  };

  /** Delay scheduling (RegularContainerAllocator.canAssign). */
  private readonly localityAllowed = (_app: SchedulerApp, pa: PriorityAsks, type: NodeType): boolean => {
    const delay = this.settings.nodeLocalityDelay;
    if (delay < 0) return true;
    const nodes = this.nodes.size;
    if (type === 'RACK_LOCAL') return pa.missed > Math.min(delay, nodes);
    const unique = pa.uniqueLocations();
    if (unique === 0) return true;
    const factor = Math.min(unique / Math.max(1, nodes), 1);
    return pa.missed > Math.min(nodes, pa.anyNum * factor) && pa.missed > Math.min(delay, nodes);
  };

  private usedCapacity(q: CsQueue): number {
    const g = this.guaranteed(q);
    if (g.memoryMb <= 0 && g.vcores <= 0) return q.usedMb > 0 || q.usedVcores > 0 ? Infinity : 0;
    return this.rc.ratio(q.used, g);
  }

  private assignFrom(q: CsQueue, node: SchedulerNode, nowUs: number): SchedContainer | null {
    if (q.leaf) {
      if (q.pendingApps.length === 0) return null;
      // The queue-level limit does not depend on the application: check it once for the smallest
      // container before walking them (a full queue costs nothing per application).
      if (!this.withinQueueLimits(q, this.limits.minimumAllocation)) return null;
      // No copy: the walk ends at the first allocation, the only thing that changes the list.
      const order = q.conf.orderingPolicy === 'fair' ? [...q.pendingApps].sort((a, b) => a.usedMb - b.usedMb || a.appNum - b.appNum) : q.pendingApps;
      this.userLimitMemo.clear();
      for (let i = 0; i < order.length; i++) {
        const c = this.tryAllocate(order[i]!, node, nowUs, this.canUse, this.localityAllowed);
        if (c !== null) return c;
      }
      return null;
    }
    const kids = q.children.length === 1 ? q.children : [...q.children].sort((a, b) => this.usedCapacity(a) - this.usedCapacity(b) || (a.conf.path < b.conf.path ? -1 : 1));
    for (const child of kids) {
      const c = this.assignFrom(child, node, nowUs);
      if (c !== null) return c;
    }
    return null;
  }

  protected assignOnNode(node: SchedulerNode, nowUs: number): SchedContainer[] {
    const out: SchedContainer[] = [];
    let offSwitch = 0;
    const s = this.settings;
    for (;;) {
      const c = this.assignFrom(this.root, node, nowUs);
      if (c === null) break;
      out.push(c);
      if (c.locality === 'OFF_SWITCH') offSwitch++;
      if (!s.multipleAssignments) break;
      if (s.maxAssignments > 0 && out.length >= s.maxAssignments) break;
      if (offSwitch >= s.maxOffSwitchAssignments) break;
      if (node.availableMb < this.limits.minimumAllocation.memoryMb) break;
    }
    return out;
  }

  // ------------------------------------------------------------------ monitor, views

  update(nowUs: number): PreemptionDecision {
    if (this.pcpp === null) return { marked: [], kill: [] };
    return this.pcpp.editSchedule(this, nowUs);
  }

  queueMaximum(name: string): Resource | undefined {
    const q = this.queueByPath.get(name);
    return q === undefined ? undefined : this.maximum(q);
  }

  queues(): QueueView[] {
    return [...this.queueByPath.values()].map((q) => {
      let pm = 0;
      let pv = 0;
      let apps = 0;
      for (const l of q.leaf ? [q] : []) {
        for (const a of l.apps) {
          pm += a.pendingMb;
          pv += a.pendingVcores;
        }
        apps += l.apps.size;
      }
      const g = this.guaranteed(q);
      return {
        name: q.conf.path, leaf: q.leaf, used: q.used, pending: { memoryMb: pm, vcores: pv }, guaranteed: g,
        maximum: this.maximum(q), fairShare: g, capacityOrWeight: q.conf.capacity * 100, apps,
        extra: { activeApps: q.activeApps, pendingActivation: q.waiting.length, activeUsers: q.activeUsers },
      };
    });
  }

  protected checkQueueInvariants(): void {
    const check = (q: CsQueue): [number, number] => {
      let m = 0;
      let v = 0;
      if (q.leaf) for (const a of q.apps) {
        m += a.usedMb;
        v += a.usedVcores;
      }
      else for (const c of q.children) {
        const [cm, cv] = check(c);
        m += cm;
        v += cv;
      }
      invariant(m === q.usedMb && v === q.usedVcores, `queue ${q.conf.path}: used ${q.usedMb} MB is not the sum ${m} MB`);
      return [m, v];
    };
    check(this.root);
  }
}
