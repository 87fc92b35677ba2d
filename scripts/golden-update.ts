// npm run golden:update: runs every golden case (test/golden/cases.ts) and rewrites
// test/golden/hashes.json, then prints what changed. Paste that list into the commit message with
// the reason for each change.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { discoverAll, REPO_ROOT } from '../sim/cli/scenarios.ts';
import { runScenario } from '../sim/harness/run.ts';
import { goldenCases } from '../test/golden/cases.ts';

const FILE = join(REPO_ROOT, 'test/golden/hashes.json');

const { scenarios, broken } = await discoverAll();
if (broken.length > 0) {
  for (const b of broken) console.error(`cannot import ${b.file}: ${b.error}`);
  process.exit(2);
}
const byName = new Map(scenarios.map((d) => [d.name, d.scenario]));
let old: Record<string, string> = {};
try {
  old = JSON.parse(readFileSync(FILE, 'utf8')) as Record<string, string>;
} catch {
  // first run: everything is new
}
const next: Record<string, string> = {};
for (const c of goldenCases([...byName.values()])) {
  next[c.id] = runScenario(byName.get(c.scenario)!, { seed: c.seed, overrides: c.set }).traceHash;
}
writeFileSync(FILE, JSON.stringify(next, null, 2) + '\n');

const changes: string[] = [];
for (const id of Object.keys(next)) {
  if (!(id in old)) changes.push(`added    ${id}: ${next[id]}`);
  else if (old[id] !== next[id]) changes.push(`changed  ${id}: ${old[id]} -> ${next[id]}`);
}
for (const id of Object.keys(old)) if (!(id in next)) changes.push(`removed  ${id}`);
console.log(changes.length === 0 ? `golden hashes unchanged (${Object.keys(next).length} cases)` : changes.join('\n'));
