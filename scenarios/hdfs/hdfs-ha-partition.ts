import { defineScenario } from '../../sim/harness/scenario.ts';
import { hdfsSystem } from '../../sim/hdfs/system.ts';
import { buildHa, HA_DEFAULTS, HA_SCHEMA } from './lib/ha.ts';

// At 30 s the active NameNode's host (its NameNode and ZKFC) is cut off from ZooKeeper and the
// JournalNodes for 40 s, while the client and the other NameNode still reach it. The old active
// takes mkdirs it can no longer commit: its journal() batches time out at the quorum
// (dfs.qjournal.write-txns.timeout.ms) and it terminates, never answering them. Its ZKFC's
// ZooKeeper session expires; the other ZKFC takes the lock, tries a graceful transitionToStandby,
// fences with shell(/bin/true), and its NameNode takes epoch 2 on the JournalNodes: any write the
// old active might still send is refused ("IPC's epoch 1 is less than the last promised epoch 2").

export default defineScenario({
  name: 'hdfs-ha-partition',
  description: 'The active NameNode\'s host loses ZooKeeper and the JournalNodes (not the clients) for 40 s; the standby becomes active; the old active\'s edits are refused and it stops.',
  teaches: 'Why ZooKeeper alone is not a fence: the old active still serves clients it can reach; the JournalNodes\' promised epoch refuses its edits, so it can never acknowledge a write after the new active took over.',
  systems: [hdfsSystem],
  schema: HA_SCHEMA,
  defaults: HA_DEFAULTS,
  faults: 'at 30s partition active-namenode() | zk-1,zk-2,zk-3,jn-1,jn-2,jn-3 for 40s\n',
  faultPhaseMs: 80_000,
  quiesceMs: 20_000,
  expect: { violations: [], why: 'one writer epoch at a time: the old active cannot commit anything after the new epoch, and nothing acknowledged is lost' },
  build(world, cfg) {
    buildHa(world, cfg, 200);
  },
});
