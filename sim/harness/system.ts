import type { Config, ConfigSchema, ConfigValue } from '../core/config.ts';
import { closest } from '../core/config.ts';
import { UsageError } from '../core/invariant.ts';
import type { ObservationDocs } from '../core/observation.ts';
import type { Checker } from '../world/checker.ts';
import type { World } from '../world/world.ts';
import { defineFaultTarget } from './faults.ts';
import type { Narrator } from './story.ts';

// The System seam: what a system (ZooKeeper, Kafka, HDFS, YARN, MapReduce) tells the rest of dsim
// about itself. A system is a folder sim/<name>/ whose system.ts exports one `System` value; the
// registry (sim/registry/systems.ts) lists them; scenarios name the systems they compose. Nothing in
// core, env, world, harness, check or cli knows a system by name.
//
//   name, configPrefix   'kafka', 'kafka.'  every config key of the system starts with the prefix
//   schema               its keys: type, default, bounds, doc (the real names and defaults)
//   configFiles          readers of its native files (server.properties, zoo.cfg, hdfs-site.xml...):
//                        file name + text -> modelled values, unmodelled keys, unknown keys
//   uses                 the systems it stands on (Kafka uses ZooKeeper): their keys join every
//                        scenario that composes it, and sim/<name>/ may import only from theirs
//   build                adds its processes (and hosts) to a world, returns what it built
//   checkers             its checkers for what `build` returned (added by the harness when a scenario
//                        builds the system with buildSystem())
//   faultTargets         named fault-script targets (`leader(events-0)`, `controller()`, `leader()`),
//                        resolved when the fault applies
//   observations         its observation kinds with a line of doc each; the kinds and their data
//                        types are declared in sim/<name>/observations.ts (see core/observation.ts)
//   summary              the end-of-run state in the system's own idiom (kafka-topics --describe,
//                        zkServer.sh status, hdfs dfsadmin -report)
//
// The viewer's part (model, inspector, role colours) is the system's module in viz/src/systems/.
// docs/adding-a-system.md walks through adding one, with ZooKeeper and Kafka as the examples.

/** What a native config file says, sorted by what dsim does with each key. */
export interface ConfigFileRead {
  /** Keys dsim models, as `--set` would give them (full names with the prefix); resolveConfig parses and validates the values. */
  readonly values: { readonly [key: string]: string | ConfigValue };
  /** Keys the real system has that dsim does not model (addresses, thread counts, paths): listed once as ignored. */
  readonly unmodelled: readonly string[];
  /** Keys the real system does not have (a typo, another version): errors, each with the closest key the file could mean. */
  readonly unknown: readonly { readonly key: string; readonly closest: string | null }[];
}

/** A reader of one kind of native file (server.properties, zoo.cfg, hdfs-site.xml). */
export interface ConfigFileReader {
  /** The file names it reads, as users name them: 'server.properties', 'zoo.cfg', 'hdfs-site.xml'. */
  readonly fileNames: readonly string[];
  /** Reads the text; a malformed file (not a key=value line, bad XML) is a UsageError naming `fileName`. */
  read(fileName: string, text: string): ConfigFileRead;
}

/** A fault-script target a system defines, written `name(arg)` and resolved when the fault applies. */
export interface NamedTarget {
  /** The name before the parentheses: 'leader', 'controller', 'follower', 'active-namenode'. */
  readonly name: string;
  /** How it reads in a script: 'leader(<topic>-<partition>)', 'leader()', 'follower(<n>)'. */
  readonly usage: string;
  /** The arguments it takes (two systems may both define `leader`: the one whose pattern matches is used). */
  readonly arg: RegExp;
  /** The process (or host) it names in this world now, or null: nobody (the fault is skipped and the trace says so). */
  resolve(world: World, arg: string): string | null;
  /**
   * Before the run: null if the argument can name something in this world, else why not in a few
   * words ("no partition 7 of 'events' (it has 3: 0..2)"); the script's line then fails with exit 2.
   * Absent: every argument `arg` matches is accepted.
   */
  check?(world: World, arg: string): string | null;
}

