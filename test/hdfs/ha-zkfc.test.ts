import { describe, expect, it } from 'vitest';
import { SEC } from '../../sim/core/types.ts';
import type { Zkfc } from '../../sim/hdfs/ha/zkfc.ts';
import type { World } from '../../sim/world/world.ts';
import { haNnWorld } from './ha-nn-world.ts';

// Automatic failover (issue 13, step 3): a ZKFC beside each NameNode, the elector's lock on the
// ZooKeeper ensemble, the breadcrumb, fencing, transitionToActive.

const violations = (w: World): string[] => w.violations.map((v) => `${v.checker}: ${v.message}`);
const active = (w: World): string[] => ['nn-1', 'nn-2'].filter((n) => w.isUp(w.pid(n)) && (w.inspect(w.pid(n)) as { haState?: string }).haState === 'active');

describe('ZKFC', () => {
  it('elects one active; when it crashes the other ZKFC wins the lock, fences by the breadcrumb and makes its NameNode active', () => {
    const { world, nn, client } = haNnWorld({ zkfc: true, dirs: 60 });
    world.runUntil(15 * SEC);
    expect(active(world).length).toBe(1);
    const first = active(world)[0]!;
    const other = first === 'nn-1' ? 'nn-2' : 'nn-1';
    world.crash(world.pid(first));
    world.runUntil(60 * SEC);
    expect(active(world)).toEqual([other]);
    expect(nn(other).epoch).toBe(2);
    const z = world.actor<Zkfc>(`zkfc-${other.slice(3)}`)!;
    expect(z.elector).toBe('ACTIVE');
    expect(z.fenced).toBe(1); // the crashed NameNode could not be asked to step down: shell(/bin/true)
    const c = client();
    expect(c.acked.length).toBe(60);
    for (const p of c.acked) expect(nn(other).ns.resolve(p), p).not.toBeNull();
    expect(violations(world)).toEqual([]);
  });

  it('the active\'s ZKFC cut off from ZooKeeper: its session expires, the other side becomes active, the old active is fenced', () => {
    const { world, nn, client } = haNnWorld({ zkfc: true, dirs: 60 });
    world.runUntil(15 * SEC);
    const first = active(world)[0]!;
    const other = first === 'nn-1' ? 'nn-2' : 'nn-1';
    const h = world.hostOf(first);
    const cut = ['zk-1', 'zk-2', 'zk-3', 'jn-1', 'jn-2', 'jn-3'].flatMap((x) => [[h, world.hostOf(x)], [world.hostOf(x), h]] as [number, number][]);
    world.net.cutLinks(cut);
    world.runUntil(80 * SEC);
    expect(active(world)).toEqual([other]);
    expect(nn(other).epoch).toBe(2);
    for (const p of client().acked) expect(nn(other).ns.resolve(p), p).not.toBeNull();
    expect(violations(world)).toEqual([]);
  });
});
