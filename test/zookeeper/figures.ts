// Per-scenario figures for the ZooKeeper scenarios (not part of vitest): events, wall time,
// events per second and simulated-time speed-up, untraced, best of three runs of seed 1.
//   npx tsx test/zookeeper/figures.ts

import { runScenario } from '../../sim/harness/run.ts';
import type { Scenario } from '../../sim/harness/scenario.ts';

const names = ['zk-partition-minority', 'zk-leader-election', 'zk-lonely-leader-truncate', 'zk-session-expiry-lock', 'zk-random-faults'];
for (const name of names) {
  const s = ((await import(`../../scenarios/zookeeper/${name}.ts`)) as { default: Scenario }).default;
  let best = Infinity;
  let events = 0;
  let simMs = 0;
  for (let i = 0; i < 3; i++) {
    const t0 = performance.now();
    const r = runScenario(s, { seed: 1 });
    best = Math.min(best, performance.now() - t0);
    events = r.events;
    simMs = r.simulatedMs;
  }
  console.log(`${name.padEnd(26)} events ${String(events).padStart(7)}  wall ${best.toFixed(0).padStart(5)} ms  ${Math.round(events / (best / 1000)).toString().padStart(7)} events/s  speed-up ${(simMs / best).toFixed(0)}x`);
}
