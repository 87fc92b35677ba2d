import { UsageError } from '../core/invariant.ts';
import type { HostId, ProcessId } from '../core/types.ts';
import { MS } from '../core/types.ts';
import type { World } from '../world/world.ts';
import { formatDuration, parseDuration, resolveHost, type ApplyContext, type FaultAction } from './fault-kind.ts';
import { FAULT_KINDS, FAULT_REGISTRY, isFaultKind, kindOf } from './fault-registry.ts';
import { clearLayers } from './kinds/host.ts';
import { noteStory } from './story.ts';
import { armTrigger, disarmTriggers, formatTrigger, parseTrigger, validateTrigger, type Trigger } from './triggers.ts';

// Fault scripts: what the nemesis does and when. A script is a list of faults, each at a time and
// optionally for a duration after which it is undone. The text form is what users write and what
// `dsim shrink` prints; `dsim run --faults FILE` accepts it:
//
//   at 10s crash broker-1 for 20s          # restart after 20 s (without `for`: stays down)
//   at 12s partition zk-1,broker-1 | zk-2,zk-3,broker-2 for 30s
//   at 12s isolate broker-1 for 5s
//   at 12s cut broker-1 -> broker-2 for 5s # one-way: broker-1 cannot reach broker-2
//   at 30s heal                            # every network fault lifted
//   at 5s pause broker-2 for 8s            # a GC-like stall
//   at 5s power-off host-1 for 10s         # host power loss, then power on
//   at 5s clog broker-1 broker-2 for 2s    # both directions held
//   at 5s slow-disk host-1 x10 for 20s     # x0 or "stall" stalls the disk
//   at 5s disk-full host-1 for 20s
//   at 5s disk-error host-1 for 20s       # writes fail with EIO (a failing drive)
//   at 5s corrupt host-1 [file]
//   at 5s clock host-1 offset 500ms drift 100ppm for 60s
//   at 5s restart zk-2
//   at 5s shutdown broker-1 for 30s        # orderly stop (SIGTERM), started again after 30 s
//
// Each kind is one definition in the registry (fault-registry.ts); this file holds what is common:
// the `at <time> ... [for <duration>]` frame, named targets, validation against a world, applying
// and undoing at the right times, and the end-of-phase heal. The parser is strict: a word it does
// not use, a second target, a host on both sides of a partition, a time after the end of the run
// or a named target for a topic the cluster lacks is a one-line UsageError naming file and line.
//
// Names are process or host names; network faults act on hosts (a process name means its host).
// A system can also define named targets resolved when the fault applies, written `name(arg)`:
// Kafka defines `leader(events-0)` (the broker leading that partition now) and `controller()`:
//
//   at 20s crash leader(events-0) for 30s
//
// If the target names nobody at that moment (no leader), the fault is skipped and the trace says so.
//
// A fault can also be triggered by an event of the run (triggers.ts):
//
//   when zk-2 receives SNAP after 5ms crash zk-1
//   when broker-2 state partitions.events-0.leo >= 20 isolate broker-2 for 10s

export type { FaultAction, FaultKind } from './fault-kind.ts';
export { FAULT_KINDS, formatDuration, parseDuration, resolveHost };
export { cutsOf } from './kinds/network.ts';

export interface Fault {
  /** When it applies (a triggered fault: 0, it applies when its trigger fires). */
  readonly atMs: number;
  /** Undo after this long; absent: the fault stays until healed (or is instantaneous). */
  readonly durationMs?: number;
  readonly action: FaultAction;
  /** Applies when this event of the run happens instead of at atMs (triggers.ts). */
  readonly when?: Trigger;
}

// ------------------------------------------------------------------ text form

export function formatAction(a: FaultAction): string {
  return kindOf(a).format(a);
}

export function formatFault(f: Fault): string {
  const dur = f.durationMs !== undefined ? ` for ${formatDuration(f.durationMs)}` : '';
  const head = f.when !== undefined ? formatTrigger(f.when) : `at ${formatDuration(f.atMs)}`;
  return `${head} ${formatAction(f.action)}${dur}`;
}

export function formatScript(faults: readonly Fault[]): string {
  return faults.map(formatFault).join('\n') + (faults.length > 0 ? '\n' : '');
}

/** Where each parsed fault was written (`file:line`), for validation errors before the run. */
const sources = new WeakMap<Fault, string>();

/** Where a fault was written (`file:line`), or how it reads if it was built in code. */
function whereOf(f: Fault): string {
  return sources.get(f) ?? `fault '${formatFault(f)}'`;
}

