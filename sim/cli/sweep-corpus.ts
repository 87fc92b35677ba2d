import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { shrinkFaults } from '../check/shrink.ts';
import { UsageError } from '../core/invariant.ts';
import { formatScript, parseScript } from '../harness/faults.ts';
import { DSIM_VERSION, runScenario, type RunResult } from '../harness/run.ts';
import type { Scenario } from '../harness/scenario.ts';
import { firstLine } from './scenarios.ts';
import type { SweepFailure } from './sweep-report.ts';

// The failing-seed corpus: every failure a sweep finds can be kept as one small JSON file (the
// scenario, the seed, the config overrides, the minimal fault script the shrinker found, and the
// checkers that fire), and test/corpus/corpus.test.ts replays each file under npm test. A bug
// found once by a sweep on a thousand machines is then caught again by every test run. When a fix
// makes an entry pass, its `violations` become the scenario's expectation (usually []) and the
// entry stays as a regression test.

export const CORPUS_FORMAT = 'dsim-corpus';

export interface CorpusEntry {
  readonly format: typeof CORPUS_FORMAT;
  readonly scenario: string;
  /** How to load the scenario: its name, or a path relative to the repository. */
  readonly ref: string;
  readonly seed: number;
  readonly config: Record<string, string>;
  /** The minimal fault script (text form, sim/harness/faults.ts) replacing the scenario's schedule. */
  readonly faults: string;
  /** Checkers that fail when this entry is replayed, sorted. */
  readonly violations: string[];
  /** The first violation's message when recorded, for people. */
  readonly message: string;
  readonly found: string;
  readonly dsimVersion: string;
}

/** The failing checkers of a run, sorted. */
export function failingCheckers(r: RunResult): string[] {
  return [...new Set(r.checks.filter((c) => c.status === 'fail').map((c) => c.name))].sort();
}

export function corpusFileName(e: Pick<CorpusEntry, 'scenario' | 'seed' | 'config'>): string {
  const cfg = Object.keys(e.config).length === 0 ? '' : `-${fnvHex(JSON.stringify(Object.entries(e.config).sort()))}`;
  return `${e.scenario}-seed-${e.seed}${cfg}.json`;
}

function fnvHex(s: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193) >>> 0;
  return h.toString(16).padStart(8, '0');
}

/**
 * Shrinks one failing seed and writes its corpus entry into `dir`. Returns the file written, or why
 * the seed has no entry (it threw, or it only missed an expected violation: nothing to shrink).
 */
export function addToCorpus(dir: string, scenario: Scenario, ref: string, failure: SweepFailure, config: Record<string, string>, found: string): { file: string } | { skipped: string } {
  if (failure.error !== undefined) return { skipped: `seed ${failure.seed} threw (${failure.error}); reproduce it with dsim run` };
  let shrunk;
  try {
    shrunk = shrinkFaults(scenario, { seed: failure.seed, overrides: config });
  } catch (e) {
    return { skipped: `seed ${failure.seed}: ${firstLine(e)}` };
  }
  const faults = formatScript(shrunk.minimal);
  const replay = runScenario(scenario, { seed: failure.seed, overrides: config, faults: parseScript(faults, 'corpus') });
  const entry: CorpusEntry = {
    format: CORPUS_FORMAT,
    scenario: scenario.name,
    ref,
    seed: failure.seed,
    config,
    faults,
    violations: failingCheckers(replay),
    message: shrunk.violation.message,
    found,
    dsimVersion: DSIM_VERSION,
  };
  try {
    mkdirSync(dir, { recursive: true });
    const file = join(dir, corpusFileName(entry));
    writeFileSync(file, JSON.stringify(entry, null, 2) + '\n');
    return { file };
  } catch (e) {
    throw new UsageError(`--corpus ${dir}: ${firstLine(e)}`);
  }
}

/** Every entry in a corpus folder, by file name. */
export function readCorpus(dir: string): { file: string; entry: CorpusEntry }[] {
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => n.endsWith('.json')).sort();
  } catch {
    return [];
  }
  return names.map((n) => {
    const file = join(dir, n);
    const entry = JSON.parse(readFileSync(file, 'utf8')) as CorpusEntry;
    if (entry.format !== CORPUS_FORMAT) throw new Error(`${file}: not a dsim corpus entry`);
    return { file, entry };
  });
}

/** `--corpus DIR` of sweep and sweep merge: an entry per failing seed, one stderr line each. */
export function writeCorpusEntries(dir: string, scenario: Scenario, ref: string, config: Record<string, string>, failures: readonly SweepFailure[], found: string, log: (line: string) => void): void {
  for (const f of failures) {
    const r = addToCorpus(dir, scenario, ref, f, config, found);
    log('file' in r ? `corpus: seed ${f.seed} -> ${r.file}` : `corpus: no entry for ${r.skipped}`);
  }
}
