import { invariant } from '../../core/invariant.ts';
import { dominantCalculator, type Resource } from '../resource.ts';
import type { SchedulerApp } from './app.ts';
import { SchedulerBase, type SchedulerLimits } from './base.ts';
import { defaultQueue, resolveSpec, type AllocationFile, type FsQueueConf } from './fair-config.ts';
import { FairPreemption, type FairPreemptionSettings } from './fair-preemption.ts';
import { computeShares } from './fair-shares.ts';
import type { SchedulerNode } from './node.ts';
import type { AppSubmission, PreemptionDecision, QueueView, SchedContainer } from './types.ts';

// FairScheduler with FSParentQueue, FSLeafQueue and the policies FairSharePolicy (memory),
// DominantResourceFairnessPolicy (DRF) and FifoPolicy (leaves only). Every update interval the
// steady fair shares (all queues) and instantaneous fair shares (active queues: with runnable
// applications) are recomputed top-down with ComputeFairShares, and a leaf splits its share among
// its applications. A node heartbeat descends from root: children sorted by the parent's policy
// comparator (needy below min share first, then usage over weight, or dominant share over weight),
// a leaf's applications by its policy; an allocation must keep every queue within maxResources.
// One container per heartbeat unless yarn.scheduler.fair.assignmultiple.

export interface FairSettings {
  readonly assignMultiple: boolean;
  readonly maxAssign: number;
  readonly updateIntervalMs: number;
  readonly userAsDefaultQueue: boolean;
  readonly preemption: FairPreemptionSettings | null;
}

export class FsQueue {
  readonly children: FsQueue[] = [];
  usedMb = 0;
  usedVcores = 0;
  readonly apps = new Set<SchedulerApp>();
  /** Leaf applications with outstanding asks. */
  readonly pendingApps = new Set<SchedulerApp>();
  steadyMb = 0;
  steadyVcores = 0;
  fairMb = 0;
  fairVcores = 0;
  lastAtMinShareUs = 0;
  constructor(public conf: FsQueueConf, readonly parent: FsQueue | null) {}

  get leaf(): boolean {
    return this.children.length === 0 && this.conf.children.length === 0;
  }

  get used(): Resource {
    return { memoryMb: this.usedMb, vcores: this.usedVcores };
  }

  /** FSLeafQueue.isActive / FSParentQueue: has runnable applications below it. */
  active(): boolean {
    if (this.apps.size > 0) return true;
    for (const c of this.children) if (c.active()) return true;
    return false;
  }
}

export class FairScheduler extends SchedulerBase {
  readonly kind = 'fair';
  readonly updateIntervalMs: number;
  readonly root: FsQueue;
  private readonly byPath = new Map<string, FsQueue>();
  private readonly preemption: FairPreemption | null;

  constructor(limits: SchedulerLimits, readonly alloc: AllocationFile, readonly settings: FairSettings) {
    super(limits, dominantCalculator);
    const build = (conf: FsQueueConf, parent: FsQueue | null): FsQueue => {
      const q = new FsQueue(conf, parent);
      this.byPath.set(conf.path, q);
      for (const c of conf.children) q.children.push(build(c, q));
      return q;
    };
    this.root = build(alloc.root, null);
    this.updateIntervalMs = settings.updateIntervalMs;
    this.preemption = settings.preemption === null ? null : new FairPreemption(settings.preemption);
  }

  queue(path: string): FsQueue | undefined {
    return this.byPath.get(path) ?? this.byPath.get(`root.${path}`);
  }

  leafQueues(): FsQueue[] {
    return [...this.byPath.values()].filter((q) => q.leaf);
  }

  minShare(q: FsQueue): Resource {
    return resolveSpec(q.conf.minResources, this.cluster, { memoryMb: 0, vcores: 0 });
  }

  maxShare(q: FsQueue): Resource {
    return resolveSpec(q.conf.maxResources, this.cluster, { memoryMb: Infinity, vcores: Infinity });
  }

