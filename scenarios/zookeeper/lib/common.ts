// Shared setup of the ZooKeeper scenarios, through the ZooKeeper System (sim/zookeeper/system.ts):
// the ensemble, client hosts and processes, the checkers, the scenario-level keys, and the summary.

import type { Config, ConfigSchema } from '../../../sim/core/config.ts';
import type { World } from '../../../sim/world/world.ts';
import type { EnsembleOptions } from '../../../sim/zookeeper/ensemble.ts';
import { zookeeper } from '../../../sim/zookeeper/system.ts';
import { MemberClient, RegisterClient } from './workload.ts';

export const workloadSchema: ConfigSchema = {
  'workload.clients': { type: 'int', default: 3, min: 0, max: 50, doc: 'register clients (each on its own host c-N)' },
  'workload.members': { type: 'int', default: 1, min: 0, max: 50, doc: 'clients that keep an ephemeral /members/<name> node (hosts m-N)' },
  'workload.keys': { type: 'int', default: 3, min: 1, max: 100, doc: 'znodes /r0../rN-1 the register clients read and write' },
  'workload.opIntervalMs': { type: 'int', default: 100, min: 1, doc: 'mean think time between a client\'s operations' },
  'workload.sessionTimeoutMs': { type: 'int', default: 6000, min: 1, doc: 'session timeout the clients ask for (the server clamps it)' },
  'check.livenessBoundMs': { type: 'int', default: 90_000, min: 1, doc: 'zk-liveness: a leader and a committed write within this long after heal' },
};

/** The systems every ZooKeeper scenario composes. */
export const systems = [zookeeper];

/** The ZooKeeper scenarios' own keys (the zookeeper.* keys come from `systems`). */
export const schema: ConfigSchema = workloadSchema;

export interface BuildOptions {
  readonly ensemble?: EnsembleOptions;
  /** Skip the standard checkers (a scenario adds its own). */
  readonly checkers?: boolean;
}

export interface Built {
  readonly servers: readonly string[];
  readonly clients: readonly string[];
}

export function buildZk(world: World, cfg: Config, opts: BuildOptions = {}): Built {
  const ensemble = zookeeper.build(world, cfg, opts.ensemble ?? {});
  const names = ensemble.names;
  const w = cfg.scope('workload.');
  const base = { servers: names, sessionTimeoutMs: w.int('sessionTimeoutMs'), opIntervalMs: w.int('opIntervalMs') };
  const keys = Array.from({ length: w.int('keys') }, (_, i) => `/r${i}`);
  const clients: string[] = [];
  for (let i = 1; i <= w.int('clients'); i++) {
    const name = `client-${i}`;
    world.addHost(`c-${i}`);
    world.addProcess(name, `c-${i}`, (ctx) => new RegisterClient(ctx, { ...base, keys, startDelayMs: 500 + i * 37 }), { system: 'zookeeper', role: 'client' });
    clients.push(name);
  }
  for (let i = 1; i <= w.int('members'); i++) {
    const name = `member-${i}`;
    world.addHost(`m-${i}`);
    world.addProcess(name, `m-${i}`, (ctx) => new MemberClient(ctx, { ...base, opIntervalMs: 1000, startDelayMs: 700 + i * 53 }), { system: 'zookeeper', role: 'client' });
    clients.push(name);
  }
  if (opts.checkers !== false) {
    for (const c of zookeeper.checkers(cfg, ensemble, { livenessBoundMs: cfg.int('check.livenessBoundMs') })) world.addChecker(c);
  }
  return { servers: names, clients };
}

export function summary(world: World): string {
  return zookeeper.summary(world);
}
