import { describe, expect, it } from 'vitest';
import { dsim, dsimJson, expectOneLineError, FRAGILE } from './helpers.ts';
import { RESTART_CHECKER } from './fixtures/fragile.ts';

// `dsim sweep`: every seed runs, failing seeds are reported with their violations and the commands
// to reproduce and shrink them, workers and shards do not change the verdicts.

interface SweepJson {
  scenario: string;
  runs: number;
  failures: { seed: number; violations: { checker: string; seq: number; timeMs: number; message: string }[] }[];
  eventsPerSec: number;
  seedsPerSec: number;
}

function expectSweepShape(j: SweepJson): void {
  expect(typeof j.scenario).toBe('string');
  expect(Number.isInteger(j.runs)).toBe(true);
  expect(Array.isArray(j.failures)).toBe(true);
  for (const f of j.failures) {
    expect(Number.isInteger(f.seed)).toBe(true);
    expect(Array.isArray(f.violations)).toBe(true);
    for (const v of f.violations) {
      expect(typeof v.checker).toBe('string');
      expect(Number.isInteger(v.seq)).toBe(true);
      expect(typeof v.timeMs).toBe('number');
      expect(typeof v.message).toBe('string');
    }
  }
  expect(typeof j.eventsPerSec).toBe('number');
  expect(typeof j.seedsPerSec).toBe('number');
}

const seedsOf = (j: SweepJson): number[] => j.failures.map((f) => f.seed);

describe('dsim sweep', () => {
  it('--json reports the failing seeds, which `run` confirms one by one; exit 1', () => {
    const { code, json, stderr } = dsimJson<SweepJson>(['sweep', FRAGILE, '--seeds', '1..12', '--workers', '1', '--json']);
    expectSweepShape(json);
    expect(json).toMatchObject({ scenario: 'cli-fragile', runs: 12 });
    expect(json.failures.length).toBeGreaterThan(0);
    expect(json.failures.length).toBeLessThan(12);
    expect(code).toBe(1);
    expect(stderr).toBe('');
    expect(seedsOf(json)).toEqual([...seedsOf(json)].sort((a, b) => a - b));
    for (const f of json.failures) expect(f.violations[0]!.checker).toBe(RESTART_CHECKER);
    const failing = new Set(seedsOf(json));
    for (const seed of [1, 2, 3, 4, 5, 6]) {
      const r = dsimJson<{ expectMet: boolean }>(['run', FRAGILE, '--seed', String(seed), '--json']);
      expect({ seed, failed: r.code === 1 }).toEqual({ seed, failed: failing.has(seed) });
    }
  });

  it('exits 0 when every seed meets the expectation', () => {
    const { code, json } = dsimJson<SweepJson>(['sweep', FRAGILE, '--seeds', '1..5', '--set', 'fragile.nemesis=false', '--workers', '1', '--json']);
    expect(code).toBe(0);
    expect(json.failures).toEqual([]);
    expect(json.runs).toBe(5);
  });

  it('--workers 2 finds the same failures as one worker', () => {
    const one = dsimJson<SweepJson>(['sweep', FRAGILE, '--seeds', '1..16', '--workers', '1', '--json']).json;
    const two = dsimJson<SweepJson>(['sweep', FRAGILE, '--seeds', '1..16', '--workers', '2', '--json']).json;
    expect(two.runs).toBe(16);
    expect(two.failures).toEqual(one.failures);
  });

  it('--shard K/N splits the seeds by index: the shards partition the sweep', () => {
    const all = dsimJson<SweepJson>(['sweep', FRAGILE, '--seeds', '3..19', '--workers', '1', '--json']).json;
    const shards = [1, 2, 3].map((k) => dsimJson<SweepJson>(['sweep', FRAGILE, '--seeds', '3..19', '--shard', `${k}/3`, '--workers', '2', '--json']).json);
    expect(shards.map((s) => s.runs)).toEqual([6, 6, 5]);
    const union = shards.flatMap(seedsOf).sort((a, b) => a - b);
    expect(union).toEqual(seedsOf(all));
    // Shard 1/3 holds indexes 0, 3, 6, ...: seeds 3, 6, 9, ...
    for (const s of seedsOf(shards[0]!)) expect((s - 3) % 3).toBe(0);
    for (const s of seedsOf(shards[1]!)) expect((s - 3) % 3).toBe(1);
  });

  it('a shard of a billion-seed range holds only its own seeds', () => {
    const { code, json } = dsimJson<SweepJson & { seeds: unknown }>(['sweep', FRAGILE, '--seeds', '1..1000000000', '--shard', '1/200000000', '--set', 'fragile.nemesis=false', '--workers', '1', '--json']);
    expect(code).toBe(0);
    expect(json.runs).toBe(5);
    const empty = dsimJson<SweepJson>(['sweep', FRAGILE, '--seeds', '1..2', '--shard', '3/3', '--json']);
    expect(empty.code).toBe(0);
    expect(empty.json.runs).toBe(0);
  });

  it('a seed that misses an expected violation is a failure without a shrink hint', () => {
    const r = dsim(['sweep', FRAGILE, '--seeds', '1..3', '--set', 'fragile.expect=restart', '--set', 'fragile.nemesis=false', '--workers', '1']);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('seed 1: FAILED\n  no violation, but an expected checker did not fire\n  reproduce: ');
    expect(r.stdout).not.toContain('shrink:');
    expect(r.stdout).toContain(`expected per seed: violations from ${RESTART_CHECKER}`);
  });

  it('human output lists each failing seed with violations and the commands to reproduce and shrink it', () => {
    const { json } = dsimJson<SweepJson>(['sweep', FRAGILE, '--seeds', '1..12', '--workers', '1', '--json']);
    const r = dsim(['sweep', FRAGILE, '--seeds', '1..12', '--workers', '1', '--set', 'fragile.invariantAtMs=0']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^sweep cli-fragile: seeds 1\.\.12 \(12 runs\), 1 worker/);
    for (const f of json.failures) {
      expect(r.stdout).toContain(`seed ${f.seed}: FAILED`);
      expect(r.stdout).toContain(`reproduce: npx dsim run ${FRAGILE} --seed ${f.seed} --set fragile.invariantAtMs=0`);
      expect(r.stdout).toContain(`shrink:    npx dsim shrink ${FRAGILE} --seed ${f.seed} --set fragile.invariantAtMs=0`);
    }
    expect(r.stdout).toMatch(new RegExp(`${RESTART_CHECKER} {2}event #\\d+ {2}t=[\\d.]+ ms {2}p1 restarted`));
    expect(r.stdout).toContain(`12 runs, ${json.failures.length} failure`);
    expect(r.stdout).toMatch(/events\/s .* seeds\/s/);
  });

  it('a seed whose run throws is a failure with its error', () => {
    const { code, json } = dsimJson<SweepJson & { failures: { error?: string }[] }>(['sweep', FRAGILE, '--seeds', '1..2', '--set', 'fragile.invariantAtMs=100', '--set', 'fragile.nemesis=false', '--workers', '2', '--json']);
    expect(code).toBe(1);
    expect(json.failures.map((f) => f.seed)).toEqual([1, 2]);
    for (const f of json.failures) expect(f.error).toMatch(/^InvariantError: invariant failed at p0/);
  });
});

