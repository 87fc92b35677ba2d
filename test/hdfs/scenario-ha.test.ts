import { describe, expect, it } from 'vitest';
import type { ProcessId } from '../../sim/core/types.ts';
import { resolveConfig } from '../../sim/core/config.ts';
import { runScenario } from '../../sim/harness/run.ts';
import { haSchema, haSettings } from '../../sim/hdfs/ha/config-ha.ts';
import { hdfsSchema } from '../../sim/hdfs/config.ts';
import failover from '../../scenarios/hdfs/hdfs-ha-failover.ts';
import gcPause from '../../scenarios/hdfs/hdfs-ha-gc-pause.ts';
import journalLoss from '../../scenarios/hdfs/hdfs-ha-journal-loss.ts';
import partition from '../../scenarios/hdfs/hdfs-ha-partition.ts';
import writeRead from '../../scenarios/hdfs/hdfs-write-read.ts';

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

describe('hdfs-ha-partition, hdfs-ha-gc-pause, hdfs-ha-journal-loss', () => {
  const nnStates = (r: ReturnType<typeof runScenario>): { haState: string; epoch: number }[] =>
    ['nn-1', 'nn-2'].map((n) => r.world.inspect(r.world.pid(n) as ProcessId) as { haState: string; epoch: number });
  it('partition: the other NameNode serves in epoch 2; the old active never acknowledged in epoch 1 after it (checkers pass)', () => {
    const r = runScenario(partition, { seed: 1 });
    expect(r.violations).toEqual([]);
    expect(r.expectMet).toBe(true);
    expect(nnStates(r).filter((s) => s.haState === 'active').map((s) => s.epoch)).toEqual([2]);
    expect(r.summary).toMatch(/jn-2: lastPromisedEpoch=2 lastWriterEpoch=2/);
  });
  it('gc pause of the active and its ZKFC: the other takes over; the resumed one is refused and stops', () => {
    const r = runScenario(gcPause, { seed: 1 });
    expect(r.violations).toEqual([]);
    expect(nnStates(r).filter((s) => s.haState === 'active').map((s) => s.epoch)).toEqual([2]);
  });
  it('journal loss: writes go on at two JournalNodes, the third takes segments again after a roll', () => {
    const r = runScenario(journalLoss, { seed: 1 });
    expect(r.violations).toEqual([]);
    expect(nnStates(r).filter((s) => s.haState === 'active').map((s) => s.epoch)).toEqual([1]);
    const jn2 = r.world.inspect(r.world.pid('jn-2') as ProcessId) as { lastWriterEpoch: number; curSegmentTxId: number | null; highestWrittenTxId: number };
    const jn1 = r.world.inspect(r.world.pid('jn-1') as ProcessId) as { curSegmentTxId: number | null };
    expect(jn2.curSegmentTxId).toBe(jn1.curSegmentTxId);
    expect(jn2.curSegmentTxId).not.toBeNull();
  });
});

describe('HA keys', () => {
  const cfg = (set: { [k: string]: string }) => resolveConfig({ ...hdfsSchema, ...haSchema }, {}, set);

  it('are keys of the HA scenarios only: a single-NameNode scenario refuses one instead of ignoring it', () => {
    expect(() => runScenario(writeRead, { seed: 1, overrides: { 'hdfs.dfs.ha.tail-edits.period': '5' } })).toThrow(/hdfs\.dfs\.ha\.tail-edits\.period/);
    expect(runScenario(failover, { seed: 1, overrides: { 'hdfs.dfs.ha.tail-edits.period': '5' } }).violations).toEqual([]);
  });
  it('reads durations with units and refuses fencing methods dsim cannot run', () => {
    expect(haSettings(cfg({ 'hdfs.dfs.ha.tail-edits.period': '2m' })).tailEditsPeriodMs).toBe(120_000);
    expect(haSettings(cfg({ 'hdfs.dfs.ha.fencing.methods': 'shell(/bin/true)' })).fencingMethods).toEqual(['shell(/bin/true)']);
    expect(() => haSettings(cfg({ 'hdfs.dfs.ha.fencing.methods': 'sshfence' }))).toThrow(/dsim runs only shell\(\/bin\/true\)/);
    expect(() => haSettings(cfg({ 'hdfs.dfs.ha.fencing.methods': 'frobnicate' }))).toThrow(/Unable to parse line: 'frobnicate'/);
  });
});
