import { defineScenario } from '../../sim/harness/scenario.ts';
import { hdfsSystem } from '../../sim/hdfs/system.ts';
import { buildHa, HA_DEFAULTS, HA_SCHEMA } from './lib/ha.ts';

// A swarm of faults over the HA nameservice: crashes, restarts, pauses, partitions and isolations
// of the NameNodes, ZKFCs, JournalNodes and ZooKeeper peers, one process down at a time. Whatever
// happens, the JournalNodes take edits from one writer epoch at a time and nothing acknowledged is
// lost (no liveness is claimed here).

const PROCS = ['nn-1', 'nn-2', 'zkfc-1', 'zkfc-2', 'jn-1', 'jn-2', 'jn-3', 'zk-1', 'zk-2', 'zk-3'];
const HOSTS = ['nn-1', 'nn-2', 'jn-1', 'jn-2', 'jn-3', 'zk-1', 'zk-2', 'zk-3'];

export default defineScenario({
  name: 'hdfs-ha-random-faults',
  description: 'Random crashes, restarts, pauses, partitions and isolations of NameNodes, ZKFCs, JournalNodes and ZooKeeper peers: one writer at a time, nothing acknowledged lost.',
  teaches: 'QJM safety does not depend on ZooKeeper or the ZKFCs behaving: elections may flap, NameNodes may die on fenced writes, but the epochs keep one writer and every acknowledged edit survives.',
  systems: [hdfsSystem],
  schema: HA_SCHEMA,
  defaults: HA_DEFAULTS,
  faultPhaseMs: 60_000,
  quiesceMs: 30_000,
  nemesis: () => ({
    kinds: ['crash', 'restart', 'pause', 'partition', 'isolate'],
    processes: PROCS,
    hosts: HOSTS,
    meanIntervalMs: 5000,
    durationMsMin: 500,
    durationMsMax: 20_000,
    maxDown: 1,
    swarm: true,
  }),
  expect: { violations: [], why: 'one writer epoch at a time on the JournalNodes and durable acknowledged edits hold under any process and network faults' },
  build(world, cfg) {
    buildHa(world, cfg, 200);
  },
});
