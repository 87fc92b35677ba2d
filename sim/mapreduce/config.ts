import type { Config, ConfigSchema } from '../core/config.ts';
import { UsageError } from '../core/invariant.ts';
import { MS } from '../core/types.ts';

// mapred-site.xml keys dsim models, with Hadoop 3.3's defaults (mapred-default.xml, MRJobConfig).
// Every key has an effect on the MRAppMaster or its tasks; validation uses Hadoop's own messages
// where Hadoop has one (FileOutputCommitter's constructor for the algorithm version).

export const mapreduceSchema: ConfigSchema = {
  'mapreduce.job.reduces': { type: 'int', default: 1, min: 0, max: 10_000, doc: 'reduce tasks of the job (MRJobConfig.NUM_REDUCES)' },
  'mapreduce.job.reduce.slowstart.completedmaps': { type: 'double', default: 0.05, min: 0, max: 1, doc: 'fraction of the maps that must be complete before reduces are asked for (RMContainerAllocator)' },
  'mapreduce.map.maxattempts': { type: 'int', default: 4, min: 1, doc: 'FAILED attempts after which a map fails (killed ones do not count)' },
  'mapreduce.reduce.maxattempts': { type: 'int', default: 4, min: 1, doc: 'FAILED attempts after which a reduce fails (killed ones do not count)' },
  'mapreduce.map.speculative': { type: 'boolean', default: true, doc: 'speculative attempts of slow maps (DefaultSpeculator)' },
  'mapreduce.reduce.speculative': { type: 'boolean', default: true, doc: 'speculative attempts of slow reduces' },
  'mapreduce.job.speculative.minimum-allowed-tasks': { type: 'int', default: 10, min: 0, doc: 'speculative attempts allowed at once, at least' },
  'mapreduce.job.speculative.speculative-cap-running-tasks': { type: 'double', default: 0.1, min: 0, max: 1, doc: 'speculative attempts allowed at once, as a fraction of the running tasks' },
  'mapreduce.job.speculative.speculative-cap-total-tasks': { type: 'double', default: 0.01, min: 0, max: 1, doc: 'speculative attempts allowed at once, as a fraction of all tasks' },
  'mapreduce.job.speculative.retry-after-no-speculate': { type: 'int', default: 1000, min: 1, doc: 'ms until the speculator looks again after a pass that launched nothing' },
  'mapreduce.job.speculative.retry-after-speculate': { type: 'int', default: 15_000, min: 1, doc: 'ms until the speculator looks again after a pass that launched an attempt' },
  'mapreduce.job.speculative.slowtaskthreshold': { type: 'double', default: 1.0, min: 0, doc: 'how many standard deviations beyond the mean duration an attempt must run before it is speculated' },
  'mapreduce.reduce.shuffle.max-fetch-failures-notifications': { type: 'int', default: 3, min: 1, doc: 'fetch-failure reports after which a map attempt is failed (JobImpl)' },
  'mapreduce.reduce.shuffle.max-fetch-failures-fraction': { type: 'double', default: 0.5, min: 0, max: 1, doc: 'and the reports must be at least this fraction of the shuffling reduces' },
  'mapreduce.reduce.shuffle.read.timeout': { type: 'int', default: 180_000, min: 1, doc: 'ms a fetch waits for the ShuffleHandler before it fails' },
  'mapreduce.fileoutputcommitter.algorithm.version': {
    type: 'int', default: 1, doc: 'FileOutputCommitter algorithm: 1 (commitJob moves the committed task dirs) or 2 (commitTask moves files into the output dir)',
    parse: (raw) => {
      const n = Number(raw.trim());
      return n === 1 || n === 2 ? n : { error: 'Only 1 or 2 algorithm version is supported' };
    },
  },
  'mapreduce.fileoutputcommitter.marksuccessfuljobs': { type: 'boolean', default: true, doc: 'commitJob creates <out>/_SUCCESS' },
  'mapreduce.map.memory.mb': { type: 'int', default: 1024, min: 1, doc: 'container memory of a map' },
  'mapreduce.reduce.memory.mb': { type: 'int', default: 1024, min: 1, doc: 'container memory of a reduce' },
  'mapreduce.map.cpu.vcores': { type: 'int', default: 1, min: 1, doc: 'container vcores of a map' },
  'mapreduce.reduce.cpu.vcores': { type: 'int', default: 1, min: 1, doc: 'container vcores of a reduce' },
  'mapreduce.input.fileinputformat.inputdir': { type: 'string', default: '/input', doc: 'the job\'s input directory in HDFS' },
  'mapreduce.output.fileoutputformat.outputdir': { type: 'string', default: '/out/wordcount', doc: 'the job\'s output directory in HDFS' },
};