  demand(q: FsQueue): Resource {
    let m = 0;
    let v = 0;
    if (q.leaf) for (const a of q.apps) {
      m += a.usedMb + a.pendingMb;
      v += a.usedVcores + a.pendingVcores;
    }
    else for (const c of q.children) {
      const d = this.demand(c);
      m += d.memoryMb;
      v += d.vcores;
    }
    const max = this.maxShare(q);
    return { memoryMb: Math.min(m, max.memoryMb), vcores: Math.min(v, max.vcores) };
  }

  // ------------------------------------------------------------------ placement

  /** QueuePlacementPolicy default: the named queue (created if missing), root.<user> for "default" when user-as-default-queue. */
  protected place(sub: AppSubmission): { queue: string } | { error: string } {
    let name = sub.queue === '' ? 'default' : sub.queue;
    if (name === 'default' && this.settings.userAsDefaultQueue) name = sub.user;
    const path = name.startsWith('root') ? name : `root.${name}`;
    let q = this.byPath.get(path);
    if (q === undefined) {
      // Created on demand below its parent, which must exist and be a parent.
      const parentPath = path.slice(0, path.lastIndexOf('.'));
      const parent = this.byPath.get(parentPath);
      if (parent === undefined) return { error: `Application ${sub.appId} submitted by user ${sub.user} to unknown queue: ${sub.queue}` };
      if (parent.leaf && parent.apps.size > 0) return { error: `Application ${sub.appId} submitted by user ${sub.user} to non-leaf queue: ${sub.queue}` };
      const conf = defaultQueue(path, path.slice(path.lastIndexOf('.') + 1), [], { policy: this.alloc.defaultPolicy, fairTimeoutMs: parent.conf.fairSharePreemptionTimeoutMs, minTimeoutMs: parent.conf.minSharePreemptionTimeoutMs, threshold: parent.conf.fairSharePreemptionThreshold });
      q = new FsQueue(conf, parent);
      parent.children.push(q);
      this.byPath.set(path, q);
      this.recomputeSteadyShares();
    }
    if (!q.leaf) return { error: `Application ${sub.appId} submitted by user ${sub.user} to non-leaf queue: ${sub.queue}` };
    return { queue: path };
  }

  private leafOf(app: SchedulerApp): FsQueue {
    const q = this.byPath.get(app.queue);
    invariant(q !== undefined && q.leaf, `${app.attemptId}: queue ${app.queue} is not a leaf`);
    return q;
  }

  protected attach(app: SchedulerApp, nowUs: number): void {
    const q = this.leafOf(app);
    if (q.apps.size === 0) q.lastAtMinShareUs = nowUs;
    app.active = true;
    q.apps.add(app);
  }

  protected detach(app: SchedulerApp): void {
    this.leafOf(app).apps.delete(app);
    this.preemption?.forget(app);
  }

  protected pendingToggled(app: SchedulerApp, pending: boolean): void {
    const q = this.leafOf(app);
    if (pending) q.pendingApps.add(app);
    else q.pendingApps.delete(app);
  }

  protected charge(app: SchedulerApp, c: SchedContainer, sign: 1 | -1): void {
    for (let q: FsQueue | null = this.leafOf(app); q !== null; q = q.parent) {
      q.usedMb += sign * c.resource.memoryMb;
      q.usedVcores += sign * c.resource.vcores;
      invariant(q.usedMb >= 0 && q.usedVcores >= 0, `queue ${q.conf.path}: used went negative`);
      if (sign > 0) {
        const max = this.maxShare(q);
        invariant(q.usedMb <= max.memoryMb && q.usedVcores <= max.vcores, () => `queue ${q!.conf.path}: used above maxResources after ${c.id}`);
      }
    }
  }

  protected override clusterChanged(): void {
    this.recomputeSteadyShares();
  }

  // ------------------------------------------------------------------ shares

  private shareOf(kids: readonly FsQueue[], totalMb: number, totalVcores: number, steady: boolean, drf: boolean): { mb: number[]; vc: number[] } {
    const items = (mem: boolean) => kids.map((k) => {
      const min = this.minShare(k);
      const max = this.maxShare(k);
      return { weight: k.conf.weight, minShare: mem ? min.memoryMb : min.vcores, maxShare: mem ? max.memoryMb : max.vcores, active: k.active() };
    });
    const mb = computeShares(items(true), totalMb, steady);
    const vc = drf ? computeShares(items(false), totalVcores, steady) : kids.map(() => 0);
    return { mb, vc };
  }

