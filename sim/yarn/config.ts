import type { ConfigSchema, ConfigValue, KeySpec } from '../core/config.ts';

// YARN configuration: yarn-site.xml keys with Hadoop 3.3's defaults (yarn-default.xml,
// YarnConfiguration, CapacitySchedulerConfiguration, FairSchedulerConfiguration,
// ProportionalCapacityPreemptionPolicy's CapacitySchedulerConfiguration keys). The Capacity
// Scheduler's per-queue keys depend on the queue tree, so they come from capacityQueueSchema(paths).

export const FIFO_CLASS = 'org.apache.hadoop.yarn.server.resourcemanager.scheduler.fifo.FifoScheduler';
export const CAPACITY_CLASS = 'org.apache.hadoop.yarn.server.resourcemanager.scheduler.capacity.CapacityScheduler';
export const FAIR_CLASS = 'org.apache.hadoop.yarn.server.resourcemanager.scheduler.fair.FairScheduler';
export const DEFAULT_CALCULATOR = 'org.apache.hadoop.yarn.util.resource.DefaultResourceCalculator';
export const DOMINANT_CALCULATOR = 'org.apache.hadoop.yarn.util.resource.DominantResourceCalculator';

export type SchedulerKind = 'fifo' | 'capacity' | 'fair';

/** The scheduler a class name selects (short names fifo, capacity, fair are accepted for --set). */
export function schedulerKind(cls: string): SchedulerKind {
  if (cls === FIFO_CLASS || cls === 'fifo' || cls.endsWith('.FifoScheduler')) return 'fifo';
  if (cls === FAIR_CLASS || cls === 'fair' || cls.endsWith('.FairScheduler')) return 'fair';
  return 'capacity';
}

const schedulerClass: KeySpec = {
  type: 'string',
  default: CAPACITY_CLASS,
  doc: 'the scheduler: FifoScheduler, CapacityScheduler (the default) or FairScheduler class name, or fifo / capacity / fair',
  parse: (raw) => {
    const t = raw.trim();
    if (t === 'fifo') return FIFO_CLASS;
    if (t === 'capacity') return CAPACITY_CLASS;
    if (t === 'fair') return FAIR_CLASS;
    if (t === FIFO_CLASS || t === CAPACITY_CLASS || t === FAIR_CLASS) return t;
    return { error: `'${t}' is not a scheduler dsim models (${FIFO_CLASS}, ${CAPACITY_CLASS}, ${FAIR_CLASS}, or fifo, capacity, fair)` };
  },
};

const calculator: KeySpec = {
  type: 'enum',
  default: DEFAULT_CALCULATOR,
  values: [DEFAULT_CALCULATOR, DOMINANT_CALCULATOR],
  doc: 'how the Capacity Scheduler compares resources: memory only (default) or dominant share (DRF)',
};

const P = 'yarn.resourcemanager.monitor.capacity.preemption.';

