import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { dsim, dsimJson, expectOneLineError, FRAGILE, tempDir } from './helpers.ts';
import { RESTART_CHECKER } from './fixtures/fragile.ts';

// `dsim shrink`: a failing seed's schedule shrinks to the one fault that matters, printed as a
// script that `dsim run --faults` replays to the same failure.

interface ShrinkJson {
  scenario: string;
  seed: number;
  checker: string;
  originalFaults: string[];
  minimalFaults: string[];
  script: string;
}

let failingSeed = 0;
let passingSeed = 0;

beforeAll(() => {
  const { json } = dsimJson<{ failures: { seed: number }[] }>(['sweep', FRAGILE, '--seeds', '1..30', '--workers', '1', '--json']);
  const failing = new Set(json.failures.map((f) => f.seed));
  // Prefer a failing seed with more than one fault in its schedule, so there is something to remove.
  for (const s of failing) {
    const r = dsimJson<{ faults: string }>(['run', FRAGILE, '--seed', String(s), '--json']).json;
    if (r.faults.trim().split('\n').length > 1) {
      failingSeed = s;
      break;
    }
  }
  passingSeed = Array.from({ length: 30 }, (_, i) => i + 1).find((s) => !failing.has(s)) ?? 0;
  expect(failingSeed).toBeGreaterThan(0);
  expect(passingSeed).toBeGreaterThan(0);
});

describe('dsim shrink', () => {
  it('--json: the minimal schedule is one crash of p1 and replays to the same checker', () => {
    const dir = tempDir();
    const out = join(dir, 'min', 'shrunk.faults');
    const { code, json } = dsimJson<ShrinkJson>(['shrink', FRAGILE, '--seed', String(failingSeed), '--out', out, '--json']);
    expect(code).toBe(0);
    expect(json).toMatchObject({ scenario: 'cli-fragile', seed: failingSeed, checker: RESTART_CHECKER });
    expect(json.originalFaults.length).toBeGreaterThan(1);
    for (const f of [...json.originalFaults, ...json.minimalFaults]) expect(f).toMatch(/^at \S+ /);
    expect(json.minimalFaults).toHaveLength(1);
    expect(json.minimalFaults[0]).toMatch(/^at \S+ crash p1 for \S+$/);
    expect(json.script).toBe(json.minimalFaults.join('\n') + '\n');
    expect(readFileSync(out, 'utf8')).toBe(json.script);

    const replay = dsimJson<{ violations: { checker: string }[]; expectMet: boolean }>(['run', FRAGILE, '--seed', String(failingSeed), '--faults', out, '--json']);
    expect(replay.code).toBe(1);
    expect(replay.json.violations[0]!.checker).toBe(RESTART_CHECKER);
  });

  it('human output prints the script and the command that replays it', () => {
    const r = dsim(['shrink', FRAGILE, '--seed', String(failingSeed)]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^shrink cli-fragile seed ${failingSeed}: ${RESTART_CHECKER} fails with 1 of \\d+ faults`));
    expect(r.stdout).toMatch(/minimal fault script:\n {2}at \S+ crash p1 for \S+\n/);
    expect(r.stdout).toContain(`npx dsim run ${FRAGILE} --seed ${failingSeed} --faults shrunk.faults`);
  });

  it('shrinks a schedule given with --faults', () => {
    const { code, json } = dsimJson<ShrinkJson>(
      ['shrink', FRAGILE, '--seed', String(passingSeed), '--faults', '-', '--json'],
      { input: 'at 500ms pause p2 for 1s\nat 2s crash p1 for 2s\nat 3s partition h0 | h1,h2 for 1s\n' },
    );
    expect(code).toBe(0);
    expect(json.originalFaults).toHaveLength(3);
    expect(json.minimalFaults).toHaveLength(1);
    expect(json.minimalFaults[0]).toMatch(/crash p1/);
  });

  it('a seed that does not fail is a usage error', () => {
    expectOneLineError(dsim(['shrink', FRAGILE, '--seed', String(passingSeed)]), new RegExp(`seed ${passingSeed} of cli-fragile does not fail: nothing to shrink`));
  });

  it('missing --seed', () => {
    expectOneLineError(dsim(['shrink', FRAGILE]), /shrink: missing --seed N/);
  });
});
