import fc from 'fast-check';
import { InvariantError, UsageError } from '../core/invariant.ts';
import { resolveScenarioConfig, runScenario } from '../harness/run.ts';
import type { Scenario } from '../harness/scenario.ts';
import { formatScript, type Fault, type FaultAction } from '../harness/faults.ts';
import { DownSlots, slotOf, usableWith } from '../harness/fault-gen.ts';
import { FAULT_REGISTRY, kindOf } from '../harness/fault-registry.ts';
import { actionArbitrary } from './fault-arbitrary.ts';
import type { NemesisOptions, RandomFaultKind } from '../harness/nemesis.ts';
import type { Violation } from '../world/checker.ts';
import { firstUnexpectedViolation, shrinkFaults } from './shrink.ts';

// Property testing of scenarios with fast-check: arbitraries for fault schedules and swarm settings,
// and checkScenario, whose property is "no checker fires unexpectedly" over generated (seed, fault
// schedule) pairs, or (seed, configuration, fault schedule) triples when configurations are
// generated too (each judged by its own configuration's expectation). fast-check's own shrinking
// runs first unless turned off (fewer faults, smaller values, smaller seeds); shrinkFaults then
// reduces the counterexample's schedule to the final minimal one, and with generated configurations
// shrinkOverrides drops the generated settings the failure does not need.
// Everything is deterministic given fast-check's seed (default PROPERTY_SEED_DEFAULT): no run ever
// takes fast-check's time-based default seed.

export const PROPERTY_SEED_DEFAULT = 0;
export const PROPERTY_RUNS_DEFAULT = 100;
/** Fault start times and durations are multiples of this. */
export const FAULT_GRAIN_MS = 10;
/** The most faults a schedule derived from a scenario's nemesis may hold. */
export const SCHEDULE_FAULTS_MAX = 64;

export interface FaultScheduleArbOptions {
  /** Processes that may be crashed, restarted or paused. */
  processes: readonly string[];
  /** Hosts for power loss, disk and clock faults and network faults. */
  hosts: readonly string[];
  kinds: readonly RandomFaultKind[];
  /** Faults start in [0, faultPhaseMs). */
  faultPhaseMs: number;
  maxFaults: number;
  /** Default 100 ms. */
  durationMsMin?: number;
  /** Default max(durationMsMin, faultPhaseMs / 2). */
  durationMsMax?: number;
  /** Hosts that may lose power (default: all hosts). */
  powerOffHosts?: readonly string[];
  /** Hosts whose disk may fill up (default: all hosts). */
  diskFullHosts?: readonly string[];
  /** As in NemesisOptions: faults that would take more processes or hosts down at once are left out. */
  maxDown?: number;
  maxPoweredOff?: number;
}

const grains = (ms: number): number => Math.floor(ms / FAULT_GRAIN_MS);

/** The fault kinds that can be generated from these names (a partition needs two hosts, and so on). */
function usableKinds(opts: FaultScheduleArbOptions): RandomFaultKind[] {
  return opts.kinds.filter((k) => usableWith(k, opts));
}

/**
 * Fault schedules: at most maxFaults faults of the given kinds, sorted by start time, every one
 * accepted by validateScript for a world with these names and unchanged by a formatScript ->
 * parseScript round trip. Times and durations are whole multiples of FAULT_GRAIN_MS. A restart has
 * no duration; every other fault has one. With maxDown (and maxPoweredOff), faults are left out the
 * way the nemesis leaves them out, so schedules stay inside the scenario's fault model.
 */
