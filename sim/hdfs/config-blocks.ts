import type { Config, ConfigSchema } from '../core/config.ts';
import { UsageError } from '../core/invariant.ts';
import { MS, SEC } from '../core/types.ts';

// The block-management keys of the NameNode (BlockManager, DatanodeManager, HeartbeatManager,
// BlockPlacementPolicyDefault), with their real names and Hadoop 3.3 defaults (hdfs-default.xml,
// DFSConfigKeys), under the `hdfs.` prefix. sim/hdfs/config.ts spreads this schema into the HDFS
// schema. dfs.heartbeat.interval is read by the DataNodes too (BPServiceActor's heartbeat period).
// The block report keys (dfs.blockreport.*) are the DataNode's and live in config-datanode.ts.

export const blockManagementSchema: ConfigSchema = {
  'hdfs.dfs.heartbeat.interval': {
    type: 'int', default: 3, min: 1,
    doc: 'Determines datanode heartbeat interval in seconds',
  },
  'hdfs.dfs.namenode.heartbeat.recheck-interval': {
    type: 'int', default: 300000, min: 1,
    doc: 'This time decides the interval to check for expired datanodes (ms). With this value and dfs.heartbeat.interval, the interval of deciding the datanode is stale or not is also calculated: dead after 2 x recheck + 10 x heartbeat',
  },
  'hdfs.dfs.namenode.stale.datanode.interval': {
    type: 'int', default: 30000,
    doc: 'Default time interval in milliseconds for marking a datanode as "stale", i.e., if the namenode has not received heartbeat msg from a datanode for more than this time interval, the datanode will be marked and treated as "stale" by default',
  },
  'hdfs.dfs.namenode.stale.datanode.minimum.interval': {
    type: 'int', default: 3, min: 1,
    doc: 'Minimum number of missed heartbeats intervals for a datanode to be marked stale by the Namenode',
  },
  'hdfs.dfs.namenode.avoid.read.stale.datanode': {
    type: 'boolean', default: false,
    doc: 'Indicate whether or not to avoid reading from "stale" datanodes: stale datanodes are moved to the end of the node list returned for reading',
  },
  'hdfs.dfs.namenode.avoid.write.stale.datanode': {
    type: 'boolean', default: false,
    doc: 'Indicate whether or not to avoid writing to "stale" datanodes (unless more than dfs.namenode.write.stale.datanode.ratio of them are stale)',
  },
  'hdfs.dfs.namenode.write.stale.datanode.ratio': {
    type: 'double', default: 0.5, min: 0, max: 1,
    doc: 'When the ratio of number stale datanodes to total datanodes marked is greater than this ratio, stop avoiding writing to stale nodes so as to prevent causing hotspots',
  },
  'hdfs.dfs.namenode.replication.min': {
    type: 'int', default: 1,
    doc: 'Minimal block replication: a block is COMPLETE (and counts as safe) once this many replicas are reported',
  },
  'hdfs.dfs.namenode.redundancy.interval.seconds': {
    type: 'int', default: 3, min: 1,
    doc: 'The periodicity in seconds with which the namenode computes low redundancy work for datanodes',
  },
  'hdfs.dfs.namenode.replication.work.multiplier.per.iteration': {
    type: 'int', default: 2, min: 1,
    doc: 'The number of blocks scheduled for reconstruction per redundancy interval is this multiplier times the number of live nodes',
  },
  'hdfs.dfs.namenode.replication.max-streams': {
    type: 'int', default: 2, min: 1,
    doc: 'Hard limit for the number of replication streams other than those with highest-priority',
  },
  'hdfs.dfs.namenode.replication.max-streams-hard-limit': {
    type: 'int', default: 4, min: 1,
    doc: 'Hard limit for all replication streams, highest priority included',
  },
  'hdfs.dfs.namenode.reconstruction.pending.timeout-sec': {
    type: 'int', default: 300, min: 1,
    doc: 'Timeout in seconds for block reconstruction: a scheduled reconstruction not confirmed by the target within it is scheduled again',
  },
  'hdfs.dfs.block.invalidate.limit': {
    type: 'int', default: 1000, min: 1,
    doc: 'The maximum number of invalidate blocks sent by namenode to a datanode per heartbeat deletion command',
  },
  'hdfs.dfs.namenode.invalidate.work.pct.per.iteration': {
    type: 'double', default: 0.32, min: 0, max: 1,
    doc: 'The percentage of live datanodes to which invalidation work is handed out per redundancy interval (between 0 and 1)',
  },
  'hdfs.dfs.namenode.redundancy.considerLoad': {
    type: 'boolean', default: true,
    doc: 'Decide if chooseTarget considers the target\'s load (xceivers) or not',
  },
  'hdfs.dfs.namenode.redundancy.considerLoad.factor': {
    type: 'double', default: 2.0, min: 0,
    doc: 'The factor by which a node\'s load can exceed the average before being rejected for writes',
  },
  'hdfs.dfs.namenode.tolerate.heartbeat.multiplier': {
    type: 'int', default: 4, min: 1,
    doc: 'When choosing an excess replica to delete, a node whose last heartbeat is older than this many heartbeat intervals is chosen first',
  },
  'hdfs.dfs.namenode.block-placement-policy.default.prefer-local-node': {
    type: 'boolean', default: true,
    doc: 'Controls how the default block placement policy places the first replica of a block: true puts it on the writer\'s own DataNode when there is one',
  },
};

