import type { Config, ConfigSchema, KeySpec } from '../core/config.ts';
import { UsageError } from '../core/invariant.ts';
import { MS, SEC } from '../core/types.ts';
import { blockManagementSchema } from './config-blocks.ts';
import { datanodeSchema } from './config-datanode.ts';
import { readConfigurationProperties } from '../core/hadoop-xml.ts';
import { DEFAULT_HDFS_VERSION, HDFS_VERSIONS, hdfsFeatures, isHdfsVersion, type HdfsFeatures, type HdfsVersion } from './version.ts';

// HDFS configuration in dsim: the real keys of hdfs-default.xml / core-default.xml under the `hdfs.`
// prefix (`--set hdfs.dfs.replication=2`), Hadoop 3.3 defaults, and Hadoop's parsing: sizes with
// binary suffixes (Configuration.getLongBytes: 128m, 1g), durations with time units
// (Configuration.getTimeDuration: 3600, 1h, 30s). This file holds the NameNode's and the
// SecondaryNameNode's keys and hdfs.version; the block-management keys (config-blocks.ts, hdfs-bm)
// and the DataNode/client keys (config-datanode.ts, hdfs-dn) are spread in.

export const VERSION_DEFAULT = 'default';

const SIZE_UNITS: Record<string, number> = { k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4, p: 1024 ** 5 };

/** Configuration.getLongBytes: a long with an optional k/m/g/t/p suffix (case-insensitive). */
export function parseBytes(key: string, raw: string): number | { error: string } {
  const t = raw.trim();
  const m = /^(-?\d+)([kmgtpKMGTP])?$/.exec(t);
  if (m === null) return { error: `For input string: "${t}"` };
  const n = Number(m[1]) * (m[2] === undefined ? 1 : SIZE_UNITS[m[2].toLowerCase()]!);
  if (!Number.isSafeInteger(n)) return { error: `${key} value ${t} is out of range` };
  return n;
}