export const yarnSchema: ConfigSchema = {
  'yarn.resourcemanager.scheduler.class': schedulerClass,
  'yarn.scheduler.minimum-allocation-mb': { type: 'int', default: 1024, min: 0, doc: 'every ask is rounded up to a multiple of this' },
  'yarn.scheduler.maximum-allocation-mb': { type: 'int', default: 8192, min: 1, doc: 'largest container; larger asks are capped' },
  'yarn.scheduler.minimum-allocation-vcores': { type: 'int', default: 1, min: 0, doc: 'smallest vcores per container' },
  'yarn.scheduler.maximum-allocation-vcores': { type: 'int', default: 4, min: 1, doc: 'largest vcores per container' },
  'yarn.nodemanager.resource.memory-mb': { type: 'int', default: 8192, min: 1, doc: 'memory a NodeManager offers for containers' },
  'yarn.nodemanager.disk-health-checker.enable': { type: 'boolean', default: true, doc: 'LocalDirsHandlerService: check the NodeManager\'s local and log dirs; bad disks make the node UNHEALTHY' },
  'yarn.nodemanager.disk-health-checker.interval-ms': { type: 'int', default: 120_000, min: 1, doc: 'how often the disk health checker runs (and once at start)' },
  'yarn.nodemanager.disk-health-checker.min-healthy-disks': { type: 'double', default: 0.25, min: 0, max: 1, doc: 'the node is unhealthy when fewer than this fraction of its local dirs (or of its log dirs) is good' },
  'yarn.nodemanager.disk-health-checker.max-disk-utilization-per-disk-percentage': { type: 'double', default: 90, min: 0, max: 100, doc: 'a dir whose disk is used above this percentage is full (bad)' },
  'yarn.nodemanager.disk-health-checker.min-free-space-per-disk-mb': { type: 'int', default: 0, min: 0, doc: 'a dir whose disk has less free space than this is full (bad)' },
  'yarn.nodemanager.resource.cpu-vcores': { type: 'int', default: 8, min: 1, doc: 'vcores a NodeManager offers for containers' },
  'yarn.resourcemanager.nodemanagers.heartbeat-interval-ms': { type: 'int', default: 1000, min: 1, doc: 'NodeManager heartbeat interval the RM hands out' },
  'yarn.resourcemanager.nodemanager-connect-retry-interval-ms': { type: 'int', default: 10_000, min: 1, doc: 'NodeManager: wait between registration attempts (yarn.resourcemanager.connect.retry-interval.ms)' },
  'yarn.nm.liveness-monitor.expiry-interval-ms': { type: 'int', default: 600_000, min: 1, doc: 'a NodeManager silent this long is LOST; its containers complete ABORTED' },
  'yarn.am.liveness-monitor.expiry-interval-ms': { type: 'int', default: 600_000, min: 1, doc: 'a registered AM that does not allocate() this long is expired; its attempt fails' },
  'yarn.resourcemanager.rm.container-allocation.expiry-interval-ms': { type: 'int', default: 600_000, min: 1, doc: 'an allocated container not running on its NodeManager within this is reclaimed (EXPIRED)' },
  'yarn.resourcemanager.am.max-attempts': { type: 'int', default: 2, min: 1, doc: 'attempts that count (PREEMPTED, ABORTED, DISKS_FAILED and KILLED_BY_RM exits do not) before an application fails' },
  'yarn.app.am.heartbeat-interval-ms': { type: 'int', default: 1000, min: 1, doc: 'the synthetic AM\'s allocate() interval (yarn.app.mapreduce.am.scheduler.heartbeat.interval-ms for MapReduce)' },
  'yarn.client.application-client-protocol.poll-interval-ms': { type: 'int', default: 200, min: 1, doc: 'how often a client polls getApplicationReport' },
  'yarn.client.failover-retry-interval-ms': { type: 'int', default: 1000, min: 1, doc: 'client resend interval when the RM does not answer (dsim: stands for ipc.client retry)' },
  'yarn.client.nodemanager-connect.max-wait-ms': { type: 'int', default: 180_000, min: 1, doc: 'startContainers to a NodeManager is retried this long before the launch fails (AMs and the RM\'s AM launcher)' },
  'yarn.client.nodemanager-connect.retry-interval-ms': { type: 'int', default: 10_000, min: 1, doc: 'between startContainers retries' },
  'yarn.resourcemanager.scheduler.monitor.enable': { type: 'boolean', default: false, doc: 'runs the scheduling monitors (ProportionalCapacityPreemptionPolicy) with the Capacity Scheduler' },
  [`${P}monitoring_interval`]: { type: 'int', default: 3000, min: 1, doc: 'ms between preemption policy runs' },
  [`${P}max_wait_before_kill`]: { type: 'int', default: 15_000, min: 0, doc: 'ms from marking a container for preemption to killing it' },
  [`${P}total_preemption_per_round`]: { type: 'double', default: 0.1, min: 0, max: 1, doc: 'at most this fraction of the cluster is preempted per round' },
  [`${P}max_ignored_over_capacity`]: { type: 'double', default: 0.1, min: 0, doc: 'dead zone: a queue over its ideal share by less than this fraction is left alone' },
  [`${P}natural_termination_factor`]: { type: 'double', default: 0.2, min: 0, max: 1, doc: 'fraction of the over-capacity preempted per round (the rest is expected to finish by itself)' },
  [`${P}observe_only`]: { type: 'boolean', default: false, doc: 'run the policy and log, but neither mark nor kill' },
  'yarn.scheduler.capacity.resource-calculator': calculator,
  'yarn.scheduler.capacity.maximum-am-resource-percent': { type: 'double', default: 0.1, min: 0, max: 1, doc: 'fraction of a queue\'s capacity AM containers may use (per queue: <queue>.maximum-am-resource-percent)' },
  'yarn.scheduler.capacity.node-locality-delay': { type: 'int', default: 40, min: -1, doc: 'missed scheduling opportunities before a rack-local container is accepted (-1: off)' },
  'yarn.scheduler.capacity.per-node-heartbeat.multiple-assignments-enabled': { type: 'boolean', default: true, doc: 'assign more than one container per node heartbeat' },
  'yarn.scheduler.capacity.per-node-heartbeat.maximum-container-assignments': { type: 'int', default: 100, min: -1, doc: 'containers per node heartbeat at most (-1: unlimited)' },
  'yarn.scheduler.capacity.per-node-heartbeat.maximum-offswitch-assignments': { type: 'int', default: 1, min: 1, doc: 'off-switch containers per node heartbeat at most' },
  'yarn.scheduler.fair.allocation.file': { type: 'string', default: '', doc: 'the allocation file\'s XML content (dsim: the text itself, not a path; --config fair-scheduler.xml fills it)' },
  'yarn.scheduler.fair.preemption': { type: 'boolean', default: false, doc: 'Fair Scheduler preemption' },
  'yarn.scheduler.fair.preemption.cluster-utilization-threshold': { type: 'double', default: 0.8, min: 0, max: 1, doc: 'preempt only when the cluster is at least this utilized' },
  'yarn.scheduler.fair.waitTimeBeforeKill': { type: 'int', default: 15_000, min: 0, doc: 'ms between asking an AM to give a container back and killing it' },
  'yarn.scheduler.fair.update-interval-ms': { type: 'int', default: 500, min: 1, doc: 'fair shares and starvation are recomputed this often' },
  'yarn.scheduler.fair.assignmultiple': { type: 'boolean', default: false, doc: 'assign more than one container per node heartbeat' },
  'yarn.scheduler.fair.max.assign': { type: 'int', default: -1, min: -1, doc: 'with assignmultiple, containers per heartbeat at most (-1: unlimited)' },
  'yarn.scheduler.fair.user-as-default-queue': { type: 'boolean', default: true, doc: 'an application that names no queue goes to root.<user> (else root.default)' },
};

