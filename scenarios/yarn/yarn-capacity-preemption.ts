import type { Config } from '../../sim/core/config.ts';
import { defineScenario } from '../../sim/harness/scenario.ts';
import { capacityGuaranteeChecker } from '../../sim/yarn/checkers/index.ts';
import { buildYarn, summary, twoQueueDefaults, yarnScenarioSchema, systems } from './lib/common.ts';

// Queue a (50%, user-limit-factor 2) takes the whole cluster of four 8 GB workers with a job of
// long maps; at 30 s a job arrives in queue b (50%). With the preemption monitor on
// (yarn.resourcemanager.scheduler.monitor.enable, the default here) ProportionalCapacityPreemptionPolicy
// computes b's ideal share every 3 s, marks a's newest containers (the AM sees them in its allocate
// response), kills them 15 s later, and b climbs to its guarantee a container or so per round
// (10% of the cluster per round at most, natural_termination_factor 0.2 of the excess each time,
// nothing inside the 10% dead zone). With --set yarn.resourcemanager.scheduler.monitor.enable=false
// b waits for a's maps to finish by themselves, and yarn-capacity-guarantee fires.

const P = 'yarn.resourcemanager.monitor.capacity.preemption.';

/**
 * How long b may wait for its guarantee with the monitor on: each round takes at least one
 * container (or natural_termination_factor of the excess within the per-round cap) and kills it
 * max_wait_before_kill later, a round every monitoring_interval; plus a minute of slack.
 */
export function preemptionBoundMs(cfg: Config): number {
  const clusterMb = cfg.int('yarn.nodemanagers') * cfg.int('yarn.nodemanager.resource.memory-mb');
  const guaranteeB = clusterMb * cfg.num('yarn.scheduler.capacity.root.b.capacity') / 100;
  const perRoundMb = Math.max(cfg.int('workload.containerMb'), clusterMb * cfg.num(`${P}total_preemption_per_round`) * cfg.num(`${P}natural_termination_factor`));
  const rounds = Math.ceil(guaranteeB / perRoundMb);
  return rounds * (cfg.int(`${P}max_wait_before_kill`) + 2 * cfg.int(`${P}monitoring_interval`)) + 60_000;
}

/** Within the dead zone a may keep max_ignored_over_capacity more than its guarantee; plus a container. */
export function preemptionToleranceMb(cfg: Config): number {
  const clusterMb = cfg.int('yarn.nodemanagers') * cfg.int('yarn.nodemanager.resource.memory-mb');
  return clusterMb * cfg.num('yarn.scheduler.capacity.root.a.capacity') / 100 * cfg.num(`${P}max_ignored_over_capacity`) + cfg.int('workload.containerMb');
}

export default defineScenario({
  name: 'yarn-capacity-preemption',
  description: 'Queue a fills the cluster, queue b arrives: with the preemption monitor on, b reaches its 50% guarantee; with it off (--set yarn.resourcemanager.scheduler.monitor.enable=false), b waits.',
  teaches: 'ProportionalCapacityPreemptionPolicy: ideal shares by guarantee, the per-round limit, natural_termination_factor, the dead zone, mark then kill after max_wait_before_kill, newest containers of the newest applications first, AM containers spared; PREEMPTED exits do not count as task failures.',
  systems,
  schema: yarnScenarioSchema(['root', 'root.a', 'root.b', 'root.default']),
  defaults: {
    ...twoQueueDefaults,
    'yarn.scheduler.capacity.root.a.user-limit-factor': 2,
    'yarn.scheduler.capacity.maximum-am-resource-percent': 0.5,
    'yarn.resourcemanager.scheduler.monitor.enable': true,
    'workload.apps': 2,
    'workload.queues': ['a', 'b'],
    'workload.startMs': 1000,
    'workload.submitIntervalMs': 30_000,
    'workload.maps': 40,
    'workload.reduces': 1,
    'workload.taskMs': 800_000,
    'check.livenessBoundMs': 3_600_000,
  },
  faultPhaseMs: 900_000,
  quiesceMs: 60_000,
  expect: (cfg) => cfg.bool('yarn.resourcemanager.scheduler.monitor.enable')
    ? { violations: [], why: 'the preemption monitor takes a\'s excess back round by round, so b reaches its guarantee within the bound the preemption settings give' }
    : { violations: ['yarn-capacity-guarantee'], why: 'without the monitor nothing takes a\'s containers back: b waits for a\'s maps to end, far longer than the bound' },
  build(world, cfg) {
    buildYarn(world, cfg);
    world.addChecker(capacityGuaranteeChecker({ boundMs: preemptionBoundMs(cfg), toleranceMb: preemptionToleranceMb(cfg), queues: ['root.b'] }));
  },
  summary,
});