export function faultScheduleArb(opts: FaultScheduleArbOptions): fc.Arbitrary<Fault[]> {
  const durationMsMin = opts.durationMsMin ?? 100;
  const durationMsMax = opts.durationMsMax ?? Math.max(durationMsMin, Math.floor(opts.faultPhaseMs / 2));
  if (!(opts.faultPhaseMs >= FAULT_GRAIN_MS)) throw new UsageError(`faultScheduleArb: faultPhaseMs must be at least ${FAULT_GRAIN_MS}, got ${opts.faultPhaseMs}`);
  if (!(Number.isInteger(opts.maxFaults) && opts.maxFaults >= 0)) throw new UsageError(`faultScheduleArb: maxFaults must be a whole number, got ${opts.maxFaults}`);
  if (!(durationMsMin >= FAULT_GRAIN_MS && durationMsMax >= durationMsMin)) {
    throw new UsageError(`faultScheduleArb: need ${FAULT_GRAIN_MS} <= durationMsMin <= durationMsMax, got ${durationMsMin}..${durationMsMax}`);
  }
  const kinds = usableKinds(opts);
  if (kinds.length === 0) {
    if (opts.maxFaults === 0) return fc.constant([]);
    throw new UsageError(`faultScheduleArb: none of the kinds ${opts.kinds.join(', ')} can be generated from ${opts.processes.length} processes and ${opts.hosts.length} hosts`);
  }
  const atMs = fc.integer({ min: 0, max: grains(opts.faultPhaseMs - 1) }).map((g) => g * FAULT_GRAIN_MS);
  const durationMs = fc.integer({ min: Math.ceil(durationMsMin / FAULT_GRAIN_MS), max: grains(durationMsMax) }).map((g) => g * FAULT_GRAIN_MS);
  // The actions come from the same generators as the nemesis's (sim/harness/fault-gen.ts).
  const pool = { processes: opts.processes, hosts: opts.hosts, powerOffHosts: opts.powerOffHosts ?? opts.hosts, diskFullHosts: opts.diskFullHosts ?? opts.hosts };
  const fault = fc.oneof(...kinds.map((k) => fc.tuple(atMs, durationMs, actionArbitrary(k, pool)).map(([at, d, action]): Fault =>
    FAULT_REGISTRY[action.kind].duration === 'none' ? { atMs: at, action } : { atMs: at, durationMs: d, action })));
  return fc.array(fault, { maxLength: opts.maxFaults }).map((faults) => withinLimits(faults.slice().sort((a, b) => a.atMs - b.atMs), opts));
}

/** Leaves out faults that exceed maxDown or maxPoweredOff, with the nemesis's own bookkeeping (DownSlots). */
function withinLimits(faults: Fault[], opts: FaultScheduleArbOptions): Fault[] {
  if (opts.maxDown === undefined) return faults;
  const slots = new DownSlots(opts.maxDown, opts.maxPoweredOff ?? opts.maxDown);
  const out: Fault[] = [];
  for (const f of faults) {
    slots.advance(f.atMs);
    const slot = slotOf(f.action.kind);
    if (slot !== 'none') {
      if (!slots.admits(slot) || slots.isDown(targetOf(f.action))) continue;
      slots.take(slot, f.action, f.atMs + (f.durationMs ?? Infinity));
    }
    out.push(f);
  }
  return out;
}

/** The one name a slot-taking action acts on. */
const targetOf = (a: FaultAction): string => kindOf(a).names(a)[0]!;

export interface SwarmArbOptions {
  kinds: readonly RandomFaultKind[];
  processes: readonly string[];
  hosts: readonly string[];
  powerOffHosts?: readonly string[];
  /** Range of the mean time between faults (defaults 500 ms .. 10 s). */
  meanIntervalMsMin?: number;
  meanIntervalMsMax?: number;
  /** Range the duration bounds are drawn from (defaults 100 ms .. 10 s). */
  durationMsMin?: number;
  durationMsMax?: number;
  /** Upper bound for the drawn maxDown (default: a minority of the processes, at least 1). */
  maxDown?: number;
  maxPoweredOff?: number;
}

/**
 * Swarm settings (Groce et al., "Swarm Testing", ISSTA 2012): a non-empty subset of the allowed
 * kinds, a mean interval between faults, a duration range and a maxDown, as NemesisOptions. The
 * subset is drawn here, so the result has swarm off.
 */
