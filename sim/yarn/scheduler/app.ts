import { invariant } from '../../core/invariant.ts';
import { NONE, type Resource } from '../resource.ts';
import { ANY, type AppSubmission, type NodeType, type ResourceRequest, type SchedContainer } from './types.ts';

// The scheduler's view of one application attempt (SchedulerApplicationAttempt with its
// AppSchedulingInfo): the outstanding asks by priority and location, the live containers, the
// usage and the pending demand, and the missed scheduling opportunities per priority that the
// Capacity Scheduler's delay scheduling counts.

/** The asks of one priority: '*' carries the capability and the total outstanding. */
export class PriorityAsks {
  capability: Resource = NONE;
  anyNum = 0;
  anyRelax = true;
  /** Host and rack asks: count outstanding and relaxLocality. */
  readonly byName = new Map<string, { num: number; relax: boolean }>();
  /** Missed scheduling opportunities since the last node- or rack-local allocation. */
  missed = 0;
  constructor(readonly priority: number) {}

  /** Distinct host and rack names asked for (Capacity's locality wait factor). */
  uniqueLocations(): number {
    let n = 0;
    for (const v of this.byName.values()) if (v.num > 0) n++;
    return n;
  }
}

export class SchedulerApp {
  readonly id: string;
  readonly attemptId: string;
  readonly appNum: number;
  readonly user: string;
  readonly amResource: Resource;
  /** The leaf queue's name (full path for Capacity and Fair). */
  queue: string;
  /** The AM container is still to be allocated. */
  amPending = true;
  /** Capacity: the queue's AM limit let this application start (LeafQueue.activateApplications). */
  active = false;
  readonly priorities: PriorityAsks[] = [];
  readonly live = new Map<string, SchedContainer>();
  usedMb = 0;
  usedVcores = 0;
  amUsedMb = 0;
  amUsedVcores = 0;
  /** Outstanding asks including the AM's: the sum over priorities of '*' count times capability. */
  pendingMb = 0;
  pendingVcores = 0;
  nextContainerSeq = 1;
  readonly submittedUs: number;
  /** Fair: the application's instantaneous fair share (memory, vcores). */
  fairShareMb = 0;
  fairShareVcores = 0;
  /** Fair preemption: last time usage was at or above the threshold share. */
  lastAtFairShareUs: number;

  constructor(sub: AppSubmission, queue: string, nowUs: number) {
    this.id = sub.appId;
    this.attemptId = sub.attemptId;
    this.appNum = sub.appNum;
    this.user = sub.user;
    this.amResource = sub.amResource;
    this.queue = queue;
    this.submittedUs = nowUs;
    this.lastAtFairShareUs = nowUs;
    this.pendingMb = sub.amResource.memoryMb;
    this.pendingVcores = sub.amResource.vcores;
  }

  get used(): Resource {
    return { memoryMb: this.usedMb, vcores: this.usedVcores };
  }

  get pending(): Resource {
    return { memoryMb: this.pendingMb, vcores: this.pendingVcores };
  }

  hasPending(): boolean {
    return this.pendingMb > 0 || this.pendingVcores > 0;
  }

  private asksAt(priority: number): PriorityAsks {
    let lo = 0;
    let hi = this.priorities.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.priorities[mid]!.priority < priority) lo = mid + 1;
      else hi = mid;
    }
    const found = this.priorities[lo];
    if (found !== undefined && found.priority === priority) return found;
    const pa = new PriorityAsks(priority);
    this.priorities.splice(lo, 0, pa);
    return pa;
  }

  /** AppSchedulingInfo.updateResourceRequests: each request replaces the one at its (priority, name). */
  updateAsks(asks: readonly ResourceRequest[]): void {
    for (const r of asks) {
      invariant(r.numContainers >= 0 && Number.isInteger(r.numContainers), `${this.attemptId}: ask of ${r.numContainers} containers`);
      const pa = this.asksAt(r.priority);
      if (r.resourceName === ANY) {
        this.pendingMb -= pa.anyNum * pa.capability.memoryMb;
        this.pendingVcores -= pa.anyNum * pa.capability.vcores;
        pa.capability = r.capability;
        pa.anyNum = r.numContainers;
        pa.anyRelax = r.relaxLocality;
        this.pendingMb += pa.anyNum * pa.capability.memoryMb;
        this.pendingVcores += pa.anyNum * pa.capability.vcores;
      } else if (r.numContainers === 0) {
        pa.byName.delete(r.resourceName);
      } else {
        pa.byName.set(r.resourceName, { num: r.numContainers, relax: r.relaxLocality });
      }
    }
    invariant(this.pendingMb >= 0 && this.pendingVcores >= 0, `${this.attemptId}: pending went negative`);
  }

  /** AppSchedulingInfo.allocate: what one container of this locality takes off the asks. */
  takeAsk(pa: PriorityAsks, host: string, rack: string, type: NodeType): void {
    invariant(pa.anyNum > 0, `${this.attemptId}: allocation at priority ${pa.priority} without an outstanding '*' ask`);
    const dec = (name: string): void => {
      const e = pa.byName.get(name);
      if (e === undefined) return;
      if (e.num <= 1) pa.byName.delete(name);
      else e.num--;
    };
    if (type === 'NODE_LOCAL') dec(host);
    if (type === 'NODE_LOCAL' || type === 'RACK_LOCAL') dec(rack);
    pa.anyNum--;
    this.pendingMb -= pa.capability.memoryMb;
    this.pendingVcores -= pa.capability.vcores;
    // Capacity: node- and rack-local assignments reset the delay; off-switch ones do not, so an
    // application with many off-switch asks is not delayed again for each (RegularContainerAllocator).
    if (type !== 'OFF_SWITCH') pa.missed = 0;
  }

  /** The inverse of takeAsk for a container its application never received (see YarnScheduler.recoverRequest). */
  recoverAsk(priority: number, capability: Resource, host: string, rack: string, type: NodeType): void {
    const pa = this.asksAt(priority);
    if (pa.anyNum === 0) pa.capability = capability;
    const inc = (name: string): void => {
      const e = pa.byName.get(name);
      if (e === undefined) pa.byName.set(name, { num: 1, relax: true });
      else e.num++;
    };
    if (type === 'NODE_LOCAL') inc(host);
    if (type === 'NODE_LOCAL' || type === 'RACK_LOCAL') inc(rack);
    pa.anyNum++;
    this.pendingMb += pa.capability.memoryMb;
    this.pendingVcores += pa.capability.vcores;
  }

  addContainer(c: SchedContainer): void {
    invariant(!this.live.has(c.id), `${c.id} allocated twice`);
    this.live.set(c.id, c);
    this.usedMb += c.resource.memoryMb;
    this.usedVcores += c.resource.vcores;
    if (c.isAm) {
      this.amUsedMb += c.resource.memoryMb;
      this.amUsedVcores += c.resource.vcores;
    }
  }

  removeContainer(c: SchedContainer): void {
    invariant(this.live.delete(c.id), `${c.id} is not live in ${this.attemptId}`);
    this.usedMb -= c.resource.memoryMb;
    this.usedVcores -= c.resource.vcores;
    if (c.isAm) {
      this.amUsedMb -= c.resource.memoryMb;
      this.amUsedVcores -= c.resource.vcores;
    }
    invariant(this.usedMb >= 0 && this.usedVcores >= 0, `${this.attemptId}: usage went negative`);
  }
}
