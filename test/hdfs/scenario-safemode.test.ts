import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Scenario } from '../../sim/harness/scenario.ts';
import { runScenario } from '../../sim/harness/run.ts';
import { DatanodeManager } from '../../sim/hdfs/blockmanagement/datanode-manager.ts';
import { SafeMode, type SafeModeCounts } from '../../sim/hdfs/namenode/safemode.ts';
import deathScenario from '../../scenarios/hdfs/hdfs-datanode-death.ts';
import scenario from '../../scenarios/hdfs/hdfs-safemode.ts';

// hdfs-safemode: a whole-cluster restart; safe mode ends 30 s after the block threshold and
// min.datanodes (4) both hold. The checkers hdfs-safemode, hdfs-liveness and hdfs-dead-interval
// fire from planted bugs in the protocol code.

afterEach(() => {
  vi.restoreAllMocks();
});

/** Runs the scenario recording when safe mode was left. */
function run(s: Scenario = scenario) {
  const offs: { atMs: number; manual: boolean }[] = [];
  const r = runScenario({
    ...s,
    build(world, cfg) {
      s.build(world, cfg);
      world.onObserve('hdfs-nn-safemode-off', (_p, d) => offs.push({ atMs: Math.round(world.nowUs / 1000), manual: d.manual }));
    },
  }, { seed: 1 });
  return { r, offs };
}

const originalCheck = SafeMode.prototype.check;

describe('hdfs-safemode scenario', () => {
  it('leaves safe mode 30 s after the fourth DataNode made the thresholds hold; writes refused until then, probe ok after the heal', () => {
    const { r, offs } = run();
    expect(r.violations).toEqual([]);
    expect(r.expectMet).toBe(true);
    expect(r.checks.map((c) => `${c.name}:${c.status}`)).toEqual(expect.arrayContaining(['hdfs-safemode:pass', 'hdfs-liveness:pass']));
    // first start: 4 DataNodes at once, left after the extension; the restart: dn-4 (the fourth) at 160 s, left at 190 s
    expect(offs.map((o) => Math.round(o.atMs / 1000))).toEqual([30, 190]);
    const refused = r.world.history.operations().filter((o) => o.f === 'write' && o.status === 'fail' && /SafeModeException/.test(o.error ?? ''));
    expect(refused.length).toBeGreaterThan(5);
    expect(refused.every((o) => o.invokeUs >= 90e6 && o.invokeUs < 190e6)).toBe(true);
  });

  it('hdfs-safemode fires when the NameNode ignores the thresholds (planted bug)', () => {
    vi.spyOn(SafeMode.prototype, 'areThresholdsMet').mockReturnValue(true);
    const { r } = run();
    expect(r.violations.filter((v) => v.checker === 'hdfs-safemode').map((v) => v.message)[0])
      .toMatch(/^nn left safe mode at 0\.00\d s with the thresholds not met: 0 of 0 blocks safe \(threshold 0\), 0 live DataNodes \(minimum 4\)/);
  });

  it('hdfs-safemode fires when the extension is skipped (planted bug)', () => {
    vi.spyOn(SafeMode.prototype, 'check').mockImplementation(function (this: SafeMode, c: SafeModeCounts, nowUs: number) {
      const out = originalCheck.call(this, c, nowUs);
      if (this.status !== 'EXTENSION') return out;
      this.status = 'OFF';
      return 'left';
    });
    const { r } = run();
    const msgs = r.violations.filter((v) => v.checker === 'hdfs-safemode').map((v) => v.message);
    expect(msgs).toContain('nn left safe mode at 160.001 s, 0.000 s after the thresholds were reached at 160.001 s: before the extension of 30 s');
  });

  it('hdfs-safemode (late) and hdfs-liveness fire when the extension never ends (planted bug; the writers were refused from the start, so the namespace has no block)', () => {
    vi.spyOn(SafeMode.prototype, 'check').mockImplementation(function (this: SafeMode, c: SafeModeCounts, nowUs: number) {
      return this.status === 'EXTENSION' ? null : originalCheck.call(this, c, nowUs);
    });
    const { r } = run();
    const by = (name: string) => r.violations.filter((v) => v.checker === name).map((v) => v.message);
    expect(by('hdfs-safemode')).toEqual(['nn is still in safe mode at the end, though it could have left at 190.000 s (0 of 0 blocks safe (threshold 0), 6 live DataNodes (minimum 4))']);
    expect(by('hdfs-liveness')).toHaveLength(1);
    expect(by('hdfs-liveness')[0]).toMatch(/^hdfs-liveness|not serving within 30 s of the heal at 300\.000 s: nn is still in safe mode at the end .*; no probe write and read-back succeeded \(\d+ attempts; the last: write \/probe\/p-1-\d+ fail: create: SafeModeException/);
    expect(r.checks.find((c) => c.name === 'hdfs-liveness')?.status).toBe('fail');
  });
});

describe('hdfs-dead-interval', () => {
  it('fires when the heartbeat monitor declares nodes dead after the stale interval instead of the dead interval (planted bug)', () => {
    // The planted bug: isDatanodeDead compares the silence with dfs.namenode.stale.datanode.interval
    // (30 s) rather than 2 x recheck-interval + 10 x heartbeat-interval (630 s).
    vi.spyOn(DatanodeManager.prototype, 'isDatanodeDead').mockImplementation(function (this: DatanodeManager, d, nowUs) {
      return d.lastUpdateUs < nowUs - 30_000_000;
    });
    const { r } = run(deathScenario);
    const msgs = r.violations.filter((v) => v.checker === 'hdfs-dead-interval').map((v) => v.message);
    expect(msgs.length).toBeGreaterThanOrEqual(1);
    expect(msgs[0]).toMatch(/^nn declared dn-1 dead after \d+\.\d s of silence, not more than the dead interval 630 s$/);
  });
});
