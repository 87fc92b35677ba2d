import { closest, type Config } from '../core/config.ts';
import { parseHadoopConfiguration } from '../core/hadoop-xml.ts';
import type { ConfigFileRead, ConfigFileReader, System } from '../harness/system.ts';
import { hdfsSystem } from '../hdfs/system.ts';
import type { World } from '../world/world.ts';
import { yarnSystem } from '../yarn/system.ts';
import { attemptAccountingChecker } from './checkers/attempt-accounting.ts';
import { outputExactlyOnceChecker } from './checkers/output-exactly-once.ts';
import { buildMapReduce, mrAmNode, type MrCluster, type MrClusterOptions } from './cluster.ts';
import { mapreduceSchema } from './config.ts';
import { MR_OBSERVATIONS } from './observations.ts';
import { mapreduceSummary } from './summary.ts';

// MapReduce behind the System seam: prefix `mapreduce.` (Hadoop's keys carry it already), the keys
// of config.ts, a reader of mapred-site.xml, built on YARN and HDFS (uses), its two checkers, the
// mr-am-node() fault target and the `mapred job -status` summary.

const KNOWN = Object.keys(mapreduceSchema);

/** Levenshtein distance (a typo of a modelled key is within 2). */
function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length]!;
}

const mapredSiteReader: ConfigFileReader = {
  fileNames: ['mapred-site.xml'],
  read(fileName: string, text: string): ConfigFileRead {
    const values: { [key: string]: string } = {};
    const unmodelled: string[] = [];
    const unknown: { key: string; closest: string | null }[] = [];
    for (const [key, value] of parseHadoopConfiguration(text, fileName)) {
      if (key in mapreduceSchema) {
        values[key] = value;
        continue;
      }
      const near = closest(key, KNOWN);
      // A near miss of a modelled key is a typo; any other key is a real one dsim does not model.
      if (near !== null && near !== key && editDistance(key, near) <= 2) unknown.push({ key, closest: near });
      else unmodelled.push(key);
    }
    return { values, unmodelled, unknown };
  },
};

export const mapreduceSystem: System<MrClusterOptions, MrCluster> = {
  name: 'mapreduce',
  description: 'MapReduce on YARN and HDFS: MRAppMaster (allocator, speculation, fetch failures, recovery), map and reduce tasks, ShuffleHandler, FileOutputCommitter',
  configPrefix: 'mapreduce.',
  schema: mapreduceSchema,
  configFiles: [mapredSiteReader],
  uses: [yarnSystem, hdfsSystem],
  build(world: World, cfg: Config, options: MrClusterOptions): MrCluster {
    return buildMapReduce(world, cfg, options);
  },
  checkers(cfg: Config, built: MrCluster) {
    return [outputExactlyOnceChecker({ outputDir: built.outputDir, bytesPerChecksum: cfg.int('hdfs.dfs.bytes-per-checksum') }), attemptAccountingChecker()];
  },
  faultTargets: [{
    name: 'mr-am-node',
    usage: 'mr-am-node()',
    arg: /^$/,
    resolve: (world: World) => mrAmNode(world),
  }],
  observations: MR_OBSERVATIONS,
  summary: mapreduceSummary,
};