export function swarmArb(opts: SwarmArbOptions): fc.Arbitrary<NemesisOptions> {
  const intervalMin = opts.meanIntervalMsMin ?? 500;
  const intervalMax = opts.meanIntervalMsMax ?? 10_000;
  const durMin = opts.durationMsMin ?? 100;
  const durMax = opts.durationMsMax ?? 10_000;
  const downMax = opts.maxDown ?? Math.max(1, Math.floor((opts.processes.length - 1) / 2));
  if (opts.kinds.length === 0) throw new UsageError('swarmArb: no fault kinds to choose from');
  if (!(FAULT_GRAIN_MS <= intervalMin && intervalMin <= intervalMax && FAULT_GRAIN_MS <= durMin && durMin <= durMax && downMax >= 1)) {
    throw new UsageError(`swarmArb: bad ranges (mean interval ${intervalMin}..${intervalMax} ms, durations ${durMin}..${durMax} ms, maxDown ${downMax})`);
  }
  const ms = (min: number, max: number): fc.Arbitrary<number> =>
    fc.integer({ min: Math.ceil(min / FAULT_GRAIN_MS), max: grains(max) }).map((g) => g * FAULT_GRAIN_MS);
  return fc.record({
    kinds: fc.subarray(opts.kinds.slice(), { minLength: 1 }),
    meanIntervalMs: ms(intervalMin, intervalMax),
    durations: fc.tuple(ms(durMin, durMax), ms(durMin, durMax)),
    maxDown: fc.integer({ min: 1, max: downMax }),
  }).map(({ kinds, meanIntervalMs, durations: [x, y], maxDown }): NemesisOptions => ({
    kinds,
    processes: opts.processes,
    hosts: opts.hosts,
    ...(opts.powerOffHosts !== undefined ? { powerOffHosts: opts.powerOffHosts } : {}),
    meanIntervalMs,
    durationMsMin: Math.min(x, y),
    durationMsMax: Math.max(x, y),
    maxDown,
    ...(opts.maxPoweredOff !== undefined ? { maxPoweredOff: Math.min(opts.maxPoweredOff, maxDown) } : {}),
    swarm: false,
  }));
}

/** Fault schedules under swarm settings: about faultPhaseMs / meanIntervalMs faults of the drawn kinds. */
export function swarmScheduleArb(opts: SwarmArbOptions & { faultPhaseMs: number; maxFaults?: number }): fc.Arbitrary<Fault[]> {
  return swarmArb(opts).chain((s) => faultScheduleArb(scheduleOptions(s, opts.faultPhaseMs, opts.maxFaults ?? SCHEDULE_FAULTS_MAX)));
}

/** faultScheduleArb options equivalent to a nemesis configuration. */
export function scheduleOptions(nem: NemesisOptions, faultPhaseMs: number, maxFaults = SCHEDULE_FAULTS_MAX): FaultScheduleArbOptions {
  return {
    processes: nem.processes,
    hosts: nem.hosts,
    kinds: nem.kinds,
    faultPhaseMs,
    // Twice the expected count, so fast-check explores denser schedules than the nemesis too.
    maxFaults: Math.min(maxFaults, Math.max(1, Math.ceil((2 * faultPhaseMs) / nem.meanIntervalMs))),
    durationMsMin: Math.max(FAULT_GRAIN_MS, nem.durationMsMin),
    durationMsMax: Math.max(FAULT_GRAIN_MS, nem.durationMsMin, nem.durationMsMax),
    maxDown: nem.maxDown,
    ...(nem.powerOffHosts !== undefined ? { powerOffHosts: nem.powerOffHosts } : {}),
    ...(nem.diskFullHosts !== undefined ? { diskFullHosts: nem.diskFullHosts } : {}),
    ...(nem.maxPoweredOff !== undefined ? { maxPoweredOff: nem.maxPoweredOff } : {}),
  };
}

/** Run seeds: non-negative 32-bit integers, shrinking towards 0. */
export function seedArb(): fc.Arbitrary<number> {
  return fc.nat({ max: 0xffff_ffff });
}

export type Overrides = { [key: string]: string };

