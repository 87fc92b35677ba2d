import { describe, expect, it } from 'vitest';
import { hdfsModel } from '../../viz/src/model/hdfs.ts';
import { loadTrace } from '../../viz/src/model/load.ts';
import { Replay } from '../../viz/src/model/replay.ts';
import { hdfsDeathTrace } from './lib/hdfs-trace.ts';

// The HDFS inspector's model on a real trace: blocks with their replicas by rack, a pipeline while
// a block is written, a dead DataNode and the blocks it leaves under-replicated.

describe('HDFS inspector model (real hdfs-datanode-death trace, short dead interval)', () => {
  const t = hdfsDeathTrace();
  const r = new Replay(loadTrace(new TextEncoder().encode(t.text), { keyframeEvery: 500 }));
  const model = (us: number) => hdfsModel(r.ix.procs, r.ix.hosts.map((x) => x.rack), r.stateAfter(r.lastAtOrBefore(us)), us / 1000);

  it('before the crash: six live DataNodes on two racks, closed files with three replicas on two racks', () => {
    const m = model(19_000_000);
    expect(m.namenode).toBe('nn');
    expect(m.datanodes.map((d) => [d.name, d.rack, d.liveness, d.up])).toEqual([1, 2, 3, 4, 5, 6].map((i) => [`dn-${i}`, `/rack-${((i - 1) % 2) + 1}`, 'live', true]));
    const closed = m.files.filter((f) => f.file.underConstruction === null);
    expect(closed.length).toBeGreaterThan(0);
    for (const f of closed) {
      for (const b of f.blocks) {
        expect(b.health).toBe('ok');
        expect(b.byRack.length).toBe(2);
        expect(b.byRack.flatMap((g) => g.replicas).every((c) => c.onDisk?.state === 'FINALIZED' && c.onDisk.bytes === b.block.len)).toBe(true);
      }
    }
  });

  it('while a block is written: its pipeline of three, the DataNodes holding RBW replicas', () => {
    // The third DataNode of the first pipeline has just created its RBW replica.
    const rbw = t.text.split('\n').filter((l) => l.includes('"state":"RBW"'))[2]!;
    const m = model((JSON.parse(rbw) as { t: number }).t);
    const w = m.files.flatMap((f) => f.blocks).find((b) => b.health === 'writing')!;
    expect(w).toBeDefined();
    const cells = w.byRack.flatMap((g) => g.replicas);
    expect(cells.length).toBe(3);
    expect(cells.every((c) => c.pipeline && c.onDisk?.state === 'RBW')).toBe(true);
    expect(w.byRack.length).toBe(2);
  });

  it('after the dead declaration: dn-1 dead and down, its blocks under-replicated until copied', () => {
    const m = model(t.deadAtUs);
    const d1 = m.datanodes.find((d) => d.name === 'dn-1')!;
    expect([d1.liveness, d1.up]).toEqual(['dead', false]);
    expect(m.counts.under).toBeGreaterThan(0);
    const under = m.files.flatMap((f) => f.blocks).filter((b) => b.health === 'under');
    for (const b of under) expect(b.byRack.flatMap((g) => g.replicas).map((c) => c.datanode)).not.toContain('dn-1');
    // Between the crash and the declaration the NameNode still counts dn-1 live (then stale).
    const before = model(t.deadAtUs - 1).datanodes.find((d) => d.name === 'dn-1')!;
    expect(before.up).toBe(false);
    expect(before.liveness).toBe('stale');
  });

  it('before the heal: every block back at three replicas', () => {
    const m = model(149_000_000);
    expect(m.counts.under).toBe(0);
    expect(m.files.flatMap((f) => f.blocks).every((b) => b.health === 'ok' || b.health === 'writing')).toBe(true);
  });
});
