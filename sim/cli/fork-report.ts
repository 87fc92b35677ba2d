import type { Violation } from '../world/checker.ts';
import { formatDuration } from '../harness/fault-kind.ts';
import { fmtInt, fmtRate, fmtSeconds } from './output.ts';
import type { SeedOutcome } from './sweep-engine.ts';

// The report of `dsim fork`: per fork time, how many branches fail (do not meet the scenario's
// expectation, as in a sweep) and which checkers fired in them.

export interface ForkPoint {
  readonly atMs: number;
  readonly branches: number;
  readonly failing: number;
  readonly probability: number;
  /** Branches in which each checker fired (a run stops at its first violation when the scenario expects none). */
  readonly checkers: { [checker: string]: number };
  /** Branches whose run threw. */
  readonly errors: number;
  readonly failingBranches: number[];
}

export interface ForkJson {
  scenario: string;
  seed: number;
  overrides: Record<string, string>;
  /** The run itself, unforked. */
  run: { expectMet: boolean; violations: Violation[]; error?: string };
  branches: { first: number; last: number; count: number };
  forks: ForkPoint[];
  /** With a range of fork times: the earliest from which every branch of every later time fails. */
  inevitableFromMs: number | null;
  events: number;
  wallMs: number;
  workers: number;
}

export function forkSummary(atMs: number, outcomes: readonly SeedOutcome[]): ForkPoint {
  const checkers: { [checker: string]: number } = {};
  const failingBranches: number[] = [];
  let errors = 0;
  for (const o of outcomes) {
    if (!o.expectMet) failingBranches.push(o.branch?.index ?? -1);
    if (o.error !== undefined) errors++;
    for (const c of new Set(o.violations.map((v) => v.checker))) checkers[c] = (checkers[c] ?? 0) + 1;
  }
  failingBranches.sort((a, b) => a - b);
  const sorted: { [checker: string]: number } = {};
  for (const k of Object.keys(checkers).sort()) sorted[k] = checkers[k]!;
  const n = outcomes.length;
  return { atMs, branches: n, failing: failingBranches.length, probability: n === 0 ? 0 : failingBranches.length / n, checkers: sorted, errors, failingBranches };
}

const pct = (p: number): string => `${(p * 100).toFixed(p === 0 || p === 1 ? 0 : 1)}%`;

export function humanFork(r: ForkJson, traceCommand: (atMs: number, branch: number) => string): string {
  const lines: string[] = [];
  const at = r.forks.length === 1 ? `at ${formatDuration(r.forks[0]!.atMs)}` : `at ${r.forks.length} times, ${formatDuration(r.forks[0]!.atMs)} to ${formatDuration(r.forks[r.forks.length - 1]!.atMs)}`;
  lines.push(`fork ${r.scenario} seed ${r.seed} ${at}: branches ${r.branches.first}..${r.branches.last} (${r.branches.count} per fork time), ${r.workers} worker${r.workers > 1 ? 's' : ''}`);
  const first = r.run.violations[0];
  lines.push(`the run itself: ${r.run.expectMet ? 'meets its expectation' : `FAILS${first !== undefined ? ` (${first.checker} at ${fmtSeconds(first.timeMs / 1000)})` : r.run.error !== undefined ? ` (threw: ${r.run.error})` : ''}`}`);
  if (r.forks.length === 1) {
    const p = r.forks[0]!;
    lines.push('');
    lines.push(`branches that fail: ${p.failing} of ${p.branches} (${pct(p.probability)})`);
    for (const [c, n] of Object.entries(p.checkers)) lines.push(`  ${c}  ${n} branch${n === 1 ? '' : 'es'} (${pct(n / p.branches)})`);
    if (p.errors > 0) lines.push(`  the run threw  ${p.errors} branch${p.errors === 1 ? '' : 'es'}`);
    if (p.failingBranches.length > 0) {
      lines.push(`failing branches: ${p.failingBranches.slice(0, 30).join(', ')}${p.failingBranches.length > 30 ? ', ...' : ''}`);
      lines.push(`  trace one: ${traceCommand(p.atMs, p.failingBranches[0]!)}`);
    }
    if (first !== undefined && first.timeMs <= p.atMs) lines.push(`(the run's first violation, at ${fmtSeconds(first.timeMs / 1000)}, is before the fork: every branch has it)`);
  } else {
    lines.push('');
    lines.push('fork time   failing     P(fail)');
    const width = 30;
    for (const p of r.forks) {
      const bar = '#'.repeat(Math.round(p.probability * width)).padEnd(width, '.');
      const top = Object.entries(p.checkers).sort((a, b) => b[1] - a[1])[0];
      lines.push(`${formatDuration(p.atMs).padStart(9)}   ${`${p.failing}/${p.branches}`.padStart(7)}   ${p.probability.toFixed(2).padStart(7)}  ${bar}${top !== undefined ? `  ${top[0]}` : ''}`);
    }
    lines.push('');
    if (r.inevitableFromMs !== null) {
      const i = r.forks.findIndex((p) => p.atMs === r.inevitableFromMs);
      lines.push(i === 0
        ? `every branch fails from the first fork time on (${formatDuration(r.inevitableFromMs)}): the failure was decided before it`
        : `every branch fails from ${formatDuration(r.inevitableFromMs)} on: the failure became inevitable between ${formatDuration(r.forks[i - 1]!.atMs)} and ${formatDuration(r.inevitableFromMs)}`);
    } else {
      lines.push('no fork time at which every later branch fails: the failure was never inevitable in this range');
    }
  }
  lines.push(`${fmtInt(r.events)} events   wall ${fmtSeconds(r.wallMs / 1000)}   ${fmtRate(r.events / Math.max(1e-9, r.wallMs / 1000))} events/s`);
  return lines.join('\n');
}