const TIME_UNITS_MS: Record<string, number> = { ns: 1e-6, us: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Configuration.getTimeDuration: a number in `unit` or with a suffix (ns, us, ms, s, m, h, d); returns the value in `unit`. */
export function parseDuration(raw: string, unit: 's' | 'ms'): number | { error: string } {
  const t = raw.trim();
  const m = /^(-?\d+)(ns|us|ms|s|m|h|d)?$/.exec(t);
  if (m === null) return { error: `For input string: "${t}"` };
  if (m[2] === undefined) return Number(m[1]);
  return Math.floor((Number(m[1]) * TIME_UNITS_MS[m[2]]!) / TIME_UNITS_MS[unit]!);
}

function bytesKey(key: string, def: number, doc: string, min?: number): KeySpec {
  return { type: 'int', default: def, doc, ...(min !== undefined ? { min } : {}), parse: (raw) => parseBytes(key, raw) };
}

function durationKey(def: number | string, unit: 's' | 'ms', doc: string, min: number, versionDefault = false): KeySpec {
  return {
    type: 'int', default: def, doc, min,
    parse: (raw) => (versionDefault && raw.trim() === VERSION_DEFAULT ? VERSION_DEFAULT : parseDuration(raw, unit)),
  };
}

/** The NameNode's and SecondaryNameNode's keys. */
export const namenodeSchema: ConfigSchema = {
  'hdfs.version': {
    type: 'enum', default: DEFAULT_HDFS_VERSION, values: HDFS_VERSIONS,
    doc: 'the Hadoop release whose behaviour dsim runs: 2.7, 3.1 or 3.3 (version.ts lists what changes)',
  },
  'hdfs.dfs.replication': { type: 'int', default: 3, doc: 'Default block replication. The actual number of replications can be specified when the file is created' },
  'hdfs.dfs.replication.max': { type: 'int', default: 512, doc: 'Maximal block replication' },
  'hdfs.dfs.blocksize': bytesKey('dfs.blocksize', 134217728, 'The default block size for new files, in bytes (suffixes k, m, g, t, p: 128m, 1g)'),
  'hdfs.dfs.namenode.fs-limits.min-block-size': bytesKey('dfs.namenode.fs-limits.min-block-size', 1048576, 'Minimum block size in bytes, enforced by the Namenode at create time', 0),
  'hdfs.dfs.namenode.checkpoint.period': durationKey(3600, 's', 'The number of seconds between two periodic checkpoints (suffixes: 1h, 60m, 3600s)', 1),
  'hdfs.dfs.namenode.checkpoint.txns': { type: 'int', default: 1000000, min: 1, doc: 'The Secondary NameNode creates a checkpoint of the namespace every this many transactions, regardless of whether the period has expired' },
  'hdfs.dfs.namenode.checkpoint.check.period': durationKey(60, 's', 'The SecondaryNameNode polls the NameNode every this many seconds to query the number of uncheckpointed transactions', 1),
  'hdfs.dfs.namenode.checkpoint.max-retries': { type: 'int', default: 3, min: 1, doc: 'The SecondaryNameNode retries failed checkpointing this many times before exiting' },
  'hdfs.dfs.namenode.num.checkpoints.retained': { type: 'int', default: 2, min: 1, doc: 'The number of image checkpoint files (fsimage_*) that will be retained by the NameNode and Secondary NameNode in their storage directories' },
  'hdfs.dfs.namenode.num.extra.edits.retained': { type: 'int', default: 1000000, min: 0, doc: 'The number of extra transactions which should be retained beyond what is minimally necessary for a NN restart' },
  'hdfs.dfs.namenode.max.extra.edits.segments.retained': { type: 'int', default: 10000, min: 0, doc: 'The maximum number of extra edit log segments which should be retained beyond what is minimally necessary for a NN restart' },
  'hdfs.dfs.namenode.safemode.threshold-pct': {
    type: 'double', default: 0.999,
    doc: 'The percentage of blocks that should satisfy the minimal replication requirement defined by dfs.namenode.replication.min. Values <= 0 mean not to wait for any particular percentage of blocks before exiting safemode. Values > 1 will make safe mode permanent',
  },
  'hdfs.dfs.namenode.safemode.extension': { type: 'int', default: 30000, doc: 'Determines extension of safe mode in milliseconds after the threshold level is reached' },
  'hdfs.dfs.namenode.safemode.min.datanodes': { type: 'int', default: 0, doc: 'Specifies the number of datanodes that must be considered alive before the name node exits safemode' },
  'hdfs.dfs.namenode.lease-hard-limit-sec': durationKey(VERSION_DEFAULT, 's',
    'Determines the namenode automatic lease recovery interval in seconds (3.3, HDFS-14758; default 1200). Before 3.3 the hard limit is a fixed 1 hour and this key must stay at default', 1, true),
  'hdfs.dfs.namenode.lease-recheck-interval-ms': { type: 'int', default: 2000, min: 1, doc: 'During the release of lease a lock is hold that make any operations on the namenode stuck. The lease monitor runs every this many milliseconds' },
};

/**
 * Every HDFS key of a single-NameNode cluster. The HA keys (ha/config-ha.ts) are not here: they
 * act only on JournalNodes, HA NameNodes and ZKFCs, so only the HA scenarios declare them (their
 * schema is HA_SCHEMA, scenarios/hdfs/lib/ha.ts); elsewhere setting one is an unknown key, not a
 * key accepted without effect.
 */
export const hdfsSchema: ConfigSchema = { ...namenodeSchema, ...blockManagementSchema, ...datanodeSchema };

export interface NameNodeSettings {
  readonly features: HdfsFeatures;
  readonly replication: number;
  readonly replicationMax: number;
  readonly blockSize: number;
  readonly minBlockSize: number;
  readonly checkpointPeriodUs: number;
  readonly checkpointTxns: number;
  readonly checkpointCheckPeriodUs: number;
  readonly checkpointMaxRetries: number;
  readonly numCheckpointsRetained: number;
  readonly numExtraEditsRetained: number;
  readonly maxExtraEditsSegmentsRetained: number;
  readonly safemodeThresholdPct: number;
  readonly safemodeExtensionUs: number;
  readonly safemodeMinDatanodes: number;
  /** HdfsConstants.LEASE_SOFTLIMIT_PERIOD: 60 s, not configurable. */
  readonly leaseSoftLimitUs: number;
  readonly leaseHardLimitUs: number;
  readonly leaseRecheckIntervalUs: number;
}

/** The NameNode's settings, validated as FSNamesystem / BlockManager / CheckpointConf do at startup. */
export function namenodeSettings(config: Config): NameNodeSettings {
  const c = config.has('hdfs.version') ? config.scope('hdfs.') : config;
  const version = c.str('version');
  if (!isHdfsVersion(version)) throw new UsageError(`invalid value for hdfs.version: '${version}' is not one of ${HDFS_VERSIONS.join(', ')}`);
  const features = hdfsFeatures(version as HdfsVersion);
  const replication = c.int('dfs.replication');
  const replicationMax = c.int('dfs.replication.max');
  const replicationMin = c.has('dfs.namenode.replication.min') ? c.int('dfs.namenode.replication.min') : 1;
  // BlockManager's constructor checks.
  if (replicationMax < replicationMin) {
    throw new UsageError(`Unexpected configuration parameters: dfs.namenode.replication.min = ${replicationMin} > dfs.replication.max = ${replicationMax}`);
  }
  if (replication < replicationMin || replication > replicationMax) {
    throw new UsageError(`Unexpected configuration parameters: dfs.replication = ${replication} < dfs.namenode.replication.min = ${replicationMin} or > dfs.replication.max = ${replicationMax}`);
  }
  const blockSize = c.int('dfs.blocksize');
  if (blockSize <= 0) throw new UsageError(`invalid value for hdfs.dfs.blocksize: ${blockSize} must be positive`);
  const hard = c.get('dfs.namenode.lease-hard-limit-sec');
  let leaseHardSec: number;
  if (features.leaseHardLimitConfigurable) leaseHardSec = hard === VERSION_DEFAULT ? 1200 : Number(hard);
  else if (hard !== VERSION_DEFAULT) throw new UsageError(`hdfs.dfs.namenode.lease-hard-limit-sec needs hdfs.version 3.3 (HDFS-14758); hdfs.version ${version} has a fixed 1 hour hard limit`);
  else leaseHardSec = features.leaseHardLimitFixedSec;
  return {
    features,
    replication,
    replicationMax,
    blockSize,
    minBlockSize: c.int('dfs.namenode.fs-limits.min-block-size'),
    checkpointPeriodUs: c.int('dfs.namenode.checkpoint.period') * SEC,
    checkpointTxns: c.int('dfs.namenode.checkpoint.txns'),
    checkpointCheckPeriodUs: c.int('dfs.namenode.checkpoint.check.period') * SEC,
    checkpointMaxRetries: c.int('dfs.namenode.checkpoint.max-retries'),
    numCheckpointsRetained: c.int('dfs.namenode.num.checkpoints.retained'),
    numExtraEditsRetained: c.int('dfs.namenode.num.extra.edits.retained'),
    maxExtraEditsSegmentsRetained: c.int('dfs.namenode.max.extra.edits.segments.retained'),
    safemodeThresholdPct: c.num('dfs.namenode.safemode.threshold-pct'),
    safemodeExtensionUs: c.int('dfs.namenode.safemode.extension') * MS,
    safemodeMinDatanodes: c.int('dfs.namenode.safemode.min.datanodes'),
    leaseSoftLimitUs: 60 * SEC,
    leaseHardLimitUs: leaseHardSec * SEC,
    leaseRecheckIntervalUs: c.int('dfs.namenode.lease-recheck-interval-ms') * MS,
  };
}

/** Keys of real hdfs-site.xml / core-site.xml files that dsim accepts and ignores (addresses, directories, security...). */
export const IGNORED_SITE_KEYS: readonly string[] = [
  'fs.defaultFS', 'fs.default.name', 'hadoop.tmp.dir', 'dfs.namenode.name.dir', 'dfs.datanode.data.dir', 'dfs.namenode.checkpoint.dir',
  'dfs.namenode.checkpoint.edits.dir', 'dfs.namenode.edits.dir', 'dfs.namenode.rpc-address', 'dfs.namenode.http-address',
  'dfs.namenode.https-address', 'dfs.namenode.secondary.http-address', 'dfs.namenode.servicerpc-address', 'dfs.datanode.address',
  'dfs.datanode.http.address', 'dfs.datanode.ipc.address', 'dfs.permissions.enabled', 'dfs.permissions', 'dfs.webhdfs.enabled',
  'dfs.hosts', 'dfs.hosts.exclude', 'dfs.namenode.handler.count', 'dfs.datanode.handler.count', 'hadoop.security.authentication',
  'hadoop.security.authorization', 'io.file.buffer.size', 'net.topology.script.file.name', 'dfs.client.use.datanode.hostname',
];

/**
 * Reads hdfs-site.xml / core-site.xml text into `hdfs.`-prefixed overrides. Keys dsim does not model
 * and that do not change the protocol are listed in `ignored`; anything else unknown is left in the
 * overrides so resolveConfig reports it with the closest known key.
 */
export function siteXmlOverrides(text: string, source: string): { overrides: Record<string, string>; ignored: string[] } {
  const overrides: Record<string, string> = {};
  const ignored: string[] = [];
  for (const p of readConfigurationProperties(text, source)) {
    if (IGNORED_SITE_KEYS.includes(p.name)) ignored.push(p.name);
    else overrides[`hdfs.${p.name}`] = p.value;
  }
  return { overrides, ignored };
}
