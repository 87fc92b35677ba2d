import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Rng } from '../../sim/core/rng.ts';
import { SEC } from '../../sim/core/types.ts';
import { bytes, diskRig, sameBytes, text, untext } from './fixtures.ts';

// The page cache hands out views without copying (Disk.readView, and the data a write-back keeps):
// copy-on-write makes every view a snapshot that no later write, truncation, fill or bit flip changes.

describe('page-cache views (copy-on-write)', () => {
  it('a view keeps its bytes across overwrites, truncation and regrowth', () => {
    const { disk } = diskRig();
    disk.write('f', 0, text('hello world'));
    const v = disk.readView('f', 0, 11) as Uint8Array;
    disk.write('f', 0, text('HELLO'));
    expect(untext(v)).toBe('hello world');
    expect(untext(disk.read('f', 0, 11))).toBe('HELLO world');
    const w = disk.readView('f', 6, 5) as Uint8Array;
    disk.truncate('f', 6);
    disk.write('f', 6, text('there'));
    expect(untext(w)).toBe('world');
    expect(untext(disk.read('f', 0, 11))).toBe('HELLO there');
    // Growing by truncate fills zeros over bytes a view may cover.
    const x = disk.readView('f', 6, 5) as Uint8Array;
    disk.truncate('f', 3);
    disk.truncate('f', 11);
    expect(untext(x)).toBe('there');
    expect(Array.from(disk.read('f', 3, 8) as Uint8Array)).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
  });

  it('appends past every view write in place, and views of the old buffer survive a reallocation', () => {
    const { disk } = diskRig();
    disk.write('f', 0, text('abc'));
    const v = disk.readView('f', 0, 3) as Uint8Array;
    for (let i = 0; i < 100; i++) disk.append('f', text('xyz'));
    expect(untext(v)).toBe('abc');
    expect(disk.size('f')).toBe(303);
  });

  it('a bit flip does not reach a view handed out before it', () => {
    const rig = diskRig({ dirtyExpireUs: 1 });
    rig.disk.write('f', 0, bytes(64));
    rig.run(SEC);
    const before = rig.disk.readView('f', 0, 64) as Uint8Array;
    const copy = before.slice();
    const hit = rig.disk.corrupt(new Rng(3), 'f');
    expect(hit).not.toBeNull();
    expect(sameBytes(before, copy)).toBe(true);
    expect(sameBytes(rig.disk.read('f', 0, 64), copy)).toBe(false);
    expect(rig.disk.readView('missing', 0, 1)).toBe('ENOENT');
  });

  it('the write-back persists what was written, even if the caller reuses its buffer', () => {
    const rig = diskRig();
    const buf = text('first');
    rig.disk.write('f', 0, buf);
    buf.set(text('XXXXX'));
    rig.disk.write('f', 5, buf);
    let synced = false;
    rig.disk.fsync('f', () => { synced = true; });
    rig.run(SEC);
    expect(synced).toBe(true);
    expect(untext(rig.disk.durableContent('f')!)).toBe('firstXXXXX');
  });

  it('random writes, truncations and reads: every view equals the copy read at the same moment', () => {
    const op = fc.oneof(
      fc.record({ k: fc.constant('write' as const), off: fc.integer({ min: 0, max: 200 }), len: fc.integer({ min: 0, max: 80 }), fill: fc.integer({ min: 0, max: 255 }) }),
      fc.record({ k: fc.constant('truncate' as const), size: fc.integer({ min: 0, max: 250 }) }),
      fc.record({ k: fc.constant('view' as const), off: fc.integer({ min: 0, max: 250 }), len: fc.integer({ min: 0, max: 100 }) }),
      fc.record({ k: fc.constant('power' as const) }),
    );
    fc.assert(fc.property(fc.array(op, { maxLength: 40 }), (ops) => {
      const rig = diskRig();
      const d = rig.disk;
      d.create('f');
      const views: { view: Uint8Array; copy: Uint8Array }[] = [];
      for (const o of ops) {
        if (o.k === 'write') d.write('f', o.off, bytes(o.len, () => o.fill));
        else if (o.k === 'truncate') d.truncate('f', o.size);
        else if (o.k === 'power') d.powerLoss();
        else {
          const view = d.readView('f', o.off, o.len);
          const copy = d.read('f', o.off, o.len);
          if (view === 'ENOENT' || copy === 'ENOENT') continue;
          expect(sameBytes(view, copy)).toBe(true);
          views.push({ view, copy });
        }
      }
      for (const v of views) expect(sameBytes(v.view, v.copy)).toBe(true);
    }), { numRuns: 300 });
  });
});
