import { availableParallelism } from 'node:os';
import type { Violation } from '../world/checker.ts';
import { UsageError } from '../core/invariant.ts';
import { resolveScenarioConfig } from '../harness/run.ts';
import { parseArgs, parsePositiveInt, parseSeedRange, parseSets, parseShard, positionals } from './args.ts';
import { err, out, reproduceCommand, shrinkCommand } from './common.ts';
import { expectationText, fmtInt, fmtRate, fmtSeconds, violationLine } from './output.ts';
import { resolveScenario } from './scenarios.ts';
import { runSweep, shardSeeds, type SeedOutcome } from './sweep-engine.ts';
import type { Scenario } from '../harness/scenario.ts';

// `dsim sweep <scenario> --seeds A..B [--workers N] [--shard K/N] [--set key=value]... [--json]`

export interface SweepJson {
  scenario: string;
  runs: number;
  failures: { seed: number; violations: Violation[]; error?: string }[];
  eventsPerSec: number;
  seedsPerSec: number;
  seeds: { first: number; last: number };
  shard: string | null;
  workers: number;
  events: number;
  wallMs: number;
}

export function defaultWorkers(): number {
  return Math.max(1, availableParallelism());
}

export async function cmdSweep(argv: readonly string[]): Promise<number> {
  const args = parseArgs('sweep', argv, {
    seeds: { kind: 'value' },
    workers: { kind: 'value' },
    shard: { kind: 'value' },
    set: { kind: 'multi' },
    json: { kind: 'bool' },
  });
  const [arg] = positionals('sweep', args, ['scenario']);
  const rawSeeds = args.values.get('seeds');
  if (rawSeeds === undefined) throw new UsageError('sweep: missing --seeds A..B');
  const range = parseSeedRange(rawSeeds);
  const workers = args.values.has('workers') ? parsePositiveInt('--workers', args.values.get('workers')!) : defaultWorkers();
  const shard = args.values.has('shard') ? parseShard(args.values.get('shard')!) : null;
  const overrides = parseSets(args.multi.get('set') ?? []);
  const ref = await resolveScenario(arg!);
  resolveScenarioConfig(ref.scenario, overrides);
  const seeds = shardSeeds(range.first, range.last, shard);
  const json = args.bools.has('json');

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
        progress.update(failures.length);
      },
    });
  } finally {
    progress.end();
  }
  const wallS = Math.max(1e-9, (performance.now() - t0) / 1000);
  failures.sort((a, b) => a.seed - b.seed);

  const result: SweepJson = {
    scenario: ref.name,
    runs: seeds.count,
    failures: failures.map((f) => ({ seed: f.seed, violations: f.violations, ...(f.error !== undefined ? { error: f.error } : {}) })),
    eventsPerSec: Math.round(events / wallS),
    seedsPerSec: Math.round((seeds.count / wallS) * 100) / 100,
    seeds: range,
    shard: shard === null ? null : `${shard.index}/${shard.count}`,
    workers: Math.max(1, Math.min(workers, seeds.count)),
    events,
    wallMs: Math.round(wallS * 1000),
  };
  if (json) out(JSON.stringify(result));
  else out(humanSweep(ref.ref, ref.scenario, overrides, result, failures, wallS));
  return failures.length === 0 ? 0 : 1;
}

function humanSweep(ref: string, scenario: Scenario, overrides: Record<string, string>, r: SweepJson, failures: SeedOutcome[], wallS: number): string {
  const lines: string[] = [];
  const shardText = r.shard !== null ? `, shard ${r.shard}` : '';
  lines.push(`sweep ${r.scenario}: seeds ${r.seeds.first}..${r.seeds.last}${shardText} (${r.runs} runs), ${r.workers} worker${r.workers > 1 ? 's' : ''}`);
  const cfg = resolveScenarioConfig(scenario, overrides);
  const expected = typeof scenario.expect === 'function' ? scenario.expect(cfg) : scenario.expect;
  for (const f of failures) {
    lines.push('');
    lines.push(`seed ${f.seed}: FAILED${f.error !== undefined ? ` (the run threw: ${f.error})` : ''}`);
    if (f.violations.length === 0 && f.error === undefined) lines.push('  no violation, but an expected checker did not fire');
    for (const v of f.violations) lines.push(`  ${violationLine(v)}`);
    lines.push(`  reproduce: ${reproduceCommand(ref, f.seed, overrides)}`);
    // The shrinker works on unexpected violations; a missing expected one has nothing to shrink.
    if (f.violations.some((v) => !expected.violations.includes(v.checker))) lines.push(`  shrink:    ${shrinkCommand(ref, f.seed, overrides)}`);
  }
  lines.push('');
  lines.push(`expected per seed: ${expectationText(expected)} (${expected.why})`);
  const failedSeeds = failures.length > 0 ? ` (seeds ${failures.slice(0, 20).map((f) => f.seed).join(', ')}${failures.length > 20 ? ', ...' : ''})` : '';
  lines.push(`${fmtInt(r.runs)} runs, ${fmtInt(failures.length)} failure${failures.length === 1 ? '' : 's'}${failedSeeds}`);
  lines.push(`${fmtInt(r.events)} events   wall ${fmtSeconds(wallS)}   ${fmtRate(r.eventsPerSec)} events/s   ${fmtRate(r.seedsPerSec)} seeds/s`);
  return lines.join('\n');
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
