import { UsageError } from '../../core/invariant.ts';
import type { HostId } from '../../core/types.ts';
import type { World } from '../../world/world.ts';
import { checkName, defineFaultKind, exactly, nameList, resolveHost, type ActionOf, type ApplyContext, type FaultAction, type FaultKindDef } from '../fault-kind.ts';
import { oneTarget } from './process.ts';

// Network faults act on hosts (a process name means its host): partition (groups that cannot reach
// each other), isolate (one host from all), cut (one way), clog (both ways held, then delivered),
// heal (every cut and clog lifted).

type CutKind = 'partition' | 'isolate' | 'cut';

function hostsOf(world: World, list: readonly string[]): HostId[] {
  return [...new Set(list.map((n) => resolveHost(world, n, 'fault')))];
}

/** Directed host pairs cut by a network fault (names already resolved); none for other kinds. */
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

interface Cut {
  readonly pairs: [number, number][];
  readonly healGeneration: number;
}

const names = (world: World, pairs: readonly [number, number][]): string[][] => pairs.map(([s, d]) => [world.hostNames[s]!, world.hostNames[d]!]);

/** Apply and undo of the link-cutting kinds: cut now, restore at the end unless a heal came first. */
const cutLinks = {
  apply({ world, desc }: ApplyContext, a: ActionOf<CutKind>): Cut {
    const pairs = cutsOf(world, a);
    world.net.cutLinks(pairs);
    if (world.tracing) world.line({ type: 'partition', cuts: names(world, pairs), desc });
    return { pairs, healGeneration: world.net.healGeneration };
  },
  undo({ world, desc }: ApplyContext, _a: ActionOf<CutKind>, cut: Cut): void {
    if (world.net.healGeneration !== cut.healGeneration) return; // already lifted by a heal
    world.net.restoreLinks(cut.pairs);
    if (world.tracing) world.line({ type: 'heal', desc: `end of: ${desc}`, cuts: names(world, cut.pairs) });
  },
};

/** Names that mean the same host in different groups (literal names only: named targets resolve later). */
function sameHostAcross(groups: readonly (readonly string[])[], host: (n: string) => HostId | null): [string, string] | null {
  const seen = new Map<HostId, [string, number]>();
  for (let g = 0; g < groups.length; g++) {
    for (const n of groups[g]!) {
      const h = host(n);
      if (h === null) continue;
      const prev = seen.get(h);
      if (prev !== undefined && prev[1] !== g) return [prev[0], n];
      if (prev === undefined) seen.set(h, [n, g]);
    }
  }
  return null;
}

const without = <T>(xs: readonly T[], i: number): T[] => xs.filter((_, j) => j !== i);

const PARTITION = 'partition <names> | <names> [| <names>...] [for <duration>]';

export const partition: FaultKindDef<'partition', Cut> = {
  usage: PARTITION,
  duration: 'optional',
  parse(words, where) {
    const texts = words.join(' ').split('|');
    if (texts.length < 2 || texts.some((g) => g.trim() === '')) throw new UsageError(`${where}: partition needs groups separated by '|', e.g. 'partition a,b | c'`);
    const groups = texts.map((g) => nameList(g, PARTITION, where));
    if (groups.length < 2) throw new UsageError(`${where}: partition needs groups separated by '|', e.g. 'partition a,b | c'`);
    const flat = groups.flat();
    const twice = flat.find((n, i) => flat.indexOf(n) !== i);
    if (twice !== undefined) throw new UsageError(`${where}: '${twice}' is named twice in the partition (a host cannot be on both sides)`);
    return { kind: 'partition', groups };
  },
  format: (a) => `partition ${a.groups.map((g) => g.join(',')).join(' | ')}`,
  names: (a) => a.groups.flat(),
  rename: (a, f) => ({ kind: 'partition', groups: a.groups.map((g) => g.map(f)) }),
  validate(_world, a, host, where) {
    const both = sameHostAcross(a.groups, host);
    if (both !== null) throw new UsageError(`${where}: '${both[0]}' and '${both[1]}' are the same host, on both sides of the partition`);
  },
  apply: cutLinks.apply,
  undo: cutLinks.undo,
  random: {
    partition: {
      slot: 'none',
      usable: (pool) => pool.hosts.length >= 2,
      generate(draw, pool) {
        const shuffled = draw.shuffle(pool.hosts);
        const cut = draw.int(1, Math.floor(shuffled.length / 2));
        return { kind: 'partition', groups: [shuffled.slice(0, cut), shuffled.slice(cut)] };
      },
    },
    bridge: {
      slot: 'none',
      usable: (pool) => pool.hosts.length >= 3,
      generate(draw, pool) {
        // Two sides that cannot talk, and one host in the middle that talks to both.
        const rest = draw.shuffle(pool.hosts).slice(1);
        const cut = draw.int(1, rest.length - 1);
        return { kind: 'partition', groups: [rest.slice(0, cut), rest.slice(cut)] };
      },
    },
  },
  shrink(a) {
    // Fewer groups (never below two), then fewer hosts in a group (never empty).
    const out: ActionOf<'partition'>[] = [];
    if (a.groups.length > 2) for (let g = 0; g < a.groups.length; g++) out.push({ kind: 'partition', groups: without(a.groups, g) });
    a.groups.forEach((group, g) => {
      if (group.length < 2) return;
      for (let h = 0; h < group.length; h++) out.push({ kind: 'partition', groups: a.groups.map((x, j) => (j === g ? without(x, h) : x)) });
    });
    return out;
  },
};

