import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { parseScript } from '../../sim/harness/faults.ts';
import { runScenario } from '../../sim/harness/run.ts';
import { REPO_ROOT, resolveScenario } from '../../sim/cli/scenarios.ts';
import { failingCheckers, readCorpus } from '../../sim/cli/sweep-corpus.ts';

// Replays the failing-seed corpus (test/corpus/*.json, written by `dsim sweep ... --corpus DIR`
// and `dsim sweep merge ... --corpus DIR`): each entry's seed, config and minimal fault script must
// still make exactly its recorded checkers fail. A change that fixes the bug (or moves it) fails
// here until the entry is updated, so a fixed bug becomes a regression test.

const entries = readCorpus(join(REPO_ROOT, 'test', 'corpus'));

describe('failing-seed corpus', () => {
  it('is not empty', () => {
    expect(entries.length).toBeGreaterThan(0);
  });

  it.each(entries.map((e) => [e.file.slice(REPO_ROOT.length + 1), e.entry] as const))('%s replays with its recorded checkers', async (_file, entry) => {
    const ref = await resolveScenario(entry.ref.includes('/') ? join(REPO_ROOT, entry.ref) : entry.ref);
    expect(ref.name).toBe(entry.scenario);
    const r = runScenario(ref.scenario, { seed: entry.seed, overrides: entry.config, faults: parseScript(entry.faults, 'corpus') });
    expect(failingCheckers(r)).toEqual(entry.violations);
  });
});
