import { describe, expect, it } from 'vitest';
import type { ConfigValue } from '../../sim/core/config.ts';
import { runScenario, type RunResult } from '../../sim/harness/run.ts';
import { defineScenario } from '../../sim/harness/scenario.ts';
import { rmIn } from '../../sim/yarn/cluster.ts';
import { yarnSummary } from '../../sim/yarn/summary.ts';
import { yarnSystem } from '../../sim/yarn/system.ts';
import { buildYarn, yarnScenarioSchema } from '../../scenarios/yarn/lib/common.ts';

// NodeManager disk health (LocalDirsHandlerService, NodeHealthCheckerService, RMNodeImpl's
// UNHEALTHY transitions): a disk-full or disk-error fault on a worker makes its NM report itself
// unhealthy at the next disk check; the RM stops scheduling there and kills what it runs (ABORTED);
// after the fault the node turns healthy and takes containers again. Every YARN checker stays on.

const schema = yarnScenarioSchema(['root', 'root.a', 'root.b', 'root.default']);

interface Seen { readonly nodeStates: string[]; readonly aborted: string[]; readonly allocatedWhileUnhealthy: string[]; readonly diskFailed: string[] }

function run(faults: string, defaults: { [k: string]: ConfigValue } = {}): { r: RunResult; seen: Seen } {
  const seen: Seen = { nodeStates: [], aborted: [], allocatedWhileUnhealthy: [], diskFailed: [] };
  let unhealthy = false;
  const s = defineScenario({
    name: 'yarn-disk-health-test', description: '', teaches: '', systems: [yarnSystem], schema,
    defaults: {
      'yarn.nodemanagers': 3, 'workload.apps': 4, 'workload.maps': 8, 'workload.reduces': 1, 'workload.taskMs': 20_000, 'workload.submitIntervalMs': 2000,
      'yarn.nodemanager.disk-health-checker.interval-ms': 10_000, 'check.livenessBoundMs': 300_000, ...defaults,
    },
    faults, faultPhaseMs: 90_000, quiesceMs: 200_000,
    expect: { violations: [], why: '' },
    summary: yarnSummary,
    build(world, cfg) {
      buildYarn(world, cfg);
      world.onObserve('yarn-node', (_p, d) => {
        if (d.node !== 'w-2') return;
        seen.nodeStates.push(d.state);
        unhealthy = d.state === 'UNHEALTHY';
      });
      world.onObserve('yarn-container', (_p, d) => {
        if (d.node !== 'w-2') return;
        if (d.state === 'ALLOCATED' && unhealthy) seen.allocatedWhileUnhealthy.push(d.id);
        if (d.state === 'KILLED' && d.exitStatus === -100 && unhealthy) seen.aborted.push(d.id);
      });
      world.onObserve('yarn-nm-container', (_p, d) => {
        if (d.state === 'COMPLETE' && d.exitStatus === -101) seen.diskFailed.push(d.id);
      });
    },
  });
  return { r: runScenario(s, { seed: 1 }), seen };
}

describe('NodeManager disk health', () => {
  for (const fault of ['disk-full', 'disk-error']) {
    it(`${fault} on a worker: the node goes UNHEALTHY, its containers are aborted, nothing is scheduled there, then it recovers`, () => {
      const { r, seen } = run(`at 15s ${fault} w-2 for 40s`);
      expect(r.violations.map((v) => `${v.checker}: ${v.message}`)).toEqual([]);
      expect(seen.nodeStates).toEqual(['RUNNING', 'UNHEALTHY', 'RUNNING']);
      expect(seen.aborted.length).toBeGreaterThan(0);
      expect(seen.allocatedWhileUnhealthy).toEqual([]);
      const rm = rmIn(r.world)!;
      expect(rm.nodesUnhealthy).toBe(1);
      expect(r.summary).toMatch(/application_1_0004.*FINISHED/);
    });
  }

  it('stays RUNNING with the checker disabled, and with min-healthy-disks 0', () => {
    const settings: { [k: string]: ConfigValue }[] = [{ 'yarn.nodemanager.disk-health-checker.enable': false }, { 'yarn.nodemanager.disk-health-checker.min-healthy-disks': 0 }];
    for (const d of settings) {
      const { seen } = run('at 15s disk-full w-2 for 40s', d);
      expect(seen.nodeStates).toEqual(['RUNNING']);
    }
  });

  it('the utilization threshold is "above" (0 B used is not above 0%); a free-space floor above the disk size makes every node UNHEALTHY', () => {
    // Used space (nothing written but the probe, deleted again) is 0 B of 1 TiB.
    const { seen } = run('', { 'yarn.nodemanager.disk-health-checker.max-disk-utilization-per-disk-percentage': 0, 'check.livenessBoundMs': 100_000 });
    expect(seen.nodeStates).toEqual(['RUNNING']);
    const full = run('', { 'yarn.nodemanager.disk-health-checker.min-free-space-per-disk-mb': 2 ** 21, 'check.livenessBoundMs': 100_000 });
    expect(full.seen.nodeStates).toEqual(['RUNNING', 'UNHEALTHY']);
    expect(full.r.violations.map((v) => v.checker)).toContain('yarn-liveness');
  });
});
