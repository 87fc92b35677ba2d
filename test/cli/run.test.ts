import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { dsim, dsimJson, expectOneLineError, FRAGILE, SMALL_PINGPONG, tempDir } from './helpers.ts';
import { RESTART_CHECKER } from './fixtures/fragile.ts';

// `dsim run`: the JSON contract, the human summary, exit codes, determinism through the CLI, and
// every kind of bad input.

interface RunJson {
  scenario: string;
  seed: number;
  simulatedMs: number;
  events: number;
  traceHash: string;
  trace?: string;
  checks: { name: string; status: string }[];
  violations: { checker: string; seq: number; timeMs: number; message: string }[];
  expectMet: boolean;
}

function expectRunShape(j: RunJson): void {
  expect(typeof j.scenario).toBe('string');
  expect(Number.isInteger(j.seed)).toBe(true);
  expect(typeof j.simulatedMs).toBe('number');
  expect(Number.isInteger(j.events)).toBe(true);
  expect(j.traceHash).toMatch(/^[0-9a-f]{16}$/);
  expect(Array.isArray(j.checks)).toBe(true);
  for (const c of j.checks) {
    expect(typeof c.name).toBe('string');
    expect(['pass', 'fail', 'unknown']).toContain(c.status);
  }
  expect(Array.isArray(j.violations)).toBe(true);
  for (const v of j.violations) {
    expect(typeof v.checker).toBe('string');
    expect(Number.isInteger(v.seq)).toBe(true);
    expect(typeof v.timeMs).toBe('number');
    expect(typeof v.message).toBe('string');
  }
  expect(typeof j.expectMet).toBe('boolean');
}

/** Seeds of the fragile fixture that fail (p1 crashed) and pass, found by a sweep. */
let failingSeed = 0;
let passingSeed = 0;

beforeAll(() => {
  const { json } = dsimJson<{ failures: { seed: number }[] }>(['sweep', FRAGILE, '--seeds', '1..30', '--workers', '1', '--json']);
  const failing = new Set(json.failures.map((f) => f.seed));
  failingSeed = [...failing][0] ?? 0;
  passingSeed = Array.from({ length: 30 }, (_, i) => i + 1).find((s) => !failing.has(s)) ?? 0;
  expect(failingSeed).toBeGreaterThan(0);
  expect(passingSeed).toBeGreaterThan(0);
});

describe('dsim run --json', () => {
  it('prints one object with the contract fields; a clean run exits 0', () => {
    const { code, json } = dsimJson<RunJson>(['run', ...SMALL_PINGPONG, '--seed', '4', '--json']);
    expect(code).toBe(0);
    expectRunShape(json);
    expect(json).toMatchObject({ scenario: 'kernel-pingpong', seed: 4, simulatedMs: 10_000, expectMet: true, violations: [] });
    expect(json.events).toBeGreaterThan(1000);
    expect(json.trace).toBeUndefined();
  });

  it('default seed is 1', () => {
    const { json } = dsimJson<RunJson>(['run', FRAGILE, '--json']);
    expect(json.seed).toBe(1);
  });

  it('a run with an unexpected violation exits 1 and reports it', () => {
    const { code, json } = dsimJson<RunJson>(['run', FRAGILE, '--seed', String(failingSeed), '--json']);
    expect(code).toBe(1);
    expectRunShape(json);
    expect(json.expectMet).toBe(false);
    expect(json.violations[0]).toMatchObject({ checker: RESTART_CHECKER, message: expect.stringMatching(/p1 restarted/) });
    expect(json.checks).toContainEqual({ name: RESTART_CHECKER, status: 'fail' });
  });

  it('a run whose expected violation does not happen exits 1', () => {
    const { code, json } = dsimJson<RunJson>(['run', FRAGILE, '--seed', String(passingSeed), '--set', 'fragile.expect=restart', '--json']);
    expect(code).toBe(1);
    expect(json.violations).toEqual([]);
    expect(json.expectMet).toBe(false);
  });

  it('a run whose expected violation happens exits 0', () => {
    const { code, json } = dsimJson<RunJson>(['run', FRAGILE, '--seed', String(failingSeed), '--set', 'fragile.expect=restart', '--json']);
    expect(code).toBe(0);
    expect(json.expectMet).toBe(true);
    expect(json.checks).toContainEqual({ name: RESTART_CHECKER, status: 'fail' });
  });
});

