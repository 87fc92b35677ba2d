import { describe, expect, it } from 'vitest';
import type { Config } from '../../sim/core/config.ts';
import { runScenario } from '../../sim/harness/run.ts';
import { defineScenario, type Scenario } from '../../sim/harness/scenario.ts';
import { buildSystem, type System } from '../../sim/harness/system.ts';
import type { Checker } from '../../sim/world/checker.ts';
import type { World } from '../../sim/world/world.ts';

// A system's checkers come with it: a scenario that builds a system through buildSystem gets every
// checker of that system from the harness, keeps its own checker of the same name, and may omit some.

const fired: string[] = [];

function checker(name: string, verdict: 'fires' | 'passes', tag: string): Checker {
  return {
    name, kind: 'safety', description: tag,
    finish(world: World) {
      fired.push(`${name}:${tag}`);
      if (verdict === 'fires') world.reportViolation(name, `${tag} fired`);
    },
  };
}

const toy: System<{ readonly hosts: number }, { readonly hosts: number }> = {
  name: 'toy', description: 'a system with two checkers', configPrefix: 'toy.', schema: {}, configFiles: [], uses: [],
  build(world: World, _cfg: Config, o) {
    for (let i = 1; i <= o.hosts; i++) world.addHost(`t-${i}`);
    return o;
  },
  checkers: (_cfg, built, check) => [checker('toy-safety', 'fires', `system(${built.hosts}, ${check.livenessBoundMs})`), checker('toy-other', 'passes', 'system')],
  faultTargets: [], observations: {}, summary: () => '',
};

function scenario(build: (world: World, cfg: Config) => void, extra: Partial<Scenario> = {}): Scenario {
  return defineScenario({
    name: 'toy-run', description: '', teaches: '', systems: [toy], schema: {}, faultPhaseMs: 10, quiesceMs: 10,
    expect: { violations: ['toy-safety'], why: '' }, build, ...extra,
  });
}

describe('system checkers composed by the harness', () => {
  it('a system built with buildSystem brings its checkers, given the built value and the liveness bound', () => {
    fired.length = 0;
    const r = runScenario(scenario((w, cfg) => { buildSystem(w, cfg, toy, { hosts: 2 }); }), { seed: 1 });
    expect(r.checks.map((c) => `${c.name}:${c.status}`)).toEqual(['toy-safety:fail', 'toy-other:pass']);
    expect(fired).toEqual(['toy-safety:system(2, 900000)', 'toy-other:system']);
    expect(r.expectMet).toBe(true);
  });

  it("the scenario's own checker of the same name replaces the system's; omitSystemCheckers drops one", () => {
    fired.length = 0;
    const r = runScenario(scenario((w, cfg) => {
      buildSystem(w, cfg, toy, { hosts: 1 });
      w.addChecker(checker('toy-safety', 'fires', 'scenario'));
    }, { omitSystemCheckers: ['toy-other'] }), { seed: 1 });
    expect(r.checks.map((c) => c.name)).toEqual(['toy-safety']);
    expect(fired).toEqual(['toy-safety:scenario']);
  });

  it('a system built by hand (system.build) brings none', () => {
    const r = runScenario(scenario((w, cfg) => { toy.build(w, cfg, { hosts: 1 }); }, { expect: { violations: [], why: '' } }), { seed: 1 });
    expect(r.checks).toEqual([]);
  });
});
