import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveShard } from '../../sim/cli/sweep-shard.ts';
import { dsim, dsimJson, expectOneLineError, FRAGILE, tempDir } from './helpers.ts';

// Sweeps beyond one machine: `--shard auto` reads the batch engine's task index, each shard writes
// a JSON Lines result file, and `dsim sweep merge` turns the files back into the unsharded report.

interface SweepJson {
  scenario: string;
  runs: number;
  failures: { seed: number; violations: unknown[] }[];
  events: number;
  seeds: { first: number; last: number };
  shard: string | null;
  shardsMerged?: number;
}

/** The engines' variables, cleared so the tests do not depend on where they run. */
const NO_ENGINE = { JOB_COMPLETION_INDEX: undefined, AWS_BATCH_JOB_ARRAY_INDEX: undefined, SLURM_ARRAY_TASK_ID: undefined };

describe('--shard auto', () => {
  it('reads each engine\'s index; K = index + 1 from the first index', () => {
    expect(resolveShard('auto/8', { JOB_COMPLETION_INDEX: '0' })).toEqual({ index: 1, count: 8 });
    expect(resolveShard('auto/8', { JOB_COMPLETION_INDEX: '7' })).toEqual({ index: 8, count: 8 });
    expect(resolveShard('auto', { AWS_BATCH_JOB_ARRAY_INDEX: '2', AWS_BATCH_JOB_ARRAY_SIZE: '10' })).toEqual({ index: 3, count: 10 });
    expect(resolveShard('auto/10', { AWS_BATCH_JOB_ARRAY_INDEX: '9', AWS_BATCH_JOB_ARRAY_SIZE: '10' })).toEqual({ index: 10, count: 10 });
    expect(resolveShard('auto', { SLURM_ARRAY_TASK_ID: '0', SLURM_ARRAY_TASK_COUNT: '4' })).toEqual({ index: 1, count: 4 });
    // --array=1-4: task ids start at 1.
    expect(resolveShard('auto', { SLURM_ARRAY_TASK_ID: '4', SLURM_ARRAY_TASK_MIN: '1', SLURM_ARRAY_TASK_COUNT: '4' })).toEqual({ index: 4, count: 4 });
    expect(resolveShard('2/5', {})).toEqual({ index: 2, count: 5 });
  });

  it.each([
    [{}, /none of JOB_COMPLETION_INDEX, AWS_BATCH_JOB_ARRAY_INDEX, SLURM_ARRAY_TASK_ID is set/],
    [{ JOB_COMPLETION_INDEX: '0' }, /gives JOB_COMPLETION_INDEX but not the number of shards; use --shard auto\/N/],
    [{ AWS_BATCH_JOB_ARRAY_INDEX: '0' }, /sets AWS_BATCH_JOB_ARRAY_INDEX but not AWS_BATCH_JOB_ARRAY_SIZE/],
    [{ AWS_BATCH_JOB_ARRAY_INDEX: '10', AWS_BATCH_JOB_ARRAY_SIZE: '10' }, /AWS_BATCH_JOB_ARRAY_INDEX=10 but the AWS Batch array job has only 10 tasks/],
    [{ JOB_COMPLETION_INDEX: 'x' }, /JOB_COMPLETION_INDEX='x' is not a non-negative integer/],
    [{ JOB_COMPLETION_INDEX: '0', SLURM_ARRAY_TASK_ID: '0' }, /more than one engine's index is set/],
    [{ SLURM_ARRAY_TASK_ID: '2', SLURM_ARRAY_TASK_COUNT: '3', SLURM_ARRAY_TASK_STEP: '2' }, /without a step/],
  ])('absent or inconsistent: %j', (env, re) => {
    expect(() => resolveShard('auto', env)).toThrow(re);
  });

  it('an explicit N must agree with the engine', () => {
    expect(() => resolveShard('auto/4', { SLURM_ARRAY_TASK_ID: '0', SLURM_ARRAY_TASK_COUNT: '3' })).toThrow(/has 3 tasks, not 4/);
  });

  it('is a one-line error on the command line', () => {
    expectOneLineError(dsim(['sweep', FRAGILE, '--seeds', '1..4', '--shard', 'auto'], { env: NO_ENGINE as unknown as Record<string, string> }), /--shard auto: no batch engine's index/);
  });
});

describe('dsim sweep merge', () => {
  it('three shard processes, each told its shard by a different engine, merge into the unsharded sweep', () => {
    const dir = tempDir('dsim-shards-');
    const common = ['sweep', FRAGILE, '--seeds', '2..21', '--workers', '1', '--results', join(dir, 'shard-{K}-of-{N}.jsonl')];
    const engines: Record<string, string>[] = [
      { JOB_COMPLETION_INDEX: '0' },
      { AWS_BATCH_JOB_ARRAY_INDEX: '1', AWS_BATCH_JOB_ARRAY_SIZE: '3' },
      { SLURM_ARRAY_TASK_ID: '3', SLURM_ARRAY_TASK_MIN: '1', SLURM_ARRAY_TASK_COUNT: '3' },
    ];
    for (const env of engines) {
      const r = dsim([...common, '--shard', env['JOB_COMPLETION_INDEX'] !== undefined ? 'auto/3' : 'auto', '--json'], { env: { ...NO_ENGINE, ...env } as unknown as Record<string, string> });
      expect(r.stderr).toBe('');
      expect([0, 1]).toContain(r.code);
    }
    const files = [3, 1, 2].map((k) => join(dir, `shard-${k}-of-3.jsonl`));
    const whole = dsimJson<SweepJson>(['sweep', FRAGILE, '--seeds', '2..21', '--workers', '2', '--json']);
    const merged = dsimJson<SweepJson>(['sweep', 'merge', ...files, '--json']);
    expect(whole.json.failures.length).toBeGreaterThan(0);
    expect(merged.code).toBe(whole.code);
    const deterministic = (j: SweepJson) => ({ scenario: j.scenario, runs: j.runs, failures: j.failures, events: j.events, seeds: j.seeds, shard: j.shard });
    expect(deterministic(merged.json)).toEqual(deterministic(whole.json));
    expect(merged.json.shardsMerged).toBe(3);

    // The human reports agree on every line but the first (worker count, merge note) and the timing.
    const wholeText = dsim(['sweep', FRAGILE, '--seeds', '2..21', '--workers', '1']).stdout.split('\n');
    const mergedText = dsim(['sweep', 'merge', ...files]).stdout.split('\n');
    expect(mergedText[0]).toMatch(/^sweep cli-fragile: seeds 2\.\.21 \(20 runs\), 3 workers, merged from 3 shards$/);
    const body = (l: string[]) => l.slice(1).filter((x) => !/events\/s/.test(x));
    expect(body(mergedText)).toEqual(body(wholeText));
  });

  it('refuses a missing, repeated, incomplete or foreign shard', () => {
    const dir = tempDir('dsim-shards-');
    const f = (k: number) => join(dir, `s${k}.jsonl`);
    for (const k of [1, 2]) dsim(['sweep', FRAGILE, '--seeds', '1..6', '--shard', `${k}/2`, '--workers', '1', '--results', f(k)]);
    dsim(['sweep', FRAGILE, '--seeds', '1..7', '--shard', '2/2', '--workers', '1', '--results', f(3)]);
    expectOneLineError(dsim(['sweep', 'merge', f(1)]), /sweep merge: missing shard 2\/2/);
    expectOneLineError(dsim(['sweep', 'merge', f(1), f(1)]), /shard 1\/2 given twice/);
    expectOneLineError(dsim(['sweep', 'merge', f(1), f(3)]), /is another sweep than .*: seeds 1\.\.7, not 1\.\.6/);
    const text = readFileSync(f(2), 'utf8').trimEnd().split('\n');
    writeFileSync(f(4), text.slice(0, -2).join('\n') + '\n');
    expectOneLineError(dsim(['sweep', 'merge', f(1), f(4)]), /incomplete, no end line \(2 of 3 seeds\)/);
    writeFileSync(f(5), 'hello\n');
    expectOneLineError(dsim(['sweep', 'merge', f(5)]), /not a JSON object/);
    expectOneLineError(dsim(['sweep', 'merge']), /missing <results-file>/);
    expectOneLineError(dsim(['sweep', FRAGILE, '--seeds', '1..2', '--results', join(dir, 'x-{K}.jsonl')]), /\{K\} and \{N\} need --shard/);
  });
});

describe('--corpus', () => {
  it('keeps each failing seed as an entry with its minimal fault script', () => {
    const dir = tempDir('dsim-corpus-');
    const r = dsim(['sweep', FRAGILE, '--seeds', '1..6', '--workers', '1', '--corpus', dir, '--json']);
    expect(r.code).toBe(1);
    const failing = (JSON.parse(r.stdout) as SweepJson).failures.map((f) => f.seed);
    expect(failing.length).toBeGreaterThan(0);
    for (const seed of failing) {
      expect(r.stderr).toContain(`corpus: seed ${seed} -> `);
      const entry = JSON.parse(readFileSync(join(dir, `cli-fragile-seed-${seed}.json`), 'utf8')) as { faults: string; violations: string[]; seed: number };
      expect(entry.seed).toBe(seed);
      expect(entry.faults).toMatch(/^at \d+ms crash p1 for \d+ms\n$/);
      expect(entry.violations).toEqual(['no-restart-of-p1']);
    }
  });
});
