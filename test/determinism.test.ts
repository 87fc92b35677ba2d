import { readdirSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runScenario, type RunResult } from '../sim/harness/run.ts';
import type { Scenario } from '../sim/harness/scenario.ts';
import type { TraceSink } from '../sim/world/trace.ts';
import { caseId, TEST_SCALE } from './golden/cases.ts';
import { GOLDEN } from './golden/hashes.ts';

// Determinism is the product: for every scenario under scenarios/, the same seed gives the same
// trace hash and final state whether tracing is on or off, and another seed gives another run.
// Each scenario runs three times with its own defaults: seed 1 untraced, seed 1 traced, seed 2.
// (Seed 1 untraced against seed 1 traced covers both "same seed twice" and "tracing does not
// change the run": a difference in either shows as a mismatch.)

const ROOT = resolve(import.meta.dirname, '..');
const SCENARIOS = join(ROOT, 'scenarios');
const SEED = 1;
const OTHER_SEED = 2;

/** Scenarios whose runs do not depend on the seed at all (no random latency, no nemesis). */
const SEED_INDEPENDENT = new Set<string>([]);

/** scenarios/<system>/**.ts, skipping lib/ folders (helpers, not scenarios). */
function scenarioFiles(dir: string, depth = 0): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir).sort()) {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) {
      if (e !== 'lib' && !e.startsWith('.')) out.push(...scenarioFiles(p, depth + 1));
    } else if (depth >= 1 && e.endsWith('.ts') && !e.endsWith('.d.ts') && !e.endsWith('.test.ts')) {
      out.push(p);
    }
  }
  return out;
}

function isScenario(x: unknown): x is Scenario {
  if (typeof x !== 'object' || x === null) return false;
  const s = x as Record<string, unknown>;
  return typeof s['name'] === 'string' && typeof s['build'] === 'function' && typeof s['schema'] === 'object';
}

/** Keeps only what the test needs from a trace: line count and the final `end` line. */
class TailSink implements TraceSink {
  lines = 0;
  last = '';
  write(line: string): void {
    this.lines++;
    this.last = line;
  }
}

interface Found {
  readonly file: string;
  readonly scenario: Scenario | null;
  readonly error: string | null;
}

const found: Found[] = [];
for (const file of scenarioFiles(SCENARIOS)) {
  const rel = relative(ROOT, file);
  try {
    const mod = (await import(pathToFileURL(file).href)) as { default?: unknown };
    // A module without a Scenario default export is not a scenario (nothing to check).
    if (isScenario(mod.default)) found.push({ file: rel, scenario: mod.default, error: null });
  } catch (e) {
    found.push({ file: rel, scenario: null, error: e instanceof Error ? e.message.split('\n')[0]! : String(e) });
  }
}

const essentials = (r: RunResult) => ({ traceHash: r.traceHash, finalStateHash: r.finalStateHash, events: r.events, simulatedMs: r.simulatedMs });

describe('determinism of every scenario', () => {
  it('finds the scenarios', () => {
    expect(found.some((f) => f.scenario?.name === 'kernel-pingpong')).toBe(true);
  });

  for (const f of found) {
    const label = f.scenario?.name ?? f.file;
    it(`${label}: same seed, tracing off and on, gives the same trace hash and final state; another seed differs`, () => {
      expect(f.error, `${f.file} failed to import`).toBeNull();
      const scenario = f.scenario!;
      const overrides = TEST_SCALE[scenario.name] ?? {};
      const plain = runScenario(scenario, { seed: SEED, overrides });
      const sink = new TailSink();
      const traced = runScenario(scenario, { seed: SEED, trace: sink, overrides });
      expect(essentials(traced)).toEqual(essentials(plain));
      expect(traced.violations).toEqual(plain.violations);
      expect(traced.faults).toEqual(plain.faults);
      expect(sink.lines).toBeGreaterThan(1);
      const end = JSON.parse(sink.last) as { type: string; traceHash: string };
      expect(end).toMatchObject({ type: 'end', traceHash: plain.traceHash });
      // The checked-in hash (test/golden/hashes.json): a change of behaviour must be deliberate.
      expect(plain.traceHash, `${caseId(scenario.name, SEED, overrides)}: trace hash differs from test/golden/hashes.json (npm run golden:update, and say why in the commit)`)
        .toBe(GOLDEN[caseId(scenario.name, SEED, overrides)]);

      if (SEED_INDEPENDENT.has(scenario.name)) return;
      const other = runScenario(scenario, { seed: OTHER_SEED, overrides });
      expect(other.traceHash, `${scenario.name}: seeds ${SEED} and ${OTHER_SEED} ran identically`).not.toBe(plain.traceHash);
      expect(other.traceHash, `${caseId(scenario.name, OTHER_SEED, overrides)}: trace hash differs from test/golden/hashes.json (npm run golden:update, and say why in the commit)`)
        .toBe(GOLDEN[caseId(scenario.name, OTHER_SEED, overrides)]);
    });
  }
});
