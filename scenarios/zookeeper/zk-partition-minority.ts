import { defineScenario } from '../../sim/harness/scenario.ts';
import { electionTimeChecker, leaderStepsDownChecker } from '../../sim/zookeeper/checkers/liveness.ts';
import { buildZk, schema, summary, systems } from './lib/common.ts';

// Five peers; zk-5 leads. At 15 s the network splits zk-4 and zk-5 from zk-1..zk-3 for 25 s (clients
// still reach every server). Leader and majority stop hearing from each other:
//   - the majority's followers time out after syncLimit x tickTime (10 s), elect a new leader among
//     themselves (epoch 2) and go on committing;
//   - zk-5 keeps accepting writes from clients still connected to it and logs them, but with only
//     zk-4's ACK it has 2 of 5: nothing commits. After syncLimit ticks without a synced quorum it
//     steps down; zk-4 and zk-5 look for a leader and cannot form a quorum.
// When the partition heals zk-4 and zk-5 learn of the new leader and follow it; their logs hold
// epoch-1 txns the new leader never saw, so the sync throws them away (a SNAP here, since they
// diverge across epochs; a TRUNC when the extra txns are in the leader's epoch).

const PARTITION_AT_MS = 15_000;

export default defineScenario({
  name: 'zk-partition-minority',
  description: 'The leader is cut off in a minority; the majority elects a new leader; the old leader stops committing and steps down; after heal it rejoins as a follower and loses its uncommitted txns.',
  teaches: 'Why a ZAB leader needs a synced quorum (syncLimit), how the majority side moves on with a new epoch, that a minority logs but never commits, and how sync (SNAP/TRUNC/DIFF) erases uncommitted txns on rejoin.',
  systems,
  schema,
  defaults: { 'zookeeper.servers': 5, 'check.livenessBoundMs': 25_000 },
  faultPhaseMs: 40_000,
  quiesceMs: 30_000,
  faults: `at ${PARTITION_AT_MS / 1000}s partition zk-4,zk-5 | zk-1,zk-2,zk-3 for 25s\n`,
  expect: { violations: [], why: 'a minority cannot commit; the majority elects a new leader within syncLimit ticks plus an election; the rejoining minority is resynchronized' },
  build(world, cfg) {
    buildZk(world, cfg);
    const s = cfg.scope('zookeeper.');
    const syncMs = s.int('syncLimit') * s.int('tickTime');
    // Detection takes syncLimit ticks (+ one tick of check granularity), the election and sync a few hundred ms more.
    world.addChecker(electionTimeChecker({ afterMs: PARTITION_AT_MS, boundMs: syncMs + 5000 }));
    world.addChecker(leaderStepsDownChecker({ server: 'zk-5', afterMs: PARTITION_AT_MS, boundMs: syncMs + 2 * s.int('tickTime') }));
  },
  summary,
});
