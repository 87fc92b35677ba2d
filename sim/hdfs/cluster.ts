import type { Config } from '../core/config.ts';
import { SEC } from '../core/types.ts';
import type { World } from '../world/world.ts';
import { clientFactory, type ClientOptions } from './client/client.ts';
import type { WriteSpec } from './client/writer.ts';
import { datanodeFactory } from './datanode/datanode.ts';
import { nameNodeFactory } from './namenode/namenode.ts';
import { secondaryNameNodeFactory } from './snn/secondary.ts';

// Builds an HDFS cluster in a world, with the hosts and process names of DESIGN.md: host `nn`
// (process nn), host `snn` (snn), worker hosts w-1..N (DataNodes dn-1..N) spread over racks
// /rack-1..R round-robin, client hosts c-1..M (client-1..M). The NameNode resolves a DataNode's rack
// from its host's rack (what net.topology.script.file.name answers in a real cluster).

export interface HdfsClusterOptions {
  readonly datanodes: number;
  readonly racks: number;
  readonly secondary: boolean;
  readonly clients: readonly {
    readonly writes: readonly WriteSpec[];
    readonly pauseUs: number;
    readonly firstPauseUs?: number;
    readonly reads: readonly string[];
    readonly readEveryUs: number;
    readonly verifyAtUs: number | null;
    readonly probe?: ClientOptions['probe'];
  }[];
}

export interface HdfsCluster {
  readonly namenode: string;
  readonly secondary: string | null;
  readonly datanodes: readonly string[];
  readonly clients: readonly string[];
}

export function buildHdfsCluster(world: World, _cfg: Config, opts: HdfsClusterOptions): HdfsCluster {
  world.addHost('nn', { rack: '/rack-1' });
  const rackOf = (host: string): string => {
    const h = world.findHost(host);
    return h === undefined ? '/default-rack' : world.hostRacks[h] ?? '/default-rack';
  };
  world.addProcess('nn', 'nn', nameNodeFactory({ resolveRack: rackOf, namespaceId: 0x5eed }), { system: 'hdfs', role: 'namenode' });
  let secondary: string | null = null;
  if (opts.secondary) {
    world.addHost('snn', { rack: '/rack-1' });
    world.addProcess('snn', 'snn', secondaryNameNodeFactory({ namenode: 'nn' }), { system: 'hdfs', role: 'secondarynamenode' });
    secondary = 'snn';
  }
  const datanodes: string[] = [];
  for (let i = 1; i <= opts.datanodes; i++) {
    world.addHost(`w-${i}`, { rack: `/rack-${((i - 1) % opts.racks) + 1}` });
    world.addProcess(`dn-${i}`, `w-${i}`, datanodeFactory({ namenode: 'nn' }), { system: 'hdfs', role: 'datanode' });
    datanodes.push(`dn-${i}`);
  }
  const clients: string[] = [];
  opts.clients.forEach((c, i) => {
    world.addHost(`c-${i + 1}`, { rack: '/rack-clients' });
    world.addProcess(`client-${i + 1}`, `c-${i + 1}`, clientFactory({ namenode: 'nn', ...c }), { system: 'hdfs', role: 'client' });
    clients.push(`client-${i + 1}`);
  });
  return { namenode: 'nn', secondary, datanodes, clients };
}

/** Files of `fileBytes` each, written one after another by one client. */
export function fileWrites(prefix: string, count: number, fileBytes: number, cfg: Config, hsyncEveryBytes = 0): WriteSpec[] {
  const out: WriteSpec[] = [];
  for (let i = 0; i < count; i++) {
    out.push({
      path: `${prefix}/file-${i}`,
      fileBytes,
      writeBytes: 64 * 1024,
      replication: cfg.int('hdfs.dfs.replication'),
      blockSize: cfg.int('hdfs.dfs.blocksize'),
      hflushEveryBytes: 0,
      hsyncEveryBytes,
    });
  }
  return out;
}

export const CLIENT_PAUSE_US = 2 * SEC;

/** The hdfs-liveness probe of a client: from the heal, a one-packet file written and read back, every 5 s until it works. */
export function livenessProbe(cfg: Config, healUs: number): NonNullable<ClientOptions['probe']> {
  return {
    atUs: healUs,
    everyUs: 5 * SEC,
    spec: { fileBytes: 4096, writeBytes: 4096, replication: cfg.int('hdfs.dfs.replication'), blockSize: cfg.int('hdfs.dfs.blocksize'), hflushEveryBytes: 0, hsyncEveryBytes: 0 },
  };
}
