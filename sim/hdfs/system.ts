import { closest, type Config } from '../core/config.ts';
import type { ConfigFileRead, ConfigFileReader, System } from '../harness/system.ts';
import type { World } from '../world/world.ts';
import { hdfsDeadIntervalChecker } from './checkers/dead-interval.ts';
import { hdfsDurabilityChecker } from './checkers/durability.ts';
import { namespaceDurabilityChecker } from './checkers/namespace-durability.ts';
import { hdfsPlacementChecker } from './checkers/placement.ts';
import { hdfsReplicaConsistencyChecker } from './checkers/replica-consistency.ts';
import { hdfsSafeModeChecker, safeModeCheckerOptions } from './checkers/safemode.ts';
import type { HdfsBmObservations } from './observations-bm.ts';
import { buildHdfsCluster, type HdfsCluster, type HdfsClusterOptions } from './cluster.ts';
import { hdfsSchema, IGNORED_SITE_KEYS } from './config.ts';
import { haSchema } from './ha/config-ha.ts';
import type { NameNodeObservations } from './namenode/observations.ts';
import type { HdfsDnObservations } from './observations-dn.ts';
import { readConfigurationProperties } from '../core/hadoop-xml.ts';
import { HDFS_HA_OBSERVATIONS } from './ha/observations.ts';
import { activeNamenodeTarget, activeZkfcTarget, haSummary, standbyNamenodeTarget } from './ha/ha-cluster.ts';
import { zookeeper } from '../zookeeper/system.ts';
import { hdfsSummary } from './summary/index.ts';

// HDFS behind the System seam (sim/harness/system.ts): prefix `hdfs.`, the schema of config.ts (the
// NameNode's keys with the block-management and DataNode/client keys spread in), readers of
// hdfs-site.xml and core-site.xml, the cluster builder, its checkers, observations and summary.
// Checkers and observation docs of the other HDFS parts join here as they land.

function siteReader(fileNames: readonly string[]): ConfigFileReader {
  return {
    fileNames,
    read(fileName: string, text: string): ConfigFileRead {
      const values: { [key: string]: string } = {};
      const unmodelled: string[] = [];
      const unknown: { key: string; closest: string | null }[] = [];
      const known = [...Object.keys(hdfsSchema), ...Object.keys(haSchema)];
      for (const p of readConfigurationProperties(text, fileName)) {
        const key = `hdfs.${p.name}`;
        // HA keys are read as values: an HA scenario takes them; any other says they are unknown to it.
        if (key in hdfsSchema || key in haSchema) values[key] = p.value;
        else if (IGNORED_SITE_KEYS.includes(p.name)) unmodelled.push(p.name);
        else unknown.push({ key: p.name, closest: closest(key, known) });
      }
      return { values, unmodelled, unknown };
    },
  };
}

const BM_OBSERVATIONS: { readonly [K in keyof HdfsBmObservations]: string } = {
  'hdfs-bm-placed': 'the placement policy chose targets for a new block or a reconstruction (with the live DataNodes it chose among)',
  'hdfs-bm-datanode-dead': 'the heartbeat monitor declared a DataNode dead, after how long a silence',
};

const NN_OBSERVATIONS: { readonly [K in keyof NameNodeObservations]: string } = {
  'hdfs-nn-op-acked': 'a namespace mutation answered after the fsync of its txid, with the namespace digest after it',
  'hdfs-nn-loaded': 'a NameNode start loaded fsimage + edits: last txid, image txid, digest, segments replayed',
  'hdfs-nn-segment': 'a roll finalized an edit-log segment, with the digest at its end',
  'hdfs-nn-checkpoint': 'an fsimage was stored (saveNamespace or uploaded by the SecondaryNameNode) and the digest it holds',
  'hdfs-nn-safemode-on': 'a NameNode start entered safe mode, with the block and DataNode counts then',
  'hdfs-nn-safemode-counts': 'in safe mode, the counts (total and safe blocks, live DataNodes) changed',
  'hdfs-nn-safemode-off': 'the NameNode left safe mode (by the thresholds and extension, or manually), with the counts then',
};

const DN_OBSERVATIONS: { readonly [K in keyof HdfsDnObservations]: string } = {
  'hdfs-replica-finalized': 'a DataNode finalized a replica (pipeline end, transfer, close recovery, block recovery): block, GS, length',
  'hdfs-read-served': 'a DataNode served READ_BLOCK: the replica GS and state, and the GS the reader asked for',
  'hdfs-scanner-corrupt': 'the block scanner found a replica failing its checksums',
  'hdfs-pipeline-recovery': 'a client dropped a DataNode from its write pipeline (and why)',
};

export const hdfsSystem: System<HdfsClusterOptions, HdfsCluster> = {
  name: 'hdfs',
  description: 'HDFS: NameNode (namespace, edit log, fsimage, leases, safe mode, block management), SecondaryNameNode, DataNodes and DFS clients',
  configPrefix: 'hdfs.',
  schema: hdfsSchema,
  configFiles: [siteReader(['hdfs-site.xml']), siteReader(['core-site.xml'])],
  uses: [zookeeper],
  build(world: World, cfg: Config, options: HdfsClusterOptions): HdfsCluster {
    return buildHdfsCluster(world, cfg, options);
  },
  checkers(cfg: Config) {
    return [
      namespaceDurabilityChecker(), hdfsDurabilityChecker(cfg.int('hdfs.dfs.bytes-per-checksum')), hdfsReplicaConsistencyChecker(),
      hdfsPlacementChecker(), hdfsDeadIntervalChecker(), hdfsSafeModeChecker(safeModeCheckerOptions(cfg)),
    ];
  },
  faultTargets: [activeNamenodeTarget, standbyNamenodeTarget, activeZkfcTarget],
  observations: { ...NN_OBSERVATIONS, ...DN_OBSERVATIONS, ...BM_OBSERVATIONS, ...HDFS_HA_OBSERVATIONS },
  summary(world: World): string {
    if (world.hasProcess('jn-1') && world.hasProcess('nn-1')) return ['$ hdfs haadmin -getAllServiceState', haSummary(world)].join('\n');
    return hdfsSummary(world);
  },
};
