import type { Violation } from '../world/checker.ts';
import { resolveScenarioConfig } from '../harness/run.ts';
import type { Scenario } from '../harness/scenario.ts';
import { reproduceCommand, shrinkCommand } from './common.ts';
import { expectationText, fmtInt, fmtRate, fmtSeconds, violationLine } from './output.ts';

// A sweep's report, in JSON and for people. The same code prints a sweep that ran here and the
// merge of shard result files (sweep-merge.ts), so the two agree line for line on everything but
// the timing figures.

export interface SweepFailure {
  readonly seed: number;
  readonly violations: Violation[];
  readonly error?: string;
}

export interface SweepJson {
  scenario: string;
  runs: number;
  failures: SweepFailure[];
  eventsPerSec: number;
  seedsPerSec: number;
  seeds: { first: number; last: number };
  shard: string | null;
  workers: number;
  events: number;
  wallMs: number;
  /** Set by `sweep merge`: how many shard result files were combined. */
  shardsMerged?: number;
}

export function humanSweep(ref: string, scenario: Scenario, overrides: Record<string, string>, r: SweepJson): string {
  const lines: string[] = [];
  const shardText = r.shard !== null ? `, shard ${r.shard}` : '';
  const merged = r.shardsMerged !== undefined ? `, merged from ${r.shardsMerged} shard${r.shardsMerged === 1 ? '' : 's'}` : '';
  lines.push(`sweep ${r.scenario}: seeds ${r.seeds.first}..${r.seeds.last}${shardText} (${r.runs} runs), ${r.workers} worker${r.workers > 1 ? 's' : ''}${merged}`);
  const cfg = resolveScenarioConfig(scenario, overrides);
  const expected = typeof scenario.expect === 'function' ? scenario.expect(cfg) : scenario.expect;
  for (const f of r.failures) {
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
  const failures = r.failures;
  const failedSeeds = failures.length > 0 ? ` (seeds ${failures.slice(0, 20).map((f) => f.seed).join(', ')}${failures.length > 20 ? ', ...' : ''})` : '';
  lines.push(`${fmtInt(r.runs)} runs, ${fmtInt(failures.length)} failure${failures.length === 1 ? '' : 's'}${failedSeeds}`);
  lines.push(`${fmtInt(r.events)} events   wall ${fmtSeconds(r.wallMs / 1000)}   ${fmtRate(r.eventsPerSec)} events/s   ${fmtRate(r.seedsPerSec)} seeds/s`);
  return lines.join('\n');
}

/** Rates from totals (wall time at least a nanosecond). */
export function rates(events: number, runs: number, wallMs: number): { eventsPerSec: number; seedsPerSec: number } {
  const wallS = Math.max(1e-9, wallMs / 1000);
  return { eventsPerSec: Math.round(events / wallS), seedsPerSec: Math.round((runs / wallS) * 100) / 100 };
}
