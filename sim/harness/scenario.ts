import type { NetworkOptions } from '../env/network.ts';
import type { Fault } from './faults.ts';
import type { NemesisOptions } from './nemesis.ts';
import type { Config, ConfigSchema, ConfigValue } from '../core/config.ts';
import type { World } from '../world/world.ts';
import { composeSchema, type AnySystem } from './system.ts';

// What a scenario file says: the systems it composes, the cluster, the workload, the faults, the
// checkers and the outcome it expects. Scenarios are TypeScript modules in scenarios/ whose default
// export is a Scenario. Its config keys are its systems' keys (and those of the systems they use)
// plus its own (workload, checks): scenarioSchema() merges them.

export interface Expectation {
  /** Checkers that must fire. Empty: the run must pass every check. Any other checker firing is unexpected. */
  readonly violations: readonly string[];
  /** Why this is the expected outcome, in a sentence (printed with the verdict). */
  readonly why: string;
}

export interface Scenario {
  readonly name: string;
  readonly description: string;
  /** What a learner should see in the replay. */
  readonly teaches: string;
  /** The systems it composes (sim/<name>/system.ts); the systems they use come with them. Empty: kernel examples with their own actors. */
  readonly systems: readonly AnySystem[];
  /** The scenario's own keys (workload, checks); the systems' keys are added by scenarioSchema(). */
  readonly schema: ConfigSchema;
  /** Scenario defaults that differ from the schema defaults. */
  readonly defaults?: { readonly [key: string]: ConfigValue };
  /** Network model defaults for this scenario. */
  readonly network?: Partial<NetworkOptions>;
  /** Length of the fault phase and of the heal-and-quiesce phase after it. */
  readonly faultPhaseMs: number | ((cfg: Config) => number);
  readonly quiesceMs: number | ((cfg: Config) => number);
  /** A scheduled fault script (text form or parsed). */
  readonly faults?: string | readonly Fault[] | ((cfg: Config) => string | readonly Fault[]);
  /** Random faults from the seed, generated into a schedule before the run. */
  readonly nemesis?: (cfg: Config) => NemesisOptions | null;
  readonly expect: Expectation | ((cfg: Config) => Expectation);
  /** Included in `dsim bench` as a reference scenario. */
  readonly bench?: boolean;
  /**
   * A scale reference for `dsim bench`: run once at its full size (a warm-up and repeats would take
   * minutes) for events/s, speed-up and peak memory; `bench --quick` runs it with quickOverrides.
   */
  readonly benchScale?: { readonly quickOverrides: { readonly [key: string]: string } };
  /**
   * Creates hosts, processes and the scenario's own checkers. Systems built with buildSystem()
   * (harness/system.ts) bring their checkers: the harness adds them after build().
   */
  build(world: World, cfg: Config): void;
  /** Checkers of the built systems the scenario does not want (by name); default none. */
  readonly omitSystemCheckers?: readonly string[];
  /** A human summary of the final state, in the systems' own idioms. */
  summary?(world: World): string;
}

export function defineScenario(s: Scenario): Scenario {
  return s;
}

/** Every config key the scenario accepts: its systems' keys, then its own. */
export function scenarioSchema(s: Scenario): ConfigSchema {
  return composeSchema(s.systems, s.schema);
}
