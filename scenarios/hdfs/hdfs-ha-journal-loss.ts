import { defineScenario } from '../../sim/harness/scenario.ts';
import { hdfsSystem } from '../../sim/hdfs/system.ts';
import { buildHa, HA_DEFAULTS, HA_SCHEMA } from './lib/ha.ts';

// At 30 s jn-2 loses power for 30 s (its page cache is gone; what it fsynced survives, including its
// promised and writer epochs). The active's writes carry on at the quorum of jn-1 and jn-3; the
// channel to jn-2 is out of sync and takes no edits until the next segment. When jn-2 is back, the
// next log roll (the standby asks for one every dfs.ha.log-roll.period) starts a segment on all
// three again.

export default defineScenario({
  name: 'hdfs-ha-journal-loss',
  description: 'One JournalNode loses power for 30 s; the active writes on at the other two; the lost one rejoins at the next segment.',
  teaches: 'A quorum journal needs a majority, not all: a JournalNode down costs nothing but redundancy; it rejoins at a segment boundary (IPCLoggerChannel out of sync until startLogSegment).',
  systems: [hdfsSystem],
  schema: HA_SCHEMA,
  defaults: HA_DEFAULTS,
  faults: 'at 30s power-off jn-2 for 30s\n',
  faultPhaseMs: 80_000,
  quiesceMs: 30_000,
  expect: { violations: [], why: 'two of three JournalNodes are a quorum; nothing acknowledged is lost' },
  build(world, cfg) {
    buildHa(world, cfg, 200);
  },
});
