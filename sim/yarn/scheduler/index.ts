import type { Config } from '../../core/config.ts';
import { schedulerKind } from '../config.ts';
import { calculatorByClass, type Resource } from '../resource.ts';
import type { SchedulerLimits } from './base.ts';
import { CapacityScheduler } from './capacity.ts';
import { parseCapacityQueues } from './capacity-config.ts';
import { parseAllocationFile } from './fair-config.ts';
import { FairScheduler } from './fair.ts';
import { FifoScheduler } from './fifo.ts';
import type { YarnScheduler } from './types.ts';

// The scheduler yarn.resourcemanager.scheduler.class names, built from the resolved yarn.* keys.
// Configuration errors (capacities not summing to 100, a bad allocation file) are UsageErrors
// raised here, before the run starts, with Hadoop's wording.

export function schedulerLimits(cfg: Config): SchedulerLimits {
  const minimumAllocation: Resource = { memoryMb: cfg.int('yarn.scheduler.minimum-allocation-mb'), vcores: cfg.int('yarn.scheduler.minimum-allocation-vcores') };
  const maximumAllocation: Resource = { memoryMb: cfg.int('yarn.scheduler.maximum-allocation-mb'), vcores: cfg.int('yarn.scheduler.maximum-allocation-vcores') };
  return { minimumAllocation, maximumAllocation };
}

export function createScheduler(cfg: Config): YarnScheduler {
  const limits = schedulerLimits(cfg);
  const kind = schedulerKind(cfg.str('yarn.resourcemanager.scheduler.class'));
  if (kind === 'fifo') return new FifoScheduler(limits);
  if (kind === 'fair') {
    const alloc = parseAllocationFile(cfg.str('yarn.scheduler.fair.allocation.file'), 'yarn.scheduler.fair.allocation.file');
    return new FairScheduler(limits, alloc, {
      assignMultiple: cfg.bool('yarn.scheduler.fair.assignmultiple'),
      maxAssign: cfg.int('yarn.scheduler.fair.max.assign'),
      updateIntervalMs: cfg.int('yarn.scheduler.fair.update-interval-ms'),
      userAsDefaultQueue: cfg.bool('yarn.scheduler.fair.user-as-default-queue'),
      preemption: cfg.bool('yarn.scheduler.fair.preemption')
        ? { utilizationThreshold: cfg.num('yarn.scheduler.fair.preemption.cluster-utilization-threshold'), waitTimeBeforeKillMs: cfg.int('yarn.scheduler.fair.waitTimeBeforeKill') }
        : null,
    });
  }
  const root = parseCapacityQueues((k) => (cfg.has(k) ? cfg.get(k) : undefined), cfg.num('yarn.scheduler.capacity.maximum-am-resource-percent'));
  const P = 'yarn.resourcemanager.monitor.capacity.preemption.';
  return new CapacityScheduler(limits, calculatorByClass(cfg.str('yarn.scheduler.capacity.resource-calculator')), root, {
    nodeLocalityDelay: cfg.int('yarn.scheduler.capacity.node-locality-delay'),
    multipleAssignments: cfg.bool('yarn.scheduler.capacity.per-node-heartbeat.multiple-assignments-enabled'),
    maxAssignments: cfg.int('yarn.scheduler.capacity.per-node-heartbeat.maximum-container-assignments'),
    maxOffSwitchAssignments: cfg.int('yarn.scheduler.capacity.per-node-heartbeat.maximum-offswitch-assignments'),
    preemption: cfg.bool('yarn.resourcemanager.scheduler.monitor.enable')
      ? {
          monitoringIntervalMs: cfg.int(`${P}monitoring_interval`),
          maxWaitBeforeKillMs: cfg.int(`${P}max_wait_before_kill`),
          totalPreemptionPerRound: cfg.num(`${P}total_preemption_per_round`),
          maxIgnoredOverCapacity: cfg.num(`${P}max_ignored_over_capacity`),
          naturalTerminationFactor: cfg.num(`${P}natural_termination_factor`),
          observeOnly: cfg.bool(`${P}observe_only`),
        }
      : null,
  });
}
