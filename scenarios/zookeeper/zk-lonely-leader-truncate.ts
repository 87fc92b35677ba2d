import type { Checker } from '../../sim/world/checker.ts';
import { defineScenario } from '../../sim/harness/scenario.ts';
import type { World } from '../../sim/world/world.ts';
import { formatZxid } from '../../sim/zookeeper/zxid.ts';
import { buildZk, schema, summary, systems } from './lib/common.ts';

// The ZOOKEEPER-1154 / ZOOKEEPER-2845 pattern. Three peers; zk-3 leads epoch 1. At 10 s both
// followers' hosts lose power: no FIN reaches zk-3, so it stays leader until syncLimit ticks pass
// without a synced quorum. Its clients keep writing: zk-3 logs those proposals alone and can never
// commit them. At 13 s zk-3 crashes too. At 18 s zk-1 and zk-2 come back, elect zk-2
// (epoch 2) and commit new writes. At 30 s zk-3 returns with epoch-1 txns in its log that no quorum
// ever had. It must lose them: its vote (currentEpoch 1) loses to epoch 2, it follows zk-2, and the
// sync replaces its divergent tail (SNAP, since its extra txns are from another epoch). The buggy
// versions let such a txn survive and reappear.

/** The scenario's premise: zk-3 did log txns alone that were never committed, and ended up synced. */
function premiseChecker(): Checker {
  const name = 'zk-lonely-txn-premise';
  const acked = new Set<number>();
  const committed = new Set<number>();
  return {
    name,
    kind: 'liveness',
    description: 'zk-3 logged a txn alone that no quorum committed (the scenario exercises what it claims)',
    attach(world: World) {
      world.onObserve('zk-ack', (pid, data) => {
        if (world.procNames[pid] === 'zk-3') acked.add(data.zxid);
      });
      world.onObserve('zk-commit', (_p, data) => {
        committed.add(data.zxid);
      });
    },
    finish(world: World) {
      const lonely = [...acked].filter((z) => z % 2 ** 32 !== 0 && !committed.has(z)).sort((a, b) => a - b);
      if (lonely.length === 0) world.reportViolation(name, 'zk-3 never logged an uncommitted txn: the scenario did not set up its premise');
      else world.annotate(-1, `zk-3 logged ${lonely.length} txn(s) alone, from ${formatZxid(lonely[0]!)}; none survived`);
    },
  };
}

export default defineScenario({
  name: 'zk-lonely-leader-truncate',
  description: 'Followers lose power, the leader logs writes alone and crashes; the others elect and commit; the old leader restarts and must lose its uncommitted txns (ZOOKEEPER-1154 / 2845).',
  teaches: 'A txn logged only by a leader is not committed; votes order by epoch first, so the stale leader cannot win; synchronization erases its divergent tail; every checker confirms one history.',
  systems,
  schema,
  defaults: { 'zookeeper.servers': 3, 'check.livenessBoundMs': 25_000, 'workload.opIntervalMs': 50 },
  faultPhaseMs: 30_000,
  quiesceMs: 30_000,
  faults: [
    'at 10s power-off zk-1 for 8s',
    'at 10s power-off zk-2 for 8s',
    'at 13s crash zk-3 for 17s',
  ].join('\n'),
  expect: { violations: [], why: 'ZooKeeper (with the ZOOKEEPER-1154/2845 fixes) never lets a txn that only the old leader logged survive its rejoin' },
  build(world, cfg) {
    buildZk(world, cfg);
    world.addChecker(premiseChecker());
  },
  summary,
});