/** What every system's checkers are told by the scenario. */
export interface CheckOptions {
  /** Liveness: after the heal, the system must make progress within this long (the scenario's `check.livenessBoundMs`). */
  readonly livenessBoundMs: number;
}

/**
 * One system. `Options` is what a scenario may choose when building it (broker count, topic,
 * workload); `Built` is what the builder returns (process names, the topic) and the checkers take.
 */
export interface System<Options = void, Built = void> {
  /** Short name, as in process `system` fields and the trace: 'zookeeper', 'kafka', 'hdfs'. */
  readonly name: string;
  /** What it is, in a line (`dsim describe`). */
  readonly description: string;
  /** Every key in `schema` starts with it: 'zookeeper.', 'kafka.', 'hdfs.', 'yarn.', 'mapreduce.'. */
  readonly configPrefix: string;
  readonly schema: ConfigSchema;
  readonly configFiles: readonly ConfigFileReader[];
  /** Systems this one stands on; composing it composes them. */
  readonly uses: readonly AnySystem[];
  /** Adds the system's hosts and processes to the world. */
  build(world: World, cfg: Config, options: Options): Built;
  /** The system's checkers for what build() returned. */
  checkers(cfg: Config, built: Built, check: CheckOptions): Checker[];
  readonly faultTargets: readonly NamedTarget[];
  /** Its observation kinds, each with a line of doc (types: sim/<name>/observations.ts). */
  readonly observations: ObservationDocs<object>;
  /** The end-of-run state in the system's own idiom ('' when it has nothing to say). */
  summary(world: World): string;
  /**
   * Keys of the real system that dsim deliberately does not model, full names with the prefix, each
   * with why and which key does the job instead ('kafka.num.partitions': 'scenario topics are created
   * explicitly: set topic.partitions'). `--set` of one is a one-line error with that pointer; a
   * native file that has one lists it as ignored.
   */
  readonly notModelled?: { readonly [key: string]: string };
  /**
   * Its part of the story of a run (harness/story.ts): called after the scenario built the world,
   * it listens (observations, process starts and crashes) and tells at the end what mattered in
   * its own terms. Asked for by `dsim run` only; listening never changes the run.
   */
  narrate?(world: World): Narrator;
}

/** The reason a key is not modelled by any of these systems (and what to use instead), or null. */
export function notModelledReason(systems: readonly AnySystem[], key: string): string | null {
  for (const s of withUses(systems)) {
    const why = s.notModelled?.[key];
    if (why !== undefined) return why;
  }
  return null;
}

/** Any system, whatever its options (registries and composition, which never call build themselves). */
// Method parameters are checked bivariantly, so every System<O, B> is assignable to this.
export type AnySystem = System<never, unknown>;

/** The systems with everything they use, each once, users before the systems that use them. */
export function withUses(systems: readonly AnySystem[]): AnySystem[] {
  const out: AnySystem[] = [];
  const visit = (s: AnySystem, path: readonly string[]): void => {
    if (path.includes(s.name)) throw new Error(`system ${s.name} uses itself: ${[...path, s.name].join(' -> ')}`);
    for (const u of s.uses) visit(u, [...path, s.name]);
    if (!out.includes(s)) out.push(s);
  };
  for (const s of systems) visit(s, []);
  return out;
}

/**
 * The config schema of a scenario: the keys of its systems (and what they use), then its own keys.
 * A system key outside its prefix, or a key defined twice, is a programming error.
 */
