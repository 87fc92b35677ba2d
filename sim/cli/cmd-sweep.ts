import { availableParallelism } from 'node:os';
import { UsageError } from '../core/invariant.ts';
import { resolveScenarioConfig } from '../harness/run.ts';
import { parseArgs, parsePositiveInt, parseSeedRange, parseSets, positionals, setFlags, shellQuote } from './args.ts';
import { err, out } from './common.ts';
import { fmtRate, fmtSeconds } from './output.ts';
import { resolveScenario } from './scenarios.ts';
import { runSweep, shardSeeds, type SeedOutcome } from './sweep-engine.ts';
import { humanSweep, rates, type SweepJson } from './sweep-report.ts';
import { ResultsWriter, resultsPath } from './sweep-results.ts';
import { resolveShard } from './sweep-shard.ts';

// `dsim sweep <scenario> --seeds A..B [--workers N] [--shard K/N|auto[/N]] [--results FILE]
//  [--corpus DIR] [--set key=value]... [--json]` and `dsim sweep merge FILES...` (sweep-merge.ts).

export type { SweepJson } from './sweep-report.ts';

export function defaultWorkers(): number {
  return Math.max(1, availableParallelism());
}

export async function cmdSweep(argv: readonly string[]): Promise<number> {
  if (argv[0] === 'merge') return (await import('./sweep-merge.ts')).cmdSweepMerge(argv.slice(1));
  const args = parseArgs('sweep', argv, {
    seeds: { kind: 'value' },
    workers: { kind: 'value' },
    shard: { kind: 'value' },
    results: { kind: 'value' },
    corpus: { kind: 'value' },
    set: { kind: 'multi' },
    json: { kind: 'bool' },
  });
  const [arg] = positionals('sweep', args, ['scenario']);
  const rawSeeds = args.values.get('seeds');
  if (rawSeeds === undefined) throw new UsageError('sweep: missing --seeds A..B');
  const range = parseSeedRange(rawSeeds);
  const workers = args.values.has('workers') ? parsePositiveInt('--workers', args.values.get('workers')!) : defaultWorkers();
  const shard = args.values.has('shard') ? resolveShard(args.values.get('shard')!, process.env) : null;
  const results = args.values.has('results') ? resultsPath(args.values.get('results')!, shard) : null;
  const overrides = parseSets(args.multi.get('set') ?? []);
  const ref = await resolveScenario(arg!);
  resolveScenarioConfig(ref.scenario, overrides);
  const seeds = shardSeeds(range.first, range.last, shard);
  const json = args.bools.has('json');
  const usedWorkers = Math.max(1, Math.min(workers, seeds.count));
  const writer = results === null ? null : new ResultsWriter(results, {
    scenario: ref.name, ref: ref.ref, overrides, seeds: range, shard, runs: seeds.count,
  });

  const progress = new Progress(seeds.count);
  const failures: SeedOutcome[] = [];
  let events = 0;
  const t0 = performance.now();
  try {
    await runSweep(ref.scenario, {
      file: ref.file,
      overrides,
      seeds,
      workers,
      onResult: (o) => {
        events += o.events;
        if (!o.expectMet) failures.push(o);
        writer?.seed(o);
        progress.update(failures.length);
      },
    });
  } catch (e) {
    writer?.close();
    throw e;
  } finally {
    progress.end();
  }
  const wallMs = Math.max(1e-6, performance.now() - t0);
  writer?.end({ runs: seeds.count, events, wallMs: Math.round(wallMs), workers: usedWorkers });
  failures.sort((a, b) => a.seed - b.seed);

  const result: SweepJson = {
    scenario: ref.name,
    runs: seeds.count,
    failures: failures.map((f) => ({ seed: f.seed, violations: f.violations, ...(f.error !== undefined ? { error: f.error } : {}) })),
    ...rates(events, seeds.count, wallMs),
    seeds: range,
    shard: shard === null ? null : `${shard.index}/${shard.count}`,
    workers: usedWorkers,
    events,
    wallMs: Math.round(wallMs),
  };
  if (json) out(JSON.stringify(result));
  else out(humanSweep(ref.ref, ref.scenario, overrides, result));
  const corpus = args.values.get('corpus');
  if (corpus !== undefined) {
    const found = ['dsim', 'sweep', shellQuote(ref.ref), '--seeds', `${range.first}..${range.last}`, ...setFlags(overrides)].join(' ');
    (await import('./sweep-corpus.ts')).writeCorpusEntries(corpus, ref.scenario, ref.ref, overrides, result.failures, found, err);
  }
  return failures.length === 0 ? 0 : 1;
}

/** Progress on stderr: a redrawn bar on a terminal, a plain line every few seconds otherwise. */
class Progress {
  private done = 0;
  private failures = 0;
  private readonly t0 = performance.now();
  private lastDraw = 0;
  private drawn = false;
  private readonly tty = process.stderr.isTTY === true;

  constructor(private readonly total: number) {}

  update(failures: number): void {
    this.done++;
    this.failures = failures;
    const now = performance.now();
    const interval = this.tty ? 100 : 5000;
    if (now - this.lastDraw < interval && this.done < this.total) return;
    if (!this.tty && this.done === this.total && !this.drawn) return; // short sweep: no noise
    this.lastDraw = now;
    this.draw(now);
  }

  private draw(now: number): void {
    const elapsedS = (now - this.t0) / 1000;
    const rate = elapsedS > 0 ? this.done / elapsedS : 0;
    const etaS = rate > 0 ? (this.total - this.done) / rate : Infinity;
    const stats = `${this.done}/${this.total} seeds  ${this.failures} failed  ${fmtRate(rate)} seeds/s  ETA ${this.done === this.total ? '0 s' : fmtSeconds(etaS)}`;
    if (this.tty) {
      const width = 30;
      const filled = this.total === 0 ? width : Math.round((this.done / this.total) * width);
      process.stderr.write(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${stats}\x1b[K`);
    } else {
      err(`sweep: ${stats}`);
    }
    this.drawn = true;
  }

  end(): void {
    if (this.tty && this.drawn) process.stderr.write('\n');
  }
}