export const CAPACITY_PREFIX = 'yarn.scheduler.capacity.';

/** Per-queue Capacity Scheduler keys for the given queue paths (root, root.a, root.a.x, ...). */
export function capacityQueueSchema(paths: readonly string[]): ConfigSchema {
  const out: { [k: string]: KeySpec } = {};
  // The capacity-scheduler.xml Hadoop ships: root has one child, default, with 100%.
  const shipped = paths.includes('root.default');
  for (const p of paths) {
    const q = `${CAPACITY_PREFIX}${p}.`;
    out[`${q}queues`] = { type: 'list', default: p === 'root' && shipped ? ['default'] : [], doc: `children of ${p} (empty: ${p} is a leaf)` };
    out[`${q}capacity`] = { type: 'double', default: p === 'root' || (p === 'root.default' && shipped) ? 100 : -1, doc: `guaranteed share of the parent, percent (siblings sum to 100; -1: unset, 0)` };
    out[`${q}maximum-capacity`] = { type: 'double', default: -1, doc: `elasticity cap, percent of the parent (-1: 100)` };
    out[`${q}user-limit-factor`] = { type: 'double', default: 1, doc: 'a user may take this multiple of the queue capacity (-1: up to maximum-capacity)' };
    out[`${q}minimum-user-limit-percent`] = { type: 'int', default: 100, min: 1, max: 100, doc: 'each active user is guaranteed at least this percent of the queue' };
    out[`${q}maximum-am-resource-percent`] = { type: 'double', default: -1, doc: 'AM share of this queue (-1: yarn.scheduler.capacity.maximum-am-resource-percent)' };
    out[`${q}ordering-policy`] = { type: 'enum', default: 'fifo', values: ['fifo', 'fair'], doc: 'order of a leaf queue\'s applications' };
  }
  return out;
}

/** Scenario defaults that declare a Capacity queue tree: { 'root': ['a','b'] } and capacities by path. */
export function capacityTreeDefaults(children: { readonly [parent: string]: readonly string[] }, capacities: { readonly [path: string]: number }): { [key: string]: ConfigValue } {
  const out: { [key: string]: ConfigValue } = {};
  for (const [parent, kids] of Object.entries(children)) out[`${CAPACITY_PREFIX}${parent}.queues`] = kids;
  for (const [path, c] of Object.entries(capacities)) out[`${CAPACITY_PREFIX}${path}.capacity`] = c;
  return out;
}

/** Every queue path below the declared children map, root first. */
export function queuePaths(children: { readonly [parent: string]: readonly string[] }): string[] {
  const out: string[] = [];
  const walk = (p: string): void => {
    out.push(p);
    for (const c of children[p] ?? []) walk(`${p}.${c}`);
  };
  walk('root');
  return out;
}
