import { UsageError } from '../core/invariant.ts';
import type { HostId, ProcessId } from '../core/types.ts';
import { MS } from '../core/types.ts';
import type { World } from '../world/world.ts';

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
// Names are process or host names; network faults act on hosts (a process name means its host).
// A system can also define named targets resolved when the fault applies, written `name(arg)`:
// Kafka defines `leader(events-0)` (the broker leading that partition now) and `controller()`:
//
//   at 20s crash leader(events-0) for 30s
//
// If the target names nothing at that moment (no leader), the fault is skipped and the trace says so.

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

export const FAULT_KINDS: readonly FaultKind[] = [
  'crash', 'restart', 'shutdown', 'pause', 'power-off', 'partition', 'isolate', 'cut', 'heal', 'clog',
  'slow-disk', 'disk-full', 'disk-error', 'corrupt', 'clock',
];

export interface Fault {
  readonly atMs: number;
  /** Undo after this long; absent: the fault stays until healed (or is instantaneous). */
  readonly durationMs?: number;
  readonly action: FaultAction;
}

// ------------------------------------------------------------------ text form

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

export function formatAction(a: FaultAction): string {
  switch (a.kind) {
    case 'partition':
      return `partition ${a.groups.map((g) => g.join(',')).join(' | ')}`;
    case 'cut':
      return `cut ${a.from.join(',')} -> ${a.to.join(',')}`;
    case 'heal':
      return 'heal';
    case 'clog':
      return `clog ${a.a} ${a.b}`;
    case 'slow-disk':
      return `slow-disk ${a.target} ${Number.isFinite(a.factor) ? `x${a.factor}` : 'stall'}`;
    case 'corrupt':
      return `corrupt ${a.target}${a.file !== undefined ? ` ${a.file}` : ''}`;
    case 'clock':
      return `clock ${a.target} offset ${formatDuration(a.offsetMs)} drift ${a.driftPpm}ppm`;
    default:
      return `${a.kind} ${a.target}`;
  }
}

export function formatFault(f: Fault): string {
  const dur = f.durationMs !== undefined ? ` for ${formatDuration(f.durationMs)}` : '';
  return `at ${formatDuration(f.atMs)} ${formatAction(f.action)}${dur}`;
}

export function formatScript(faults: readonly Fault[]): string {
  return faults.map(formatFault).join('\n') + (faults.length > 0 ? '\n' : '');
}

const names = (s: string): string[] => s.split(',').map((x) => x.trim()).filter((x) => x !== '');

