import type { Context } from '../core/actor.ts';
import type { Config } from '../core/config.ts';
import type { World } from '../world/world.ts';
import { YarnClient } from './client.ts';
import { NodeManager, type NodeManagerOptions } from './nm.ts';
import { ResourceManager } from './rm.ts';
import type { Submission } from './workload.ts';

// Building YARN into a world: host rm with the ResourceManager, workers w-1..w-N (created unless
// HDFS already made them: a DataNode dn-N and a NodeManager nm-N share a worker host) each with a
// NodeManager nm-N, and clients yarn-client-K on hosts yc-K submitting their share of the workload.

export interface YarnClusterOptions {
  readonly workers: number;
  /** Rack of each worker (default /rack-1 for all). */
  readonly rackOf?: (index: number) => string;
  /** Submissions per client (one list per client process). */
  readonly clients: readonly (readonly Submission[])[];
  readonly reportIntervalMs: number;
  /** Builds the RM (tests substitute a subclass with a planted bug). */
  readonly rm?: (ctx: Context) => ResourceManager;
  /** Builds a NodeManager (tests substitute a subclass with a planted bug). */
  readonly nm?: (ctx: Context, opts: NodeManagerOptions) => NodeManager;
  /** yarn.nodemanager.aux-services of every NodeManager (MapReduce's). */
  readonly auxService?: NodeManagerOptions['auxService'];
}

export interface YarnCluster {
  readonly rm: string;
  readonly nodeManagers: readonly string[];
  readonly workers: readonly string[];
  readonly clients: readonly string[];
}

export function workerNames(n: number): string[] {
  return Array.from({ length: n }, (_, i) => `w-${i + 1}`);
}

export function addYarn(world: World, cfg: Config, opts: YarnClusterOptions): YarnCluster {
  void cfg;
  if (world.findHost('rm') === undefined) world.addHost('rm', { rack: '/rack-rm' });
  const makeRm = opts.rm ?? ((ctx: Context) => new ResourceManager(ctx));
  world.addProcess('rm', 'rm', makeRm, { system: 'yarn', role: 'resourcemanager' });
  const workers = workerNames(opts.workers);
  const nms: string[] = [];
  workers.forEach((w, i) => {
    const rack = opts.rackOf?.(i) ?? '/rack-1';
    if (world.findHost(w) === undefined) world.addHost(w, { rack });
    const hostRack = world.hostRacks[world.hostOf(w)]!;
    const name = `nm-${i + 1}`;
    const makeNm = opts.nm ?? ((ctx: Context, o: NodeManagerOptions) => new NodeManager(ctx, o));
    world.addProcess(name, w, (ctx) => makeNm(ctx, { rack: hostRack, ...(opts.auxService !== undefined ? { auxService: opts.auxService } : {}) }), { system: 'yarn', role: 'nodemanager' });
    nms.push(name);
  });
  const clients: string[] = [];
  opts.clients.forEach((subs, k) => {
    const host = `yc-${k + 1}`;
    world.addHost(host, { rack: '/rack-clients' });
    const name = `yarn-client-${k + 1}`;
    world.addProcess(name, host, (ctx) => new YarnClient(ctx, { submissions: subs, reportIntervalMs: opts.reportIntervalMs }), { system: 'yarn', role: 'client' });
    clients.push(name);
  });
  return { rm: 'rm', nodeManagers: nms, workers, clients };
}

/** The ResourceManager actor of a world, or null while it is down. */
export function rmIn(world: World): ResourceManager | null {
  if (!world.hasProcess('rm')) return null;
  const a = world.actors[world.pid('rm')];
  return a instanceof ResourceManager ? a : null;
}

export function nmIn(world: World, name: string): NodeManager | null {
  const a = world.actors[world.pid(name)];
  return a instanceof NodeManager ? a : null;
}
