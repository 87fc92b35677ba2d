// Times (and, under `node --cpu-prof`, profiles) one scenario run through runScenario.
// usage: node --import tsx scripts/profile-scenario.ts [scenario] [runs] [--traced]
//   node --cpu-prof --cpu-prof-dir=/tmp/prof --import tsx scripts/profile-scenario.ts kafka-leader-failover 20
// Prints, per run, the wall time, events/s and the simulated-time speed-up, then the best run. On a
// shared machine the CPU time of this process (best_cpu_ms, all its threads) is the steadier figure.
import { runScenario } from '../sim/harness/run.ts';
import { CountingSink } from '../sim/world/trace.ts';
import { resolveScenario } from '../sim/cli/scenarios.ts';

const args = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const traced = process.argv.includes('--traced');
const name = args[0] ?? 'kafka-leader-failover';
const runs = Number(args[1] ?? '10');
const d = await resolveScenario(name);
let best = Infinity;
let bestCpu = Infinity;
let events = 0;
let simulatedMs = 0;
let bytes = 0;
for (let i = 0; i < runs; i++) {
  const sink = traced ? new CountingSink() : null;
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const r = runScenario(d.scenario, { seed: 1, trace: sink });
  const s = (performance.now() - t0) / 1000;
  const c = process.cpuUsage(c0);
  bestCpu = Math.min(bestCpu, (c.user + c.system) / 1000);
  events = r.events;
  simulatedMs = r.simulatedMs;
  if (sink !== null) bytes = sink.bytes;
  best = Math.min(best, s);
  console.log(`run ${i}: ${(s * 1000).toFixed(1)} ms, ${Math.round(r.events / s)} events/s, hash ${r.traceHash}`);
}
console.log(JSON.stringify({
  scenario: name, traced, events, best_ms: Math.round(best * 10000) / 10, best_cpu_ms: Math.round(bestCpu * 10) / 10,
  eventsPerSec: Math.round(events / best), simSpeedup: Math.round(simulatedMs / 1000 / best),
  ...(traced ? { bytesPerEvent: Math.round((bytes / events) * 10) / 10 } : {}),
}));