  /** FSQueue.recomputeSteadyShare, top-down over every queue. */
  recomputeSteadyShares(): void {
    const walk = (q: FsQueue): void => {
      if (q.children.length === 0) return;
      const r = this.shareOf(q.children, q.steadyMb, q.steadyVcores, true, q.conf.policy === 'drf');
      q.children.forEach((c, i) => {
        c.steadyMb = r.mb[i]!;
        c.steadyVcores = r.vc[i]!;
        walk(c);
      });
    };
    this.root.steadyMb = this.clusterMb;
    this.root.steadyVcores = this.clusterVcores;
    walk(this.root);
  }

  /** FSParentQueue.recomputeShares / FSLeafQueue.recomputeShares: instantaneous shares down to applications. */
  recomputeShares(): void {
    const walk = (q: FsQueue): void => {
      if (q.leaf) {
        const apps = [...q.apps];
        const items = apps.map(() => ({ weight: 1, minShare: 0, maxShare: Infinity, active: true }));
        const mb = computeShares(items, q.fairMb, false);
        const vc = q.conf.policy === 'drf' ? computeShares(items, q.fairVcores, false) : apps.map(() => 0);
        apps.forEach((a, i) => {
          a.fairShareMb = mb[i]!;
          a.fairShareVcores = vc[i]!;
        });
        return;
      }
      const r = this.shareOf(q.children, q.fairMb, q.fairVcores, false, q.conf.policy === 'drf');
      q.children.forEach((c, i) => {
        c.fairMb = r.mb[i]!;
        c.fairVcores = r.vc[i]!;
        walk(c);
      });
    };
    this.root.fairMb = this.clusterMb;
    this.root.fairVcores = this.clusterVcores;
    walk(this.root);
  }

  // ------------------------------------------------------------------ ordering (SchedulingPolicy comparators)

  /** FairSharePolicy / DominantResourceFairnessPolicy comparator between schedulables. */
  compareSchedulables(policy: 'fair' | 'drf', a: { usage: Resource; demand: Resource; minShare: Resource; weight: number; start: number; name: string }, b: typeof a): number {
    const c = this.cluster;
    const val = (r: Resource): number => (policy === 'drf' ? dominantCalculator.share(c, r) : r.memoryMb);
    const minA = policy === 'drf' ? Math.min(val(a.minShare), val(a.demand)) : Math.min(a.minShare.memoryMb, a.demand.memoryMb);
    const minB = policy === 'drf' ? Math.min(val(b.minShare), val(b.demand)) : Math.min(b.minShare.memoryMb, b.demand.memoryMb);
    const needyA = val(a.usage) < minA;
    const needyB = val(b.usage) < minB;
    let res: number;
    if (needyA && !needyB) res = -1;
    else if (needyB && !needyA) res = 1;
    else if (needyA && needyB) res = val(a.usage) / Math.max(minA, policy === 'drf' ? 1e-9 : 1) - val(b.usage) / Math.max(minB, policy === 'drf' ? 1e-9 : 1);
    else {
      const ra = a.weight > 0 ? val(a.usage) / a.weight : Infinity;
      const rb = b.weight > 0 ? val(b.usage) / b.weight : Infinity;
      res = ra === rb ? 0 : ra < rb ? -1 : 1;
    }
    if (res !== 0 && !Number.isNaN(res)) return res;
    if (a.start !== b.start) return a.start - b.start;
    return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
  }

  private queueKey(q: FsQueue) {
    return { usage: q.used, demand: this.demand(q), minShare: this.minShare(q), weight: q.conf.weight, start: 0, name: q.conf.path };
  }

  private appKey(a: SchedulerApp) {
    return { usage: a.used, demand: { memoryMb: a.usedMb + a.pendingMb, vcores: a.usedVcores + a.pendingVcores }, minShare: { memoryMb: 0, vcores: 0 }, weight: 1, start: a.appNum, name: a.attemptId };
  }

