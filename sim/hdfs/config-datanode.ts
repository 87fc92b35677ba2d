import type { Config, ConfigSchema } from '../core/config.ts';
import { MS, SEC } from '../core/types.ts';

// The DataNode's and the HDFS client's configuration keys (hdfs-default.xml, HdfsClientConfigKeys,
// DFSConfigKeys of Hadoop 3.3), under the `hdfs.` prefix like every HDFS key in dsim. The NameNode's
// and the BlockManager's keys live in config.ts; sim/hdfs/config.ts merges this schema in.

export const REPLACE_POLICIES = ['NEVER', 'DEFAULT', 'ALWAYS'] as const;
export type ReplacePolicyName = (typeof REPLACE_POLICIES)[number];

export const datanodeSchema: ConfigSchema = {
  'hdfs.dfs.client.block.write.replace-datanode-on-failure.enable': {
    type: 'boolean', default: true,
    doc: 'If there is a datanode/network failure in the write pipeline, DFSClient will try to remove the failed datanode and, by the policy, add a replacement (ReplaceDatanodeOnFailure)',
  },
  'hdfs.dfs.client.block.write.replace-datanode-on-failure.policy': {
    type: 'enum', default: 'DEFAULT', values: REPLACE_POLICIES,
    doc: 'NEVER: never add a datanode; ALWAYS: always add one when a datanode is removed; DEFAULT: with r >= 3, add one if floor(r/2) >= the remaining datanodes or the block was hflushed/appended',
  },
  'hdfs.dfs.client.block.write.replace-datanode-on-failure.best-effort': {
    type: 'boolean', default: false,
    doc: 'true: if adding a replacement datanode fails, keep writing with the remaining ones; false: the write fails',
  },
  'hdfs.dfs.client.block.write.replace-datanode-on-failure.min-replication': {
    type: 'int', default: 0, min: 0,
    doc: 'with best-effort, the write fails if fewer datanodes than this remain in the pipeline (0: no minimum)',
  },
  'hdfs.dfs.client-write-packet-size': { type: 'int', default: 65536, min: 512, doc: 'Packet size for clients to write (bytes)' },
  'hdfs.dfs.client.write.max-packets-in-flight': { type: 'int', default: 80, min: 1, doc: 'the maximum number of DFSPackets allowed in flight (dataQueue + ackQueue)' },
  'hdfs.dfs.bytes-per-checksum': { type: 'int', default: 512, min: 1, doc: 'The number of bytes per checksum. Must not be larger than dfs.stream-buffer-size' },
  'hdfs.dfs.datanode.scan.period.hours': {
    type: 'int', default: 504,
    doc: 'If positive, each block is scanned at most once in this many hours; 0 means the default (504 hours = 3 weeks); negative disables the block scanner',
  },
  'hdfs.dfs.block.scanner.volume.bytes.per.second': {
    type: 'int', default: 1048576, min: 0, doc: 'bytes per second each volume scanner may scan; 0 disables the block scanner',
  },
  'hdfs.dfs.client.socket-timeout': { type: 'int', default: 60000, min: 0, doc: 'Default timeout value in milliseconds for all sockets (reads)' },
  'hdfs.dfs.client.block.write.retries': { type: 'int', default: 3, min: 0, doc: 'The number of retries for writing blocks to the data nodes, before we signal failure to the application' },
  'hdfs.dfs.client.block.write.locateFollowingBlock.retries': {
    type: 'int', default: 5, min: 0, doc: 'Number of retries to use when finding the next block during HDFS writes (and of complete while the last block is not minimally replicated)',
  },
  'hdfs.dfs.client.block.write.locateFollowingBlock.initial.delay.ms': {
    type: 'int', default: 400, min: 1, doc: 'The initial delay (ms) for locateFollowingBlock and complete; the delay doubles each retry',
  },
  'hdfs.dfs.client.max.block.acquire.failures': { type: 'int', default: 3, min: 0, doc: 'Maximum failures allowed when trying to get block information from a specific datanode' },
  'hdfs.dfs.client.retry.window.base': { type: 'int', default: 3000, min: 0, doc: 'Base (ms) of the random wait between block-location refetches after all replicas of a block failed' },
  'hdfs.dfs.blockreport.intervalMsec': { type: 'int', default: 21600000, min: 1, doc: 'Determines block reporting interval in milliseconds' },
  'hdfs.dfs.blockreport.initialDelay': { type: 'int', default: 0, min: 0, doc: 'Delay (s) of the first block report after startup, randomized in [0, value)' },
  'hdfs.dfs.datanode.synconclose': { type: 'boolean', default: false, doc: 'fsync the block file and its checksums when a block is finalized (closed)' },
  'hdfs.dfs.datanode.max.transfer.threads': { type: 'int', default: 4096, min: 1, doc: 'maximum number of DataXceivers (concurrent block reads, writes and transfers) per DataNode' },
};

