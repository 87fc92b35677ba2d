import { UsageError } from '../../core/invariant.ts';
import { MS } from '../../core/types.ts';
import type { Clock } from '../../env/clock.ts';
import type { Disk } from '../../env/disk.ts';
import { checkName, defineFaultKind, exactly, formatDuration, parseDuration, type ApplyContext } from '../fault-kind.ts';
import { oneTarget } from './process.ts';

// Disk and clock faults of a host: slow-disk (x10, or stalled), disk-full (no space beyond what is
// used now), disk-error (writes fail with EIO, a failing drive), corrupt (flip bytes in a file on
// the disk, instantly) and clock (offset and drift of the host's local clock).

/**
 * Faults that set a value on a host (disk speed, disk full, clock) stack per target: the newest one
 * still active is in force; when it ends, the one before it applies again, or the normal value when
 * none is left. (Restoring a value captured at the start would bring back an earlier fault that had
 * already ended, or end a longer one early.) healEverything clears every stack (clearLayers).
 */
export interface Layer {
  readonly apply: () => void;
}
type Layers = WeakMap<object, Layer[]>;
const slowDiskLayers: Layers = new WeakMap();
const diskFullLayers: Layers = new WeakMap();
const diskErrorLayers: Layers = new WeakMap();
const clockLayers: Layers = new WeakMap();

function pushLayer(layers: Layers, target: object, apply: () => void): Layer {
  let stack = layers.get(target);
  if (stack === undefined) layers.set(target, (stack = []));
  const mine: Layer = { apply };
  stack.push(mine);
  apply();
  return mine;
}

function popLayer(layers: Layers, target: object, mine: Layer, normal: () => void): void {
  const s = layers.get(target);
  const i = s === undefined ? -1 : s.indexOf(mine);
  if (s === undefined || i < 0) return; // lifted by healEverything meanwhile
  s.splice(i, 1);
  if (i < s.length) return; // a newer fault is in force
  if (s.length > 0) s[s.length - 1]!.apply();
  else normal();
}

/** Forgets every stacked value of this disk and clock (the fault phase ended; the caller resets them). */
export function clearLayers(disk: Disk, clock: Clock): void {
  slowDiskLayers.delete(disk);
  diskFullLayers.delete(disk);
  diskErrorLayers.delete(disk);
  clockLayers.delete(clock);
}

const diskOf = (ctx: ApplyContext, target: string): Disk => ctx.world.disks[ctx.host(target)]!;

const SLOW = 'slow-disk <host> x<factor>|stall [for <duration>]';

export const slowDisk = defineFaultKind<'slow-disk', { disk: Disk; layer: Layer }>({
  usage: SLOW,
  duration: 'optional',
  parse(words, where) {
    exactly(words, 2, SLOW, where);
    const f = words[1]!;
    const factor = f === 'stall' || f === 'x0' ? Infinity : Number(f.replace(/^x/, ''));
    if (!(factor >= 1)) throw new UsageError(`${where}: slow-disk factor must be like x10 (>= 1) or 'stall', got '${f}'`);
    return { kind: 'slow-disk', target: checkName(words[0]!, SLOW, where), factor };
  },
  format: (a) => `slow-disk ${a.target} ${Number.isFinite(a.factor) ? `x${a.factor}` : 'stall'}`,
  names: (a) => [a.target],
  rename: (a, f) => ({ ...a, target: f(a.target) }),
  validate: () => undefined,
  apply(ctx, a) {
    const disk = diskOf(ctx, a.target);
    const layer = pushLayer(slowDiskLayers, disk, () => disk.setSlowFactor(a.factor));
    if (ctx.world.tracing) ctx.world.line({ type: 'fault', kind: 'slow-disk', desc: ctx.desc });
    return { disk, layer };
  },
  undo: (_ctx, _a, { disk, layer }) => popLayer(slowDiskLayers, disk, layer, () => disk.setSlowFactor(1)),
  random: {
    'slow-disk': {
      slot: 'none',
      usable: (pool) => pool.hosts.length > 0,
      generate: (draw, pool) => ({ kind: 'slow-disk', target: draw.pick(pool.hosts), factor: draw.pick([5, 20, 100]) }),
    },
  },
  shrink: () => [],
});

