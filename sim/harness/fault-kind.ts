import { UsageError } from '../core/invariant.ts';
import type { HostId, ProcessId } from '../core/types.ts';
import type { World } from '../world/world.ts';

// What a fault kind is made of. Every kind of fault (crash, partition, slow-disk...) is one
// FaultKindDef in the registry (fault-registry.ts), a mapped type over the FaultKind union: adding a
// kind to FaultAction makes the compiler demand its whole definition there, and leaving out any
// part of a definition is a compile error too (docs/faults.md shows the exact errors;
// test/harness/fault-registry-types.test.ts proves it). The parts:
//   usage, duration  how it reads in a script and whether `for <duration>` is allowed
//   parse, format    the text form after the verb; format(parse(x)) parses back to the same action
//   names, rename    the process/host names it acts on (named targets are resolved through rename)
//   validate         checks against a built world beyond "every name exists" (run before the run)
//   apply, undo      what it does now, and what ends it after `for <duration>` (null: nothing to end)
//   random           its random generators, one per name in RandomNames[K], written once against
//                    the Draw interface: the nemesis draws from the seeded Rng and the property kit
//                    from fast-check through the same code (sim/check/fault-arbitrary.ts)
//   shrink           strictly smaller variants of an action, for the shrinker (sim/check/shrink.ts)

export type FaultAction =
  | { readonly kind: 'crash'; readonly target: string }
  | { readonly kind: 'restart'; readonly target: string }
  | { readonly kind: 'shutdown'; readonly target: string }
  | { readonly kind: 'pause'; readonly target: string }
  | { readonly kind: 'power-off'; readonly target: string }
  | { readonly kind: 'partition'; readonly groups: readonly (readonly string[])[] }
  | { readonly kind: 'isolate'; readonly target: string }
  | { readonly kind: 'cut'; readonly from: readonly string[]; readonly to: readonly string[] }
  | { readonly kind: 'heal' }
  | { readonly kind: 'clog'; readonly a: string; readonly b: string }
  | { readonly kind: 'slow-disk'; readonly target: string; readonly factor: number }
  | { readonly kind: 'disk-full'; readonly target: string }
  | { readonly kind: 'disk-error'; readonly target: string }
  | { readonly kind: 'corrupt'; readonly target: string; readonly file?: string }
  | { readonly kind: 'clock'; readonly target: string; readonly offsetMs: number; readonly driftPpm: number };

export type FaultKind = FaultAction['kind'];
export type ActionOf<K extends FaultKind> = Extract<FaultAction, { readonly kind: K }>;

/**
 * The names under which each kind is generated at random (the nemesis `kinds` list and the
 * property kit's). `never`: the kind is only ever scripted. A bridge is a partition that spares
 * one host, so it is a second generator of the partition kind.
 */
export interface RandomNames {
  readonly crash: 'crash';
  readonly restart: 'restart';
  readonly shutdown: 'shutdown';
  readonly pause: 'pause';
  readonly 'power-off': 'power-off';
  readonly partition: 'partition' | 'bridge';
  readonly isolate: 'isolate';
  readonly cut: 'cut';
  /** Random runs end every fault at the end of the fault phase; a random heal would only blur them. */
  readonly heal: never;
  readonly clog: 'clog';
  readonly 'slow-disk': 'slow-disk';
  /** In fault models whose system copes with ENOSPC (HDFS DataNodes: hdfs-random-faults). */
  readonly 'disk-full': 'disk-full';
  /** As disk-full: a failing drive is tested on purpose, not drawn at random. */
  readonly 'disk-error': never;
  /** Corruption is outside every modelled system's fault model (they checksum, and then lose data). */
  readonly corrupt: never;
  readonly clock: 'clock';
}

export type RandomFaultKind = RandomNames[FaultKind];

/** The random draws a generator may make: the seeded Rng has them, and so does the fast-check Draw. */
export interface Draw {
  /** One of `items` (non-empty). */
  pick<T>(items: readonly T[]): T;
  /** An integer in [min, max], both included. */
  int(min: number, max: number): number;
  /** All of `items` in a random order. */
  shuffle<T>(items: readonly T[]): T[];
}

/** The names a generator may use. */
export interface Pool {
  /** Processes that may be crashed, shut down, restarted or paused (minus those already down). */
  readonly processes: readonly string[];
  /** Hosts for partitions, disk and clock faults. */
  readonly hosts: readonly string[];
  /** Hosts that may lose power (minus those already off). */
  readonly powerOffHosts: readonly string[];
  /** Hosts whose disk may fill up (default: all hosts). */
  readonly diskFullHosts: readonly string[];
}

/**
 * How a generated fault counts against the fault model's bounds (NemesisOptions.maxDown and
 * maxPoweredOff): 'none', a process slot held for the fault's duration, a process slot needed only
 * at the instant (a restart), or a power slot held for the duration.
 */
export type DownSlot = 'none' | 'process' | 'process-instant' | 'power';

export interface RandomGen<K extends FaultKind> {
  readonly slot: DownSlot;
  /** Whether the pool has the names this generator needs (a partition needs two hosts...). */
  usable(pool: Pool): boolean;
  /** A random action from a usable pool. */
  generate(draw: Draw, pool: Pool): ActionOf<K>;
}

/** What apply() gets besides the action, whose named targets are already resolved. */
export interface ApplyContext {
  readonly world: World;
  /** The fault as written, for trace lines. */
  readonly desc: string;
  /** When the fault ends (its undo runs), in microseconds; -1 without a duration. */
  readonly undoAtUs: number;
  proc(name: string): ProcessId;
  host(name: string): HostId;
}