export interface CheckScenarioOptions {
  /**
   * Default: faultScheduleArb over the scenario's nemesis settings (UsageError if it has none).
   * A function gets each generated configuration (overrides merged over `overrides`), for schedules
   * that depend on it (the names of the brokers, say).
   */
  schedules?: fc.Arbitrary<Fault[]> | ((overrides: Overrides) => fc.Arbitrary<Fault[]>);
  /** Default: seedArb(). */
  seeds?: fc.Arbitrary<number>;
  /** Fixed overrides of every case. */
  overrides?: Overrides;
  /**
   * Generated configurations: each case's overrides are these merged over `overrides`, and the
   * property is checked against that configuration's expectation. fast-check shrinks them too.
   */
  configs?: fc.Arbitrary<Overrides>;
  /** Default PROPERTY_RUNS_DEFAULT. */
  numRuns?: number;
  /** fast-check's seed (default PROPERTY_SEED_DEFAULT): the same seed explores the same cases. */
  seed?: number;
  /** Run shrinkFaults on fast-check's counterexample (default true). */
  shrink?: boolean;
  /**
   * Let fast-check shrink the counterexample first (default true). Off, the first failing case goes
   * straight to shrinkFaults: fast-check's shrinking also shrinks the run seed and the generated
   * configuration, each step a fresh run, which for slow scenarios costs more than it saves.
   */
  fastCheckShrink?: boolean;
  /** Budget for shrinkFaults (its default otherwise). */
  shrinkMaxRuns?: number;
  /** Budget for shrinkOverrides (default CONFIG_SHRINK_RUNS_DEFAULT). */
  configShrinkMaxRuns?: number;
}

/** Runs shrinkOverrides may spend by default: a few passes over a handful of generated settings. */
export const CONFIG_SHRINK_RUNS_DEFAULT = 20;

export type CheckScenarioResult =
  | { ok: true; runs: number }
  | {
    ok: false;
    /** The run seed of the counterexample (after fast-check's shrinking). */
    seed: number;
    /** Its configuration: the fixed overrides with the generated ones (if any) merged over them. */
    overrides: Overrides;
    /**
     * The settings the failure needs: `overrides` without the generated ones that could go (the
     * scenario's defaults apply instead) with the minimal schedule. The fixed overrides stay.
     */
    minimalOverrides: Overrides;
    /** Its fault schedule, as fast-check shrank it (as generated, with fastCheckShrink off). */
    faults: Fault[];
    checker: string;
    /** The checker's violation in the minimal schedule's run. */
    violation: Violation;
    minimalFaults: Fault[];
    /** minimalFaults as a fault script. */
    script: string;
    /** Shell lines that write the script to a file and replay it with the dsim CLI. */
    replay: string;
    /** Runs fast-check made up to the first failure. */
    runs: number;
    /** Scenario runs shrinkFaults spent (0 with shrink off). */
    shrinkRuns: number;
    /** Scenario runs shrinkOverrides spent (0 with shrink off or without generated configurations). */
    configShrinkRuns: number;
  };

/**
 * Property: for every generated (seed, schedule), no checker fires that the scenario's expectation
 * does not name. Runs with tracing off. A run that throws (a broken invariant) is rethrown with the
 * seed and the fault script that produced it.
 */
