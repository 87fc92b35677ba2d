import type { SchedulerApp } from './app.ts';
import type { FairScheduler, FsQueue } from './fair.ts';
import type { PreemptionDecision, SchedContainer } from './types.ts';

// Fair Scheduler preemption (Hadoop 3: FSLeafQueue.updateStarvedApps, FSAppAttempt starvation,
// FSStarvedApps, FSPreemptionThread). Each update:
//  - fair-share starvation: an application whose usage stayed below
//    fairSharePreemptionThreshold x its fair share for fairSharePreemptionTimeout is starved by
//    (fair share - usage), at most its pending demand;
//  - min-share starvation: a leaf queue below min(minResources, demand) for
//    minSharePreemptionTimeout is starved by the difference, handed to its applications in
//    policy order up to their pending demand;
//  - only while the cluster is at least cluster-utilization-threshold used;
//  - for each starved application (starvation minus what is already being preempted for it),
//    containers are taken from applications that stay at or above their own fair share without
//    them (FSAppAttempt.canContainerBePreempted), in queues that allow preemption, newest first,
//    AM containers spared; the AM is told at once and the container killed waitTimeBeforeKill later.

export interface FairPreemptionSettings {
  readonly utilizationThreshold: number;
  readonly waitTimeBeforeKillMs: number;
}

interface Marked {
  readonly c: SchedContainer;
  readonly forApp: SchedulerApp;
  readonly atUs: number;
}

export class FairPreemption {
  private readonly marked = new Map<string, Marked>();
  /** Resources being preempted on behalf of each starved application. */
  private readonly inFlight = new Map<SchedulerApp, number>();
  /** Last starvation found per application (memory, MB): for views and tests. */
  readonly starvation = new Map<string, number>();

  constructor(readonly settings: FairPreemptionSettings) {}

  forget(app: SchedulerApp): void {
    this.inFlight.delete(app);
    this.starvation.delete(app.attemptId);
    for (const [id, m] of this.marked) if (m.forApp === app || m.c.attemptId === app.attemptId) this.marked.delete(id);
  }

  private starvedApps(fs: FairScheduler, nowUs: number): { app: SchedulerApp; mb: number }[] {
    const out: { app: SchedulerApp; mb: number }[] = [];
    this.starvation.clear();
    for (const q of fs.leafQueues()) {
      const perApp = new Map<SchedulerApp, number>();
      for (const a of q.apps) {
        const threshold = a.fairShareMb * q.conf.fairSharePreemptionThreshold;
        if (a.usedMb >= threshold || a.pendingMb <= 0) a.lastAtFairShareUs = nowUs;
        else if (nowUs - a.lastAtFairShareUs >= q.conf.fairSharePreemptionTimeoutMs * 1000) {
          const s = Math.min(a.fairShareMb - a.usedMb, a.pendingMb);
          if (s > 0) perApp.set(a, s);
        }
      }
      this.minShareStarvation(fs, q, nowUs, perApp);
      for (const a of fs.sortedApps(q, perApp.keys())) {
        const mb = perApp.get(a)!;
        this.starvation.set(a.attemptId, mb);
        out.push({ app: a, mb });
      }
    }
    return out;
  }

  private minShareStarvation(fs: FairScheduler, q: FsQueue, nowUs: number, perApp: Map<SchedulerApp, number>): void {
    const target = Math.min(fs.minShare(q).memoryMb, fs.demand(q).memoryMb);
    if (q.usedMb >= target) {
      q.lastAtMinShareUs = nowUs;
      return;
    }
    if (nowUs - q.lastAtMinShareUs < q.conf.minSharePreemptionTimeoutMs * 1000) return;
    let left = target - q.usedMb;
    for (const a of fs.sortedApps(q, q.apps)) {
      if (left <= 0) break;
      const already = perApp.get(a) ?? 0;
      const extra = Math.min(left, Math.max(0, a.pendingMb - already));
      if (extra > 0) {
        perApp.set(a, already + extra);
        left -= extra;
      }
    }
  }

  update(fs: FairScheduler, nowUs: number): PreemptionDecision {
    const kill: SchedContainer[] = [];
    for (const [id, m] of [...this.marked]) {
      if (fs.container(id) === undefined) {
        this.release(id, m);
      } else if (nowUs - m.atUs >= this.settings.waitTimeBeforeKillMs * 1000) {
        kill.push(m.c);
        this.release(id, m);
      }
    }
    const starved = this.starvedApps(fs, nowUs);
    const c = fs.cluster;
    const used = fs.root.used;
    const utilization = Math.max(c.memoryMb === 0 ? 0 : used.memoryMb / c.memoryMb, c.vcores === 0 ? 0 : used.vcores / c.vcores);
    const marked: SchedContainer[] = [];
    if (utilization < this.settings.utilizationThreshold) return { marked, kill };
    const killing = new Set(kill.map((k) => k.id));
    // Usage each victim keeps after what is already marked.
    const after = new Map<SchedulerApp, number>();
    for (const m of this.marked.values()) {
      const v = fs.apps.get(m.c.attemptId);
      if (v !== undefined) after.set(v, (after.get(v) ?? v.usedMb) - m.c.resource.memoryMb);
    }
    for (const { app, mb } of starved) {
      let need = mb - (this.inFlight.get(app) ?? 0);
      if (need <= 0) continue;
      const victims = [...fs.apps.values()]
        .filter((v) => v !== app && fs.queue(v.queue)?.conf.allowPreemptionFrom !== false)
        .sort((x, y) => ((after.get(y) ?? y.usedMb) - y.fairShareMb) - ((after.get(x) ?? x.usedMb) - x.fairShareMb) || y.appNum - x.appNum);
      for (const v of victims) {
        if (need <= 0) break;
        const list = [...v.live.values()].filter((k) => !k.isAm && !this.marked.has(k.id) && !killing.has(k.id)).sort((x, y) => y.seq - x.seq);
        for (const k of list) {
          if (need <= 0) break;
          const keep = (after.get(v) ?? v.usedMb) - k.resource.memoryMb;
          if (keep < v.fairShareMb) break;
          after.set(v, keep);
          this.marked.set(k.id, { c: k, forApp: app, atUs: nowUs });
          this.inFlight.set(app, (this.inFlight.get(app) ?? 0) + k.resource.memoryMb);
          marked.push(k);
          need -= k.resource.memoryMb;
        }
      }
    }
    return { marked, kill };
  }

  private release(id: string, m: Marked): void {
    this.marked.delete(id);
    const left = (this.inFlight.get(m.forApp) ?? 0) - m.c.resource.memoryMb;
    if (left > 0) this.inFlight.set(m.forApp, left);
    else this.inFlight.delete(m.forApp);
  }
}
