import { defineScenario } from '../../sim/harness/scenario.ts';
import { hdfsSystem } from '../../sim/hdfs/system.ts';
import { buildHa, HA_DEFAULTS, HA_SCHEMA } from './lib/ha.ts';

// HDFS HA with the Quorum Journal Manager and automatic failover. nn-1 and nn-2 start in standby;
// their ZKFCs race for the ephemeral lock /hadoop-ha/mycluster/ActiveStandbyElectorLock and the
// winner's NameNode becomes active: a new epoch on the JournalNodes, recovery of any open segment,
// a new segment. At 30 s the active NameNode is killed. Its ZKFC's health monitor loses the
// connection, quits the election (closing its ZooKeeper session, so the lock goes at once); the other
// ZKFC takes the lock, finds the old active in ActiveBreadCrumb, cannot ask it to step down (it is
// dead) and fences it with shell(/bin/true) (the JournalNodes' epoch is the real fence), then makes
// its NameNode active: the new epoch, the dead writer's open segment recovered, caught up, served.
// The client's calls to the dead NameNode fail and go to the other one.

export default defineScenario({
  name: 'hdfs-ha-failover',
  description: 'HA nameservice (3 JournalNodes, 2 NameNodes with ZKFCs on a 3-peer ZooKeeper); the active NameNode crashes at 30 s; the standby takes over; nothing acknowledged is lost.',
  teaches: 'QJM epochs as the fence, segment recovery (prepare/accept), the standby tailing finalized segments, ZKFC health monitoring, the ActiveStandbyElector lock and breadcrumb, fencing, client failover on StandbyException and lost connections.',
  systems: [hdfsSystem],
  schema: HA_SCHEMA,
  defaults: HA_DEFAULTS,
  faults: 'at 30s crash active-namenode()\n',
  faultPhaseMs: 60_000,
  quiesceMs: 20_000,
  expect: { violations: [], why: 'one writer epoch at a time on the JournalNodes; every acknowledged mkdirs was on a quorum and is served by the new active' },
  build(world, cfg) {
    buildHa(world, cfg, 150);
  },
});