export function parseFault(line: string, where: string): Fault {
  const text = line.replace(/#.*$/, '').trim();
  const m = /^at\s+(\S+)\s+(.*?)(?:\s+for\s+(\S+))?$/.exec(text);
  if (m === null) throw new UsageError(`${where}: expected 'at <time> <fault> [for <duration>]', got '${text}'`);
  const atMs = parseDuration(m[1]!, where);
  const durationMs = m[3] !== undefined ? parseDuration(m[3], where) : undefined;
  const body = m[2]!.trim();
  const [verb = '', ...rest] = body.split(/\s+/);
  const arg = rest.join(' ');
  const need = (n: number): void => {
    if (rest.length < n) throw new UsageError(`${where}: '${verb}' needs ${n} argument${n > 1 ? 's' : ''}`);
  };
  let action: FaultAction;
  switch (verb) {
    case 'crash': case 'restart': case 'shutdown': case 'pause': case 'power-off': case 'isolate': case 'disk-full': case 'disk-error':
      need(1);
      action = { kind: verb, target: rest[0]! };
      break;
    case 'partition': {
      const groups = arg.split('|').map(names);
      if (groups.length < 2 || groups.some((g) => g.length === 0)) throw new UsageError(`${where}: partition needs groups separated by '|', e.g. 'partition a,b | c'`);
      action = { kind: 'partition', groups };
      break;
    }
    case 'cut': {
      const parts = arg.split('->');
      if (parts.length !== 2) throw new UsageError(`${where}: cut needs 'cut a,b -> c'`);
      action = { kind: 'cut', from: names(parts[0]!), to: names(parts[1]!) };
      break;
    }
    case 'heal':
      action = { kind: 'heal' };
      break;
    case 'clog':
      need(2);
      action = { kind: 'clog', a: rest[0]!, b: rest[1]! };
      break;
    case 'slow-disk': {
      need(2);
      const f = rest[1]!;
      const factor = f === 'stall' || f === 'x0' ? Infinity : Number(f.replace(/^x/, ''));
      if (!(factor >= 1)) throw new UsageError(`${where}: slow-disk factor must be like x10 (>= 1) or 'stall', got '${f}'`);
      action = { kind: 'slow-disk', target: rest[0]!, factor };
      break;
    }
    case 'corrupt':
      need(1);
      action = rest[1] !== undefined ? { kind: 'corrupt', target: rest[0]!, file: rest[1] } : { kind: 'corrupt', target: rest[0]! };
      break;
    case 'clock': {
      const cm = /^(\S+)\s+offset\s+(-?\S+?)(?:\s+drift\s+(-?\d+(?:\.\d+)?)ppm)?$/.exec(arg);
      if (cm === null) throw new UsageError(`${where}: clock needs 'clock <host> offset <duration> [drift <n>ppm]'`);
      const neg = cm[2]!.startsWith('-');
      const off = parseDuration(neg ? cm[2]!.slice(1) : cm[2]!, where);
      action = { kind: 'clock', target: cm[1]!, offsetMs: neg ? -off : off, driftPpm: cm[3] !== undefined ? Number(cm[3]) : 0 };
      break;
    }
    default:
      throw new UsageError(`${where}: unknown fault '${verb}' (known: ${FAULT_KINDS.join(', ')})`);
  }
  return durationMs !== undefined ? { atMs, durationMs, action } : { atMs, action };
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
}

const DYNAMIC = /^([a-z][a-z0-9-]*)\(([^()]*)\)$/;
const targetsOf = new WeakMap<World, Map<string, FaultTarget>>();

/** Defines `name(arg)` for this world's fault scripts (a system's cluster builder calls it). */
export function defineFaultTarget(world: World, name: string, target: FaultTarget): void {
  let m = targetsOf.get(world);
  if (m === undefined) targetsOf.set(world, (m = new Map()));
  m.set(name, target);
}

function isDynamic(name: string): boolean {
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

/** The action with every named target resolved, or the first name that resolves to nobody. */
function resolveAction(world: World, a: FaultAction, where: string): FaultAction | { readonly nobody: string } {
  let nobody: string | null = null;
  const r = (n: string): string => {
    const x = resolveName(world, n, where);
    if (x === null && nobody === null) nobody = n;
    return x ?? n;
  };
  let out: FaultAction;
  switch (a.kind) {
    case 'partition': out = { kind: 'partition', groups: a.groups.map((g) => g.map(r)) }; break;
    case 'cut': out = { kind: 'cut', from: a.from.map(r), to: a.to.map(r) }; break;
    case 'heal': out = a; break;
    case 'clog': out = { kind: 'clog', a: r(a.a), b: r(a.b) }; break;
    default: out = { ...a, target: r(a.target) }; break;
  }
  return nobody !== null ? { nobody } : out;
}

// ------------------------------------------------------------------ applying faults to a world

/** Checks that every name in the script is a process or host of this world. */
export function validateScript(world: World, faults: readonly Fault[]): void {
  for (const f of faults) {
    for (const n of namesIn(f.action)) {
      // A named target must be defined; what it names is only known when the fault applies.
      if (isDynamic(n)) targetOf(world, n, `fault '${formatFault(f)}'`);
      else resolveHost(world, n, `fault '${formatFault(f)}'`);
    }
  }
  for (const f of faults) {
    const a = f.action;
    if ((a.kind === 'crash' || a.kind === 'restart' || a.kind === 'shutdown' || a.kind === 'pause') && !isDynamic(a.target) && !world.hasProcess(a.target)) {
      throw new UsageError(`fault '${formatFault(f)}': '${a.target}' is not a process`);
    }
  }
}

function namesIn(a: FaultAction): string[] {
  switch (a.kind) {
    case 'partition': return a.groups.flat();
    case 'cut': return [...a.from, ...a.to];
    case 'heal': return [];
    case 'clog': return [a.a, a.b];
    default: return [a.target];
  }
}

export function resolveHost(world: World, name: string, where: string): HostId {
  if (world.hasProcess(name)) return world.procHost[world.pid(name)]!;
  const h = world.findHost(name);
  if (h === undefined) throw new UsageError(`${where}: no process or host named '${name}'`);
  return h;
}

function hostsOf(world: World, list: readonly string[]): HostId[] {
  return [...new Set(list.map((n) => resolveHost(world, n, 'fault')))];
}

/** Directed host pairs cut by a network fault. */
export function cutsOf(world: World, a: FaultAction): [number, number][] {
  const pairs: [number, number][] = [];
  const all = world.hostNames.map((_, i) => i as HostId);
  const between = (xs: readonly HostId[], ys: readonly HostId[]): void => {
    for (const x of xs) for (const y of ys) if (x !== y) pairs.push([x, y]);
  };
  if (a.kind === 'partition') {
    const groups = a.groups.map((g) => hostsOf(world, g));
    for (let i = 0; i < groups.length; i++) for (let j = 0; j < groups.length; j++) if (i !== j) between(groups[i]!, groups[j]!);
  } else if (a.kind === 'isolate') {
    const h = hostsOf(world, [a.target]);
    between(h, all);
    between(all, h);
  } else if (a.kind === 'cut') {
    between(hostsOf(world, a.from), hostsOf(world, a.to));
  }
  return pairs;
}

/**
 * Faults that set a value on a host (disk speed, disk full, clock) stack per target: the newest one
 * still active is in force; when it ends, the one before it applies again, or the normal value when
 * none is left. (Restoring a value captured at the start would bring back an earlier fault that had
 * already ended, or end a longer one early.)
 */
interface Layer {
  readonly apply: () => void;
}
type Layers = WeakMap<object, Layer[]>;
const slowDiskLayers: Layers = new WeakMap();
const diskFullLayers: Layers = new WeakMap();
const diskErrorLayers: Layers = new WeakMap();
const clockLayers: Layers = new WeakMap();

function layer(layers: Layers, target: object, apply: () => void, normal: () => void, later: (fn: () => void) => void): void {
  let stack = layers.get(target);
  if (stack === undefined) layers.set(target, (stack = []));
  const mine: Layer = { apply };
  stack.push(mine);
  apply();
  later(() => {
    const s = layers.get(target);
    const i = s === undefined ? -1 : s.indexOf(mine);
    if (s === undefined || i < 0) return; // lifted by healEverything meanwhile
    s.splice(i, 1);
    if (i < s.length) return; // a newer fault is in force
    if (s.length > 0) s[s.length - 1]!.apply();
    else normal();
  });
}

/** Applies one fault now and schedules its undo. */
export function applyFault(world: World, f: Fault): void {
  const desc = formatFault(f);
  const resolved = namesIn(f.action).some(isDynamic) ? resolveAction(world, f.action, `fault '${desc}'`) : f.action;
  if ('nobody' in resolved) {
    if (world.tracing) world.line({ type: 'fault', kind: f.action.kind, desc: `${desc}: skipped, ${resolved.nobody} names nobody now` });
    return;
  }
  const a = resolved;
  if (a !== f.action && world.tracing) world.annotate(-1, `${desc}: ${namesIn(f.action).filter(isDynamic).map((n) => `${n} is ${resolveName(world, n, desc) ?? 'nobody'}`).join(', ')}`);
  const undoAt = f.durationMs !== undefined ? world.nowUs + f.durationMs * MS : -1;
  const later = (fn: () => void): void => {
    if (undoAt >= 0) world.schedule(undoAt, fn);
  };
  const proc = (n: string): ProcessId => world.pid(n);
  const host = (n: string): HostId => resolveHost(world, n, desc);
  switch (a.kind) {
    case 'crash': {
      const p = proc(a.target);
      // Already down (another fault): nothing to crash, and its end must not restart it early.
      if (!world.isUp(p)) return;
      world.crash(p, 'nemesis');
      later(() => world.start(p));
      return;
    }
    case 'restart':
      world.restart(proc(a.target));
      return;
    case 'shutdown': {
      const p = proc(a.target);
      if (!world.isUp(p)) return;
      if (world.tracing) world.line({ type: 'fault', kind: 'shutdown', desc });
      world.shutdown(p);
      later(() => world.start(p));
      return;
    }
    case 'pause': {
      const p = proc(a.target);
      if (!world.isUp(p)) return;
      world.pause(p, 'nemesis pause');
      later(() => world.resume(p));
      return;
    }
    case 'power-off': {
      const h = host(a.target);
      if (!world.powered[h]) return; // already off: its end must not power the host on early
      world.powerOff(h);
      later(() => world.powerOn(h));
      return;
    }
    case 'partition': case 'isolate': case 'cut': {
      const pairs = cutsOf(world, a);
      world.net.cutLinks(pairs);
      const healGeneration = world.net.healGeneration;
      if (world.tracing) world.line({ type: 'partition', cuts: pairs.map(([s, d]) => [world.hostNames[s]!, world.hostNames[d]!]), desc });
      later(() => {
        if (world.net.healGeneration !== healGeneration) return; // already lifted by a heal
        world.net.restoreLinks(pairs);
        if (world.tracing) world.line({ type: 'heal', desc: `end of: ${desc}`, cuts: pairs.map(([s, d]) => [world.hostNames[s]!, world.hostNames[d]!]) });
      });
      return;
    }
    case 'heal':
      world.net.healAll();
      if (world.tracing) world.line({ type: 'heal', desc: 'heal all' });
      return;
    case 'clog': {
      const x = host(a.a);
      const y = host(a.b);
      const until = undoAt >= 0 ? undoAt : Infinity;
      world.net.clog(x, y, until);
      world.net.clog(y, x, until);
      if (world.tracing) world.line({ type: 'fault', kind: 'clog', desc });
      return;
    }
    case 'slow-disk': {
      const d = world.disks[host(a.target)]!;
      layer(slowDiskLayers, d, () => d.setSlowFactor(a.factor), () => d.setSlowFactor(1), later);
      if (world.tracing) world.line({ type: 'fault', kind: 'slow-disk', desc });
      return;
    }
    case 'disk-full': {
      const d = world.disks[host(a.target)]!;
      const fullAt = d.used;
      layer(diskFullLayers, d, () => { d.capacityOverride = fullAt; }, () => { d.capacityOverride = null; }, later);
      if (world.tracing) world.line({ type: 'fault', kind: 'disk-full', desc });
      return;
    }
    case 'disk-error': {
      const d = world.disks[host(a.target)]!;
      layer(diskErrorLayers, d, () => { d.failWrites = true; }, () => { d.failWrites = false; }, later);
      if (world.tracing) world.line({ type: 'fault', kind: 'disk-error', desc });
      return;
    }
    case 'corrupt': {
      const h = host(a.target);
      world.disks[h]!.corrupt(world.rng.fork(`corrupt/${world.hostNames[h]}/${world.nowUs}`), a.file);
      return;
    }
    case 'clock': {
      const c = world.clocks[host(a.target)]!;
      layer(clockLayers, c, () => c.set(world.nowUs, a.offsetMs * MS, a.driftPpm), () => c.reset(), later);
      if (world.tracing) world.line({ type: 'fault', kind: 'clock', desc });
      return;
    }
  }
}

/** Schedules every fault of a script (times relative to the run's start). */
export function scheduleFaults(world: World, faults: readonly Fault[]): void {
  for (const f of faults) world.schedule(f.atMs * MS, () => applyFault(world, f));
}

/** End of the fault phase: every fault is lifted so the healed system can converge. */
export function healEverything(world: World): void {
  world.net.healAll();
  for (let h = 0; h < world.hostNames.length; h++) {
    const disk = world.disks[h]!;
    disk.setSlowFactor(1);
    disk.capacityOverride = null;
    world.clocks[h]!.reset();
    slowDiskLayers.delete(disk);
    diskFullLayers.delete(disk);
    diskErrorLayers.delete(disk);
    disk.failWrites = false;
    clockLayers.delete(world.clocks[h]!);
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
}