/**
 * Method-shaped, so its state parameter is compared bivariantly: a definition with its own state type
 * (FaultKindDef<'partition', Cut>) still fits the registry's FaultKindDef<'partition', unknown>, and
 * apply's result is only ever handed back to the same definition's undo.
 */
type UndoFn<K extends FaultKind, S> = { bivariant(ctx: ApplyContext, a: ActionOf<K>, state: S): void }['bivariant'];

export interface FaultKindDef<K extends FaultKind, S = unknown> {
  /** How the kind reads after `at <time>`, for help and error messages. */
  readonly usage: string;
  /** 'none': an instantaneous fault, `for <duration>` is rejected; 'optional': ends after it if given. */
  readonly duration: 'none' | 'optional';
  /** The action from the words after the verb; a UsageError naming `where` for anything else. */
  parse(words: readonly string[], where: string): ActionOf<K>;
  /** The text after `at <time>`, verb included; parse reads it back to the same action. */
  format(a: ActionOf<K>): string;
  /** Every process or host name (or named target) the action acts on, in order. */
  names(a: ActionOf<K>): readonly string[];
  /** The same action with every name replaced (named targets resolved when the fault applies). */
  rename(a: ActionOf<K>, f: (name: string) => string): ActionOf<K>;
  /**
   * Checks against the built world once names exist (they do: faults.ts checked them), before the
   * run starts; `host` maps a literal name to its host, null for a named target.
   */
  validate(world: World, a: ActionOf<K>, host: (name: string) => HostId | null, where: string): void;
  /** Does it now; returns what undo needs, or undefined when there is nothing to undo later. */
  apply(ctx: ApplyContext, a: ActionOf<K>): S | undefined;
  /** Ends the fault after its duration (null: the kind has nothing to end, or ends itself in apply). */
  readonly undo: UndoFn<K, S> | null;
  /** Random generators, one per name the kind is generated under (none: `{}`). */
  readonly random: { readonly [R in RandomNames[K]]: RandomGen<K> };
  /** Strictly smaller variants of an action, most promising first ([] if it cannot shrink). */
  shrink(a: ActionOf<K>): readonly ActionOf<K>[];
}

/** Every kind's definition: a missing kind, or a missing part of one, is a compile error. */
export type FaultRegistry = { readonly [K in FaultKind]: FaultKindDef<K> };

/** Builds a definition with its undo state type checked (the registry then holds it as unknown). */
export function defineFaultKind<K extends FaultKind, S = undefined>(def: FaultKindDef<K, S>): FaultKindDef<K, S> {
  return def;
}

// ------------------------------------------------------------------ parse helpers

export function formatDuration(ms: number): string {
  // Seconds only when no precision is lost (whole milliseconds); otherwise milliseconds with up to
  // three decimals (whole microseconds, what parseDuration keeps): '1000.001ms', not '1s'.
  if (ms !== 0 && Math.abs(ms) >= 1000 && Number.isInteger(ms)) return `${ms / 1000}s`;
  return `${Number(ms.toFixed(3))}ms`;
}

export function parseDuration(text: string, where: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  if (m === null) throw new UsageError(`${where}: '${text}' is not a duration (e.g. 500ms, 10s, 2m)`);
  const v = Number(m[1]);
  const unit = m[2] ?? 's';
  const ms = unit === 'ms' ? v : unit === 's' ? v * 1000 : unit === 'm' ? v * 60_000 : v * 3_600_000;
  // Round to whole microseconds (the simulator's unit): '2.01s' is 2010 ms, not 2009.9999999999998.
  return Math.round(ms * 1000) / 1000;
}

/** The host a process or host name means; a one-line UsageError if it names neither. */
export function resolveHost(world: World, name: string, where: string): HostId {
  if (world.hasProcess(name)) return world.procHost[world.pid(name)]!;
  const h = world.findHost(name);
  if (h === undefined) throw new UsageError(`${where}: no process or host named '${name}'`);
  return h;
}

/** A UsageError unless `words` has exactly `n` words: names the extra or missing ones. */
export function exactly(words: readonly string[], n: number, usage: string, where: string): void {
  const verb = usage.split(' ')[0]!;
  if (words.length > n) {
    const kept = [verb, ...words.slice(0, n)].join(' ');
    throw new UsageError(`${where}: unexpected '${words.slice(n).join(' ')}' after '${kept}' (usage: ${usage})`);
  }
  if (words.length < n) throw new UsageError(`${where}: '${verb}' needs ${n} argument${n > 1 ? 's' : ''} (usage: ${usage})`);
}

const NAME = /^[A-Za-z0-9_.:-]+(?:\([^()\s,|]*\))?$/;

/** One process or host name, or a named target `name(arg)`; anything else is a UsageError. */
export function checkName(name: string, usage: string, where: string): string {
  if (!NAME.test(name)) throw new UsageError(`${where}: '${name}' is not a process, host or named target (usage: ${usage})`);
  return name;
}

/** A comma-separated list of names (spaces around commas allowed); empty or malformed: UsageError. */
export function nameList(text: string, usage: string, where: string): string[] {
  const parts = text.split(',').map((x) => x.trim());
  if (parts.some((p) => p === '')) throw new UsageError(`${where}: empty name in '${text.trim()}' (usage: ${usage})`);
  return parts.map((p) => checkName(p, usage, where));
}
