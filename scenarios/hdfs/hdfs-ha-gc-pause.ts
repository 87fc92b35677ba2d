import { defineScenario } from '../../sim/harness/scenario.ts';
import { hdfsSystem } from '../../sim/hdfs/system.ts';
import { buildHa, HA_DEFAULTS, HA_SCHEMA } from './lib/ha.ts';

// At 30 s the active NameNode and its ZKFC stall for 25 s (a whole-host stall, longer than the
// 10 s ZooKeeper session): the lock's session expires, the other ZKFC wins, its graceful
// transitionToStandby gets no answer in 5 s, shell(/bin/true) fences, and the other NameNode takes
// epoch 2. When the old active resumes it handles the mkdirs that queued up while it was stopped,
// sends them in epoch 1, is refused by every JournalNode and terminates ("flush failed for required
// journal"); its ZKFC finds its session expired and the lock taken.

export default defineScenario({
  name: 'hdfs-ha-gc-pause',
  description: 'The active NameNode and its ZKFC pause 25 s (longer than the ZooKeeper session); the standby takes over; on resume the old active\'s writes are refused and it stops serving.',
  teaches: 'A process that pauses does not know it paused: the old active resumes believing it is active; the JournalNodes\' epoch check is what stops it.',
  systems: [hdfsSystem],
  schema: HA_SCHEMA,
  defaults: HA_DEFAULTS,
  faults: 'at 30s pause active-namenode() for 25s\nat 30s pause active-zkfc() for 25s\n',
  faultPhaseMs: 70_000,
  quiesceMs: 20_000,
  expect: { violations: [], why: 'the resumed old active cannot commit in its old epoch; nothing acknowledged is lost' },
  build(world, cfg) {
    buildHa(world, cfg, 180);
  },
});