  sortedApps(q: FsQueue, apps: Iterable<SchedulerApp>): SchedulerApp[] {
    const list = [...apps];
    if (q.conf.policy === 'fifo') return list.sort((a, b) => a.appNum - b.appNum);
    const pol = q.conf.policy;
    const keys = new Map(list.map((a) => [a, this.appKey(a)]));
    return list.sort((a, b) => this.compareSchedulables(pol, keys.get(a)!, keys.get(b)!));
  }

  // ------------------------------------------------------------------ allocation

  /** FSQueue.fitsInMaxShare: the container keeps the queue and its ancestors within maxResources. */
  private fitsInMaxShare(q: FsQueue, r: Resource): boolean {
    for (let x: FsQueue | null = q; x !== null; x = x.parent) {
      const max = this.maxShare(x);
      if (x.usedMb + r.memoryMb > max.memoryMb || x.usedVcores + r.vcores > max.vcores) return false;
    }
    return true;
  }

  private readonly canUse = (app: SchedulerApp, r: Resource): boolean => this.fitsInMaxShare(this.leafOf(app), r);

  private hasPendingBelow(q: FsQueue): boolean {
    if (q.leaf) return q.pendingApps.size > 0;
    for (const c of q.children) if (this.hasPendingBelow(c)) return true;
    return false;
  }

  private assignFrom(q: FsQueue, node: SchedulerNode, nowUs: number): SchedContainer | null {
    if (!this.hasPendingBelow(q)) return null;
    if (q.leaf) {
      for (const app of this.sortedApps(q, q.pendingApps)) {
        const c = this.tryAllocate(app, node, nowUs, this.canUse);
        if (c !== null) return c;
      }
      return null;
    }
    const pol = q.conf.policy === 'drf' ? 'drf' : 'fair';
    const keys = new Map(q.children.map((k) => [k, this.queueKey(k)]));
    const kids = [...q.children].sort((a, b) => this.compareSchedulables(pol, keys.get(a)!, keys.get(b)!));
    for (const child of kids) {
      const c = this.assignFrom(child, node, nowUs);
      if (c !== null) return c;
    }
    return null;
  }

  protected assignOnNode(node: SchedulerNode, nowUs: number): SchedContainer[] {
    const out: SchedContainer[] = [];
    const s = this.settings;
    for (;;) {
      const c = this.assignFrom(this.root, node, nowUs);
      if (c === null) break;
      out.push(c);
      if (!s.assignMultiple) break;
      if (s.maxAssign > 0 && out.length >= s.maxAssign) break;
    }
    return out;
  }

  update(nowUs: number): PreemptionDecision {
    this.recomputeShares();
    if (this.preemption === null) return { marked: [], kill: [] };
    return this.preemption.update(this, nowUs);
  }

  queueMaximum(name: string): Resource | undefined {
    const q = this.byPath.get(name);
    return q === undefined ? undefined : this.maxShare(q);
  }

  queues(): QueueView[] {
    return [...this.byPath.values()].map((q) => {
      let pm = 0;
      let pv = 0;
      for (const a of q.apps) {
        pm += a.pendingMb;
        pv += a.pendingVcores;
      }
      return {
        name: q.conf.path, leaf: q.leaf, used: q.used, pending: { memoryMb: pm, vcores: pv },
        guaranteed: { memoryMb: q.steadyMb, vcores: q.steadyVcores }, maximum: this.maxShare(q),
        fairShare: { memoryMb: q.fairMb, vcores: q.fairVcores }, capacityOrWeight: q.conf.weight, apps: q.apps.size,
        extra: { policy: q.conf.policy, minShare: this.minShare(q).memoryMb },
      };
    });
  }

  protected checkQueueInvariants(): void {
    const check = (q: FsQueue): number => {
      let m = 0;
      if (q.leaf) for (const a of q.apps) m += a.usedMb;
      else for (const c of q.children) m += check(c);
      invariant(m === q.usedMb, `queue ${q.conf.path}: used ${q.usedMb} MB is not the sum ${m} MB`);
      return m;
    };
    check(this.root);
  }
}
