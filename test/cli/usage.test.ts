import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { dsim, dsimJson, expectOneLineError, REPO } from './helpers.ts';

// The command line's surface: help, list, and every way to call it wrongly.

const COMMANDS = ['list', 'describe', 'run', 'sweep', 'shrink', 'bench', 'export', 'viz', 'help'];
const FLAGS = ['--seed', '--set', '--config', '--trace', '--faults', '--json', '--seeds', '--workers', '--shard', '--quick', '--format', '-o', '--port', '--out', '--wide', '--version'];

describe('dsim help', () => {
  it.each([[[]], [['help']], [['--help']], [['-h']]])('%j prints the usage with every command and flag, exit 0', (args) => {
    const r = dsim(args);
    expect(r.code).toBe(0);
    for (const c of COMMANDS) expect(r.stdout).toContain(`  ${c}`);
    for (const f of FLAGS) expect(r.stdout).toContain(f);
    expect(r.stdout).toMatch(/exit codes: 0 .* 1 .* 2 /);
  });

  it.each(COMMANDS.filter((c) => c !== 'help'))('dsim %s --help prints that command\'s usage only, exit 0', (cmd) => {
    for (const args of [[cmd, '--help'], ['help', cmd], [cmd, '-h']]) {
      const r = dsim(args);
      expect(r.code).toBe(0);
      expect(r.stdout.split('\n')[0]).toMatch(new RegExp(`^usage: npx dsim ${cmd}\\b`));
      for (const other of COMMANDS.filter((c) => c !== cmd && c !== 'help')) expect(r.stdout).not.toMatch(new RegExp(`^usage: npx dsim ${other}\\b`, 'm'));
      expect(r.stdout).toMatch(/exit codes: 0 .* 1 .* 2 /);
      expect(r.stderr).toBe('');
    }
  });

  it('--version prints the package version, alone and after any command', () => {
    const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { version: string };
    for (const args of [['--version'], ['-V'], ['run', '--version'], ['list', '--version'], ['export', '--version']]) {
      const r = dsim(args);
      expect(r.code).toBe(0);
      expect(r.stdout).toBe(`dsim ${pkg.version}\n`);
    }
  });
});

describe('dsim list', () => {
  it('--json prints [{ name, description, systems, expect }] with kernel-pingpong', () => {
    const { code, json } = dsimJson<{ name: string; description: string; systems: string[]; expect: { violations: string[]; why: string } }[]>(['list', '--json']);
    expect(code).toBe(0);
    expect(Array.isArray(json)).toBe(true);
    for (const s of json) {
      expect(typeof s.name).toBe('string');
      expect(typeof s.description).toBe('string');
      expect(Array.isArray(s.systems)).toBe(true);
      expect(Array.isArray(s.expect.violations)).toBe(true);
      expect(typeof s.expect.why).toBe('string');
    }
    const pp = json.find((s) => s.name === 'kernel-pingpong');
    // Kernel examples compose no System (their actors are scenario-local); Kafka brings ZooKeeper.
    expect(pp).toMatchObject({ systems: [], expect: { violations: [] } });
    expect(json.find((s) => s.name === 'kafka-leader-failover')).toMatchObject({ systems: ['zookeeper', 'kafka'] });
    const names = json.map((s) => s.name);
    expect([...names].sort()).toEqual(names);
  });

  it('prints a table of scenarios', () => {
    const r = dsim(['list']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^SCENARIO\s+EXPECT\s+WHAT HAPPENS/);
    expect(r.stdout).toMatch(/kernel-pingpong\s+pass\s+Processes ping/);
    expect(r.stdout).toMatch(/zk-crash-then-power-loss\s+fail\s+/);
    // Every line fits 100 columns (the issue measured 280).
    for (const line of r.stdout.split('\n')) expect([...line].length).toBeLessThanOrEqual(100);
  });

  it('--wide names the systems and the checkers each scenario expects to fire', () => {
    const r = dsim(['list', '--wide']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^SCENARIO\s+SYSTEMS\s+EXPECTS/);
    expect(r.stdout).toMatch(/kafka-leader-failover\s+zookeeper,kafka\s+no violation\s+The leader/);
    expect(r.stdout).toMatch(/zk-crash-then-power-loss\s+zookeeper\s+zk-history-agreement/);
  });

  it('does not list modules under lib/ or test fixtures', () => {
    const { json } = dsimJson<{ name: string }[]>(['list', '--json']);
    expect(json.map((s) => s.name)).not.toContain('cli-fragile');
  });
});

describe('usage errors exit 2 with one line', () => {
  it('unknown command suggests the closest one', () => {
    expectOneLineError(dsim(['lsit']), /unknown command 'lsit' \(did you mean 'list'\?\)/);
    expectOneLineError(dsim(['swep', 'x']), /did you mean 'sweep'/);
  });

  it('unknown flag suggests the closest one', () => {
    expectOneLineError(dsim(['run', 'kernel-pingpong', '--sed', '3']), /unknown flag '--sed' \(did you mean '--seed'\?\)/);
    expectOneLineError(dsim(['list', '--jsno']), /unknown flag '--jsno' \(did you mean '--json'\?\)/);
  });

  it('missing arguments name what is missing', () => {
    expectOneLineError(dsim(['run']), /run: missing <scenario>/);
    expectOneLineError(dsim(['export']), /export: missing <trace>/);
    expectOneLineError(dsim(['viz']), /viz: missing <trace>/);
    expectOneLineError(dsim(['run', 'kernel-pingpong', '--seed']), /--seed needs a value/);
  });

  it('extra arguments are refused', () => {
    expectOneLineError(dsim(['run', 'kernel-pingpong', 'extra']), /unexpected argument 'extra'/);
    expectOneLineError(dsim(['list', 'x']), /unexpected argument 'x'/);
  });

  it('a bool flag given a value is refused', () => {
    expectOneLineError(dsim(['list', '--json=yes']), /--json takes no value/);
  });
});
