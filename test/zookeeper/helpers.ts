import type { Actor, Context } from '../../sim/core/actor.ts';
import { resolveConfig, type ConfigValue } from '../../sim/core/config.ts';
import type { Json, Message, ProcessId } from '../../sim/core/types.ts';
import { MS } from '../../sim/core/types.ts';
import { World } from '../../sim/world/world.ts';
import { ZkClient, type ZkSessionEvent } from '../../sim/zookeeper/client.ts';
import { zkSchema } from '../../sim/zookeeper/config.ts';
import { addEnsemble } from '../../sim/zookeeper/ensemble.ts';
import { peerOf, type ZkPeer } from '../../sim/zookeeper/peer.ts';

/** A client process that only carries a ZkClient; tests drive it from world.schedule callbacks. */
export class ClientHost implements Actor<Message, unknown> {
  zk: ZkClient;
  readonly events: ZkSessionEvent[] = [];

  constructor(readonly ctx: Context, servers: readonly string[], sessionTimeoutMs = 6000) {
    this.zk = new ZkClient(ctx, { connectString: servers, sessionTimeoutMs, onEvent: (e) => this.events.push(e) });
  }

  onMessage(from: ProcessId, msg: Message): void {
    this.zk.handleMessage(from, msg);
  }
  onTimer(tag: unknown): void {
    this.zk.handleTimer(tag);
  }
  onDisconnect(peer: ProcessId): void {
    this.zk.handleDisconnect(peer);
  }
  inspect(): Json {
    return this.zk.inspect();
  }
}

export interface TestEnsemble {
  readonly world: World;
  readonly servers: readonly string[];
  client(name: string): ClientHost;
  /** Runs the world until `ms` after now. */
  run(ms: number): void;
  /** Runs `fn` (as the given client, in a scheduled world event) now, then the world for `ms`. */
  act(name: string, fn: (c: ClientHost) => void, ms?: number): void;
  peer(name: string): ZkPeer | null;
  leader(): ZkPeer | null;
}

export function ensemble(opts: { servers?: number; clients?: readonly string[]; sessionTimeoutMs?: number; config?: { [k: string]: ConfigValue }; seed?: number } = {}): TestEnsemble {
  const config = resolveConfig(zkSchema, { 'zookeeper.servers': opts.servers ?? 3, ...opts.config });
  const world = new World({ seed: opts.seed ?? 1, config });
  const { names } = addEnsemble(world, config);
  for (const c of opts.clients ?? ['c1']) {
    world.addHost(`h-${c}`);
    world.addProcess(c, `h-${c}`, (ctx) => new ClientHost(ctx, names, opts.sessionTimeoutMs ?? 6000), { system: 'zookeeper', role: 'client' });
  }
  const t: TestEnsemble = {
    world,
    servers: names,
    client: (name) => world.actor<ClientHost>(name)!,
    run: (ms) => {
      world.runUntil(world.nowUs + ms * MS);
    },
    act: (name, fn, ms = 200) => {
      world.schedule(world.nowUs, () => fn(t.client(name)));
      t.run(ms);
    },
    peer: (name) => peerOf(world, name),
    leader: () => names.map((n) => peerOf(world, n)).find((p) => p !== null && p.state === 'LEADING' && p.serving) ?? null,
  };
  return t;
}
