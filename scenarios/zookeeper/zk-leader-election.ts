import { defineScenario } from '../../sim/harness/scenario.ts';
import { electionTimeChecker } from '../../sim/zookeeper/checkers/liveness.ts';
import { buildZk, schema, summary, systems } from './lib/common.ts';

// Five peers elect a leader (all start empty, so the highest id, zk-5, wins); clients write; at 15 s
// the leader's process is killed. The four survivors run Fast Leader Election again: the peer with
// the newest history (epoch, then zxid, then id) wins; it runs discovery and synchronization with a
// quorum and starts a new epoch; clients reconnect and writes continue. zk-5 comes back at heal
// (30 s) and rejoins as a follower.

const CRASH_AT_MS = 15_000;
const ELECTION_BOUND_MS = 10_000;

export default defineScenario({
  name: 'zk-leader-election',
  description: 'Five ZooKeeper peers elect a leader; the leader crashes; the others elect a new one within the bound and writes continue.',
  teaches: 'Fast Leader Election (votes ordered by epoch, zxid, id; finalizeWait), ZAB discovery and synchronization (FOLLOWERINFO, LEADERINFO, ACKEPOCH, DIFF, NEWLEADER, UPTODATE), a new epoch in the zxids, clients reconnecting to another server.',
  systems,
  schema,
  defaults: { 'zookeeper.servers': 5, 'check.livenessBoundMs': 25_000 },
  faultPhaseMs: 30_000,
  quiesceMs: 30_000,
  faults: `at ${CRASH_AT_MS / 1000}s crash zk-5\n`,
  expect: { violations: [], why: 'ZooKeeper tolerates the loss of a minority: a new leader is elected and no committed write is lost' },
  bench: true,
  build(world, cfg) {
    buildZk(world, cfg);
    world.addChecker(electionTimeChecker({ afterMs: CRASH_AT_MS, boundMs: ELECTION_BOUND_MS }));
  },
  summary,
});
