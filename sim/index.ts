// The public API for scenario authors and property tests: `import { defineScenario, ... } from 'dsim'`.

export type { Actor, ActorFactory, Context, DiskView, TimerId } from './core/actor.ts';
export { Config, resolveConfig, parseProperties, type ConfigSchema, type ConfigValue, type KeySpec } from './core/config.ts';
export { crc32 } from './core/crc32.ts';
export { invariant, InvariantError, UsageError } from './core/invariant.ts';
export { Rng } from './core/rng.ts';
export { runScenario, resolveScenarioConfig, scheduleFor, type RunOptions, type RunResult } from './harness/run.ts';
export { defineScenario, scenarioSchema, type Expectation, type Scenario } from './harness/scenario.ts';
export { composeSchema, withUses, type AnySystem, type CheckOptions, type ConfigFileRead, type ConfigFileReader, type NamedTarget, type System } from './harness/system.ts';
export type { ObservationData, ObservationKind, Observations } from './core/observation.ts';
export { SYSTEMS, systemNamed } from './registry/systems.ts';
export { MemorySink, CountingSink, registerTraceView, type TraceSink } from './world/trace.ts';
export { MS, SEC, US, msToUs, usToMs, type HostId, type Json, type Message, type ProcessId } from './core/types.ts';
export { World, type HostOptions, type ProcessOptions } from './world/world.ts';
export type { DiskError, DiskOptions } from './env/disk.ts';
export { formatScript, parseScript, type Fault, type FaultAction, type FaultKind } from './harness/faults.ts';
export type { NemesisOptions, RandomFaultKind } from './harness/nemesis.ts';
export type { LatencyDist, LinkOptions, NetworkOptions } from './env/network.ts';
export type { Checker, CheckStatus, Violation } from './world/checker.ts';
export { History, type HistoryEntry, type Operation } from './world/history.ts';
export { checkLinearizable, registerModel, type Model } from './check/linearizability.ts';
export { linearizableChecker } from './check/linearizable-checker.ts';
export { progressAfterHealChecker } from './check/liveness.ts';
export { shrinkFaults, type ShrinkResult } from './check/shrink.ts';
export { assertScenario, checkScenario, faultScheduleArb, seedArb, shrinkOverrides, swarmArb } from './check/property.ts';
