import { describe, expect, it } from 'vitest';
import { Rng } from '../../sim/core/rng.ts';
import { SEC } from '../../sim/core/types.ts';
import type { World } from '../../sim/world/world.ts';
import { applyFault, cutsOf, parseFault } from '../../sim/harness/faults.ts';
import { generateFaults } from '../../sim/harness/nemesis.ts';
import { addProbe, constantNetwork, testWorld, type Data, type Probe } from './fixtures.ts';

// Partitions act on hosts and cut directed links. For every fault shape, every ordered host pair
// is checked twice: in the network's cut table and end to end (a datagram from every process to
// every other one during the fault). Healing restores every link.

const HOSTS = ['h0', 'h1', 'h2', 'h3', 'h4'];

interface Cluster {
  readonly world: World;
  readonly probes: Probe[];
}

function cluster(): Cluster {
  const world = testWorld({ network: constantNetwork(100) });
  const probes = HOSTS.map((h, i) => addProbe(world, `p${i}`, h));
  return { world, probes };
}

/** Which ordered pairs (i, j) can deliver a datagram right now, end to end. */
function reachability(c: Cluster, atUs: number): boolean[][] {
  const before = c.probes.map((p) => p.of('msg').length);
  c.world.schedule(atUs, () => {
    for (const a of c.probes) for (const b of c.probes) if (a !== b) a.ctx.sendDatagram(b.pid, { type: 'Data', n: a.pid * 100 + b.pid } as Data, 10);
  });
  c.world.runUntil(atUs + 10_000);
  return c.probes.map((a) => c.probes.map((b) => {
    if (a === b) return true;
    return b.of('msg').slice(before[b.pid]).some((e) => e.from === a.name);
  }));
}

function cutTable(c: Cluster): boolean[][] {
  return HOSTS.map((_, s) => HOSTS.map((__, d) => c.world.net.isCut(s, d)));
}

/** Expected cut matrix from a predicate over host indexes. */
function expected(cut: (s: number, d: number) => boolean): boolean[][] {
  return HOSTS.map((_, s) => HOSTS.map((__, d) => s !== d && cut(s, d)));
}

const not = (m: boolean[][]): boolean[][] => m.map((row) => row.map((x) => !x));

function checkFault(line: string, cut: (s: number, d: number) => boolean): void {
  const c = cluster();
  c.world.runUntil(1 * SEC);
  applyFault(c.world, parseFault(line, 'test'));
  const want = expected(cut);
  expect(cutTable(c)).toEqual(want);
  expect(reachability(c, 1 * SEC + 1000)).toEqual(not(want));
  // Every fault in these tests lasts 5 s: afterwards every link works again.
  c.world.runUntil(7 * SEC);
  expect(c.world.net.anyCut).toBe(false);
  expect(reachability(c, 8 * SEC)).toEqual(not(expected(() => false)));
}

const side = (groups: number[][]) => (h: number): number => groups.findIndex((g) => g.includes(h));

describe('partition shapes cut exactly the right directed links', () => {
  it('partition a | b: every link between the groups, both ways, and none inside a group', () => {
    const g = side([[0, 1], [2, 3, 4]]);
    checkFault('at 1s partition h0,h1 | h2,h3,h4 for 5s', (s, d) => g(s) !== g(d));
  });

  it('partition into three groups', () => {
    const g = side([[0], [1, 2], [3, 4]]);
    checkFault('at 1s partition h0 | h1,h2 | h3,h4 for 5s', (s, d) => g(s) !== g(d));
  });

  it('partition names processes or hosts alike (a process name means its host)', () => {
    const g = side([[0, 1], [2, 3, 4]]);
    checkFault('at 1s partition p0,h1 | p2,p3,h4 for 5s', (s, d) => g(s) !== g(d));
  });

  it('partition with hosts left out of every group leaves them connected to everyone (bridge)', () => {
    const g = side([[0, 1], [3, 4]]);
    checkFault('at 1s partition h0,h1 | h3,h4 for 5s', (s, d) => g(s) >= 0 && g(d) >= 0 && g(s) !== g(d));
  });

  it('isolate: every link to and from one host', () => {
    checkFault('at 1s isolate h2 for 5s', (s, d) => s === 2 || d === 2);
  });

  it('cut a -> b is one-way: a cannot reach b, b still reaches a', () => {
    checkFault('at 1s cut h1 -> h3 for 5s', (s, d) => s === 1 && d === 3);
  });

  it('cut a,b -> c,d cuts the four directed links from the left set to the right set only', () => {
    checkFault('at 1s cut h0,h1 -> h3,h4 for 5s', (s, d) => s <= 1 && d >= 3);
  });

  it('two processes on one host are never cut from each other', () => {
    const world = testWorld({ network: constantNetwork(100) });
    addProbe(world, 'x', 'shared');
    addProbe(world, 'y', 'shared');
    addProbe(world, 'z', 'other');
    world.runUntil(1 * SEC);
    applyFault(world, parseFault('at 1s partition x | y,z', 'test'));
    // x and y share a host: the partition of hosts 'shared' | 'shared','other' cuts shared<->other only.
    expect(world.net.cutPairs()).toEqual([[0, 1], [1, 0]]);
  });
});

