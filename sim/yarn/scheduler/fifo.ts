import { invariant } from '../../core/invariant.ts';
import { defaultCalculator, type Resource } from '../resource.ts';
import type { SchedulerApp } from './app.ts';
import { NO_PREEMPTION, SchedulerBase, type SchedulerLimits } from './base.ts';
import type { SchedulerNode } from './node.ts';
import type { AppSubmission, PreemptionDecision, QueueView, SchedContainer } from './types.ts';

// FifoScheduler: one queue ("default"), applications strictly in submission order. On each node
// heartbeat the oldest application with outstanding asks takes everything it can use on the node
// (node-local, then rack-local, then off-switch, by priority) before the next one is offered the
// rest. No limits, no preemption: a big early job starves everyone behind it.

export class FifoScheduler extends SchedulerBase {
  readonly kind = 'fifo';
  readonly updateIntervalMs = 0;
  /** Applications with outstanding asks, in submission order (appNum). */
  private readonly pendingApps: SchedulerApp[] = [];
  private usedMb = 0;
  private usedVcores = 0;

  constructor(limits: SchedulerLimits) {
    super(limits, defaultCalculator);
  }

  protected place(sub: AppSubmission): { queue: string } {
    // FifoScheduler has a single queue; the queue an application names is ignored.
    void sub;
    return { queue: 'default' };
  }

  protected attach(): void {}
  protected detach(): void {}

  protected charge(_app: SchedulerApp, c: SchedContainer, sign: 1 | -1): void {
    this.usedMb += sign * c.resource.memoryMb;
    this.usedVcores += sign * c.resource.vcores;
  }

  protected pendingToggled(app: SchedulerApp, pending: boolean): void {
    const i = lowerBound(this.pendingApps, app.appNum);
    if (pending) this.pendingApps.splice(i, 0, app);
    else {
      invariant(this.pendingApps[i] === app, `${app.attemptId} missing from the FIFO pending list`);
      this.pendingApps.splice(i, 1);
    }
  }

  protected assignOnNode(node: SchedulerNode, nowUs: number): SchedContainer[] {
    const out: SchedContainer[] = [];
    const canUse = (): boolean => true;
    // Copy: allocation may take an application off the pending list.
    for (const app of [...this.pendingApps]) {
      for (;;) {
        const c = this.tryAllocate(app, node, nowUs, canUse);
        if (c === null) break;
        out.push(c);
      }
      if (node.availableMb < this.limits.minimumAllocation.memoryMb) break;
    }
    return out;
  }

  update(): PreemptionDecision {
    return NO_PREEMPTION;
  }

  queueMaximum(name: string): Resource | undefined {
    return name === 'default' ? this.cluster : undefined;
  }

  queues(): QueueView[] {
    let pm = 0;
    let pv = 0;
    for (const a of this.pendingApps) {
      pm += a.pendingMb;
      pv += a.pendingVcores;
    }
    const cluster = this.cluster;
    return [{
      name: 'default', leaf: true, used: { memoryMb: this.usedMb, vcores: this.usedVcores }, pending: { memoryMb: pm, vcores: pv },
      guaranteed: cluster, maximum: cluster, fairShare: cluster, capacityOrWeight: 100, apps: this.apps.size,
    }];
  }

  protected checkQueueInvariants(): void {
    let m = 0;
    for (const a of this.apps.values()) m += a.usedMb;
    invariant(m === this.usedMb, 'FIFO queue used mismatch');
    invariant(this.usedMb <= this.clusterMb, 'FIFO queue above the cluster');
  }
}

/** Index of the first application whose appNum is >= n (the list is sorted by appNum). */
export function lowerBound(list: readonly SchedulerApp[], n: number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (list[mid]!.appNum < n) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
