// npm run planted [id...]: plants each bug of test/planted/catalogue.ts alone in a temporary copy of
// the repository and runs its catching test there; the test must FAIL. Prints one line per bug and
// exits 1 if any planted bug went unnoticed (or a patch no longer applies).
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { PLANTED, type PlantedBug } from '../test/planted/catalogue.ts';

const root = resolve(import.meta.dirname, '..');
const COPIED = ['sim', 'scenarios', 'test', 'package.json', 'tsconfig.json', 'vitest.config.ts'];

function plantIn(dir: string, bug: PlantedBug): string | null {
  for (const p of bug.patches) {
    const file = join(dir, p.file);
    const text = readFileSync(file, 'utf8');
    const n = text.split(p.find).length - 1;
    if (n !== 1) return `${p.file}: the patch's text occurs ${n} times (expected once)`;
    writeFileSync(file, text.replace(p.find, p.replace));
  }
  return null;
}

function runOne(bug: PlantedBug): { caught: boolean; note: string } {
  const dir = mkdtempSync(join(tmpdir(), `dsim-planted-${bug.id}-`));
  try {
    for (const f of COPIED) cpSync(join(root, f), join(dir, f), { recursive: true });
    symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'));
    const bad = plantIn(dir, bug);
    if (bad !== null) return { caught: false, note: bad };
    const r = spawnSync('npx', ['vitest', 'run', bug.test.file, '-t', bug.test.name], { cwd: dir, encoding: 'utf8', env: { ...process.env, CI: '' } });
    const out = `${r.stdout}\n${r.stderr}`;
    const failed = /Tests\s+.*\d+ failed/.test(out.replace(/\x1b\[[0-9;]*m/g, ''));
    const ran = /Tests\s+.*\d+ (passed|failed)/.test(out.replace(/\x1b\[[0-9;]*m/g, ''));
    if (!ran) return { caught: false, note: `the catching test did not run:\n${out.slice(-2000)}` };
    return { caught: r.status !== 0 && failed, note: r.status === 0 ? 'the catching test passed' : 'the catching test failed' };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const wanted = process.argv.slice(2);
const bugs = wanted.length === 0 ? PLANTED : PLANTED.filter((b) => wanted.includes(b.id));
if (bugs.length === 0) {
  console.error(`dsim planted: no bug named ${wanted.join(', ')}; known: ${PLANTED.map((b) => b.id).join(', ')}`);
  process.exit(2);
}
let missed = 0;
for (const b of bugs) {
  const t0 = Date.now();
  const r = runOne(b);
  if (!r.caught) missed++;
  console.log(`${r.caught ? 'caught' : 'MISSED'}  ${b.id.padEnd(22)} ${((Date.now() - t0) / 1000).toFixed(0).padStart(4)} s  ${b.bug}  [${b.test.file} -t "${b.test.name}"]${r.caught ? '' : `: ${r.note}`}`);
}
console.log(`${bugs.length - missed} of ${bugs.length} planted bugs caught`);
process.exit(missed === 0 ? 0 : 1);
