import { UsageError } from '../core/invariant.ts';
import { closest, type Config, type ConfigSchema } from '../core/config.ts';
import { parseHadoopConfiguration } from '../core/hadoop-xml.ts';
import type { ConfigFileRead, ConfigFileReader, System } from '../harness/system.ts';
import type { World } from '../world/world.ts';
import { yarnCheckers } from './checkers/index.ts';
import { addYarn, rmIn, type YarnCluster, type YarnClusterOptions } from './cluster.ts';
import { CAPACITY_PREFIX, capacityQueueSchema, yarnSchema } from './config.ts';
import type { YarnObservations } from './observations.ts';
import { parseAllocationFile } from './scheduler/fair-config.ts';
import { yarnSummary } from './summary.ts';

// YARN behind the System seam (sim/harness/system.ts): prefix `yarn.` (Hadoop's own keys already
// carry it), the schema of config.ts with the Capacity Scheduler's per-queue keys for the queue
// paths dsim declares (STANDARD_QUEUE_PATHS), readers of yarn-site.xml, capacity-scheduler.xml and
// fair-scheduler.xml, the cluster builder, the checkers, the am-node(<app>) fault target, the
// observations and the yarn CLI summaries.

/** Queue paths whose yarn.scheduler.capacity.<path>.* keys every YARN scenario accepts. */
export const STANDARD_QUEUE_PATHS: readonly string[] = [
  'root', 'root.default', 'root.a', 'root.b', 'root.c', 'root.d', 'root.prod', 'root.dev', 'root.batch', 'root.adhoc',
  'root.a.a1', 'root.a.a2', 'root.b.b1', 'root.b.b2',
];

export const yarnClusterSchema: ConfigSchema = {
  'yarn.nodemanagers': { type: 'int', default: 4, min: 1, max: 20_000, doc: 'worker hosts w-1..w-N, each running a NodeManager nm-N (dsim)' },
  'yarn.racks': { type: 'int', default: 1, min: 1, max: 1000, doc: 'racks the workers are spread over, round robin (dsim)' },
};

/** The system's schema: yarn-site keys, per-queue Capacity keys of these paths, cluster size. */
export function yarnSystemSchema(extraQueuePaths: readonly string[] = []): ConfigSchema {
  const paths = [...new Set([...STANDARD_QUEUE_PATHS, ...extraQueuePaths])];
  return { ...yarnSchema, ...capacityQueueSchema(paths), ...yarnClusterSchema };
}

const SCHEMA = yarnSystemSchema();
const KNOWN = Object.keys(SCHEMA);

/** A key the file has that dsim lacks: a typo of a modelled key (unknown) or a real key dsim does not model. */
function sortKey(key: string, unmodelled: string[], unknown: { key: string; closest: string | null }[]): void {
  const near = closest(key, KNOWN);
  if (near !== null && near !== key && editClose(key, near)) unknown.push({ key, closest: near });
  else unmodelled.push(key);
}

function editClose(a: string, b: string): boolean {
  // Close enough to be a typo: same length give or take two and differing in a couple of places.
  if (Math.abs(a.length - b.length) > 2) return false;
  let diff = 0;
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) diff++;
  return diff <= 2;
}

const siteReader: ConfigFileReader = {
  fileNames: ['yarn-site.xml'],
  read(fileName: string, text: string): ConfigFileRead {
    const values: { [key: string]: string } = {};
    const unmodelled: string[] = [];
    const unknown: { key: string; closest: string | null }[] = [];
    for (const [key, value] of parseHadoopConfiguration(text, fileName)) {
      // The allocation file is a path on a real cluster: pass fair-scheduler.xml itself with --config.
      if (key === 'yarn.scheduler.fair.allocation.file') unmodelled.push(key);
      else if (key in SCHEMA) values[key] = value;
      else sortKey(key, unmodelled, unknown);
    }
    return { values, unmodelled, unknown };
  },
};

const capacityReader: ConfigFileReader = {
  fileNames: ['capacity-scheduler.xml'],
  read(fileName: string, text: string): ConfigFileRead {
    const values: { [key: string]: string } = {};
    const unmodelled: string[] = [];
    const unknown: { key: string; closest: string | null }[] = [];
    for (const [key, value] of parseHadoopConfiguration(text, fileName)) {
      if (key in SCHEMA) values[key] = value;
      else if (key.startsWith(CAPACITY_PREFIX) && /\.(capacity|maximum-capacity|queues|user-limit-factor|minimum-user-limit-percent|maximum-am-resource-percent|ordering-policy)$/.test(key)) {
        // A queue outside the declared paths: dsim's schema cannot take it.
        unknown.push({ key, closest: null });
      } else sortKey(key, unmodelled, unknown);
    }
    return { values, unmodelled, unknown };
  },
};

const fairReader: ConfigFileReader = {
  fileNames: ['fair-scheduler.xml'],
  read(fileName: string, text: string): ConfigFileRead {
    // AllocationFileLoaderService parses it as XML: an empty file has no <allocations> root.
    if (text.trim() === '') throw new UsageError(`${fileName}: empty file; an allocation file needs its <allocations> root element`);
    const parsed = parseAllocationFile(text, fileName); // validates, with Hadoop's messages
    return { values: { 'yarn.scheduler.fair.allocation.file': text }, unmodelled: parsed.ignored, unknown: [] };
  },
};

const OBSERVATIONS: { readonly [K in keyof YarnObservations]: string } = {
  'yarn-container': 'the RM allocated a container, or it ended (COMPLETED, RELEASED, KILLED, EXPIRED) with its exit status',
  'yarn-node': 'the RM registered a node (RUNNING), lost it (LOST) or saw it re-register (REBOOTED)',
  'yarn-attempt': 'an application attempt changed state (SCHEDULED .. FINISHED, FAILED, KILLED)',
  'yarn-app': 'an application was submitted or ended',
  'yarn-nm-container': 'a NodeManager started or ended a container: what the node really runs',
  'yarn-am': 'an ApplicationMaster registered with the RM',
};

export const yarnSystem: System<YarnClusterOptions, YarnCluster> = {
  name: 'yarn',
  description: 'YARN: ResourceManager (FIFO, Capacity or Fair scheduler, preemption, liveness monitors), NodeManagers, ApplicationMasters, clients',
  configPrefix: 'yarn.',
  schema: SCHEMA,
  configFiles: [siteReader, capacityReader, fairReader],
  uses: [],
  build(world: World, cfg: Config, options: YarnClusterOptions): YarnCluster {
    return addYarn(world, cfg, options);
  },
  checkers(cfg: Config) {
    return yarnCheckers({ nmExpiryMs: cfg.int('yarn.nm.liveness-monitor.expiry-interval-ms'), livenessBoundMs: 900_000 });
  },
  faultTargets: [{
    name: 'am-node',
    usage: 'am-node(<application id>)',
    arg: /^application_\d+_\d{4,}$/,
    resolve(world: World, app: string): string | null {
      const rm = rmIn(world);
      const a = rm?.apps.apps.get(app);
      const attempt = a?.attempts[a.attempts.length - 1];
      if (rm === null || attempt === undefined || attempt.amNodeId === null) return null;
      if (attempt.state === 'FINISHED' || attempt.state === 'FAILED' || attempt.state === 'KILLED') return null;
      const node = rm.nodes.get(attempt.amNodeId);
      return node === undefined ? null : world.procNames[node.nm]!;
    },
  }],
  observations: OBSERVATIONS,
  summary: yarnSummary,
};
