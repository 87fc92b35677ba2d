import { describe, expect, it } from 'vitest';
import { discoverAll } from '../../sim/cli/scenarios.ts';
import { runScenario } from '../../sim/harness/run.ts';
import { DOCUMENTED_VARIANTS, caseId, goldenCases } from './cases.ts';
import { GOLDEN } from './hashes.ts';

// Golden trace hashes. test/determinism.test.ts compares every scenario's seeds 1 and 2 with
// test/golden/hashes.json while it checks determinism; this file covers the documented `--set`
// variants and keeps the file in step with the scenarios. `npm run golden:update` rewrites it.

const { scenarios, broken } = await discoverAll();
const byName = new Map(scenarios.map((d) => [d.name, d.scenario]));

describe('golden trace hashes', () => {
  it('every scenario imports', () => {
    expect(broken).toEqual([]);
  });

  it('hashes.json holds exactly the golden cases (no scenario without hashes, no stale entry)', () => {
    const ids = goldenCases([...byName.values()]).map((c) => c.id).sort();
    expect(Object.keys(GOLDEN).sort(), 'test/golden/hashes.json is out of step with the scenarios: run npm run golden:update and say why in the commit').toEqual(ids);
  });

  for (const v of DOCUMENTED_VARIANTS) {
    const id = caseId(v.scenario, 1, v.set);
    it(`${id} has its checked-in hash`, () => {
      const scenario = byName.get(v.scenario);
      expect(scenario, `${v.scenario} not found`).toBeDefined();
      const r = runScenario(scenario!, { seed: 1, overrides: v.set });
      expect(r.traceHash, `${id}: trace hash differs from test/golden/hashes.json (npm run golden:update, and say why in the commit)`).toBe(GOLDEN[id]);
    });
  }
});
