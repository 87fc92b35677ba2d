// Building an ensemble into a world: hosts zk-1..zk-N (or given names) with one peer each. Kafka
// and HDFS scenarios that stand on ZooKeeper call addEnsemble and hand `names` to their ZkClients.

import type { Config } from '../core/config.ts';
import type { World } from '../world/world.ts';
import { zkSettings } from './config.ts';
import { ZkPeer, type PeerOptions } from './peer.ts';

export interface EnsembleOptions {
  /** Process names (default zk-1..zk-N with N = zookeeper.servers). */
  readonly names?: readonly string[];
  /** Host for each peer (default: a host of the same name, created if missing). */
  readonly hosts?: readonly string[];
  /** Rack for hosts this call creates. */
  readonly rack?: (index: number) => string;
  /** Replaces parts of the peer (tests only: broken variants). */
  readonly peer?: Omit<PeerOptions, 'servers'>;
}

export interface Ensemble {
  readonly names: readonly string[];
}

export function zkNames(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `zk-${i + 1}`);
}

export function addEnsemble(world: World, cfg: Config, opts: EnsembleOptions = {}): Ensemble {
  const settings = zkSettings(cfg); // validates the zookeeper.* keys before anything runs
  const names = opts.names ?? zkNames(settings.servers);
  const hosts = opts.hosts ?? names;
  names.forEach((name, i) => {
    const host = hosts[i]!;
    if (world.findHost(host) === undefined) world.addHost(host, { rack: opts.rack?.(i) ?? '/default-rack' });
    const peerOpts: PeerOptions = { ...opts.peer, servers: names };
    world.addProcess(name, host, (ctx) => new ZkPeer(ctx, peerOpts), { system: 'zookeeper', role: 'peer' });
  });
  return { names };
}
