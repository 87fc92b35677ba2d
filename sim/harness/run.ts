import type { CheckResult, CheckStatus, Violation } from '../world/checker.ts';
import { healEverything, parseScript, scheduleFaults, validateScript, formatScript, type Fault } from './faults.ts';
import { generateFaults } from './nemesis.ts';
import { resolveConfig, type Config, type ConfigValue } from '../core/config.ts';
import { Hash64 } from '../core/hash.ts';
import { scenarioSchema, type Expectation, type Scenario } from './scenario.ts';
import { defineSystemTargets, notModelledReason, systemCheckers, withUses } from './system.ts';
import { InvariantError, UsageError } from '../core/invariant.ts';
import { mergeStory, storyNotes, type Narrator, type StoryEntry } from './story.ts';
import { TRACE_FORMAT, TRACE_VERSION, type TraceHeader, type TraceSink } from '../world/trace.ts';
import { Rng } from '../core/rng.ts';
import { MS } from '../core/types.ts';
import { World } from '../world/world.ts';

// Running a scenario: resolve the config, build the world, schedule the faults (the script, or a
// schedule generated from the seed), run the fault phase, lift every fault, run the quiesce phase,
// then let the checkers decide and compare with the expectation.

/** The liveness bound given to systems' checkers when the scenario has no `check.livenessBoundMs` key. */
export const DEFAULT_LIVENESS_BOUND_MS = 900_000;

export const DSIM_VERSION = '0.1.0';

export interface RunOptions {
  readonly seed: number;
  readonly overrides?: { readonly [key: string]: string | ConfigValue };
  readonly trace?: TraceSink | null;
  /** Replaces the scenario's fault script and random nemesis with this schedule. */
  readonly faults?: readonly Fault[];
  /** Tell the story of the run (RunResult.story): the systems' narrators listen from the end of build. */
  readonly story?: boolean;
  /** Stop the run at the first violation (sweeps and shrinking: faster, same verdict). */
  readonly stopOnViolation?: boolean;
  /** A branch of the multiverse (dsim fork): see forkBranchTag. */
  readonly branch?: RunBranch;
}

/**
 * Branch `index` of the run forked at `atMs`: every event up to and including `atMs` happens as in
 * the plain run; then every random stream of the world (network, disks, processes, and streams
 * forked later) and the nemesis's stream continue from generators keyed by the branch's tag.
 * Scripted faults are the scenario's and stay. Branch 0 is not special: it is one more branch.
 */
export interface RunBranch {
  readonly atMs: number;
  readonly index: number;
}

export function forkBranchTag(b: RunBranch): string {
  return `branch/${b.index}@${Math.round(b.atMs * MS)}us`;
}

export interface RunResult {
  readonly scenario: string;
  readonly seed: number;
  readonly simulatedMs: number;
  readonly events: number;
  readonly traceHash: string;
  readonly finalStateHash: string;
  readonly checks: CheckResult[];
  readonly violations: Violation[];
  readonly expectMet: boolean;
  readonly expected: Expectation;
  /** The fault schedule that ran (scripted or generated). */
  readonly faults: readonly Fault[];
  readonly summary: string;
  /** What mattered, in time order (only with RunOptions.story). */
  readonly story: readonly StoryEntry[];
  readonly world: World;
}

export function resolveScenarioConfig(scenario: Scenario, overrides: RunOptions['overrides'] = {}): Config {
  for (const key of Object.keys(overrides)) {
    const why = notModelledReason(scenario.systems, key);
    if (why !== null) throw new UsageError(`${key} is not modelled: ${why}`);
  }
  return resolveConfig(scenarioSchema(scenario), scenario.defaults ?? {}, overrides);
}