export function checkScenario(scenario: Scenario, opts: CheckScenarioOptions = {}): CheckScenarioResult {
  const fixed = opts.overrides ?? {};
  if (opts.schedules === undefined && scenario.nemesis === undefined) {
    throw new UsageError(`${scenario.name} has no random nemesis: pass the fault schedules to explore (schedules: faultScheduleArb(...))`);
  }
  const schedulesFor = (o: Overrides): fc.Arbitrary<Fault[]> => {
    const s = opts.schedules;
    if (s === undefined) return nemesisSchedules(scenario, o);
    return typeof s === 'function' ? s(o) : s;
  };
  // One arbitrary of (overrides, schedule) cases. Without generated configurations it is the
  // schedule arbitrary alone, so fast-check explores exactly what it did before configurations.
  const cases: fc.Arbitrary<[Overrides, Fault[]]> = opts.configs === undefined
    ? schedulesFor(fixed).map((faults): [Overrides, Fault[]] => [fixed, faults])
    : opts.configs.chain((gen) => {
      const o = { ...fixed, ...gen };
      return schedulesFor(o).map((faults): [Overrides, Fault[]] => [o, faults]);
    });
  const run = (seed: number, overrides: Overrides, faults: readonly Fault[]): Violation | null => unexpectedViolation(scenario, seed, overrides, faults);

  const details = fc.check(fc.property(opts.seeds ?? seedArb(), cases, (seed, [overrides, faults]) => run(seed, overrides, faults) === null), {
    numRuns: opts.numRuns ?? PROPERTY_RUNS_DEFAULT,
    seed: opts.seed ?? PROPERTY_SEED_DEFAULT,
    ...(opts.fastCheckShrink === false ? { endOnFailure: true } : {}),
  });
  if (!details.failed) return { ok: true, runs: details.numRuns };
  if (details.counterexample === null) {
    throw new InvariantError(`checkScenario ${scenario.name}: fast-check stopped without a counterexample (${String(details.errorInstance)})`);
  }
  const [seed, [overrides, faults]] = details.counterexample;
  let violation: Violation | null;
  try {
    violation = run(seed, overrides, faults);
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    throw new Error(`${scenario.name}: seed ${seed}${describeOverrides(overrides)} with this fault script threw: ${why}\n${formatScript(faults)}`, { cause: e });
  }
  if (violation === null) {
    throw new InvariantError(`checkScenario ${scenario.name}: seed ${seed} failed under fast-check but passes on replay: the run is not deterministic`);
  }
  let minimalFaults = faults.slice();
  let minimalOverrides = overrides;
  let shrinkRuns = 0;
  let configShrinkRuns = 0;
  if (opts.shrink !== false) {
    const shrunk = shrinkFaults(scenario, {
      seed, overrides, faults,
      ...(opts.shrinkMaxRuns !== undefined ? { maxRuns: opts.shrinkMaxRuns } : {}),
    });
    minimalFaults = shrunk.minimal;
    violation = shrunk.violation;
    shrinkRuns = shrunk.runs;
    if (opts.configs !== undefined) {
      const c = shrinkOverrides(scenario, {
        seed, overrides, pinned: fixed, faults: minimalFaults, checker: violation.checker,
        ...(opts.configShrinkMaxRuns !== undefined ? { maxRuns: opts.configShrinkMaxRuns } : {}),
      });
      minimalOverrides = c.minimal;
      if (c.violation !== null) violation = c.violation;
      configShrinkRuns = c.runs;
    }
  }
  const script = formatScript(minimalFaults);
  return {
    ok: false, seed, overrides, minimalOverrides, faults: faults.slice(), checker: violation.checker, violation, minimalFaults, script,
    replay: replayCommand(scenario.name, seed, minimalOverrides, script), runs: details.numRuns, shrinkRuns, configShrinkRuns,
  };
}

/** The first violation the configuration's expectation does not name, in an untraced run; null if none. */
function unexpectedViolation(scenario: Scenario, seed: number, overrides: Overrides, faults: readonly Fault[]): Violation | null {
  const cfg = resolveScenarioConfig(scenario, overrides);
  const expected = typeof scenario.expect === 'function' ? scenario.expect(cfg) : scenario.expect;
  // Stopping at an expected violation could hide an unexpected one (see shrinkFaults).
  const stopOnViolation = expected.violations.length === 0;
  return firstUnexpectedViolation(runScenario(scenario, { seed, overrides, faults, stopOnViolation }));
}

export interface ShrinkOverridesOptions {
  readonly seed: number;
  /** The failing configuration. */
  readonly overrides: Overrides;
  /** Settings to keep whatever happens (the caller's fixed ones). */
  readonly pinned: Overrides;
  readonly faults: readonly Fault[];
  /** The checker that must still fire. */
  readonly checker: string;
  /** Default CONFIG_SHRINK_RUNS_DEFAULT. */
  readonly maxRuns?: number;
}

export interface ShrinkOverridesResult {
  readonly minimal: Overrides;
  /** The violation of the last run that kept the failure with a setting dropped; null if none could go. */
  readonly violation: Violation | null;
  readonly runs: number;
}

/**
 * Drops the settings a failure does not need. Each setting of `overrides` not in `pinned`, in key
 * order, goes if the run at the same seed and fault schedule still fails with the same checker (the
 * scenario's default applies in its place); passes repeat until none can go or the budget is spent.
 * A candidate the scenario rejects (an impossible combination, say min.insync.replicas above the
 * replication factor, or a fault naming a broker the smaller cluster lacks) does not fail. The
 * result needs every setting it keeps, each on its own, within the budget.
 */
