import { describe, expect, it } from 'vitest';
import { defineScenario } from '../../sim/harness/scenario.ts';
import { runScenario } from '../../sim/harness/run.ts';
import { plantedScripted } from '../fixtures/planted.ts';
import { MS } from '../../sim/core/types.ts';

// runScenario's verdicts when a run stops at its first violation (sweeps, shrinking, properties).

const stopsEarly = defineScenario({
  ...plantedScripted,
  name: 'planted-liveness-cut-short',
  build(world) {
    plantedScripted.build(world, world.config);
    world.addChecker({
      name: 'fires-at-1s',
      kind: 'safety',
      description: 'fires at 1 s in every run',
      attach: (w) => w.schedule(1000 * MS, () => w.reportViolation('fires-at-1s', 'it always fires')),
    });
    world.addChecker({
      name: 'needs-the-whole-run',
      kind: 'liveness',
      description: 'fails unless the run reached its end',
      finish: (w, run) => {
        if (w.nowUs < run.endUs) w.reportViolation('needs-the-whole-run', `judged at ${w.nowUs / MS} ms, before the end`);
      },
    });
  },
});

describe('a run stopped at its first violation', () => {
  it('reports liveness as unknown instead of judging a run that was cut short', () => {
    const stopped = runScenario(stopsEarly, { seed: 1, stopOnViolation: true });
    expect(stopped.violations.map((v) => v.checker)).toEqual(['fires-at-1s']);
    expect(stopped.checks.find((c) => c.name === 'needs-the-whole-run')?.status).toBe('unknown');
    const whole = runScenario(stopsEarly, { seed: 1 });
    expect(whole.checks.find((c) => c.name === 'needs-the-whole-run')?.status).toBe('pass');
  });
});