export const diskFull = defineFaultKind<'disk-full', { disk: Disk; layer: Layer }>({
  ...oneTarget('disk-full', 'disk-full <host> [for <duration>]'),
  duration: 'optional',
  validate: () => undefined,
  apply(ctx, a) {
    const disk = diskOf(ctx, a.target);
    const fullAt = disk.used;
    const layer = pushLayer(diskFullLayers, disk, () => { disk.capacityOverride = fullAt; });
    if (ctx.world.tracing) ctx.world.line({ type: 'fault', kind: 'disk-full', desc: ctx.desc });
    return { disk, layer };
  },
  undo: (_ctx, _a, { disk, layer }) => popLayer(diskFullLayers, disk, layer, () => { disk.capacityOverride = null; }),
  random: {
    // A full disk is something HDFS tolerates on a DataNode (writes to it fail, the pipeline drops
    // it, placement avoids it once its storage report shows no room): hdfs-random-faults draws it.
    'disk-full': {
      slot: 'none',
      usable: (pool) => pool.diskFullHosts.length > 0,
      generate: (draw, pool) => ({ kind: 'disk-full', target: draw.pick(pool.diskFullHosts) }),
    },
  },
});

export const diskError = defineFaultKind<'disk-error', { disk: Disk; layer: Layer }>({
  ...oneTarget('disk-error', 'disk-error <host> [for <duration>]'),
  duration: 'optional',
  validate: () => undefined,
  apply(ctx, a) {
    const disk = diskOf(ctx, a.target);
    const layer = pushLayer(diskErrorLayers, disk, () => { disk.failWrites = true; });
    if (ctx.world.tracing) ctx.world.line({ type: 'fault', kind: 'disk-error', desc: ctx.desc });
    return { disk, layer };
  },
  undo: (_ctx, _a, { disk, layer }) => popLayer(diskErrorLayers, disk, layer, () => { disk.failWrites = false; }),
  random: {},
});

const CORRUPT = 'corrupt <host> [<file>]';

export const corrupt = defineFaultKind<'corrupt'>({
  usage: CORRUPT,
  duration: 'none',
  parse(words, where) {
    if (words.length === 0 || words.length > 2) exactly(words, words.length === 0 ? 1 : 2, CORRUPT, where);
    const target = checkName(words[0]!, CORRUPT, where);
    return words[1] !== undefined ? { kind: 'corrupt', target, file: words[1] } : { kind: 'corrupt', target };
  },
  format: (a) => `corrupt ${a.target}${a.file !== undefined ? ` ${a.file}` : ''}`,
  names: (a) => [a.target],
  rename: (a, f) => ({ ...a, target: f(a.target) }),
  validate: () => undefined,
  apply({ world, host }, a) {
    const h = host(a.target);
    world.disks[h]!.corrupt(world.rng.fork(`corrupt/${world.hostNames[h]}/${world.nowUs}`), a.file);
    return undefined;
  },
  undo: null,
  random: {},
  shrink: () => [],
});

const CLOCK = 'clock <host> offset [-]<duration> [drift <n>ppm] [for <duration>]';

export const clock = defineFaultKind<'clock', { clock: Clock; layer: Layer }>({
  usage: CLOCK,
  duration: 'optional',
  parse(words, where) {
    const cm = /^(\S+)\s+offset\s+(-?\S+?)(?:\s+drift\s+(-?\d+(?:\.\d+)?)ppm)?$/.exec(words.join(' '));
    if (cm === null) throw new UsageError(`${where}: clock needs 'clock <host> offset <duration> [drift <n>ppm]', got 'clock ${words.join(' ')}'`);
    const neg = cm[2]!.startsWith('-');
    const off = parseDuration(neg ? cm[2]!.slice(1) : cm[2]!, where);
    return { kind: 'clock', target: checkName(cm[1]!, CLOCK, where), offsetMs: neg ? -off : off, driftPpm: cm[3] !== undefined ? Number(cm[3]) : 0 };
  },
  format: (a) => `clock ${a.target} offset ${formatDuration(a.offsetMs)} drift ${a.driftPpm}ppm`,
  names: (a) => [a.target],
  rename: (a, f) => ({ ...a, target: f(a.target) }),
  validate: () => undefined,
  apply(ctx, a) {
    const { world } = ctx;
    const c = world.clocks[ctx.host(a.target)]!;
    const layer = pushLayer(clockLayers, c, () => c.set(world.nowUs, a.offsetMs * MS, a.driftPpm));
    if (world.tracing) world.line({ type: 'fault', kind: 'clock', desc: ctx.desc });
    return { clock: c, layer };
  },
  undo: (_ctx, _a, { clock: c, layer }) => popLayer(clockLayers, c, layer, () => c.reset()),
  random: {
    clock: {
      slot: 'none',
      usable: (pool) => pool.hosts.length > 0,
      generate: (draw, pool) => ({ kind: 'clock', target: draw.pick(pool.hosts), offsetMs: draw.int(-2000, 2000), driftPpm: draw.pick([-200, 0, 200]) }),
    },
  },
  shrink: () => [],
});