export const isolate: FaultKindDef<'isolate', Cut> = {
  ...oneTarget('isolate', 'isolate <host> [for <duration>]'),
  duration: 'optional',
  validate: () => undefined,
  apply: cutLinks.apply,
  undo: cutLinks.undo,
  random: {
    isolate: {
      slot: 'none',
      usable: (pool) => pool.hosts.length >= 2,
      generate: (draw, pool) => ({ kind: 'isolate', target: draw.pick(pool.hosts) }),
    },
  },
};

const CUT = 'cut <names> -> <names> [for <duration>]';

export const cut: FaultKindDef<'cut', Cut> = {
  usage: CUT,
  duration: 'optional',
  parse(words, where) {
    const parts = words.join(' ').split('->');
    if (parts.length !== 2) throw new UsageError(`${where}: cut needs 'cut a,b -> c'`);
    return { kind: 'cut', from: nameList(parts[0]!, CUT, where), to: nameList(parts[1]!, CUT, where) };
  },
  format: (a) => `cut ${a.from.join(',')} -> ${a.to.join(',')}`,
  names: (a) => [...a.from, ...a.to],
  rename: (a, f) => ({ kind: 'cut', from: a.from.map(f), to: a.to.map(f) }),
  validate(_world, a, host, where) {
    // A host on both sides would cut its links to itself: a no-op the script's author did not mean.
    for (const x of a.from) {
      const hx = host(x);
      const same = a.to.find((y) => y === x || (hx !== null && host(y) === hx));
      if (same !== undefined) throw new UsageError(`${where}: '${x}' and '${same}' are the same host, on both sides of the cut`);
    }
  },
  apply: cutLinks.apply,
  undo: cutLinks.undo,
  random: {
    cut: {
      slot: 'none',
      usable: (pool) => pool.hosts.length >= 2,
      generate(draw, pool) {
        const [a, b] = draw.shuffle(pool.hosts);
        return { kind: 'cut', from: [a!], to: [b!] };
      },
    },
  },
  shrink(a) {
    const out: ActionOf<'cut'>[] = [];
    if (a.from.length > 1) for (let h = 0; h < a.from.length; h++) out.push({ kind: 'cut', from: without(a.from, h), to: a.to });
    if (a.to.length > 1) for (let h = 0; h < a.to.length; h++) out.push({ kind: 'cut', from: a.from, to: without(a.to, h) });
    return out;
  },
};

export const heal = defineFaultKind<'heal'>({
  usage: 'heal',
  duration: 'none',
  parse(words, where) {
    exactly(words, 0, 'heal', where);
    return { kind: 'heal' };
  },
  format: () => 'heal',
  names: () => [],
  rename: (a) => a,
  validate: () => undefined,
  apply({ world }) {
    world.net.healAll();
    if (world.tracing) world.line({ type: 'heal', desc: 'heal all' });
    return undefined;
  },
  undo: null,
  random: {},
  shrink: () => [],
});

const CLOG = 'clog <host> <host> [for <duration>]';

export const clog = defineFaultKind<'clog'>({
  usage: CLOG,
  duration: 'optional',
  parse(words, where) {
    exactly(words, 2, CLOG, where);
    return { kind: 'clog', a: checkName(words[0]!, CLOG, where), b: checkName(words[1]!, CLOG, where) };
  },
  format: (a) => `clog ${a.a} ${a.b}`,
  names: (a) => [a.a, a.b],
  rename: (a, f) => ({ kind: 'clog', a: f(a.a), b: f(a.b) }),
  validate(_world, a, host, where) {
    const x = host(a.a);
    if (x !== null && x === host(a.b)) throw new UsageError(`${where}: '${a.a}' and '${a.b}' are the same host; clog needs two`);
  },
  apply({ world, host, undoAtUs, desc }, a) {
    const x = host(a.a);
    const y = host(a.b);
    // Held messages are released at the end by the network itself: nothing to undo here.
    const until = undoAtUs >= 0 ? undoAtUs : Infinity;
    world.net.clog(x, y, until);
    world.net.clog(y, x, until);
    if (world.tracing) world.line({ type: 'fault', kind: 'clog', desc });
    return undefined;
  },
  undo: null,
  random: {
    clog: {
      slot: 'none',
      usable: (pool) => pool.hosts.length >= 2,
      generate(draw, pool) {
        const [a, b] = draw.shuffle(pool.hosts);
        return { kind: 'clog', a: a!, b: b! };
      },
    },
  },
  shrink: () => [],
});
