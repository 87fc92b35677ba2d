import { describe, expect, it } from 'vitest';
import type { ProcessId } from '../../sim/core/types.ts';
import { resolveConfig } from '../../sim/core/config.ts';
import { runScenario } from '../../sim/harness/run.ts';
import { haSettings } from '../../sim/hdfs/ha/config-ha.ts';
import { hdfsSchema } from '../../sim/hdfs/config.ts';
import failover from '../../scenarios/hdfs/hdfs-ha-failover.ts';

// The HA scenarios end to end, and the HA keys' parsing.

describe('hdfs-ha-failover', () => {
  it('the active crashes; the other NameNode becomes active in epoch 2 with every acknowledged mkdirs; the summary reads like haadmin', () => {
    const r = runScenario(failover, { seed: 1 });
    expect(r.violations).toEqual([]);
    expect(r.expectMet).toBe(true);
    const states = ['nn-1', 'nn-2'].map((n) => (r.world.inspect(r.world.pid(n) as ProcessId) as { haState: string; epoch: number }));
    expect(states.filter((s) => s.haState === 'active').map((s) => s.epoch)).toEqual([2]);
    const client = r.world.inspect(r.world.pid('client-1') as ProcessId) as { acked: number; failovers: number };
    expect(client.acked).toBe(150);
    expect(client.failovers).toBeGreaterThan(0);
    expect(r.summary).toMatch(/\$ hdfs haadmin -getAllServiceState\nnn-1:8020 +(active|standby)\nnn-2:8020 +(active|standby)/);
    expect(r.summary).toMatch(/jn-1: lastPromisedEpoch=2 lastWriterEpoch=2/);
  });
});

describe('HA keys', () => {
  const cfg = (set: { [k: string]: string }) => resolveConfig(hdfsSchema, {}, set);
  it('reads durations with units and refuses fencing methods dsim cannot run', () => {
    expect(haSettings(cfg({ 'hdfs.dfs.ha.tail-edits.period': '2m' })).tailEditsPeriodMs).toBe(120_000);
    expect(haSettings(cfg({ 'hdfs.dfs.ha.fencing.methods': 'shell(/bin/true)' })).fencingMethods).toEqual(['shell(/bin/true)']);
    expect(() => haSettings(cfg({ 'hdfs.dfs.ha.fencing.methods': 'sshfence' }))).toThrow(/dsim runs only shell\(\/bin\/true\)/);
    expect(() => haSettings(cfg({ 'hdfs.dfs.ha.fencing.methods': 'frobnicate' }))).toThrow(/Unable to parse line: 'frobnicate'/);
  });
});
