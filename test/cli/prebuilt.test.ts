import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dsimJson, REPO, tempDir } from './helpers.ts';

// The prebuilt command (scripts/build-cli.mjs, bin/dsim.mjs): built into a scratch copy of the
// checkout (sources linked, bin copied) so the repository's own dist/ is never rebuilt under the
// other tests' feet. The bundle must give the same results as the sources, run sweep workers, and
// step aside once a source changes.

function scratchCheckout(): string {
  const dir = tempDir('dsim-prebuilt-');
  for (const name of ['sim', 'test', 'node_modules', 'package.json', 'tsconfig.json']) symlinkSync(join(REPO, name), join(dir, name));
  mkdirSync(join(dir, 'scenarios'));
  for (const system of readdirSync(join(REPO, 'scenarios'))) symlinkSync(join(REPO, 'scenarios', system), join(dir, 'scenarios', system));
  mkdirSync(join(dir, 'bin'));
  for (const f of ['dsim.mjs', 'stamp.mjs']) copyFileSync(join(REPO, 'bin', f), join(dir, 'bin', f));
  return dir;
}

function run(root: string, args: string[], prebuilt: '0' | '1') {
  const r = spawnSync(process.execPath, [join(root, 'bin', 'dsim.mjs'), ...args], {
    cwd: root, encoding: 'utf8', env: { ...process.env, DSIM_PREBUILT: prebuilt }, maxBuffer: 64 << 20,
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

describe('prebuilt dsim', () => {
  it('gives the sources\' results, runs sweep workers, and is not used once stale', () => {
    const root = scratchCheckout();
    const b = spawnSync(process.execPath, [join(REPO, 'scripts', 'build-cli.mjs'), '--root', root], { encoding: 'utf8' });
    expect(b.stderr).toBe('');
    expect(b.status).toBe(0);
    const bundled = run(root, ['run', 'kernel-pb-crash', '--seed', '3', '--json'], '1');
    expect(bundled.stderr).toBe('');
    const source = dsimJson<{ traceHash: string; events: number }>(['run', 'kernel-pb-crash', '--seed', '3', '--json'], { env: { DSIM_PREBUILT: '0' } });
    const j = JSON.parse(bundled.stdout) as { traceHash: string; events: number };
    expect(j.traceHash).toBe(source.json.traceHash);
    expect(j.events).toBe(source.json.events);

    const sweep = run(root, ['sweep', 'kernel-pb-crash', '--seeds', '1..4', '--workers', '2', '--json'], '1');
    expect(sweep.stderr).toBe('');
    expect(sweep.code).toBe(0);
    expect((JSON.parse(sweep.stdout) as { runs: number }).runs).toBe(4);

    // A results file naming a scenario outside the bundle (a test fixture): the command reruns from the sources.
    const results = join(root, 'fragile.jsonl');
    const shard = run(REPO, ['sweep', 'test/cli/fixtures/fragile.ts', '--seeds', '1..3', '--workers', '1', '--results', results, '--json'], '0');
    expect([0, 1]).toContain(shard.code);
    const merged = run(root, ['sweep', 'merge', results, '--json'], '1');
    expect(merged.stderr).toBe('');
    expect(JSON.parse(merged.stdout)).toMatchObject({ scenario: 'cli-fragile', runs: 3 });
    const human = run(root, ['sweep', 'merge', results], '1');
    expect(human.stdout).toMatch(/^sweep cli-fragile: seeds 1\.\.3 \(3 runs\)/);

    // A new scenario file: the bundle does not know it, so it is stale.
    mkdirSync(join(root, 'scenarios', 'zz'));
    writeFileSync(join(root, 'scenarios', 'zz', 'new.ts'), 'export default 1;\n');
    const stale = run(root, ['list'], '1');
    expect(stale.code).toBe(2);
    expect(stale.stderr).toBe('dsim: error: DSIM_PREBUILT=1 but the prebuilt command is stale; run npm run build:cli\n');
  });
});
