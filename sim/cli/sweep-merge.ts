import { UsageError } from '../core/invariant.ts';
import { resolveScenarioConfig } from '../harness/run.ts';
import { parseArgs, setFlags, shellQuote } from './args.ts';
import { err, out, readInput } from './common.ts';
import { resolveScenario, type ScenarioRef } from './scenarios.ts';
import { shardSeeds } from './sweep-engine.ts';
import { humanSweep, rates, type SweepFailure, type SweepJson } from './sweep-report.ts';
import { parseResults, type ResultsFile } from './sweep-results.ts';

// `dsim sweep merge FILES... [--json]`: the shards' result files of one sweep, combined into the
// report the unsharded sweep prints. The files must be one sweep's (same scenario, overrides, seed
// range and shard count), every shard exactly once, each complete; every seed of the range must
// appear exactly once. Timing: the shards are taken to have run at the same time, so the wall time
// is the longest shard's and the rates are the cluster's.

const canonical = (o: Record<string, string>): string => JSON.stringify(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));

export function mergeResults(files: readonly ResultsFile[]): SweepJson {
  if (files.length === 0) throw new UsageError('sweep merge: no result files given');
  const first = files[0]!;
  const h0 = first.header;
  for (const f of files.slice(1)) {
    const h = f.header;
    const differs = h.scenario !== h0.scenario ? `scenario ${h.scenario}, not ${h0.scenario}`
      : canonical(h.overrides) !== canonical(h0.overrides) ? `--set ${canonical(h.overrides)}, not ${canonical(h0.overrides)}`
      : h.seeds.first !== h0.seeds.first || h.seeds.last !== h0.seeds.last ? `seeds ${h.seeds.first}..${h.seeds.last}, not ${h0.seeds.first}..${h0.seeds.last}`
      : (h.shard?.count ?? 1) !== (h0.shard?.count ?? 1) ? `${h.shard?.count ?? 1} shards, not ${h0.shard?.count ?? 1}`
      : null;
    if (differs !== null) throw new UsageError(`sweep merge: ${f.path} is another sweep than ${first.path}: ${differs}`);
  }
  const count = h0.shard?.count ?? 1;
  const byIndex = new Map<number, ResultsFile>();
  for (const f of files) {
    const index = f.header.shard?.index ?? 1;
    const dup = byIndex.get(index);
    if (dup !== undefined) throw new UsageError(`sweep merge: shard ${index}/${count} given twice (${dup.path} and ${f.path})`);
    byIndex.set(index, f);
  }
  const missing: string[] = [];
  for (let k = 1; k <= count; k++) if (!byIndex.has(k)) missing.push(`${k}/${count}`);
  if (missing.length > 0) throw new UsageError(`sweep merge: missing shard${missing.length > 1 ? 's' : ''} ${missing.slice(0, 10).join(', ')}${missing.length > 10 ? ', ...' : ''}`);

  const failures: SweepFailure[] = [];
  let events = 0;
  let runs = 0;
  let wallMs = 0;
  let workers = 0;
  for (const [index, f] of byIndex) {
    const expected = shardSeeds(h0.seeds.first, h0.seeds.last, f.header.shard === null ? null : { index, count });
    if (expected.count !== f.seeds.length) throw new UsageError(`sweep merge: ${f.path} has ${f.seeds.length} seeds, shard ${index}/${count} has ${expected.count}`);
    const got = f.seeds.map((s) => s.seed).sort((a, b) => a - b);
    for (let i = 0; i < expected.count; i++) {
      if (got[i] !== expected.at(i)) throw new UsageError(`sweep merge: ${f.path} lacks seed ${expected.at(i)} of shard ${index}/${count} (or holds another)`);
    }
    for (const s of f.seeds) {
      events += s.events;
      if (!s.expectMet) failures.push({ seed: s.seed, violations: s.violations, ...(s.error !== undefined ? { error: s.error } : {}) });
    }
    runs += f.seeds.length;
    wallMs = Math.max(wallMs, f.end.wallMs);
    workers += f.end.workers;
  }
  failures.sort((a, b) => a.seed - b.seed);
  return {
    scenario: h0.scenario,
    runs,
    failures,
    ...rates(events, runs, wallMs),
    seeds: { first: h0.seeds.first, last: h0.seeds.last },
    shard: null,
    workers,
    events,
    wallMs,
    shardsMerged: files.length,
  };
}

export async function cmdSweepMerge(argv: readonly string[]): Promise<number> {
  const args = parseArgs('sweep merge', argv, { json: { kind: 'bool' }, corpus: { kind: 'value' } });
  if (args.positionals.length === 0) throw new UsageError(`sweep merge: missing <results-file>... (the --results files of a sharded sweep)`);
  const files = args.positionals.map((p) => parseResults(p, readInput(p, 'results file')));
  const merged = mergeResults(files);
  const h = files[0]!.header;
  const corpus = args.values.get('corpus');
  const scenario = async (): Promise<ScenarioRef> => {
    let ref: ScenarioRef;
    try {
      ref = await resolveScenario(h.ref);
    } catch {
      ref = await resolveScenario(h.scenario);
    }
    resolveScenarioConfig(ref.scenario, h.overrides);
    return ref;
  };
  if (args.bools.has('json')) out(JSON.stringify(merged));
  else out(humanSweep(h.ref, (await scenario()).scenario, h.overrides, merged));
  if (corpus !== undefined) {
    const found = ['dsim', 'sweep', shellQuote(h.ref), '--seeds', `${h.seeds.first}..${h.seeds.last}`, ...setFlags(h.overrides), `(${files.length} shards)`].join(' ');
    (await import('./sweep-corpus.ts')).writeCorpusEntries(corpus, (await scenario()).scenario, h.ref, h.overrides, merged.failures, found, err);
  }
  return merged.failures.length === 0 ? 0 : 1;
}
