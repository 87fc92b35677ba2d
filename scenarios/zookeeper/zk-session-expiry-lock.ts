import { defineScenario } from '../../sim/harness/scenario.ts';
import { buildZk, schema, summary, systems } from './lib/common.ts';
import { LockClient, lockMutexChecker } from './lib/lock.ts';

// Two clients use the ZooKeeper lock recipe (ephemeral sequential nodes under /lock, each watching
// its predecessor). lock-1 gets the lock first and holds it. At 10 s lock-1's host is cut off from
// everything for 20 s, far beyond its 6 s session timeout. lock-1's client hears nothing for 4 s
// (2/3 of the timeout), reports Disconnected, and lock-1 stops acting as the holder. The leader
// hears nothing of the session for 6 s and expires it: the closeSession txn deletes lock-1's
// ephemeral node, lock-2's watch fires, and lock-2 takes the lock. When the partition heals lock-1
// reconnects, is told its session expired, starts a new session and queues behind lock-2.

export default defineScenario({
  name: 'zk-session-expiry-lock',
  description: 'A client holding a ZooKeeper lock (ephemeral node) is partitioned beyond its session timeout; the session expires, the lock passes to the other client; never two holders.',
  teaches: 'Sessions and ephemeral nodes: client read timeout (2/3 of the session timeout) vs server-side bucketed expiry, closeSession deleting ephemerals and firing watches, SESSION_EXPIRED learned only on reconnect, and why a lock holder must give up on Disconnected.',
  systems,
  schema,
  defaults: { 'workload.clients': 1, 'workload.members': 0, 'check.livenessBoundMs': 25_000 },
  faultPhaseMs: 30_000,
  quiesceMs: 30_000,
  faults: 'at 10s isolate l-1 for 20s\n',
  expect: { violations: [], why: 'the holder gives up the lock 4 s after losing contact, 2 s before its session can expire on the servers; the lock passes and no two clients ever hold it together' },
  build(world, cfg) {
    const { servers } = buildZk(world, cfg);
    const sessionTimeoutMs = cfg.int('workload.sessionTimeoutMs');
    for (const i of [1, 2]) {
      world.addHost(`l-${i}`);
      world.addProcess(`lock-${i}`, `l-${i}`, (ctx) => new LockClient(ctx, { servers, sessionTimeoutMs, holdMs: 25_000, pauseMs: 2000, startDelayMs: 1000 * i }), { system: 'zookeeper', role: 'client' });
    }
    world.addChecker(lockMutexChecker(['lock-1', 'lock-2']));
  },
  summary,
});
