import { UsageError } from '../../core/invariant.ts';
import type { HostId, ProcessId } from '../../core/types.ts';
import type { World } from '../../world/world.ts';
import { checkName, defineFaultKind, exactly, type Draw, type DownSlot, type Pool } from '../fault-kind.ts';

// Process faults: crash (kill -9, restarted after `for`), restart (crash and start at once),
// shutdown (an orderly stop, SIGTERM), pause (a GC-like stall) and power-off (the host loses
// power: every process on it dies and its disk loses what was not fsynced).

type ProcKind = 'crash' | 'restart' | 'shutdown' | 'pause';
type OneTargetKind = ProcKind | 'power-off' | 'isolate' | 'disk-full' | 'disk-error';
/** The action of a kind that acts on one name (for these kinds, the same type as ActionOf<K>). */
interface OneTargetAction<K extends OneTargetKind> {
  readonly kind: K;
  readonly target: string;
}

/** Usage, parse, format, names, rename and shrink of a kind whose action is one target. */
export function oneTarget<K extends OneTargetKind>(kind: K, usage: string) {
  return {
    usage,
    parse(words: readonly string[], where: string): OneTargetAction<K> {
      exactly(words, 1, usage, where);
      return { kind, target: checkName(words[0]!, usage, where) };
    },
    format: (a: OneTargetAction<K>): string => `${kind} ${a.target}`,
    names: (a: OneTargetAction<K>): readonly string[] => [a.target],
    rename: (a: OneTargetAction<K>, f: (n: string) => string): OneTargetAction<K> => ({ kind: a.kind, target: f(a.target) }),
    shrink: (): readonly OneTargetAction<K>[] => [],
  };
}

/** A literal target must be a process, not only a host (a named target is checked when it applies). */
function mustBeProcess(world: World, a: { readonly target: string }, host: (n: string) => HostId | null, where: string): void {
  if (host(a.target) !== null && !world.hasProcess(a.target)) throw new UsageError(`${where}: '${a.target}' is not a process`);
}

function processGen<K extends ProcKind>(kind: K, slot: DownSlot) {
  return {
    slot,
    usable: (pool: Pool): boolean => pool.processes.length > 0,
    generate: (draw: Draw, pool: Pool): OneTargetAction<K> => ({ kind, target: draw.pick(pool.processes) }),
  };
}

export const crash = defineFaultKind<'crash', ProcessId>({
  ...oneTarget('crash', 'crash <process> [for <duration>]'),
  duration: 'optional',
  validate: mustBeProcess,
  apply({ world, proc }, a) {
    const p = proc(a.target);
    // Already down (another fault): nothing to crash, and its end must not restart it early.
    if (!world.isUp(p)) return undefined;
    world.crash(p, 'nemesis');
    return p;
  },
  undo: ({ world }, _a, p) => world.start(p),
  random: { crash: processGen('crash', 'process') },
});

export const restart = defineFaultKind<'restart'>({
  ...oneTarget('restart', 'restart <process>'),
  duration: 'none',
  validate: mustBeProcess,
  apply({ world, proc }, a) {
    world.restart(proc(a.target));
    return undefined;
  },
  undo: null,
  random: { restart: processGen('restart', 'process-instant') },
});

export const shutdown = defineFaultKind<'shutdown', ProcessId>({
  ...oneTarget('shutdown', 'shutdown <process> [for <duration>]'),
  duration: 'optional',
  validate: mustBeProcess,
  apply({ world, proc, desc }, a) {
    const p = proc(a.target);
    if (!world.isUp(p)) return undefined;
    if (world.tracing) world.line({ type: 'fault', kind: 'shutdown', desc });
    world.shutdown(p);
    return p;
  },
  undo: ({ world }, _a, p) => world.start(p),
  random: { shutdown: processGen('shutdown', 'process') },
});

export const pause = defineFaultKind<'pause', ProcessId>({
  ...oneTarget('pause', 'pause <process> [for <duration>]'),
  duration: 'optional',
  validate: mustBeProcess,
  apply({ world, proc }, a) {
    const p = proc(a.target);
    if (!world.isUp(p)) return undefined;
    world.pause(p, 'nemesis pause');
    return p;
  },
  undo: ({ world }, _a, p) => world.resume(p),
  random: { pause: processGen('pause', 'process') },
});

export const powerOff = defineFaultKind<'power-off', HostId>({
  ...oneTarget('power-off', 'power-off <host> [for <duration>]'),
  duration: 'optional',
  validate: () => undefined,
  apply({ world, host }, a) {
    const h = host(a.target);
    if (!world.powered[h]) return undefined; // already off: its end must not power the host on early
    world.powerOff(h);
    return h;
  },
  undo: ({ world }, _a, h) => world.powerOn(h),
  random: {
    'power-off': {
      slot: 'power',
      usable: (pool) => pool.powerOffHosts.length > 0,
      generate: (draw, pool) => ({ kind: 'power-off', target: draw.pick(pool.powerOffHosts) }),
    },
  },
});
