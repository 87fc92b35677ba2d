// Shared setup of the MapReduce scenarios: the cluster (HDFS + YARN on the same workers), the
// word-count job, the checkers (HDFS's, YARN's, MapReduce's) and the summary.

import type { Config, ConfigSchema } from '../../../sim/core/config.ts';
import type { World } from '../../../sim/world/world.ts';
import { hdfsSystem } from '../../../sim/hdfs/system.ts';
import type { MrCluster, MrClusterOptions } from '../../../sim/mapreduce/cluster.ts';
import { mapreduceSystem } from '../../../sim/mapreduce/system.ts';
import { yarnCheckers } from '../../../sim/yarn/checkers/index.ts';
import { yarnSummary } from '../../../sim/yarn/summary.ts';

export const systems = [mapreduceSystem];

export const mrWorkloadSchema: ConfigSchema = {
  'workload.workers': { type: 'int', default: 6, min: 1, max: 1000, doc: 'worker hosts w-N, each with a DataNode dn-N and a NodeManager nm-N' },
  'workload.racks': { type: 'int', default: 2, min: 1, max: 100, doc: 'racks the workers are spread over, round robin' },
  'workload.inputFiles': { type: 'int', default: 4, min: 1, max: 1000, doc: 'input files /input/file-K written by client-1' },
  'workload.inputFileBytes': { type: 'int', default: 2 * 1024 * 1024, min: 1, doc: 'bytes of each input file (a split per HDFS block)' },
  'workload.submitAtMs': { type: 'int', default: 30_000, min: 0, doc: 'when the job client submits the word count (after the input is written)' },
  'workload.mapMs': { type: 'int', default: 8000, min: 1, doc: 'a map attempt\'s modelled run time' },
  'workload.reduceMs': { type: 'int', default: 4000, min: 1, doc: 'a reduce attempt\'s modelled run time after its shuffle' },
  'workload.slowHost': { type: 'string', default: '', doc: 'a worker whose task attempts run slowFactor times longer (speculation), or empty' },
  'workload.verifyAtMs': { type: 'int', default: 100_000, min: 0, doc: 'when client-1 reads the input files back (hdfs-durability)' },
  'workload.slowFactor': { type: 'double', default: 1, min: 1, doc: 'how much slower attempts on workload.slowHost run' },
};

export function mrOptions(cfg: Config, extra: Partial<MrClusterOptions> = {}): MrClusterOptions {
  const w = cfg.scope('workload.');
  return {
    verifyAtMs: w.int('verifyAtMs'),
    workers: w.int('workers'), racks: w.int('racks'), inputFiles: w.int('inputFiles'), inputFileBytes: w.int('inputFileBytes'),
    submitAtMs: w.int('submitAtMs'), user: 'alice', mapMs: w.int('mapMs'), reduceMs: w.int('reduceMs'), slowHost: w.str('slowHost'), slowFactor: w.num('slowFactor'),
    ...extra,
  };
}

/** Builds the cluster and adds every checker of HDFS, YARN and MapReduce. */
export function buildMr(world: World, cfg: Config, extra: Partial<MrClusterOptions> = {}): MrCluster {
  const built = mapreduceSystem.build(world, cfg, mrOptions(cfg, extra));
  for (const c of hdfsSystem.checkers(cfg, { namenode: 'nn', secondary: null, datanodes: [], clients: [] }, { livenessBoundMs: 900_000 })) world.addChecker(c);
  for (const c of yarnCheckers({ nmExpiryMs: cfg.int('yarn.nm.liveness-monitor.expiry-interval-ms'), livenessBoundMs: 900_000 })) world.addChecker(c);
  for (const c of mapreduceSystem.checkers(cfg, built, { livenessBoundMs: 900_000 })) world.addChecker(c);
  return built;
}

export function summary(world: World): string {
  return `${mapreduceSystem.summary(world)}\n\n${yarnSummary(world)}`;
}

export const mrDefaults = {
  'hdfs.dfs.blocksize': 1024 * 1024,
  'hdfs.dfs.namenode.fs-limits.min-block-size': 65536,
  'mapreduce.job.reduces': 3,
};
