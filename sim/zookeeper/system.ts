import { zkNarrator } from './story.ts';
import type { Config } from '../core/config.ts';
import type { System, NamedTarget } from '../harness/system.ts';
import type { World } from '../world/world.ts';
import { readZooCfg, zkSchema } from './config.ts';
import { addEnsemble, type Ensemble, type EnsembleOptions } from './ensemble.ts';
import { zkCheckers } from './index.ts';
import { ZK_OBSERVATIONS } from './observations.ts';
import { peerOf, type ZkPeer } from './peer.ts';
import { zkStatus } from './summary.ts';

// ZooKeeper as a dsim System (the seam: sim/harness/system.ts): zookeeper.* keys read from zoo.cfg,
// an ensemble zk-1..zk-N, the safety and liveness checkers, the fault targets `leader()` and
// `follower(<n>)`, and `zkServer.sh status` with the znode tree as its summary.

/** The peers of this world (processes of system zookeeper, role peer), in creation order (server id order). */
export function zkPeerNames(world: World): string[] {
  return world.procNames.filter((_, i) => world.procSystem[i] === 'zookeeper' && world.procRole[i] === 'peer');
}

function livePeers(world: World): ZkPeer[] {
  const out: ZkPeer[] = [];
  for (const n of zkPeerNames(world)) {
    const p = peerOf(world, n);
    if (p !== null) out.push(p);
  }
  return out;
}

/** `leader()`: the live peer that leads now (the highest epoch if a deposed leader has not noticed yet). */
const leaderTarget: NamedTarget = {
  name: 'leader',
  usage: 'leader()',
  arg: /^$/,
  resolve: (world) => {
    let best: ZkPeer | null = null;
    for (const p of livePeers(world)) {
      if (p.state === 'LEADING' && (best === null || p.currentEpoch > best.currentEpoch)) best = p;
    }
    return best === null ? null : best.ctx.name;
  },
};

/** `follower(<n>)`: the n-th (from 1, in server id order) live peer that follows now. */
const followerTarget: NamedTarget = {
  name: 'follower',
  usage: 'follower(<n>)',
  arg: /^[1-9]\d*$/,
  resolve: (world, arg) => {
    const followers = livePeers(world).filter((p) => p.state === 'FOLLOWING');
    return followers[Number(arg) - 1]?.ctx.name ?? null;
  },
};

export const zookeeper: System<EnsembleOptions, Ensemble> = {
  name: 'zookeeper',
  description: 'ZooKeeper 3.x: Fast Leader Election, ZAB (discovery, sync by DIFF/TRUNC/SNAP, broadcast), sessions, watches, txn log and snapshots',
  configPrefix: 'zookeeper.',
  schema: zkSchema,
  configFiles: [{ fileNames: ['zoo.cfg'], read: (fileName, text) => readZooCfg(text, fileName) }],
  uses: [],
  build: (world: World, cfg: Config, options: EnsembleOptions) => addEnsemble(world, cfg, options),
  checkers: (_cfg, built, check) => zkCheckers({ servers: built.names, livenessBoundMs: check.livenessBoundMs }),
  faultTargets: [leaderTarget, followerTarget],
  observations: ZK_OBSERVATIONS,
  narrate: (world) => zkNarrator(world),
  summary: (world) => zkStatus(world, { servers: zkPeerNames(world), tree: true, treeNodesMax: 40 }),
};
