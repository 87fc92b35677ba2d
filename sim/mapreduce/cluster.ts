import type { Config } from '../core/config.ts';
import { SEC } from '../core/types.ts';
import type { World } from '../world/world.ts';
import { buildHdfsCluster, fileWrites } from '../hdfs/cluster.ts';
import { addYarn } from '../yarn/cluster.ts';
import { nmIn } from '../yarn/cluster.ts';
import type { Submission } from '../yarn/workload.ts';
import { MrAppMaster } from './am/app-master.ts';
import { mrSettings } from './config.ts';
import type { AmSpec } from './messages.ts';
import type { MrObservations } from './observations.ts';
import { mapreduceAuxService, MapReduceService, MAPREDUCE_SHUFFLE, type ServiceOptions } from './service.ts';

// A MapReduce cluster in a world: HDFS (nn, dn-1..N on w-1..N), YARN (rm, nm-1..N on the same
// workers, each with the mapreduce_shuffle auxiliary service), an HDFS client writing the input
// files, and the job client submitting the word count once the input is written.

export interface MrClusterOptions {
  readonly workers: number;
  readonly racks: number;
  readonly inputFiles: number;
  readonly inputFileBytes: number;
  readonly submitAtMs: number;
  readonly user: string;
  readonly mapMs: number;
  readonly reduceMs: number;
  /** A host whose task attempts run slowFactor times longer ('' for none). */
  readonly slowHost: string;
  readonly slowFactor: number;
  readonly service?: ServiceOptions;
  /** When client-1 reads its input files back for hdfs-durability (null: never). */
  readonly verifyAtMs: number | null;
}

export interface MrCluster {
  readonly outputDir: string;
  readonly inputs: readonly { readonly path: string; readonly length: number }[];
  readonly nodeManagers: readonly string[];
}

/** The jobs' ends seen in each world (for the summary, after the AM is gone). */
const jobsOf = new WeakMap<World, MrObservations['mr-job'][]>();

export function jobsIn(world: World): readonly MrObservations['mr-job'][] {
  return jobsOf.get(world) ?? [];
}

export function buildMapReduce(world: World, cfg: Config, o: MrClusterOptions): MrCluster {
  const s = mrSettings(cfg);
  const writes = fileWrites(s.inputDir, o.inputFiles, o.inputFileBytes, cfg);
  buildHdfsCluster(world, cfg, { datanodes: o.workers, racks: o.racks, secondary: false, clients: [{ writes, pauseUs: 1 * SEC, reads: [], readEveryUs: 0, verifyAtUs: o.verifyAtMs === null ? null : o.verifyAtMs * 1000 }] });
  const am: AmSpec = { role: 'am', user: o.user, queue: 'default', mapMs: o.mapMs, reduceMs: o.reduceMs, slowHost: o.slowHost, slowFactor: o.slowFactor };
  const sub: Submission = {
    atMs: o.submitAtMs,
    spec: { name: 'word count', queue: 'default', user: o.user, amMemoryMb: 1536, amVcores: 1, tasks: [], appType: 'MAPREDUCE', amProgram: { service: MAPREDUCE_SHUFFLE, args: am } },
  };
  const yarn = addYarn(world, cfg, { workers: o.workers, clients: [[sub]], reportIntervalMs: 5000, auxService: mapreduceAuxService(o.service ?? {}) });
  const list: MrObservations['mr-job'][] = [];
  jobsOf.set(world, list);
  world.onObserve('mr-job', (_p, d) => list.push(d));
  const inputs = writes.map((w) => ({ path: w.path, length: w.fileBytes }));
  return { outputDir: s.outputDir, inputs, nodeManagers: yarn.nodeManagers };
}

/** The NodeManager process running a live MRAppMaster, or null. */
export function mrAmNode(world: World): string | null {
  for (let i = 1; world.findHost(`w-${i}`) !== undefined; i++) {
    const name = `nm-${i}`;
    if (!world.hasProcess(name)) continue;
    const nm = nmIn(world, name);
    const svc = nm?.aux;
    if (!(svc instanceof MapReduceService)) continue;
    if (svc.liveAms().some((a: MrAppMaster) => a.state !== 'DONE' && a.state !== 'UNREGISTERING')) return name;
  }
  return null;
}
