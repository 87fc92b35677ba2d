import { describe, expect, it } from 'vitest';
import pbCrash from '../../scenarios/kernel/pb-crash.ts';
import pbPartition from '../../scenarios/kernel/pb-partition.ts';
import walPowerLoss from '../../scenarios/kernel/wal-power-loss.ts';
import { runScenario } from '../../sim/harness/run.ts';
import { parseScript } from '../../sim/harness/faults.ts';

// The kernel's worked examples meet their stated expectations, and each of their checkers fires
// where the example says it must.

describe('kernel-pb-crash', () => {
  it.each([1, 2, 3])('survives random single-server crashes without a linearizability violation (seed %i)', (seed) => {
    const r = runScenario(pbCrash, { seed });
    expect(r.faults.length).toBeGreaterThan(0);
    expect(r.violations).toEqual([]);
    expect(r.expectMet).toBe(true);
  });
});

describe('kernel-pb-partition', () => {
  it.each([1, 2, 3])('split brain is caught by the linearizability checker (seed %i)', (seed) => {
    const r = runScenario(pbPartition, { seed });
    expect(r.violations.map((v) => v.checker)).toContain('linearizable');
    expect(r.expectMet).toBe(true);
  });

  it('without the partition the same workload is linearizable', () => {
    const r = runScenario(pbPartition, { seed: 1, faults: [] });
    expect(r.violations).toEqual([]);
    expect(r.expectMet).toBe(false); // the scenario expects the violation its partition causes
  });
});

describe('kernel-wal-power-loss', () => {
  it('with fsync before ack, nothing acknowledged is lost to kill -9 or power loss', () => {
    const r = runScenario(walPowerLoss, { seed: 1 });
    expect(r.violations).toEqual([]);
    expect(r.expectMet).toBe(true);
  });

  it('without fsync, power loss drops acknowledged increments and acked-durable fires', () => {
    const r = runScenario(walPowerLoss, { seed: 1, overrides: { 'wal.fsync': 'false' } });
    expect(r.violations.map((v) => v.checker)).toEqual(['acked-durable']);
    expect(r.expected.violations).toEqual(['acked-durable']);
    expect(r.expectMet).toBe(true);
  });

  it('without fsync, a process crash alone loses nothing: the page cache belongs to the host', () => {
    const r = runScenario(walPowerLoss, { seed: 1, overrides: { 'wal.fsync': 'false' }, faults: parseScript('at 4s crash counter for 1s\nat 9s crash counter for 2s') });
    expect(r.violations).toEqual([]);
  });
});

describe('dropUnobservedInfoWrites', () => {
  it('keeps the verdict: an unobserved timed-out write cannot make a history linearizable', async () => {
    const { dropUnobservedInfoWrites } = await import('../../sim/check/linearizable-checker.ts');
    const { checkLinearizable } = await import('../../sim/check/linearizability.ts');
    const op = (opId: number, f: string, input: unknown, output: unknown, status: 'ok' | 'info', a: number, b: number) =>
      ({ opId, process: `c${opId}`, f, key: null, input, output, status, invokeUs: a, completeUs: status === 'info' ? Infinity : b });
    // w(x) ok, then a stale read of the initial null: invalid with or without the info write of y.
    const bad = [op(1, 'write', 'x', undefined, 'ok', 0, 10), op(2, 'write', 'y', undefined, 'info', 5, 0), op(3, 'read', null, null, 'ok', 20, 30)];
    expect(checkLinearizable(bad).valid).toBe(false);
    expect(dropUnobservedInfoWrites(bad).map((o) => o.opId)).toEqual([1, 3]);
    expect(checkLinearizable(dropUnobservedInfoWrites(bad)).valid).toBe(false);
    // An info write whose value was read is kept: it explains the read.
    const seen = [op(1, 'write', 'y', undefined, 'info', 0, 0), op(2, 'read', null, 'y', 'ok', 20, 30)];
    expect(dropUnobservedInfoWrites(seen)).toHaveLength(2);
    expect(checkLinearizable(dropUnobservedInfoWrites(seen)).valid).toBe(true);
  });
});

describe('progressAfterHealChecker', () => {
  const withLiveness = async () => {
    const { progressAfterHealChecker } = await import('../../sim/check/liveness.ts');
    return { ...pbCrash, build: (world: Parameters<typeof pbCrash.build>[0], cfg: Parameters<typeof pbCrash.build>[1]) => {
      pbCrash.build(world, cfg);
      world.addChecker(progressAfterHealChecker({ f: 'write', withinMs: 3000 }));
    } };
  };

  it('passes when the healed register takes writes again', async () => {
    const r = runScenario(await withLiveness(), { seed: 1 });
    expect(r.checks.find((c) => c.name === 'write-after-heal')?.status).toBe('pass');
  });

  it('fires when both servers lost their memory: neither may promote itself, so no write ever completes', async () => {
    const r = runScenario(await withLiveness(), { seed: 1, faults: parseScript('at 2s crash s1\nat 2s crash s2') });
    expect(r.violations.map((v) => v.checker)).toEqual(['write-after-heal']);
    expect(r.violations[0]!.message).toMatch(/no write completed within 3000 ms of the heal/);
  });
});
