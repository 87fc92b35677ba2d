import { defineScenario } from '../../sim/harness/scenario.ts';
import { buildPbCluster, pbSummary } from './lib/pb-cluster.ts';
import { pbSchema } from './lib/pb-register.ts';

export default defineScenario({
  name: 'kernel-pb-crash',
  description: 'Primary-backup register under random crashes of one server at a time: failover keeps every acknowledged write.',
  teaches: 'Synchronous replication plus timeout failover survives clean crashes: the backup already holds every acknowledged write when it promotes itself.',
  systems: [],
  schema: pbSchema,
  faultPhaseMs: 20_000,
  quiesceMs: 5_000,
  nemesis: () => ({
    kinds: ['crash'],
    processes: ['s1', 's2'],
    hosts: ['s1', 's2'],
    meanIntervalMs: 3_000,
    durationMsMin: 1_000,
    durationMsMax: 4_000,
    maxDown: 1,
  }),
  expect: { violations: [], why: 'crashes with a synced backup lose nothing, so the history stays linearizable' },
  build: buildPbCluster,
  summary: pbSummary,
});