export function parseFault(line: string, where: string): Fault {
  const text = line.replace(/#.*$/, '').trim();
  const words = text.split(/\s+/);
  if (words[0] === 'when') {
    const { trigger, rest } = parseTrigger(words.slice(1), where);
    const { action, durationMs } = parseBody(rest, where);
    return located(durationMs !== undefined ? { atMs: 0, durationMs, action, when: trigger } : { atMs: 0, action, when: trigger }, where);
  }
  if (words[0] !== 'at' || words.length < 3) throw new UsageError(`${where}: expected 'at <time> <fault> [for <duration>]' or 'when <event> <fault>', got '${text}'`);
  const atMs = parseDuration(words[1]!, where);
  const { action, durationMs } = parseBody(words.slice(2), where);
  return located(durationMs !== undefined ? { atMs, durationMs, action } : { atMs, action }, where);
}

function located(f: Fault, where: string): Fault {
  sources.set(f, where);
  return f;
}

/** `<verb> <args...> [for <duration>]`: the fault's action and duration. */
function parseBody(words: readonly string[], where: string): { action: FaultAction; durationMs?: number } {
  const verb = words[0] ?? '';
  if (!isFaultKind(verb)) throw new UsageError(`${where}: unknown fault '${verb}' (known: ${FAULT_KINDS.join(', ')})`);
  let args = words.slice(1);
  let durationMs: number | undefined;
  if (args.length >= 2 && args[args.length - 2] === 'for') {
    durationMs = parseDuration(args[args.length - 1]!, where);
    args = args.slice(0, -2);
  }
  const def = FAULT_REGISTRY[verb];
  if (durationMs !== undefined && def.duration === 'none') {
    throw new UsageError(`${where}: '${verb}' is instantaneous and takes no 'for <duration>' (usage: ${def.usage})`);
  }
  const action = def.parse(args, where);
  return durationMs !== undefined ? { action, durationMs } : { action };
}

export function parseScript(text: string, source = 'fault script'): Fault[] {
  const out: Fault[] = [];
  text.split(/\r?\n/).forEach((line, i) => {
    if (line.replace(/#.*$/, '').trim() === '') return;
    out.push(parseFault(line, `${source}:${i + 1}`));
  });
  return out.sort((a, b) => a.atMs - b.atMs);
}

// ------------------------------------------------------------------ named targets

/** A target resolved when its fault applies: a process (or host) name, or null for "nobody now". */
export interface FaultTarget {
  /** How it reads in a script, e.g. "leader(<topic>-<partition>)". */
  readonly usage: string;
  resolve(arg: string): string | null;
  /**
   * Checks the argument before the run: null if it can name something (a partition that exists),
   * else why not, in a few words ("no partition events-7; events has 3").
   */
  check(arg: string): string | null;
}

const DYNAMIC = /^([a-z][a-z0-9-]*)\(([^()]*)\)$/;
const targetsOf = new WeakMap<World, Map<string, FaultTarget>>();

/**
 * Defines `name(arg)` for this world's fault scripts. This is the hook through which a system's
 * builder (its System, sim/harness/system.ts when that lands) gives its named targets.
 */
export function defineFaultTarget(world: World, name: string, target: FaultTarget): void {
  let m = targetsOf.get(world);
  if (m === undefined) targetsOf.set(world, (m = new Map()));
  m.set(name, target);
}

export function isNamedTarget(name: string): boolean {
  return DYNAMIC.test(name);
}

/** The process or host a name means now: itself, or what its named target resolves to (null: nobody). */
function resolveName(world: World, name: string, where: string): string | null {
  const m = DYNAMIC.exec(name);
  return m === null ? name : targetOf(world, name, where).resolve(m[2]!.trim());
}

/** The definition of a `name(arg)` target; a one-line UsageError if this world has none. */
function targetOf(world: World, name: string, where: string): FaultTarget {
  const known = targetsOf.get(world);
  const t = known?.get(DYNAMIC.exec(name)![1]!);
  if (t !== undefined) return t;
  const list = known === undefined || known.size === 0 ? 'this cluster defines none' : `known: ${[...known.values()].map((x) => x.usage).join(', ')}`;
  throw new UsageError(`${where}: unknown target '${name}' (${list})`);
}

// ------------------------------------------------------------------ validation

export interface ScriptBounds {
  /** The end of the run (fault phase plus quiesce): a fault after it would never apply. */
  readonly endMs: number;
  /** For the message: the two phases. */
  readonly faultPhaseMs: number;
  readonly quiesceMs: number;
}

/**
 * Checks the script against this world before the run: every name is a process or host (or a
 * defined named target whose argument exists), each kind's own rules hold, and, with bounds, no
 * fault starts after the end of the run. Errors are one line and name the script's file and line.
 */
export function validateScript(world: World, faults: readonly Fault[], bounds?: ScriptBounds): void {
  for (const f of faults) {
    const where = whereOf(f);
    if (f.when !== undefined) validateTrigger(world, f.when, where);
    else if (bounds !== undefined && f.atMs > bounds.endMs) {
      throw new UsageError(`${where}: at ${formatDuration(f.atMs)} is after the end of the run at ${formatDuration(bounds.endMs)} (fault phase ${formatDuration(bounds.faultPhaseMs)} + quiesce ${formatDuration(bounds.quiesceMs)}): it would never apply`);
    }
    const def = kindOf(f.action);
    for (const n of def.names(f.action)) {
      if (!isNamedTarget(n)) {
        resolveHost(world, n, where);
        continue;
      }
      const why = targetOf(world, n, where).check(DYNAMIC.exec(n)![2]!.trim());
      if (why !== null) throw new UsageError(`${where}: target '${n}' can name nothing: ${why}`);
    }
    def.validate(world, f.action, (n) => (isNamedTarget(n) ? null : resolveHost(world, n, where)), where);
  }
}

// ------------------------------------------------------------------ applying faults to a world

/** Applies one fault now and schedules its undo. */
export function applyFault(world: World, f: Fault): void {
  const desc = formatFault(f);
  const def = kindOf(f.action);
  const dynamic = def.names(f.action).filter(isNamedTarget);
  let a = f.action;
  if (dynamic.length > 0) {
    let nobody: string | null = null;
    a = def.rename(f.action, (n) => {
      const x = resolveName(world, n, `fault '${desc}'`);
      if (x === null && nobody === null) nobody = n;
      return x ?? n;
    });
    if (nobody !== null) {
      if (world.tracing) world.line({ type: 'fault', kind: f.action.kind, desc: `${desc}: skipped, ${nobody} names nobody now` });
      noteStory(world, `fault skipped: ${formatAction(f.action)} (${nobody} names nobody now)`);
      return;
    }
    if (world.tracing) world.annotate(-1, `${desc}: ${dynamic.map((n) => `${n} is ${resolveName(world, n, desc) ?? 'nobody'}`).join(', ')}`);
  }
  const forText = f.durationMs !== undefined ? ` for ${formatDuration(f.durationMs)}` : '';
  noteStory(world, dynamic.length > 0
    ? `fault: ${formatAction(a)}${forText} (${dynamic.map((n) => `${n} was ${resolveName(world, n, desc) ?? 'nobody'}`).join(', ')})`
    : `fault: ${formatAction(a)}${forText}`);
  const undoAtUs = f.durationMs !== undefined ? world.nowUs + f.durationMs * MS : -1;
  const ctx: ApplyContext = {
    world, desc, undoAtUs,
    proc: (n: string): ProcessId => world.pid(n),
    host: (n: string): HostId => resolveHost(world, n, desc),
  };
  const state = def.apply(ctx, a);
  const undo = def.undo;
  if (state !== undefined && undo !== null && undoAtUs >= 0) {
    world.schedule(undoAtUs, () => {
      noteStory(world, `fault over: ${formatAction(a)}`);
      undo(ctx, a, state);
    });
  }
}

/** Schedules every fault of a script (times relative to the run's start) and arms its triggers. */
export function scheduleFaults(world: World, faults: readonly Fault[]): void {
  for (const f of faults) {
    if (f.when !== undefined) armTrigger(world, f.when, () => applyFault(world, f));
    else world.schedule(f.atMs * MS, () => applyFault(world, f));
  }
}

/** End of the fault phase: every fault is lifted so the healed system can converge. */
export function healEverything(world: World): void {
  disarmTriggers(world);
  world.net.healAll();
  for (let h = 0; h < world.hostNames.length; h++) {
    const disk = world.disks[h]!;
    disk.setSlowFactor(1);
    disk.capacityOverride = null;
    world.clocks[h]!.reset();
    clearLayers(disk, world.clocks[h]!);
    disk.failWrites = false;
    if (!world.powered[h]) world.powerOn(h as HostId, false);
  }
  for (let p = 0; p < world.processCount; p++) {
    const pid = p as ProcessId;
    if (!world.isUp(pid)) {
      if (world.wanted[pid]) world.start(pid);
    }
    else while (world.isPaused(pid)) world.resume(pid);
  }
  if (world.tracing) world.line({ type: 'heal', desc: 'end of fault phase: every fault lifted' });
  noteStory(world, 'end of the fault phase: every fault lifted (network healed, hosts powered, processes started)');
}