export function shrinkOverrides(scenario: Scenario, opts: ShrinkOverridesOptions): ShrinkOverridesResult {
  const maxRuns = opts.maxRuns ?? CONFIG_SHRINK_RUNS_DEFAULT;
  if (!(Number.isInteger(maxRuns) && maxRuns >= 0)) throw new UsageError(`shrinkOverrides: maxRuns must be a whole number, got ${maxRuns}`);
  let current: Overrides = { ...opts.overrides };
  let violation: Violation | null = null;
  let runs = 0;
  const failsWith = (candidate: Overrides): Violation | null => {
    runs++;
    try {
      const v = unexpectedViolation(scenario, opts.seed, candidate, opts.faults);
      return v !== null && v.checker === opts.checker ? v : null;
    } catch (e) {
      if (e instanceof UsageError) return null;
      throw e;
    }
  };
  for (let changed = true; changed && runs < maxRuns;) {
    changed = false;
    for (const key of Object.keys(current).sort()) {
      if (key in opts.pinned || runs >= maxRuns) continue;
      const { [key]: _dropped, ...candidate } = current;
      const v = failsWith(candidate);
      if (v === null) continue;
      current = candidate;
      violation = v;
      changed = true;
    }
  }
  return { minimal: current, violation, runs };
}

const describeOverrides = (o: Overrides): string => {
  const keys = Object.keys(o).sort();
  return keys.length === 0 ? '' : ` (${keys.map((k) => `${k}=${o[k]!}`).join(' ')})`;
};

/** Like checkScenario, but throws an Error naming the seed, the checker, the violation and the minimal script. */
export function assertScenario(scenario: Scenario, opts: CheckScenarioOptions = {}): void {
  const r = checkScenario(scenario, opts);
  if (r.ok) return;
  const dropped = Object.keys(r.overrides).filter((k) => !(k in r.minimalOverrides)).sort();
  const lines = [
    `${scenario.name}: checker ${r.checker} fired for seed ${r.seed}${describeOverrides(r.overrides)} (found after ${r.runs} runs)`,
    `  ${r.violation.message} (at ${r.violation.timeMs} ms, event ${r.violation.seq})`,
    ...(dropped.length > 0 ? [`minimal configuration${describeOverrides(r.minimalOverrides)}: it also fails with the defaults of ${dropped.join(', ')}`] : []),
    `minimal fault schedule (${r.minimalFaults.length} of ${r.faults.length} faults):`,
    r.script.trimEnd() === '' ? '  (none: it fails without faults)' : r.script.trimEnd(),
    'replay:',
    r.replay,
  ];
  throw new Error(lines.join('\n'));
}

/** The default schedules: what the scenario's nemesis allows, as a fast-check arbitrary. */
function nemesisSchedules(scenario: Scenario, overrides: { readonly [key: string]: string }): fc.Arbitrary<Fault[]> {
  const cfg = resolveScenarioConfig(scenario, overrides);
  const nem = scenario.nemesis?.(cfg) ?? null;
  if (nem === null) throw new UsageError(`${scenario.name} has no random nemesis: pass the fault schedules to explore (schedules: faultScheduleArb(...))`);
  const faultPhaseMs = typeof scenario.faultPhaseMs === 'function' ? scenario.faultPhaseMs(cfg) : scenario.faultPhaseMs;
  return faultScheduleArb(scheduleOptions(nem, faultPhaseMs));
}

const shellWord = (s: string): string => (/^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);

/** `cat > FILE <<'EOF' ... EOF` then `npx dsim run <scenario> --seed N [--set k=v]... --faults FILE`. */
export function replayCommand(scenario: string, seed: number, overrides: { readonly [key: string]: string }, script: string): string {
  const file = `${scenario}-seed-${seed}.faults`;
  const sets = Object.keys(overrides).sort().map((k) => ` --set ${shellWord(`${k}=${overrides[k]!}`)}`).join('');
  return [
    `cat > ${shellWord(file)} <<'EOF'`,
    ...script.split('\n').filter((l) => l !== ''),
    'EOF',
    `npx dsim run ${shellWord(scenario)} --seed ${seed}${sets} --faults ${shellWord(file)}`,
  ].join('\n');
}
