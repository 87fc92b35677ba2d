// A long sweep of a ZooKeeper scenario over many seeds (not part of the default vitest run):
//   npx tsx test/zookeeper/sweep.ts [scenario=zk-random-faults] [from=1] [to=500] [--set k=v]...
// Prints every failing seed with its first violations, the time taken and events per second.

import { runScenario } from '../../sim/harness/run.ts';
import type { Scenario } from '../../sim/harness/scenario.ts';

const args = process.argv.slice(2);
const sets: { [k: string]: string } = {};
const pos: string[] = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--set') {
    const [k, v] = args[++i]!.split('=');
    sets[k!] = v!;
  } else pos.push(args[i]!);
}
const name = pos[0] ?? 'zk-random-faults';
const from = Number(pos[1] ?? 1);
const to = Number(pos[2] ?? 500);
const mod = (await import(`../../scenarios/zookeeper/${name}.ts`)) as { default: Scenario };
const t0 = performance.now();
let events = 0;
const failures: number[] = [];
for (let seed = from; seed <= to; seed++) {
  let r;
  try {
    r = runScenario(mod.default, { seed, overrides: sets });
  } catch (e) {
    failures.push(seed);
    console.log(`seed ${seed}: THREW ${e instanceof Error ? e.message : String(e)}`);
    continue;
  }
  events += r.events;
  if (!r.expectMet) {
    failures.push(seed);
    console.log(`seed ${seed}: ${r.violations.length} violation(s)`);
    for (const v of r.violations.slice(0, 3)) console.log(`  ${v.checker} @${v.timeMs}ms: ${v.message}`);
  }
}
const secs = (performance.now() - t0) / 1000;
console.log(`${name}: seeds ${from}..${to}: ${failures.length} failing [${failures.join(', ')}], ${secs.toFixed(1)} s, ${Math.round(events / secs)} events/s`);
