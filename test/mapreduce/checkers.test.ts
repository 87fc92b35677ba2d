import { describe, expect, it } from 'vitest';
import type { ConfigValue } from '../../sim/core/config.ts';
import { runScenario, type RunResult } from '../../sim/harness/run.ts';
import { defineScenario } from '../../sim/harness/scenario.ts';
import { MrAppMaster, type AppMasterOptions } from '../../sim/mapreduce/am/app-master.ts';
import type { MrHost } from '../../sim/mapreduce/host.ts';
import { buildMr, mrDefaults, mrWorkloadSchema, summary, systems } from '../../scenarios/mapreduce/lib/common.ts';

// Each MapReduce checker fires from a bug planted in the MRAppMaster, and stays quiet on the same
// run without it.

function run(faults: string, am: ((h: MrHost, o: AppMasterOptions) => MrAppMaster) | null, defaults: { [k: string]: ConfigValue } = {}, ms = 120_000): RunResult {
  const s = defineScenario({
    name: 'mr-checker-test', description: '', teaches: '', systems, schema: mrWorkloadSchema,
    defaults: { ...mrDefaults, 'workload.inputFiles': 2, 'workload.verifyAtMs': ms - 10_000, ...defaults },
    faults, faultPhaseMs: ms / 2, quiesceMs: ms / 2,
    expect: { violations: [], why: '' },
    summary,
    build(world, cfg) {
      buildMr(world, cfg, am === null ? {} : { service: { am } });
    },
  });
  return runScenario(s, { seed: 1 });
}

const fired = (r: RunResult): string[] => [...new Set(r.violations.map((v) => v.checker))].sort();

describe('mr-output-exactly-once', () => {
  class SuccessFirstAm extends MrAppMaster {
    // Planted bug: commitJob writes _SUCCESS before it merged the committed task outputs.
    constructor(h: MrHost, o: AppMasterOptions) {
      super(h, o);
      this.committer.successFirst = true;
    }
  }
  it('passes on a fault-free word count', () => {
    const r = run('', null);
    expect(r.violations).toEqual([]);
    expect(r.checks.find((c) => c.name === 'mr-output-exactly-once')?.status).toBe('pass');
  });
  it('fires when _SUCCESS appears before the output is complete', () => {
    const r = run('', (h, o) => new SuccessFirstAm(h, o));
    expect(fired(r)).toEqual(['mr-output-exactly-once']);
    expect(r.violations[0]!.message).toMatch(/_SUCCESS created while the output was incomplete: part-r-00000 is missing/);
  });
});

describe('mr-attempt-accounting', () => {
  class CountsKillsAm extends MrAppMaster {
    // Planted bug: a container the RM aborted (its node was lost) counts as a failed attempt.
    protected override completedContainerEnds(_exitStatus: number): 'FAILED' | 'KILLED' {
      return 'FAILED';
    }
  }
  // nm-3 dies while maps run on it; after the (shortened) expiry the RM aborts its containers.
  const lost = { 'yarn.nm.liveness-monitor.expiry-interval-ms': 30_000, 'workload.inputFiles': 4 };
  it('passes when the lost node\'s attempts end KILLED', () => {
    const r = run('at 36s crash nm-3\n', null, lost);
    expect(r.violations).toEqual([]);
  });
  it('fires when an ABORTED container counts as a failure', () => {
    const r = run('at 36s crash nm-3\n', (h, o) => new CountsKillsAm(h, o), lost);
    expect(fired(r)).toContain('mr-attempt-accounting');
    expect(r.violations.find((v) => v.checker === 'mr-attempt-accounting')!.message).toMatch(/exited -100 \(ABORTED\)/);
  });
});
