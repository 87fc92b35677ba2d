import { parentPort, workerData } from 'node:worker_threads';
import { firstLine, importScenario } from './scenarios.ts';
import { runSeed, type SeedOutcome } from './sweep-engine.ts';
import type { RunBranch } from '../harness/run.ts';

// A sweep worker: loads the scenario module once, then runs the seeds the main thread sends, one
// message per seed, answering with the seed's outcome.

interface Init {
  readonly file: string;
  readonly overrides: Record<string, string>;
}

const init = workerData as Init;
const port = parentPort!;
let scenario;
try {
  scenario = await importScenario(init.file);
} catch (e) {
  throw new Error(`cannot load ${init.file}: ${firstLine(e)}`);
}
if (scenario === null) throw new Error(`${init.file} does not default-export a scenario`);
const loaded = scenario;
port.on('message', (m: { seed: number; branch?: RunBranch }) => {
  const o: SeedOutcome = runSeed(loaded, m.seed, init.overrides, m.branch);
  port.postMessage(o);
});
