import type { Resource, ResourceCalculator } from '../resource.ts';
import type { SchedulerApp } from './app.ts';
import type { CapacityScheduler, CsQueue } from './capacity.ts';
import type { PreemptionDecision, SchedContainer } from './types.ts';

// ProportionalCapacityPreemptionPolicy (SchedulingEditPolicy run by SchedulingMonitor every
// monitoring_interval when yarn.resourcemanager.scheduler.monitor.enable is true):
//  1. ideal assignment: the cluster is offered to the leaf queues in proportion to their
//     guarantees, each taking at most min(maximum capacity, used + pending); what a satisfied
//     queue leaves is offered again to the rest (computeFixpointAllocation);
//  2. a queue above its ideal is to give back used - ideal, all queues together at most
//     total_preemption_per_round of the cluster (scaled down proportionally);
//  3. only a queue above its guarantee x (1 + max_ignored_over_capacity) gives anything (the dead
//     zone), and only natural_termination_factor of it per round: the rest is expected to finish
//     by itself (PreemptableResourceCalculator.calculateResToObtainByPartitionForLeafQueues);
//  4. containers are selected from the queue's newest applications first, lowest priority and
//     newest container first, AM containers skipped (FifoCandidatesSelector);
//  5. a selected container is marked (the AM sees it in the allocate response's
//     PreemptionMessage) and killed when it is selected again max_wait_before_kill or more after it
//     was first marked; a mark older than twice that is dropped (cleanupStaledPreemptionCandidates).

export interface PcppSettings {
  readonly monitoringIntervalMs: number;
  readonly maxWaitBeforeKillMs: number;
  readonly totalPreemptionPerRound: number;
  readonly maxIgnoredOverCapacity: number;
  readonly naturalTerminationFactor: number;
  readonly observeOnly: boolean;
}

export interface QueuePlan {
  readonly queue: string;
  readonly guaranteed: Resource;
  readonly used: Resource;
  readonly pending: Resource;
  readonly ideal: Resource;
  readonly toObtain: Resource;
}

interface Temp {
  readonly q: CsQueue;
  readonly g: Resource;
  readonly max: Resource;
  readonly used: Resource;
  readonly pending: Resource;
  idealMb: number;
  idealVcores: number;
}

/** The fixpoint distribution of one resource component among queues (guarantee-proportional). */
export function fixpoint(total: number, guaranteed: readonly number[], wanted: readonly number[]): number[] {
  const ideal = guaranteed.map(() => 0);
  let unassigned = total;
  let active = guaranteed.map((_g, i) => i).filter((i) => wanted[i]! > 0);
  // Queues with a guarantee first; queues without one share what is left equally.
  for (const phase of ['guaranteed', 'rest'] as const) {
    let set = active.filter((i) => (phase === 'guaranteed' ? guaranteed[i]! > 0 : guaranteed[i]! <= 0));
    for (let round = 0; round < 1000 && unassigned > 1e-9 && set.length > 0; round++) {
      const totalG = set.reduce((s, i) => s + (phase === 'guaranteed' ? guaranteed[i]! : 1), 0);
      let given = 0;
      const next: number[] = [];
      for (const i of set) {
        const offer = unassigned * (phase === 'guaranteed' ? guaranteed[i]! : 1) / totalG;
        const accept = Math.min(offer, wanted[i]! - ideal[i]!);
        ideal[i]! += accept;
        given += accept;
        if (wanted[i]! - ideal[i]! > 1e-9) next.push(i);
      }
      unassigned -= given;
      set = next;
      if (given <= 1e-9) break;
    }
    active = active.filter((i) => wanted[i]! - ideal[i]! > 1e-9);
  }
  return ideal;
}

export class ProportionalCapacityPreemptionPolicy {
  /** Container id -> when it was first marked. */
  private readonly marked = new Map<string, number>();
  lastPlan: QueuePlan[] = [];

  constructor(readonly settings: PcppSettings, readonly rc: ResourceCalculator) {}

