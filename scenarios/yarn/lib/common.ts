// Shared setup of the YARN scenarios: the cluster (rm, w-N with nm-N, clients), the workload (a
// synthetic one from workload.* keys, or an SLS JSON job trace), the checkers, the summary.

import type { Config, ConfigSchema, ConfigValue } from '../../../sim/core/config.ts';
import { Rng } from '../../../sim/core/rng.ts';
import type { World } from '../../../sim/world/world.ts';
import { addYarn, type YarnCluster, type YarnClusterOptions } from '../../../sim/yarn/cluster.ts';
import { yarnCheckers } from '../../../sim/yarn/checkers/index.ts';
import { capacityQueueSchema } from '../../../sim/yarn/config.ts';
import { STANDARD_QUEUE_PATHS, yarnSystem } from '../../../sim/yarn/system.ts';
import { yarnSummary } from '../../../sim/yarn/summary.ts';
import { parseSlsTrace, slsSubmissions, type AppSpec, type Submission } from '../../../sim/yarn/workload.ts';

export const workloadSchema: ConfigSchema = {
  'workload.apps': { type: 'int', default: 6, min: 0, max: 100_000, doc: 'synthetic applications to submit' },
  'workload.submitIntervalMs': { type: 'int', default: 2000, min: 0, doc: 'time between submissions' },
  'workload.startMs': { type: 'int', default: 2000, min: 0, doc: 'first submission' },
  'workload.queues': { type: 'list', default: ['default'], doc: 'queues the applications go to, round robin' },
  'workload.users': { type: 'list', default: ['alice', 'bob'], doc: 'users submitting, round robin' },
  'workload.maps': { type: 'int', default: 8, min: 0, doc: 'phase-0 containers per application (maps)' },
  'workload.firstAppMaps': { type: 'int', default: -1, min: -1, doc: 'maps of the first application only (-1: workload.maps): one big job ahead of the others' },
  'workload.reduces': { type: 'int', default: 2, min: 0, doc: 'phase-1 containers per application (reduces), asked for once the maps are done' },
  'workload.containerMb': { type: 'int', default: 1024, min: 1, doc: 'memory of each task container' },
  'workload.containerVcores': { type: 'int', default: 1, min: 1, doc: 'vcores of each task container' },
  'workload.amMb': { type: 'int', default: 1024, min: 1, doc: 'memory of each AM container' },
  'workload.taskMs': { type: 'int', default: 20_000, min: 1, doc: 'mean task duration (each task 0.5x to 1.5x, from the seed)' },
  'workload.clients': { type: 'int', default: 1, min: 1, max: 100, doc: 'client processes (yarn-client-N), applications dealt round robin' },
  'workload.reportIntervalMs': { type: 'int', default: 5000, min: 1, doc: 'how often a client asks for the report of a running application (mapreduce.client.completion.pollinterval)' },
  'workload.sls': { type: 'string', default: '', doc: 'an SLS JSON job trace (its text); replaces the synthetic workload and sizes the cluster from num.nodes and the hosts it names' },
  'check.livenessBoundMs': { type: 'int', default: 900_000, min: 1, doc: 'yarn-liveness: every application ends within this long after the heal' },
};

/** The systems every YARN scenario composes. */
export const systems = [yarnSystem];

/**
 * A YARN scenario's own keys: the workload's, and the Capacity keys of queue paths beyond the
 * system's STANDARD_QUEUE_PATHS (the yarn.* keys themselves come with `systems`).
 */
export function yarnScenarioSchema(queuePaths: readonly string[] = [], extra: ConfigSchema = {}): ConfigSchema {
  const more = queuePaths.filter((p) => !STANDARD_QUEUE_PATHS.includes(p));
  return { ...capacityQueueSchema(more), ...workloadSchema, ...extra };
}

export function syntheticSubmissions(cfg: Config, rng: Rng): Submission[] {
  const w = cfg.scope('workload.');
  const queues = w.list('queues');
  const users = w.list('users');
  const out: Submission[] = [];
  for (let i = 0; i < w.int('apps'); i++) {
    const dur = () => Math.round(w.int('taskMs') * (0.5 + rng.float()));
    const group = (phase: number, count: number) => ({ count, priority: phase === 0 ? 20 : 10, memoryMb: w.int('containerMb'), vcores: w.int('containerVcores'), durationMs: dur(), host: null, rack: null, phase, exitStatus: 0 });
    const maps = i === 0 && w.int('firstAppMaps') >= 0 ? w.int('firstAppMaps') : w.int('maps');
    const tasks = [group(0, maps), group(1, w.int('reduces'))].filter((g) => g.count > 0);
    const spec: AppSpec = { name: `app-${i + 1}`, queue: queues[i % queues.length]!, user: users[i % users.length]!, amMemoryMb: w.int('amMb'), amVcores: 1, tasks, appType: 'YARN' };
    out.push({ atMs: w.int('startMs') + i * w.int('submitIntervalMs'), spec });
  }
  return out;
}

export interface BuildOptions {
  readonly submissions?: readonly Submission[];
  readonly rm?: YarnClusterOptions['rm'];
  readonly nm?: YarnClusterOptions['nm'];
  /** false: skip the standard checkers. */
  readonly checkers?: boolean;
}

export function buildYarn(world: World, cfg: Config, opts: BuildOptions = {}): YarnCluster {
  const w = cfg.scope('workload.');
  let workers = cfg.int('yarn.nodemanagers');
  const racks = cfg.int('yarn.racks');
  let rackOf = (i: number) => `/rack-${(i % racks) + 1}`;
  let subs: readonly Submission[];
  if (opts.submissions !== undefined) subs = opts.submissions;
  else if (w.str('sls') !== '') {
    const sls = slsSubmissions(parseSlsTrace(w.str('sls'), 'workload.sls'), { memoryMb: w.int('containerMb'), vcores: w.int('containerVcores') }, { memoryMb: w.int('amMb'), vcores: 1 });
    subs = sls.submissions;
    workers = Math.max(workers, sls.workerRacks.length);
    const wr = sls.workerRacks;
    rackOf = (i) => wr[i] ?? `/rack-${(i % racks) + 1}`;
  } else subs = syntheticSubmissions(cfg, world.rng.fork('workload'));
  const n = w.int('clients');
  const clients: Submission[][] = Array.from({ length: n }, () => []);
  subs.forEach((s, i) => clients[i % n]!.push(s));
  const cluster = addYarn(world, cfg, { workers, rackOf, clients, reportIntervalMs: w.int('reportIntervalMs'), ...(opts.rm !== undefined ? { rm: opts.rm } : {}), ...(opts.nm !== undefined ? { nm: opts.nm } : {}) });
  if (opts.checkers !== false) {
    for (const c of yarnCheckers({ nmExpiryMs: cfg.int('yarn.nm.liveness-monitor.expiry-interval-ms'), livenessBoundMs: cfg.int('check.livenessBoundMs') })) world.addChecker(c);
  }
  return cluster;
}

export function summary(world: World): string {
  return yarnSummary(world);
}

export const twoQueueDefaults: { [key: string]: ConfigValue } = {
  'yarn.scheduler.capacity.root.queues': ['a', 'b'],
  'yarn.scheduler.capacity.root.a.capacity': 50,
  'yarn.scheduler.capacity.root.b.capacity': 50,
};