/** What the MRAppMaster and its tasks read from the configuration. */
export interface MrSettings {
  readonly reduces: number;
  readonly slowstart: number;
  readonly mapMaxAttempts: number;
  readonly reduceMaxAttempts: number;
  readonly mapSpeculative: boolean;
  readonly reduceSpeculative: boolean;
  readonly specMinAllowed: number;
  readonly specCapRunning: number;
  readonly specCapTotal: number;
  readonly specRetryNoUs: number;
  readonly specRetryYesUs: number;
  readonly specSlowThreshold: number;
  readonly fetchFailuresNotifications: number;
  readonly fetchFailuresFraction: number;
  readonly shuffleReadTimeoutUs: number;
  readonly committerVersion: 1 | 2;
  readonly markSuccess: boolean;
  readonly map: { readonly memoryMb: number; readonly vcores: number };
  readonly reduce: { readonly memoryMb: number; readonly vcores: number };
  readonly inputDir: string;
  readonly outputDir: string;
}

function absolute(path: string, key: string): string {
  if (!path.startsWith('/') || path.length < 2) throw new UsageError(`${key}: Pathname ${path} from ${path} is not a valid DFS filename.`);
  return path.replace(/\/+$/, '');
}

export function mrSettings(cfg: Config): MrSettings {
  const c = cfg.scope('mapreduce.');
  return {
    reduces: c.int('job.reduces'),
    slowstart: c.num('job.reduce.slowstart.completedmaps'),
    mapMaxAttempts: c.int('map.maxattempts'),
    reduceMaxAttempts: c.int('reduce.maxattempts'),
    mapSpeculative: c.bool('map.speculative'),
    reduceSpeculative: c.bool('reduce.speculative'),
    specMinAllowed: c.int('job.speculative.minimum-allowed-tasks'),
    specCapRunning: c.num('job.speculative.speculative-cap-running-tasks'),
    specCapTotal: c.num('job.speculative.speculative-cap-total-tasks'),
    specRetryNoUs: c.int('job.speculative.retry-after-no-speculate') * MS,
    specRetryYesUs: c.int('job.speculative.retry-after-speculate') * MS,
    specSlowThreshold: c.num('job.speculative.slowtaskthreshold'),
    fetchFailuresNotifications: c.int('reduce.shuffle.max-fetch-failures-notifications'),
    fetchFailuresFraction: c.num('reduce.shuffle.max-fetch-failures-fraction'),
    shuffleReadTimeoutUs: c.int('reduce.shuffle.read.timeout') * MS,
    committerVersion: c.int('fileoutputcommitter.algorithm.version') === 2 ? 2 : 1,
    markSuccess: c.bool('fileoutputcommitter.marksuccessfuljobs'),
    map: { memoryMb: c.int('map.memory.mb'), vcores: c.int('map.cpu.vcores') },
    reduce: { memoryMb: c.int('reduce.memory.mb'), vcores: c.int('reduce.cpu.vcores') },
    inputDir: absolute(c.str('input.fileinputformat.inputdir'), 'mapreduce.input.fileinputformat.inputdir'),
    outputDir: absolute(c.str('output.fileoutputformat.outputdir'), 'mapreduce.output.fileoutputformat.outputdir'),
  };
}
