import type { Config } from '../../../sim/core/config.ts';
import type { ProcessId } from '../../../sim/core/types.ts';
import type { World } from '../../../sim/world/world.ts';
import { linearizableChecker } from '../../../sim/check/linearizable-checker.ts';
import { PbClient, PbServer } from './pb-register.ts';

/** Two servers (s1 primary, s2 backup) and `pb.clients` clients, each on its own host. */
export function buildPbCluster(world: World, cfg: Config): void {
  world.addHost('s1', { rack: '/rack-a' });
  world.addHost('s2', { rack: '/rack-b' });
  world.addProcess('s1', 's1', (ctx) => new PbServer(ctx, 's2', true), { system: 'kernel', role: 'server' });
  world.addProcess('s2', 's2', (ctx) => new PbServer(ctx, 's1', false), { system: 'kernel', role: 'server' });
  const n = cfg.int('pb.clients');
  for (let i = 1; i <= n; i++) {
    world.addHost(`c${i}`, { rack: i % 2 === 0 ? '/rack-a' : '/rack-b' });
    world.addProcess(`c${i}`, `c${i}`, (ctx) => new PbClient(ctx, ['s1', 's2']), { system: 'kernel', role: 'client' });
  }
  world.addChecker(linearizableChecker());
}

export function pbSummary(world: World): string {
  const lines: string[] = [];
  for (let p = 0; p < world.processCount; p++) {
    const v = world.inspect(p as ProcessId);
    lines.push(`${world.procNames[p]!.padEnd(4)} ${v === null ? 'down' : JSON.stringify(v)}`);
  }
  const ops = world.history.operations();
  const count = (s: string): number => ops.filter((o) => o.status === s).length;
  lines.push(`history: ${ops.length} operations, ${count('ok')} ok, ${count('fail')} failed, ${count('info')} unknown`);
  return lines.join('\n');
}
