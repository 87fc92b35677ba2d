import type { Config } from '../../../sim/core/config.ts';
import { SEC } from '../../../sim/core/types.ts';
import { buildHdfsHaCluster, hdfsHaCheckers, type HdfsHaCluster } from '../../../sim/hdfs/ha/ha-cluster.ts';
import type { World } from '../../../sim/world/world.ts';
import { zookeeper } from '../../../sim/zookeeper/system.ts';
import { haSchema } from '../../../sim/hdfs/ha/config-ha.ts';

// Shared setup of the HA scenarios: a ZooKeeper ensemble (zk-1..3), three JournalNodes, nn-1 and
// nn-2 with their ZKFCs, one namespace client making a directory every 400 ms from 5 s on, and the
// HA checkers. Defaults shorten the standby's tail and roll periods so the standby is close behind.

/** The HA keys: declared by the HA scenarios only (sim/hdfs/config.ts says why). */
export const HA_SCHEMA = haSchema;

export const HA_DEFAULTS = {
  'hdfs.dfs.ha.fencing.methods': 'shell(/bin/true)',
  'hdfs.dfs.ha.tail-edits.period': 5,
  'hdfs.dfs.ha.log-roll.period': 20,
};

export function buildHa(world: World, cfg: Config, dirs: number): HdfsHaCluster {
  const ens = zookeeper.build(world, cfg, {});
  const c = buildHdfsHaCluster(world, cfg, { nameservice: 'mycluster', zkServers: ens.names, clients: [{ dirs, startUs: 5 * SEC, gapUs: 400_000 }] });
  for (const ch of hdfsHaCheckers(c)) world.addChecker(ch);
  return c;
}