export function composeSchema(systems: readonly AnySystem[], own: ConfigSchema = {}): ConfigSchema {
  const out: { [key: string]: ConfigSchema[string] } = {};
  const owner = new Map<string, string>();
  const add = (schema: ConfigSchema, who: string, prefix: string | null): void => {
    for (const [key, spec] of Object.entries(schema)) {
      if (prefix !== null && !key.startsWith(prefix)) throw new Error(`system ${who}: key '${key}' lacks its prefix '${prefix}'`);
      const before = owner.get(key);
      if (before !== undefined) throw new Error(`config key '${key}' defined by both ${before} and ${who}`);
      owner.set(key, who);
      out[key] = spec;
    }
  };
  for (const s of withUses(systems)) add(s.schema, s.name, s.configPrefix);
  add(own, 'the scenario', null);
  return out;
}

/** The reader of a native file among these systems' readers, by the file's base name; a UsageError if none reads it. */
export function configReaderFor(systems: readonly AnySystem[], fileName: string): ConfigFileReader {
  const base = fileName.replace(/^.*[\\/]/, '');
  const all = withUses(systems).flatMap((s) => s.configFiles);
  const r = all.find((x) => x.fileNames.includes(base));
  if (r !== undefined) return r;
  const names = all.flatMap((x) => x.fileNames);
  const best = closest(base, names);
  throw new UsageError(`${fileName}: not a config file of ${withUses(systems).map((s) => s.name).join(', ') || 'this scenario'} (reads ${names.join(', ') || 'none'})${best !== null ? `; did you mean ${best}?` : ''}`);
}

/**
 * Defines the systems' named targets for this world's fault scripts. Two systems may define the
 * same name (Kafka's `leader(events-0)`, ZooKeeper's `leader()`): the argument picks the one.
 */
export function defineSystemTargets(world: World, systems: readonly AnySystem[]): void {
  const byName = new Map<string, NamedTarget[]>();
  for (const s of withUses(systems)) {
    for (const t of s.faultTargets) {
      const list = byName.get(t.name);
      if (list === undefined) byName.set(t.name, [t]);
      else list.push(t);
    }
  }
  for (const [name, targets] of byName) {
    const usage = targets.map((t) => t.usage).join(' or ');
    defineFaultTarget(world, name, {
      usage,
      resolve: (arg) => {
        const t = targets.find((x) => x.arg.test(arg));
        if (t === undefined) throw new UsageError(`${name}(${arg}): expected ${usage}`);
        return t.resolve(world, arg);
      },
      check: (arg) => {
        const t = targets.find((x) => x.arg.test(arg));
        if (t === undefined) return `expected ${usage}`;
        return t.check?.(world, arg) ?? null;
      },
    });
  }
}

/** What buildSystem built in each world, for the harness to add those systems' checkers. */
const builtInWorld = new WeakMap<World, { readonly system: AnySystem; readonly built: unknown }[]>();

/**
 * Builds a system in a world (system.build) and records it, so that runScenario adds the system's
 * own checkers (system.checkers) after the scenario's build: a scenario gets every checker of the
 * systems it builds without listing them, and lists only its own (a liveness bound, a scenario's
 * special case). A scenario that adds a checker of the same name keeps its own.
 */
export function buildSystem<O, B>(world: World, cfg: Config, system: System<O, B>, options: O): B {
  const built = system.build(world, cfg, options);
  const list = builtInWorld.get(world) ?? [];
  list.push({ system: system as unknown as AnySystem, built });
  builtInWorld.set(world, list);
  return built;
}

/**
 * The checkers of every system buildSystem built in this world, except those whose name is already
 * among the world's checkers or in `omit`, in build order.
 */
export function systemCheckers(world: World, cfg: Config, check: CheckOptions, omit: readonly string[] = []): Checker[] {
  const have = new Set([...world.checkers.map((c) => c.name), ...omit]);
  const out: Checker[] = [];
  for (const { system, built } of builtInWorld.get(world) ?? []) {
    for (const c of system.checkers(cfg, built as never, check)) {
      if (have.has(c.name)) continue;
      have.add(c.name);
      out.push(c);
    }
  }
  return out;
}