  /** Steps 1-3: what each leaf queue is to give back this round. */
  plan(cs: CapacityScheduler): QueuePlan[] {
    const s = this.settings;
    const cluster = cs.cluster;
    const temps: Temp[] = cs.leafQueues().map((q) => {
      let pm = 0;
      let pv = 0;
      for (const a of q.apps) {
        if (!a.active && !a.amPending) continue;
        pm += a.pendingMb;
        pv += a.pendingVcores;
      }
      return { q, g: cs.guaranteed(q), max: cs.maximum(q), used: q.used, pending: { memoryMb: pm, vcores: pv }, idealMb: 0, idealVcores: 0 };
    });
    const wantedM = temps.map((t) => Math.min(t.max.memoryMb, t.used.memoryMb + t.pending.memoryMb));
    const wantedV = temps.map((t) => Math.min(t.max.vcores, t.used.vcores + t.pending.vcores));
    const im = fixpoint(cluster.memoryMb, temps.map((t) => t.g.memoryMb), wantedM);
    const iv = fixpoint(cluster.vcores, temps.map((t) => t.g.vcores), wantedV);
    temps.forEach((t, i) => {
      t.idealMb = im[i]!;
      t.idealVcores = iv[i]!;
    });
    const over = temps.map((t) => ({ memoryMb: Math.max(0, t.used.memoryMb - t.idealMb), vcores: Math.max(0, t.used.vcores - t.idealVcores) }));
    const totalOver = over.reduce((a, o) => ({ memoryMb: a.memoryMb + o.memoryMb, vcores: a.vcores + o.vcores }), { memoryMb: 0, vcores: 0 });
    const allowed = { memoryMb: cluster.memoryMb * s.totalPreemptionPerRound, vcores: cluster.vcores * s.totalPreemptionPerRound };
    const scaling = this.rc.compare(cluster, totalOver, allowed) > 0 ? Math.min(1, this.rc.ratio(allowed, totalOver)) : 1;
    return temps.map((t, i) => {
      const ideal = { memoryMb: t.idealMb, vcores: t.idealVcores };
      const deadZone = { memoryMb: t.g.memoryMb * (1 + s.maxIgnoredOverCapacity), vcores: t.g.vcores * (1 + s.maxIgnoredOverCapacity) };
      const give = this.rc.compare(cluster, t.used, deadZone) > 0;
      const f = give ? scaling * s.naturalTerminationFactor : 0;
      const toObtain = { memoryMb: over[i]!.memoryMb * f, vcores: over[i]!.vcores * f };
      return { queue: t.q.conf.path, guaranteed: t.g, used: t.used, pending: t.pending, ideal, toObtain };
    });
  }

  /** Step 4: the containers a queue gives up, newest application first. */
  select(cs: CapacityScheduler, plan: QueuePlan): SchedContainer[] {
    const cluster = cs.cluster;
    let left = plan.toObtain;
    if (!this.rc.isPositive(cluster, left)) return [];
    const q = cs.queue(plan.queue)!;
    const apps: SchedulerApp[] = [...q.apps].sort((a, b) => b.appNum - a.appNum);
    const out: SchedContainer[] = [];
    for (const app of apps) {
      const cs2 = [...app.live.values()].filter((c) => !c.isAm).sort((a, b) => b.priority - a.priority || b.seq - a.seq);
      for (const c of cs2) {
        if (!this.rc.isPositive(cluster, left)) return out;
        out.push(c);
        left = { memoryMb: left.memoryMb - c.resource.memoryMb, vcores: left.vcores - c.resource.vcores };
      }
    }
    return out;
  }

  editSchedule(cs: CapacityScheduler, nowUs: number): PreemptionDecision {
    const plans = this.plan(cs);
    this.lastPlan = plans;
    if (this.settings.observeOnly) return { marked: [], kill: [] };
    const selected = new Set<SchedContainer>();
    for (const p of plans) for (const c of this.select(cs, p)) selected.add(c);
    const marked: SchedContainer[] = [];
    const kill: SchedContainer[] = [];
    const waitUs = this.settings.maxWaitBeforeKillMs * 1000;
    for (const c of selected) {
      const since = this.marked.get(c.id);
      if (since === undefined) {
        this.marked.set(c.id, nowUs);
        marked.push(c);
      } else if (nowUs - since >= waitUs) {
        kill.push(c);
        this.marked.delete(c.id);
      }
    }
    for (const [id, since] of [...this.marked]) {
      if (cs.container(id) === undefined || since + 2 * waitUs < nowUs) this.marked.delete(id);
    }
    return { marked, kill };
  }
}