describe('dsim run human output', () => {
  it('names the scenario, seed, faults, checks, verdict, events, time, rates and trace hash', () => {
    const r = dsim(['run', FRAGILE, '--seed', String(failingSeed)]);
    expect(r.code).toBe(1);
    const o = r.stdout;
    expect(o).toMatch(/^cli-fragile: CLI test fixture/);
    expect(o).toContain(`seed ${failingSeed}\n`);
    expect(o).toMatch(/faults:\n {2}at \S+ (crash|pause|partition) /);
    expect(o).toMatch(/what happened:\n +[\d.]+ s {2}fault: /);
    expect(o).toMatch(/at the end, in the systems' own words:\n {2}p0: (up|down)/);
    expect(o).toMatch(new RegExp(`checks:\\n {2}fail +${RESTART_CHECKER}`));
    expect(o).toMatch(new RegExp(`violations:\\n {2}${RESTART_CHECKER} {2}event #\\d+ {2}t=[\\d.]+ ms {2}p1 restarted`));
    expect(o).toContain('expected: no violations (p1 is never crashed in a passing seed)');
    expect(o).toContain('verdict: EXPECTATION NOT MET');
    expect(o).toContain(`reproduce: npx dsim run ${FRAGILE} --seed ${failingSeed}`);
    expect(o).toMatch(/events [\d,]+ {3}simulated 6\.000 s {3}wall \S+ \S+ {3}\S+ (k |M )?events\/s/);
    expect(o).toMatch(/trace hash [0-9a-f]{16}/);
  });

  it('a met expectation says so', () => {
    const r = dsim(['run', FRAGILE, '--seed', String(passingSeed)]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('verdict: expectation met');
    expect(r.stdout).toMatch(/checks:\n {2}pass +no-restart-of-p1/);
    expect(r.stdout).toContain('violations: none');
  });
});

describe('determinism through the CLI', () => {
  it('the same seed twice prints the same trace hash; another seed a different one', () => {
    const a = dsimJson<RunJson>(['run', ...SMALL_PINGPONG, '--seed', '9', '--json']).json;
    const b = dsimJson<RunJson>(['run', ...SMALL_PINGPONG, '--seed', '9', '--json']).json;
    const c = dsimJson<RunJson>(['run', ...SMALL_PINGPONG, '--seed', '10', '--json']).json;
    expect(b.traceHash).toBe(a.traceHash);
    expect(b.events).toBe(a.events);
    expect(c.traceHash).not.toBe(a.traceHash);
  });

  it('--trace on and off print the same trace hash; the file has a header, events and an end line', () => {
    const dir = tempDir();
    const file = join(dir, 'nested', 'deeper', 'run.jsonl');
    const off = dsimJson<RunJson>(['run', FRAGILE, '--seed', String(failingSeed), '--json']).json;
    const on = dsimJson<RunJson>(['run', FRAGILE, '--seed', String(failingSeed), '--trace', file, '--json']).json;
    expect(on.traceHash).toBe(off.traceHash);
    expect(on.trace).toBe(file);
    const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
    const header = JSON.parse(lines[0]!) as { format: string; version: number; scenario: string; seed: number };
    expect(header).toMatchObject({ format: 'dsim-trace', version: 1, scenario: 'cli-fragile', seed: failingSeed });
    const end = JSON.parse(lines[lines.length - 1]!) as { type: string; traceHash: string; events: number };
    expect(end).toMatchObject({ type: 'end', traceHash: on.traceHash, events: on.events });
    expect(lines.some((l) => l.includes('"type":"violation"'))).toBe(true);
  });

  it('the human output names the trace file and how to open the replay', () => {
    const dir = tempDir();
    const file = join(dir, 't.jsonl');
    const r = dsim(['run', FRAGILE, '--seed', String(passingSeed), '--trace', file]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`npx dsim viz ${file}`);
    expect(existsSync(file)).toBe(true);
  });
});

describe('dsim run --faults', () => {
  it('replaces the schedule with the script; the script is echoed', () => {
    const dir = tempDir();
    const crashP1 = join(dir, 'crash-p1.faults');
    const crashP0 = join(dir, 'crash-p0.faults');
    writeFileSync(crashP1, '# p1 goes down and comes back\nat 1s crash p1 for 500ms\n');
    writeFileSync(crashP0, 'at 1s crash p0 for 500ms\n');
    const bad = dsimJson<RunJson & { faults: string }>(['run', FRAGILE, '--seed', String(passingSeed), '--faults', crashP1, '--json']);
    expect(bad.code).toBe(1);
    expect(bad.json.faults).toBe('at 1s crash p1 for 500ms\n');
    expect(bad.json.violations[0]!.checker).toBe(RESTART_CHECKER);
    const good = dsimJson<RunJson & { faults: string }>(['run', FRAGILE, '--seed', String(failingSeed), '--faults', crashP0, '--json']);
    expect(good.code).toBe(0);
    expect(good.json.faults).toBe('at 1s crash p0 for 500ms\n');
    const human = dsim(['run', FRAGILE, '--faults', crashP0]);
    expect(human.stdout).toContain('faults (from --faults):\n  at 1s crash p0 for 500ms');
  });

  it("reads the script from stdin with '-'", () => {
    const r = dsimJson<RunJson>(['run', FRAGILE, '--seed', String(passingSeed), '--faults', '-', '--json'], { input: 'at 2s crash p1 for 1s\n' });
    expect(r.code).toBe(1);
    expect(r.json.violations[0]!.checker).toBe(RESTART_CHECKER);
  });

  it('a malformed script is a one-line error naming the file and line', () => {
    const dir = tempDir();
    const f = join(dir, 'bad.faults');
    writeFileSync(f, 'at 1s crash p1\nat 2s explode p1\n');
    expectOneLineError(dsim(['run', FRAGILE, '--faults', f]), new RegExp(`${f}:2: unknown fault 'explode'`));
  });

  it('a script naming an unknown process is a usage error', () => {
    expectOneLineError(dsim(['run', FRAGILE, '--faults', '-'], { input: 'at 1s crash p9 for 1s\n' }), /no process or host named 'p9'/);
  });

  it('a missing script file is a usage error', () => {
    expectOneLineError(dsim(['run', FRAGILE, '--faults', '/nonexistent/x.faults']), /cannot read fault script \/nonexistent\/x\.faults: no such file/);
  });
});

describe('dsim run bad input', () => {
  it('unknown scenario suggests the closest name', () => {
    expectOneLineError(dsim(['run', 'kernel-pingpog']), /unknown scenario 'kernel-pingpog' \(did you mean 'kernel-pingpong'\?\)/);
  });

  it('a scenario file that does not exist', () => {
    expectOneLineError(dsim(['run', 'scenarios/nope/missing.ts']), /no such scenario file: scenarios\/nope\/missing\.ts/);
  });

  it('a module that is not a scenario', () => {
    expectOneLineError(dsim(['run', 'test/cli/helpers.ts']), /does not default-export a scenario/);
  });

  it('unknown config key suggests the closest key', () => {
    expectOneLineError(dsim(['run', 'kernel-pingpong', '--set', 'pingpong.proceses=3']), /unknown config key 'pingpong\.proceses' \(did you mean 'pingpong\.processes'\?\)/);
  });

  it('malformed --set', () => {
    expectOneLineError(dsim(['run', 'kernel-pingpong', '--set', 'pingpong.processes']), /--set expects key=value, got 'pingpong\.processes'/);
    expectOneLineError(dsim(['run', 'kernel-pingpong', '--set', '=3']), /--set expects key=value/);
  });

  it('a config value out of bounds or of the wrong type', () => {
    expectOneLineError(dsim(['run', 'kernel-pingpong', '--set', 'pingpong.processes=1']), /invalid value for pingpong\.processes: 1 is below the minimum 2/);
    expectOneLineError(dsim(['run', 'kernel-pingpong', '--set', 'pingpong.processes=many']), /is not a number/);
  });

  it('a bad seed', () => {
    expectOneLineError(dsim(['run', 'kernel-pingpong', '--seed', 'abc']), /--seed must be a non-negative integer, got 'abc'/);
    expectOneLineError(dsim(['run', 'kernel-pingpong', '--seed', '-3']), /--seed must be a non-negative integer, got '-3'/);
  });

  it('a trace path that cannot be written', () => {
    const dir = tempDir();
    const blocker = join(dir, 'file');
    writeFileSync(blocker, 'x');
    expectOneLineError(dsim(['run', FRAGILE, '--trace', join(blocker, 'sub', 't.jsonl')]), /cannot write trace file/);
  });
});

describe('a run that throws', () => {
  it('exits 1 with one line naming scenario, seed and message, plus the command to reproduce; no stack', () => {
    const r = dsim(['run', FRAGILE, '--seed', '3', '--set', 'fragile.invariantAtMs=1500']);
    expect(r.code).toBe(1);
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^dsim: run failed: cli-fragile seed 3: InvariantError: invariant failed at p0, t=1500\.000 ms, event \d+, seed 3: fragile: planted invariant failure$/);
    expect(lines[1]).toBe(`  reproduce: npx dsim run ${FRAGILE} --seed 3 --set fragile.invariantAtMs=1500`);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('DSIM_DEBUG=1 adds the stack', () => {
    const r = dsim(['run', FRAGILE, '--seed', '3', '--set', 'fragile.invariantAtMs=1500'], { env: { DSIM_DEBUG: '1' } });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/\n\s+at /);
  });
});
