import { UsageError } from '../core/invariant.ts';
import { resolveScenarioConfig, runScenario, type RunBranch, type RunResult } from '../harness/run.ts';
import { parseArgs, parseNonNegativeInt, parsePositiveInt, parseSets, positionals, setFlags, shellQuote } from './args.ts';
import { defaultWorkers } from './cmd-sweep.ts';
import { out, RunCrash } from './common.ts';
import { FileSink } from './file-sink.ts';
import { parseBranches, parseForkTimes } from './fork-args.ts';
import { forkSummary, humanFork, type ForkJson, type ForkPoint } from './fork-report.ts';
import { resolveScenario } from './scenarios.ts';
import { runSeed, runSweep, seedList, type SeedOutcome } from './sweep-engine.ts';
import { formatDuration } from '../harness/fault-kind.ts';

// `dsim fork <scenario> --seed N --at T|A..B/S [--branches A..B] [--workers N] [--set key=value]...
//  [--trace FILE] [--json]`: the multiverse. The run of seed N is replayed exactly up to the fork
// time T; from there each branch continues with its own random streams (the nemesis, the network,
// the disks, the processes: sim/harness/run.ts RunBranch). The report gives the fraction of
// branches that fail and the checkers that fired; a range of fork times gives the failure
// probability against the fork time, which shows when a failure became inevitable.

export function forkCommand(ref: string, seed: number, atMs: number, branches: string, overrides: Record<string, string>): string {
  return ['npx', 'dsim', 'fork', shellQuote(ref), '--seed', String(seed), '--at', formatDuration(atMs), '--branches', branches, ...setFlags(overrides)].join(' ');
}

export async function cmdFork(argv: readonly string[]): Promise<number> {
  const args = parseArgs('fork', argv, {
    seed: { kind: 'value' },
    at: { kind: 'value' },
    branches: { kind: 'value' },
    workers: { kind: 'value' },
    set: { kind: 'multi' },
    trace: { kind: 'value' },
    json: { kind: 'bool' },
  });
  const [arg] = positionals('fork', args, ['scenario']);
  const seed = args.values.has('seed') ? parseNonNegativeInt('--seed', args.values.get('seed')!) : 1;
  const rawAt = args.values.get('at');
  if (rawAt === undefined) throw new UsageError('fork: missing --at T (the fork time, e.g. 20s, or a range 0s..40s/2s)');
  const times = parseForkTimes(rawAt);
  const branches = parseBranches(args.values.get('branches') ?? '1..100');
  const workers = args.values.has('workers') ? parsePositiveInt('--workers', args.values.get('workers')!) : defaultWorkers();
  const overrides = parseSets(args.multi.get('set') ?? []);
  const tracePath = args.values.get('trace');
  const json = args.bools.has('json');
  const ref = await resolveScenario(arg!);
  const cfg = resolveScenarioConfig(ref.scenario, overrides);
  const sc = ref.scenario;
  const endMs = (typeof sc.faultPhaseMs === 'function' ? sc.faultPhaseMs(cfg) : sc.faultPhaseMs)
    + (typeof sc.quiesceMs === 'function' ? sc.quiesceMs(cfg) : sc.quiesceMs);
  const late = times.find((t) => t >= endMs);
  if (late !== undefined) throw new UsageError(`fork: --at ${formatDuration(late)} is not before the end of the run (${formatDuration(endMs)})`);
  const count = branches.last - branches.first + 1;

  if (tracePath !== undefined) {
    if (times.length !== 1 || count !== 1) throw new UsageError('fork: --trace writes one branch: give one --at time and one --branches N');
    return traceOneBranch(ref.ref, ref.name, sc, seed, { atMs: times[0]!, index: branches.first }, overrides, tracePath, json);
  }

  const t0 = performance.now();
  const base = runSeed(sc, seed, overrides);
  if (base.usageError !== undefined) throw new UsageError(base.usageError);
  const jobs: RunBranch[] = [];
  for (const atMs of times) for (let b = branches.first; b <= branches.last; b++) jobs.push({ atMs, index: b });
  const outcomes: SeedOutcome[] = [];
  let events = base.events;
  await runSweep(sc, {
    file: ref.file,
    overrides,
    seeds: seedList(jobs.map(() => seed)),
    branchAt: (i) => jobs[i]!,
    workers,
    onResult: (o) => {
      events += o.events;
      outcomes.push(o);
    },
  });
  const wallMs = performance.now() - t0;
  const points: ForkPoint[] = times.map((atMs) => forkSummary(atMs, outcomes.filter((o) => o.branch?.atMs === atMs)));
  const result: ForkJson = {
    scenario: ref.name,
    seed,
    overrides,
    run: { expectMet: base.expectMet, violations: base.violations, ...(base.error !== undefined ? { error: base.error } : {}) },
    branches: { first: branches.first, last: branches.last, count },
    forks: points,
    inevitableFromMs: inevitableFrom(points),
    events,
    wallMs: Math.round(wallMs),
    workers: Math.max(1, Math.min(workers, jobs.length)),
  };
  if (json) out(JSON.stringify(result));
  else out(humanFork(result, (atMs, b) => forkCommand(ref.ref, seed, atMs, String(b), overrides) + ` --trace branch-${b}.jsonl`));
  return 0;
}

/** The earliest fork time from which every later fork time's branches all fail (null: none). */
export function inevitableFrom(points: readonly ForkPoint[]): number | null {
  let from: number | null = null;
  for (let i = points.length - 1; i >= 0; i--) {
    const p = points[i]!;
    if (p.branches === 0 || p.failing < p.branches) break;
    from = p.atMs;
  }
  return from;
}

function traceOneBranch(refText: string, name: string, sc: Parameters<typeof runScenario>[0], seed: number, branch: RunBranch, overrides: Record<string, string>, tracePath: string, json: boolean): number {
  const sink = new FileSink(tracePath);
  let r: RunResult;
  try {
    r = runScenario(sc, { seed, overrides, trace: sink, branch });
  } catch (e) {
    if (e instanceof UsageError) throw e;
    throw new RunCrash(name, seed, e, forkCommand(refText, seed, branch.atMs, String(branch.index), overrides) + ` --trace ${shellQuote(tracePath)}`);
  } finally {
    sink.close();
  }
  const failed = [...new Set(r.violations.map((v) => v.checker))];
  if (json) {
    out(JSON.stringify({ scenario: name, seed, branch, expectMet: r.expectMet, violations: r.violations, traceHash: r.traceHash, trace: tracePath, events: r.events }));
  } else {
    out([
      `fork ${name} seed ${seed}, branch ${branch.index} at ${formatDuration(branch.atMs)}: ${r.expectMet ? 'meets' : 'does NOT meet'} the expectation${failed.length > 0 ? ` (${failed.join(', ')})` : ''}`,
      `trace written to ${tracePath}; open it with: npx dsim viz ${shellQuote(tracePath)}`,
    ].join('\n'));
  }
  return r.expectMet ? 0 : 1;
}