/** The block-management keys, resolved once, in the units dsim uses (microseconds). */
export interface BlockSettings {
  readonly heartbeatIntervalUs: number;
  readonly heartbeatRecheckIntervalUs: number;
  /** HeartbeatManager's expiry: 2 x recheck + 10 x heartbeat (630 s by default). */
  readonly heartbeatExpireIntervalUs: number;
  readonly staleIntervalUs: number;
  readonly avoidStaleForRead: boolean;
  readonly avoidStaleForWrite: boolean;
  readonly writeStaleRatio: number;
  readonly minReplication: number;
  readonly redundancyIntervalUs: number;
  readonly workMultiplier: number;
  readonly maxReplicationStreams: number;
  readonly replicationStreamsHardLimit: number;
  readonly pendingTimeoutUs: number;
  readonly blockInvalidateLimit: number;
  readonly invalidateWorkPct: number;
  readonly considerLoad: boolean;
  readonly considerLoadFactor: number;
  readonly tolerateHeartbeatMultiplier: number;
  readonly preferLocalNode: boolean;
}

/**
 * Reads and checks the keys as the NameNode does at startup (DatanodeManager, BlockManager
 * constructors): impossible combinations are a UsageError with Hadoop's message.
 */
export function blockSettings(config: Config): BlockSettings {
  const c = config.has('hdfs.dfs.heartbeat.interval') ? config.scope('hdfs.') : config;
  const heartbeatS = c.int('dfs.heartbeat.interval');
  const recheckMs = c.int('dfs.namenode.heartbeat.recheck-interval');
  const staleMs = c.int('dfs.namenode.stale.datanode.interval');
  if (staleMs <= 0) {
    throw new UsageError(`dfs.namenode.stale.datanode.interval = '${staleMs}' is invalid. It should be a positive non-zero value.`);
  }
  // DatanodeManager.getStaleIntervalFromConf: below the minimum (3 heartbeats) the minimum is used.
  const minStaleMs = c.int('dfs.namenode.stale.datanode.minimum.interval') * heartbeatS * 1000;
  const staleEffectiveMs = Math.max(staleMs, minStaleMs);
  const minR = c.int('dfs.namenode.replication.min');
  if (minR <= 0) throw new UsageError(`Unexpected configuration parameters: dfs.namenode.replication.min = ${minR} <= 0`);
  const maxStreams = c.int('dfs.namenode.replication.max-streams');
  const hardLimit = c.int('dfs.namenode.replication.max-streams-hard-limit');
  return {
    heartbeatIntervalUs: heartbeatS * SEC,
    heartbeatRecheckIntervalUs: recheckMs * MS,
    heartbeatExpireIntervalUs: 2 * recheckMs * MS + 10 * heartbeatS * SEC,
    staleIntervalUs: staleEffectiveMs * MS,
    avoidStaleForRead: c.bool('dfs.namenode.avoid.read.stale.datanode'),
    avoidStaleForWrite: c.bool('dfs.namenode.avoid.write.stale.datanode'),
    writeStaleRatio: c.num('dfs.namenode.write.stale.datanode.ratio'),
    minReplication: minR,
    redundancyIntervalUs: c.int('dfs.namenode.redundancy.interval.seconds') * SEC,
    workMultiplier: c.int('dfs.namenode.replication.work.multiplier.per.iteration'),
    maxReplicationStreams: maxStreams,
    replicationStreamsHardLimit: Math.max(hardLimit, maxStreams),
    pendingTimeoutUs: c.int('dfs.namenode.reconstruction.pending.timeout-sec') * SEC,
    // DatanodeManager: the configured value; its default, 1000, is max(20 x heartbeat s, 1000).
    blockInvalidateLimit: c.int('dfs.block.invalidate.limit'),
    invalidateWorkPct: c.num('dfs.namenode.invalidate.work.pct.per.iteration'),
    considerLoad: c.bool('dfs.namenode.redundancy.considerLoad'),
    considerLoadFactor: c.num('dfs.namenode.redundancy.considerLoad.factor'),
    tolerateHeartbeatMultiplier: c.int('dfs.namenode.tolerate.heartbeat.multiplier'),
    preferLocalNode: c.bool('dfs.namenode.block-placement-policy.default.prefer-local-node'),
  };
}
