// How long the healed ensemble takes to converge in zk-random-faults (not part of vitest):
//   npx tsx test/zookeeper/convergence.ts [from=1] [to=50]
// For each seed: time from heal to the last leader establishment (0 if the leader from before the
// heal kept leading) and to the first client write acknowledged after heal. Prints the maxima,
// which the zk-liveness bound (check.livenessBoundMs) must cover.

import { runScenario } from '../../sim/harness/run.ts';
import type { Scenario } from '../../sim/harness/scenario.ts';
import random from '../../scenarios/zookeeper/zk-random-faults.ts';

const from = Number(process.argv[2] ?? 1);
const to = Number(process.argv[3] ?? 50);
let worstLeader = { seed: 0, s: 0 };
let worstWrite = { seed: 0, s: 0 };
for (let seed = from; seed <= to; seed++) {
  const established: number[] = [];
  const s: Scenario = { ...random, build(world, cfg) {
    random.build(world, cfg);
    world.onObserve('zk-leader-established', () => established.push(world.nowUs));
  } };
  const r = runScenario(s, { seed });
  const heal = (typeof random.faultPhaseMs === 'number' ? random.faultPhaseMs : 0) * 1000;
  const lastEst = established.filter((t) => t >= heal).pop();
  const leaderS = lastEst === undefined ? 0 : (lastEst - heal) / 1e6;
  const firstWrite = r.world.history.operations().filter((o) => o.status === 'ok' && ['create', 'setData', 'delete'].includes(o.f) && o.completeUs >= heal).map((o) => o.completeUs).sort((a, b) => a - b)[0];
  const writeS = firstWrite === undefined ? Infinity : (firstWrite - heal) / 1e6;
  if (leaderS > worstLeader.s) worstLeader = { seed, s: leaderS };
  if (writeS > worstWrite.s) worstWrite = { seed, s: writeS };
  console.log(`seed ${seed}: leader ${leaderS.toFixed(2)} s, first write ${writeS.toFixed(2)} s after heal${r.expectMet ? '' : '  (EXPECTATION NOT MET)'}`);
}
console.log(`worst: leader ${worstLeader.s.toFixed(2)} s (seed ${worstLeader.seed}), first write ${worstWrite.s.toFixed(2)} s (seed ${worstWrite.seed})`);
