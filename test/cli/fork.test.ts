import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dsim, dsimJson, expectOneLineError, FRAGILE, tempDir } from './helpers.ts';
import { RESTART_CHECKER } from './fixtures/fragile.ts';

// `dsim fork`: branches of one run from a fork time, the fraction that fail, the curve over fork times.

interface ForkJson {
  scenario: string;
  seed: number;
  run: { expectMet: boolean };
  branches: { first: number; last: number; count: number };
  forks: { atMs: number; branches: number; failing: number; probability: number; checkers: Record<string, number>; failingBranches: number[] }[];
  inevitableFromMs: number | null;
}

describe('dsim fork', () => {
  it('reports the failing fraction per fork time, deterministically, and which checkers fired', () => {
    const args = ['fork', FRAGILE, '--seed', '2', '--at', '0s..3s/1s', '--branches', '1..12', '--json'];
    const a = dsimJson<ForkJson>([...args, '--workers', '1']);
    const b = dsimJson<ForkJson>([...args, '--workers', '2']);
    expect(a.code).toBe(0);
    expect(a.json.forks.map((p) => p.atMs)).toEqual([0, 1000, 2000, 3000]);
    expect(b.json.forks).toEqual(a.json.forks);
    for (const p of a.json.forks) {
      expect(p.branches).toBe(12);
      expect(p.failingBranches.length).toBe(p.failing);
      expect(p.probability).toBeCloseTo(p.failing / 12);
      if (p.failing > 0) expect(p.checkers[RESTART_CHECKER]).toBe(p.failing);
    }
    // Forked at 0 the branches are twelve fresh schedules: some crash p1, some do not.
    const at0 = a.json.forks[0]!;
    expect(at0.failing).toBeGreaterThan(0);
    expect(at0.failing).toBeLessThan(12);
  });

  it('forked after the fault phase, every branch keeps the run\'s faults and its verdict', () => {
    const { json } = dsimJson<ForkJson>(['fork', FRAGILE, '--seed', '2', '--at', '5s', '--branches', '1..4', '--workers', '1', '--json']);
    expect(json.run.expectMet).toBe(false);
    expect(json.forks[0]!.failing).toBe(4);
    expect(json.inevitableFromMs).toBe(5000);
  });

  it('human report, and --trace writes one branch', () => {
    const r = dsim(['fork', FRAGILE, '--seed', '2', '--at', '0s', '--branches', '1..10', '--workers', '1']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^fork cli-fragile seed 2 at 0ms: branches 1\.\.10 \(10 per fork time\), 1 worker\nthe run itself: FAILS \(no-restart-of-p1 at /);
    expect(r.stdout).toMatch(/branches that fail: \d+ of 10 \(\d+(\.\d)?%\)/);
    const m = /trace one: (npx dsim fork .* --trace branch-(\d+)\.jsonl)/.exec(r.stdout);
    expect(m).not.toBeNull();
    const dir = tempDir('dsim-fork-');
    const file = join(dir, 'b.jsonl');
    const t = dsim(['fork', FRAGILE, '--seed', '2', '--at', '0s', '--branches', m![2]!, '--trace', file]);
    expect(t.code).toBe(1);
    expect(existsSync(file)).toBe(true);
    const text = readFileSync(file, 'utf8');
    expect(text).toContain(`"text":"fork: branch ${m![2]} of the run forked here"`);
    expect(JSON.parse(text.slice(0, text.indexOf('\n'))).fork).toEqual({ atMs: 0, branch: Number(m![2]) });
  });

  it.each([
    [['--seed', '1'], /fork: missing --at T/],
    [['--at', '10m'], /--at 600s is not before the end of the run \(6s\)/],
    [['--at', '5s..1s/1s'], /the end 1s is before the start 5s/],
    [['--at', '0s..1s'], /--at expects a time \(20s\) or a range with a step/],
    [['--at', '0s..4s/0s'], /the step must be positive/],
    [['--at', 'soon'], /'soon' is not a duration/],
    [['--at', '1s', '--branches', '5..2'], /--branches 5\.\.2: the end 2 is before the start 5/],
    [['--at', '1s', '--branches', '1..2', '--trace', 'x.jsonl'], /--trace writes one branch/],
  ])('bad input %j', (extra, re) => {
    expectOneLineError(dsim(['fork', FRAGILE, ...extra]), re);
  });
});
