import { defineScenario } from '../../sim/harness/scenario.ts';
import type { ProcessId } from '../../sim/core/types.ts';
import { ackedDurableChecker, WalClient, WalCounter, walSchema } from './lib/wal-counter.ts';

export default defineScenario({
  name: 'kernel-wal-power-loss',
  description: 'A counter logs every increment to a checksummed WAL; it is killed, then its host loses power. With wal.fsync=false the power loss loses acknowledged increments.',
  teaches: 'The page cache belongs to the host: kill -9 loses nothing already written, but a power loss drops every write not yet fsynced, and recovery truncates a torn tail.',
  systems: [],
  schema: walSchema,
  faultPhaseMs: 15_000,
  quiesceMs: 3_000,
  faults: `
    at 4s crash counter for 1s        # process crash: the page cache keeps the log
    at 9s power-off counter for 2s    # power loss: unsynced log writes are gone
  `,
  expect: (cfg) => cfg.bool('wal.fsync')
    ? { violations: [], why: 'every acknowledged increment was fsynced before its ack, so it survives power loss' }
    : { violations: ['acked-durable'], why: 'with wal.fsync=false acknowledged increments sit in the page cache, and the power loss drops them' },
  build(world, cfg) {
    world.addHost('counter', { rack: '/rack-a' });
    world.addProcess('counter', 'counter', (ctx) => new WalCounter(ctx), { system: 'kernel', role: 'server' });
    for (let i = 1; i <= cfg.int('wal.clients'); i++) {
      world.addHost(`c${i}`, { rack: '/rack-b' });
      world.addProcess(`c${i}`, `c${i}`, (ctx) => new WalClient(ctx), { system: 'kernel', role: 'client' });
    }
    world.addChecker(ackedDurableChecker());
  },
  summary(world) {
    return world.procNames.map((n, i) => `${n.padEnd(8)} ${JSON.stringify(world.inspect(i as ProcessId))}`).join('\n');
  },
});