/** The keys resolved once per process, in the units dsim uses (microseconds, bytes). */
export interface DatanodeSettings {
  readonly bytesPerChecksum: number;
  readonly writePacketSize: number;
  readonly maxPacketsInFlight: number;
  readonly replaceEnable: boolean;
  readonly replacePolicy: ReplacePolicyName;
  readonly replaceBestEffort: boolean;
  readonly replaceMinReplication: number;
  /** dfs.datanode.scan.period.hours in microseconds, 0 when the scanner is off. */
  readonly scanPeriodUs: number;
  readonly scanBytesPerSec: number;
  readonly socketTimeoutUs: number;
  readonly blockWriteRetries: number;
  readonly locateFollowingBlockRetries: number;
  readonly locateFollowingBlockInitialDelayUs: number;
  readonly maxBlockAcquireFailures: number;
  readonly retryWindowBaseUs: number;
  readonly blockReportIntervalUs: number;
  readonly blockReportInitialDelayUs: number;
  readonly syncOnClose: boolean;
  readonly maxTransferThreads: number;
}

/** 504 hours (3 weeks): DFS_DATANODE_SCAN_PERIOD_HOURS_DEFAULT, used when the key is 0. */
const SCAN_PERIOD_HOURS_DEFAULT = 504;

export function datanodeSettings(config: Config): DatanodeSettings {
  const c = config.scope('hdfs.dfs.');
  const hours = c.int('datanode.scan.period.hours');
  const scanBytesPerSec = c.int('block.scanner.volume.bytes.per.second');
  // BlockScanner.Conf.getUnitTestLong/scanPeriodMs: negative hours disable, 0 means the default.
  const effectiveHours = hours === 0 ? SCAN_PERIOD_HOURS_DEFAULT : hours;
  return {
    bytesPerChecksum: c.int('bytes-per-checksum'),
    writePacketSize: c.int('client-write-packet-size'),
    maxPacketsInFlight: c.int('client.write.max-packets-in-flight'),
    replaceEnable: c.bool('client.block.write.replace-datanode-on-failure.enable'),
    replacePolicy: c.str('client.block.write.replace-datanode-on-failure.policy') as ReplacePolicyName,
    replaceBestEffort: c.bool('client.block.write.replace-datanode-on-failure.best-effort'),
    replaceMinReplication: c.int('client.block.write.replace-datanode-on-failure.min-replication'),
    scanPeriodUs: effectiveHours < 0 || scanBytesPerSec === 0 ? 0 : effectiveHours * 3600 * SEC,
    scanBytesPerSec,
    socketTimeoutUs: c.int('client.socket-timeout') * MS,
    blockWriteRetries: c.int('client.block.write.retries'),
    locateFollowingBlockRetries: c.int('client.block.write.locateFollowingBlock.retries'),
    locateFollowingBlockInitialDelayUs: c.int('client.block.write.locateFollowingBlock.initial.delay.ms') * MS,
    maxBlockAcquireFailures: c.int('client.max.block.acquire.failures'),
    retryWindowBaseUs: c.int('client.retry.window.base') * MS,
    blockReportIntervalUs: c.int('blockreport.intervalMsec') * MS,
    blockReportInitialDelayUs: c.int('blockreport.initialDelay') * SEC,
    syncOnClose: c.bool('datanode.synconclose'),
    maxTransferThreads: c.int('datanode.max.transfer.threads'),
  };
}