/** The scenario's fault schedule for this seed: its script plus what its nemesis generates. */
export function scheduleFor(scenario: Scenario, cfg: Config, seed: number, faultPhaseMs: number, branch?: RunBranch): Fault[] {
  const out: Fault[] = [];
  if (scenario.faults !== undefined) {
    const f = typeof scenario.faults === 'function' ? scenario.faults(cfg) : scenario.faults;
    out.push(...(typeof f === 'string' ? parseScript(f, `scenario ${scenario.name}`) : f));
  }
  const nem = scenario.nemesis?.(cfg) ?? null;
  if (nem !== null) out.push(...generateFaults(new Rng(seed).fork('nemesis'), nem, faultPhaseMs,
    branch !== undefined ? { atMs: branch.atMs, tag: forkBranchTag(branch) } : undefined).faults);
  return out.sort((a, b) => a.atMs - b.atMs);
}

export function runScenario(scenario: Scenario, opts: RunOptions): RunResult {
  const cfg = resolveScenarioConfig(scenario, opts.overrides);
  const world = new World({
    seed: opts.seed,
    scenario: scenario.name,
    config: cfg,
    ...(scenario.network !== undefined ? { network: scenario.network } : {}),
    trace: opts.trace ?? null,
  });
  const faultPhaseMs = typeof scenario.faultPhaseMs === 'function' ? scenario.faultPhaseMs(cfg) : scenario.faultPhaseMs;
  const quiesceMs = typeof scenario.quiesceMs === 'function' ? scenario.quiesceMs(cfg) : scenario.quiesceMs;
  const expected = typeof scenario.expect === 'function' ? scenario.expect(cfg) : scenario.expect;

  try {
    scenario.build(world, cfg);
  } catch (e) {
    // A scenario whose build() throws (a bad option, a mistake in a user's scenario file) is bad
    // input: one line, exit 2. Broken invariants stay what they are (a bug in dsim, exit 1).
    if (e instanceof UsageError || e instanceof InvariantError || !(e instanceof Error)) throw e;
    throw new UsageError(`scenario ${scenario.name}: build() threw ${e.name}: ${e.message.split('\n')[0]!}`);
  }
  const livenessBoundMs = cfg.has('check.livenessBoundMs') ? cfg.int('check.livenessBoundMs') : DEFAULT_LIVENESS_BOUND_MS;
  for (const c of systemCheckers(world, cfg, { livenessBoundMs }, scenario.omitSystemCheckers)) world.addChecker(c);
  defineSystemTargets(world, scenario.systems);
  const narrators: Narrator[] = opts.story === true ? withUses(scenario.systems).flatMap((s) => (s.narrate !== undefined ? [s.narrate(world)] : [])) : [];
  const faults = opts.faults !== undefined ? opts.faults.slice() : scheduleFor(scenario, cfg, opts.seed, faultPhaseMs, opts.branch);
  validateScript(world, faults, { endMs: faultPhaseMs + quiesceMs, faultPhaseMs, quiesceMs });

  if (world.trace !== null) {
    const header: TraceHeader = {
      format: TRACE_FORMAT,
      version: TRACE_VERSION,
      dsimVersion: DSIM_VERSION,
      scenario: scenario.name,
      seed: opts.seed,
      timeUnit: 'us',
      config: cfg.toJson(),
      hosts: world.hostNames.map((name, i) => ({ name, rack: world.hostRacks[i]! })),
      processes: world.procNames.map((name, i) => ({
        name, host: world.hostNames[world.procHost[i]!]!, system: world.procSystem[i]!, role: world.procRole[i]!,
      })),
      faultScript: formatScript(faults),
      ...(opts.overrides !== undefined && Object.keys(opts.overrides).length > 0
        ? { overrides: Object.fromEntries(Object.entries(opts.overrides).map(([k, v]) => [k, String(v)])) } : {}),
      ...(opts.branch !== undefined ? { fork: { atMs: opts.branch.atMs, branch: opts.branch.index } } : {}),
    };
    world.trace.write(JSON.stringify(header));
  }

  scheduleFaults(world, faults);
  const healUs = faultPhaseMs * MS;
  const endUs = healUs + quiesceMs * MS;
  const stop = opts.stopOnViolation === true ? () => world.violations.length > 0 : undefined;
  // A branch runs to its fork time, switches every random stream, and goes on: runUntil(t) runs
  // the events due at or before t and leaves the clock at t, so splitting a phase there changes
  // nothing else.
  const forkUs = opts.branch !== undefined ? Math.round(opts.branch.atMs * MS) : -1;
  const runTo = (untilUs: number): void => {
    if (forkUs >= 0 && world.nowUs <= forkUs && forkUs < untilUs && world.rng.branchTag === '') {
      world.runUntil(forkUs, stop);
      if (stop?.() ?? false) return;
      world.rng.branch(forkBranchTag(opts.branch!));
      if (world.tracing) world.line({ type: 'note', p: '-', text: `fork: branch ${opts.branch!.index} of the run forked here` });
    }
    world.runUntil(untilUs, stop);
  };
  if (world.tracing) world.line({ type: 'phase', name: 'faults' });
  runTo(healUs);
  if (!(stop?.() ?? false)) {
    healEverything(world);
    if (world.tracing) world.line({ type: 'phase', name: 'quiesce' });
    runTo(endUs);
  }

  // A run stopped at its first violation never reached the end of the quiesce phase: liveness
  // verdicts about "after heal" would be judged on a run that was cut short, so they are unknown.
  const cutShort = stop?.() ?? false;
  const statuses = new Map<string, CheckStatus>();
  for (const c of world.checkers) {
    if (cutShort && c.kind === 'liveness') {
      statuses.set(c.name, 'unknown');
      continue;
    }
    const s = c.finish?.(world, { healUs, endUs });
    statuses.set(c.name, s === undefined ? 'pass' : s);
  }
  const failed = new Set(world.violations.map((v) => v.checker));
  const checks: CheckResult[] = world.checkers.map((c) => ({
    name: c.name,
    status: failed.has(c.name) ? 'fail' : statuses.get(c.name) ?? 'pass',
  }));
  for (const name of failed) if (!checks.some((c) => c.name === name)) checks.push({ name, status: 'fail' });

  const finalStateHash = world.finalStateHash();
  const traceHash = new Hash64().str(world.eventHash()).str(finalStateHash).hex();
  const expectedSet = new Set(expected.violations);
  const expectMet = expected.violations.every((n) => failed.has(n)) && [...failed].every((n) => expectedSet.has(n));
  const simulatedMs = world.nowUs / MS;
  const events = world.scheduler.executed;
  if (world.trace !== null) {
    world.line({ type: 'end', traceHash, events, simulatedMs });
    world.trace.close?.();
  }
  return {
    scenario: scenario.name,
    seed: opts.seed,
    simulatedMs,
    events,
    traceHash,
    finalStateHash,
    checks,
    violations: world.violations.slice(),
    expectMet,
    expected,
    faults,
    story: opts.story === true ? tellStory(world, narrators, endUs) : [],
    summary: scenario.summary !== undefined ? scenario.summary(world) : withUses(scenario.systems).map((s) => s.summary(world)).filter((t) => t !== '').join('\n\n'),
    world,
  };
}

/** The faults and heal as they applied, each system's part, and the first violation of each checker. */
function tellStory(world: World, narrators: readonly Narrator[], endUs: number): StoryEntry[] {
  const all: StoryEntry[] = [...storyNotes(world)];
  for (const n of narrators) all.push(...n.tell(Math.min(endUs, world.nowUs)));
  const seen = new Set<string>();
  for (const v of world.violations) {
    if (seen.has(v.checker)) continue;
    seen.add(v.checker);
    all.push({ atUs: v.timeMs * MS, text: `VIOLATION ${v.checker}: ${v.message.length > 240 ? `${v.message.slice(0, 237)}...` : v.message}` });
  }
  return mergeStory(all);
}