describe('the nemesis bridge', () => {
  it('leaves exactly one host talking to both sides, which cannot talk to each other', () => {
    const c = cluster();
    const hosts = HOSTS.slice();
    for (let seed = 1; seed <= 20; seed++) {
      const { faults } = generateFaults(new Rng(seed), {
        kinds: ['bridge'], processes: [], hosts, meanIntervalMs: 1000, durationMsMin: 1000, durationMsMax: 2000, maxDown: 1,
      }, 10_000);
      expect(faults.length).toBeGreaterThan(0);
      for (const f of faults) {
        const pairs = cutsOf(c.world, f.action);
        const isCut = (s: number, d: number): boolean => pairs.some(([a, b]) => a === s && b === d);
        const bridges = HOSTS.map((_, h) => h).filter((h) => HOSTS.every((_, o) => !isCut(h, o) && !isCut(o, h)));
        expect(bridges.length).toBe(1);
        const others = HOSTS.map((_, h) => h).filter((h) => h !== bridges[0]);
        // The others split in two non-empty sides, cut both ways between them, whole inside.
        const a = others.filter((h) => !isCut(others[0]!, h));
        const b = others.filter((h) => isCut(others[0]!, h));
        expect(a.length).toBeGreaterThan(0);
        expect(b.length).toBeGreaterThan(0);
        for (const x of a) for (const y of b) expect(isCut(x, y) && isCut(y, x)).toBe(true);
        for (const side of [a, b]) for (const x of side) for (const y of side) expect(isCut(x, y)).toBe(false);
      }
    }
  });
});

describe('healing', () => {
  it('heal lifts every cut at once, including faults with a later end', () => {
    const c = cluster();
    c.world.runUntil(1 * SEC);
    applyFault(c.world, parseFault('at 1s partition h0 | h1,h2,h3,h4 for 60s', 'test'));
    applyFault(c.world, parseFault('at 1s cut h3 -> h4', 'test'));
    expect(c.world.net.cutPairs().length).toBe(9);
    applyFault(c.world, parseFault('at 1s heal', 'test'));
    expect(c.world.net.anyCut).toBe(false);
    expect(reachability(c, 2 * SEC)).toEqual(not(expected(() => false)));
  });

  it('the end of one fault restores only its own links', () => {
    const c = cluster();
    c.world.runUntil(1 * SEC);
    applyFault(c.world, parseFault('at 1s isolate h0 for 2s', 'test'));
    applyFault(c.world, parseFault('at 1s cut h3 -> h4 for 10s', 'test'));
    c.world.runUntil(5 * SEC);
    expect(c.world.net.cutPairs()).toEqual([[3, 4]]);
  });

  it('overlapping faults on the same links: the link stays cut until the last of them ends', () => {
    const c = cluster();
    c.world.runUntil(1 * SEC);
    applyFault(c.world, parseFault('at 1s partition h0 | h1,h2,h3,h4 for 10s', 'test'));
    c.world.runUntil(2 * SEC);
    applyFault(c.world, parseFault('at 2s isolate h0 for 2s', 'test'));
    c.world.runUntil(5 * SEC); // the isolate ended at 4 s; the partition lasts until 11 s
    const g = side([[0], [1, 2, 3, 4]]);
    expect(cutTable(c)).toEqual(expected((s, d) => g(s) !== g(d)));
    c.world.runUntil(12 * SEC);
    expect(c.world.net.anyCut).toBe(false);
  });

  it('a fault lifted by heal does not, when its own end comes, lift a newer fault on the same links', () => {
    const c = cluster();
    c.world.runUntil(1 * SEC);
    applyFault(c.world, parseFault('at 1s isolate h0 for 10s', 'test')); // would end at 11 s
    c.world.runUntil(2 * SEC);
    applyFault(c.world, parseFault('at 2s heal', 'test'));
    c.world.runUntil(3 * SEC);
    applyFault(c.world, parseFault('at 3s isolate h0 for 10s', 'test')); // ends at 13 s
    c.world.runUntil(12 * SEC);
    expect(c.world.net.cutPairs().length).toBe(8);
    c.world.runUntil(13 * SEC);
    expect(c.world.net.anyCut).toBe(false);
  });
});