describe('dsim sweep bad input', () => {
  it('missing --seeds', () => {
    expectOneLineError(dsim(['sweep', FRAGILE]), /sweep: missing --seeds A\.\.B/);
  });

  it.each([
    ['10..2', /the end 2 is before the start 10/],
    ['1-10', /--seeds expects A\.\.B/],
    ['a..b', /--seeds expects A\.\.B/],
    ['..5', /--seeds expects A\.\.B/],
  ])('bad range %s', (range, re) => {
    expectOneLineError(dsim(['sweep', FRAGILE, '--seeds', range]), re);
  });

  it.each([
    ['0/3', /K must be between 1 and N/],
    ['4/3', /K must be between 1 and N/],
    ['1/0', /K must be between 1 and N/],
    ['2', /--shard expects K\/N/],
  ])('bad shard %s', (shard, re) => {
    expectOneLineError(dsim(['sweep', FRAGILE, '--seeds', '1..4', '--shard', shard]), re);
  });

  it('bad --workers', () => {
    expectOneLineError(dsim(['sweep', FRAGILE, '--seeds', '1..4', '--workers', '0']), /--workers must be at least 1/);
  });

  it('unknown config key and unknown scenario', () => {
    expectOneLineError(dsim(['sweep', FRAGILE, '--seeds', '1..4', '--set', 'fragile.nemisis=false']), /did you mean 'fragile\.nemesis'/);
    expectOneLineError(dsim(['sweep', 'kernel-pingpnog', '--seeds', '1..4']), /did you mean 'kernel-pingpong'/);
  });
});
