import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Rng } from '../../sim/core/rng.ts';
import { MS, SEC } from '../../sim/core/types.ts';
import type { DiskError } from '../../sim/env/disk.ts';
import { bytes, crc32, diskRig, sameBytes, text, untext, type DiskRig } from './fixtures.ts';

const ONE_MB = bytes(1_000_000);
const ONE_MIB = bytes(1024 * 1024);
const BIG = bytes(80_000_000);
/** Appended in pieces by the prefix property: distinct enough that a misplaced piece shows. */
const STREAM = bytes(40 * 300_000, (i) => (i * 131 + (i >> 9)) & 0xff);

// The disk model on its own, driven by a bare scheduler: page cache in front of durable media,
// write-back by fsync, age and pressure, bandwidth queueing, power loss with torn writes,
// corruption, a full disk, and metadata semantics (rename, truncate, delete).

const MiB = 1024 * 1024;
const WRITE_BPS = 240e6;

interface Done {
  atUs: number;
  err: DiskError | null | 'pending';
}

function fsync(rig: DiskRig, path: string): Done {
  const d: Done = { atUs: -1, err: 'pending' };
  rig.disk.fsync(path, (err) => {
    d.atUs = rig.sched.nowUs;
    d.err = err;
  });
  return d;
}

function readAsync(rig: DiskRig, path: string, offset: number, length: number): { atUs: number; data: Uint8Array | 'ENOENT' | null } {
  const r: { atUs: number; data: Uint8Array | 'ENOENT' | null } = { atUs: -1, data: null };
  rig.disk.readAsync(path, offset, length, (data) => {
    r.atUs = rig.sched.nowUs;
    r.data = data;
  });
  return r;
}

const durable = (rig: DiskRig, path: string): string => {
  const c = rig.disk.durableContent(path);
  return c === null ? 'ENOENT' : untext(c);
};

describe('disk: page cache and fsync', () => {
  it('a write is visible to reads at once but reaches the media only when written back', () => {
    const rig = diskRig();
    expect(rig.disk.append('f', text('hello'))).toBeNull();
    expect(untext(rig.disk.readAll('f'))).toBe('hello');
    expect(durable(rig, 'f')).toBe('');
    expect(rig.disk.dirtyBytes).toBe(5);
    const d = fsync(rig, 'f');
    rig.run(1 * SEC);
    expect(d.err).toBeNull();
    expect(durable(rig, 'f')).toBe('hello');
    expect(rig.disk.dirtyBytes).toBe(0);
  });

  it('fsync of N MB takes about N / 240 s plus the fsync latency (write bandwidth queueing)', () => {
    for (const mb of [12, 24, 48]) {
      const rig = diskRig();
      for (let i = 0; i < mb; i++) rig.disk.append('log', ONE_MB);
      const d = fsync(rig, 'log');
      rig.run(10 * SEC);
      const expectedUs = (mb * 1e6 / WRITE_BPS) * SEC + rig.disk.opts.fsyncLatencyUs;
      expect(Math.abs(d.atUs - expectedUs) / expectedUs).toBeLessThan(0.01);
    }
  });

  it('fsync waits for the write-back queue of other files (bandwidth is shared)', () => {
    const rig = diskRig();
    for (let i = 0; i < 24; i++) rig.disk.append('a', ONE_MB);
    for (let i = 0; i < 24; i++) rig.disk.append('b', ONE_MB);
    const da = fsync(rig, 'a');
    const db = fsync(rig, 'b');
    rig.run(10 * SEC);
    expect(da.atUs).toBeLessThan(db.atUs);
    expect(Math.abs(db.atUs - 0.2 * SEC) / (0.2 * SEC)).toBeLessThan(0.01);
  });

  it('fsync of one file does not make another file durable (ordering is per file)', () => {
    const rig = diskRig();
    rig.disk.append('a', text('aaa'));
    rig.disk.append('b', text('bbb'));
    fsync(rig, 'a');
    rig.run(1 * SEC);
    expect(durable(rig, 'a')).toBe('aaa');
    expect(durable(rig, 'b')).toBe('');
  });

  it('fsync of a file with nothing dirty completes after the fsync latency; of a missing file with ENOENT', () => {
    const rig = diskRig();
    rig.disk.create('clean');
    const d = fsync(rig, 'clean');
    const e = fsync(rig, 'missing');
    rig.run(1 * SEC);
    expect(d).toEqual({ atUs: rig.disk.opts.fsyncLatencyUs, err: null });
    expect(e.err).toBe('ENOENT');
  });

  it('write-back by age: dirty data reaches the media after dirty_expire (30 s) without any fsync', () => {
    const rig = diskRig();
    rig.disk.append('f', text('aged'));
    rig.run(29_900 * MS);
    expect(durable(rig, 'f')).toBe('');
    rig.run(30_100 * MS);
    expect(durable(rig, 'f')).toBe('aged');
    expect(rig.disk.dirtyBytes).toBe(0);
  });

  it('background write-back starts when dirty bytes exceed dirty_background_bytes', () => {
    const rig = diskRig({ dirtyBackgroundBytes: 4 * MiB });
    for (let i = 0; i < 8; i++) rig.disk.append('f', ONE_MIB);
    rig.run(1 * SEC);
    // Written back down to the background threshold, long before the 30 s expiry.
    expect(rig.disk.dirtyBytes).toBeLessThanOrEqual(4 * MiB);
    expect(rig.disk.durableContent('f')!.length).toBeGreaterThanOrEqual(4 * MiB);
  });
});

describe('disk: read bandwidth', () => {
  it('readAsync of N MB takes about N / 374 s and reads queue behind each other', () => {
    const rig = diskRig();
    rig.disk.write('f', 0, BIG);
    const r1 = readAsync(rig, 'f', 0, 37_400_000);
    const r2 = readAsync(rig, 'f', 37_400_000, 37_400_000);
    rig.run(10 * SEC);
    expect(Math.abs(r1.atUs - 0.1 * SEC)).toBeLessThan(10);
    expect(Math.abs(r2.atUs - 0.2 * SEC)).toBeLessThan(10);
    expect((r2.data as Uint8Array).length).toBe(37_400_000);
    expect(sameBytes(r2.data, BIG.subarray(37_400_000, 74_800_000))).toBe(true);
  });

  it('readAsync of a missing file completes with ENOENT', () => {
    const rig = diskRig();
    const r = readAsync(rig, 'nope', 0, 10);
    rig.run(1 * SEC);
    expect(r.data).toBe('ENOENT');
  });

  it('reads are not delayed by writes (separate queues)', () => {
    const rig = diskRig();
    rig.disk.write('f', 0, BIG.subarray(0, 3_740_000));
    for (let i = 0; i < 20; i++) rig.disk.append('g', ONE_MIB);
    fsync(rig, 'g');
    const r = readAsync(rig, 'f', 0, 3_740_000);
    rig.run(10 * SEC);
    expect(Math.abs(r.atUs - 10 * MS)).toBeLessThan(10);
  });
});

describe('disk: power loss', () => {
  it('drops unsynced data and keeps fsynced data', () => {
    const rig = diskRig();
    rig.disk.append('synced', text('keep me'));
    const d = fsync(rig, 'synced');
    rig.run(10 * MS);
    expect(d.err).toBeNull();
    rig.disk.append('synced', text(' but not me'));
    rig.disk.append('unsynced', text('gone'));
    const lost = rig.disk.powerLoss();
    expect(lost.lostBytes).toBe(' but not me'.length + 'gone'.length);
    expect(untext(rig.disk.readAll('synced'))).toBe('keep me');
    // Metadata is journaled: the file exists, its data did not make it.
    expect(rig.disk.exists('unsynced')).toBe(true);
    expect(untext(rig.disk.readAll('unsynced'))).toBe('');
    expect(rig.disk.dirtyBytes).toBe(0);
    expect(rig.disk.used).toBe('keep me'.length);
  });

  it('a torn write leaves a sector-aligned prefix of the write-back in progress', () => {
    const rig = diskRig();
    const data = bytes(MiB, (i) => (i * 7 + 3) & 0xff);
    rig.disk.append('seg', data);
    fsync(rig, 'seg');
    const writeUs = (MiB / WRITE_BPS) * SEC;
    rig.run(Math.round(writeUs * 0.4)); // 40% through the write-back
    const { tornBytes } = rig.disk.powerLoss();
    const on = rig.disk.durableContent('seg')!;
    expect(on.length % 512).toBe(0);
    expect(on.length).toBe(tornBytes);
    expect(on.length).toBeGreaterThan(0.35 * MiB);
    expect(on.length).toBeLessThan(0.45 * MiB);
    expect(sameBytes(on, data.subarray(0, on.length))).toBe(true);
  });

  it('a completion scheduled before the power loss never fires after it', () => {
    const rig = diskRig();
    rig.disk.append('f', bytes(MiB));
    const d = fsync(rig, 'f');
    const r = readAsync(rig, 'f', 0, MiB);
    rig.disk.powerLoss();
    rig.run(10 * SEC);
    expect(d.err).toBe('pending');
    expect(r.data).toBeNull();
  });

  it('a file that was empty on the media can be written again after the power loss', () => {
    const rig = diskRig();
    rig.disk.create('f');
    rig.disk.append('g', text('unsynced'));
    rig.disk.powerLoss();
    expect(rig.disk.append('f', text('after'))).toBeNull();
    expect(rig.disk.append('g', text('again'))).toBeNull();
    expect(untext(rig.disk.readAll('f'))).toBe('after');
    expect(untext(rig.disk.readAll('g'))).toBe('again');
  });

  it('the media always holds a prefix of what was appended to a file, whenever the power goes (property)', () => {
    fc.assert(fc.property(
      fc.array(fc.integer({ min: 1, max: 300_000 }), { minLength: 1, maxLength: 40 }),
      fc.integer({ min: 0, max: 60_000 }),
      fc.boolean(),
      (sizes, lossAtUs, sync) => {
        const rig = diskRig({ dirtyBackgroundBytes: 1 * MiB });
        let end = 0;
        sizes.forEach((n, k) => {
          rig.disk.append('log', STREAM.subarray(end, end + n));
          end += n;
          if (sync && k % 5 === 4) fsync(rig, 'log');
        });
        rig.run(lossAtUs);
        rig.disk.powerLoss();
        const on = rig.disk.durableContent('log')!;
        expect(on.length).toBeLessThanOrEqual(end);
        expect(sameBytes(on, STREAM.subarray(0, on.length))).toBe(true);
      },
    ), { seed: 99, numRuns: 60 });
  });
});

describe('disk: corruption', () => {
  it('flips exactly one bit of stored bytes, which a CRC-32 check detects', () => {
    for (let seed = 1; seed <= 50; seed++) {
      const rig = diskRig();
      const payload = bytes(4096, (i) => (i * seed) & 0xff);
      const record = new Uint8Array(payload.length + 4);
      record.set(payload);
      new DataView(record.buffer).setUint32(payload.length, crc32(payload));
      rig.disk.append('rec', record);
      fsync(rig, 'rec');
      rig.run(1 * SEC);
      const hit = rig.disk.corrupt(new Rng(seed));
      expect(hit?.path).toBe('rec');
      const after = rig.disk.readAll('rec') as Uint8Array;
      let flipped = 0;
      for (let i = 0; i < record.length; i++) {
        const x = after[i]! ^ record[i]!;
        if (x !== 0) {
          expect(x & (x - 1)).toBe(0);
          flipped++;
        }
      }
      expect(flipped).toBe(1);
      const body = after.subarray(0, payload.length);
      const stored = new DataView(after.buffer, after.byteOffset).getUint32(payload.length);
      expect(crc32(body) === stored).toBe(false);
      // The corruption is on the media: it survives a power cycle.
      rig.disk.powerLoss();
      expect(sameBytes(rig.disk.readAll('rec'), after)).toBe(true);
    }
  });

  it('hits stored bytes only: the flip is on the media and survives power loss, never just a dirty page-cache copy', () => {
    for (let seed = 1; seed <= 40; seed++) {
      const rig = diskRig();
      rig.disk.append('f', new Uint8Array(1000));
      fsync(rig, 'f');
      rig.run(1 * SEC);
      rig.disk.append('f', new Uint8Array(1000)); // not yet written back
      const hit = rig.disk.corrupt(new Rng(seed), 'f');
      expect(hit!.offset).toBeLessThan(1000);
      rig.disk.powerLoss();
      const after = rig.disk.readAll('f') as Uint8Array;
      expect(after.length).toBe(1000);
      expect(after.reduce((n, b) => n + (b === 0 ? 0 : 1), 0)).toBe(1);
    }
  });

  it('a flip under a newer dirty write stays off the page cache and is repaired by the write-back', () => {
    const rig = diskRig();
    rig.disk.append('f', new Uint8Array(100));
    fsync(rig, 'f');
    rig.run(1 * SEC);
    rig.disk.write('f', 0, new Uint8Array(100).fill(7)); // rewrite every stored byte, unsynced
    expect(rig.disk.corrupt(new Rng(3), 'f')).not.toBeNull();
    expect([...(rig.disk.readAll('f') as Uint8Array)].every((b) => b === 7)).toBe(true);
    fsync(rig, 'f');
    rig.run(2 * SEC);
    expect([...rig.disk.durableContent('f')!].every((b) => b === 7)).toBe(true);
  });

  it('a file with nothing stored yet cannot be corrupted', () => {
    const rig = diskRig();
    rig.disk.append('f', text('only in the page cache'));
    expect(rig.disk.corrupt(new Rng(1), 'f')).toBeNull();
    expect(untext(rig.disk.readAll('f'))).toBe('only in the page cache');
  });

  it('has nothing to corrupt on an empty disk', () => {
    const rig = diskRig();
    rig.disk.create('empty');
    expect(rig.disk.corrupt(new Rng(1))).toBeNull();
  });

  it('crc32 matches the standard check value', () => {
    expect(crc32(text('123456789'))).toBe(0xcbf43926);
  });
});

describe('disk: capacity', () => {
  it('a full disk returns ENOSPC for growth and accepts overwrites in place', () => {
    const rig = diskRig({ capacityBytes: 1000 });
    expect(rig.disk.append('f', bytes(600))).toBeNull();
    expect(rig.disk.append('g', bytes(500))).toBe('ENOSPC');
    expect(rig.disk.exists('g')).toBe(false);
    expect(rig.disk.write('f', 0, bytes(600))).toBeNull();
    expect(rig.disk.truncate('f', 1200)).toBe('ENOSPC');
    expect(rig.disk.delete('f')).toBeNull();
    expect(rig.disk.used).toBe(0);
    expect(rig.disk.append('g', bytes(1000))).toBeNull();
  });

  it('the disk-full override takes effect at the current usage and lifts', () => {
    const rig = diskRig();
    rig.disk.append('f', bytes(100));
    rig.disk.capacityOverride = rig.disk.used;
    expect(rig.disk.append('f', bytes(1))).toBe('ENOSPC');
    rig.disk.capacityOverride = null;
    expect(rig.disk.append('f', bytes(1))).toBeNull();
  });
});

describe('disk: metadata', () => {
  it('rename moves content and pending writes, replaces the target, and the old name is gone', () => {
    const rig = diskRig();
    rig.disk.append('tmp', text('new'));
    rig.disk.append('dst', text('old'));
    fsync(rig, 'dst');
    rig.run(10 * MS);
    expect(rig.disk.rename('tmp', 'dst')).toBeNull();
    expect(rig.disk.exists('tmp')).toBe(false);
    expect(untext(rig.disk.readAll('dst'))).toBe('new');
    expect(rig.disk.used).toBe(3);
    const d = fsync(rig, 'dst');
    rig.run(20 * MS);
    expect(d.err).toBeNull();
    expect(durable(rig, 'dst')).toBe('new');
    expect(rig.disk.rename('missing', 'x')).toBe('ENOENT');
  });

  it('rename of a file to its own name changes nothing', () => {
    const rig = diskRig();
    rig.disk.append('f', text('same'));
    expect(rig.disk.rename('f', 'f')).toBeNull();
    expect(untext(rig.disk.readAll('f'))).toBe('same');
    expect(rig.disk.used).toBe(4);
  });

  it('power loss after renaming an unsynced file: the name survives, the data is missing (documented, as ext4 delayed allocation)', () => {
    const rig = diskRig();
    rig.disk.append('snap.tmp', text('snapshot'));
    rig.disk.rename('snap.tmp', 'snap');
    rig.disk.powerLoss();
    expect(rig.disk.exists('snap.tmp')).toBe(false);
    expect(rig.disk.exists('snap')).toBe(true);
    expect(untext(rig.disk.readAll('snap'))).toBe('');
  });

  it('write, fsync, then rename publishes a file safely across power loss', () => {
    const rig = diskRig();
    rig.disk.append('snap.tmp', text('snapshot'));
    fsync(rig, 'snap.tmp');
    rig.run(10 * MS);
    rig.disk.rename('snap.tmp', 'snap');
    rig.disk.powerLoss();
    expect(untext(rig.disk.readAll('snap'))).toBe('snapshot');
  });

  it('a rename during write-back carries the in-flight data and fsync waiters to the new name', () => {
    const rig = diskRig();
    rig.disk.append('a', bytes(4 * MiB));
    const d = fsync(rig, 'a');
    rig.run(2 * MS); // first chunk in flight
    rig.disk.rename('a', 'b');
    rig.run(1 * SEC);
    expect(d.err).toBeNull();
    expect(sameBytes(rig.disk.durableContent('b'), bytes(4 * MiB))).toBe(true);
  });

  it('truncate shrinks and extends with zeros; pending writes beyond the end never come back', () => {
    const rig = diskRig();
    rig.disk.append('f', text('0123456789'));
    expect(rig.disk.truncate('f', 4)).toBeNull();
    expect(untext(rig.disk.readAll('f'))).toBe('0123');
    expect(rig.disk.dirtyBytes).toBe(4);
    fsync(rig, 'f');
    rig.run(1 * SEC);
    expect(durable(rig, 'f')).toBe('0123');
    expect(rig.disk.truncate('f', 6)).toBeNull();
    expect([...(rig.disk.readAll('f') as Uint8Array)]).toEqual([48, 49, 50, 51, 0, 0]);
    expect(rig.disk.used).toBe(6);
    expect(rig.disk.truncate('missing', 0)).toBe('ENOENT');
  });

  it('truncate is durable at once (journaled metadata): power loss keeps the shorter file', () => {
    const rig = diskRig();
    rig.disk.append('f', text('0123456789'));
    fsync(rig, 'f');
    rig.run(1 * SEC);
    rig.disk.truncate('f', 3);
    rig.disk.powerLoss();
    expect(untext(rig.disk.readAll('f'))).toBe('012');
  });

  it('an fsync waiting on writes that a truncate then removed still completes', () => {
    const rig = diskRig();
    rig.disk.append('a', bytes(8 * MiB)); // keeps the disk busy
    fsync(rig, 'a');
    rig.disk.append('f', bytes(1000));
    const d = fsync(rig, 'f');
    rig.disk.truncate('f', 0);
    rig.run(10 * SEC);
    expect(d.err).toBeNull();
  });

  it('truncate during write-back never lets the in-flight data resurrect truncated bytes', () => {
    const rig = diskRig();
    rig.disk.append('f', bytes(MiB));
    fsync(rig, 'f');
    rig.run(1 * MS); // the 1 MiB chunk is in flight
    rig.disk.truncate('f', 100);
    rig.run(1 * SEC);
    expect(rig.disk.durableContent('f')).toEqual(bytes(100));
    expect(rig.disk.dirtyBytes).toBe(0);
  });

  it('delete frees space and dirty bytes, resolves fsync waiters, and the file is gone', () => {
    const rig = diskRig();
    rig.disk.append('a', bytes(4 * MiB));
    rig.disk.append('f', bytes(MiB));
    fsync(rig, 'a');
    const d = fsync(rig, 'f');
    expect(rig.disk.delete('f')).toBeNull();
    expect(rig.disk.exists('f')).toBe(false);
    expect(rig.disk.readAll('f')).toBe('ENOENT');
    expect(rig.disk.delete('f')).toBe('ENOENT');
    expect(rig.disk.used).toBe(4 * MiB);
    rig.run(1 * SEC);
    expect(d.err).toBeNull();
    expect(rig.disk.dirtyBytes).toBe(0);
    rig.disk.powerLoss();
    expect(rig.disk.exists('f')).toBe(false);
  });

  it('create refuses an existing file and list returns sorted paths under a prefix', () => {
    const rig = diskRig();
    expect(rig.disk.create('d/b')).toBeNull();
    expect(rig.disk.create('d/a')).toBeNull();
    expect(rig.disk.create('e/c')).toBeNull();
    expect(rig.disk.create('d/a')).toBe('EEXIST');
    expect(rig.disk.list('d/')).toEqual(['d/a', 'd/b']);
    expect(rig.disk.size('d/a')).toBe(0);
    expect(rig.disk.size('nope')).toBe(-1);
  });
});

describe('disk: slow and stalled', () => {
  it('a slow disk (x10) makes write-back and reads ten times slower', () => {
    const rig = diskRig();
    rig.disk.setSlowFactor(10);
    for (let i = 0; i < 24; i++) rig.disk.append('f', ONE_MB.subarray(0, 100_000));
    const d = fsync(rig, 'f');
    const r = readAsync(rig, 'f', 0, 374_000);
    rig.run(10 * SEC);
    // 2.4 MB at 24 MB/s, plus ten times the 1 ms fsync latency.
    expect(Math.abs(d.atUs - 110 * MS) / (110 * MS)).toBeLessThan(0.01);
    expect(Math.abs(r.atUs - 10 * MS)).toBeLessThan(10);
  });

  it('a stalled disk completes nothing until it is restored, then everything', () => {
    const rig = diskRig();
    rig.disk.append('f', bytes(MiB));
    rig.disk.create('clean');
    rig.disk.setSlowFactor(Infinity);
    const d = fsync(rig, 'f');
    const c = fsync(rig, 'clean');
    const r = readAsync(rig, 'f', 0, 1000);
    rig.run(5 * SEC);
    expect([d.err, c.err, r.data]).toEqual(['pending', 'pending', null]);
    rig.disk.setSlowFactor(1);
    rig.run(6 * SEC);
    expect(d.err).toBeNull();
    expect(c.err).toBeNull();
    expect(r.data).toEqual(bytes(1000));
    expect(d.atUs).toBeLessThan(5 * SEC + 10 * MS);
    expect(r.atUs).toBeLessThan(5 * SEC + 10 * MS);
    // And the disk keeps working normally afterwards.
    const r2 = readAsync(rig, 'f', 0, 374_000);
    rig.run(7 * SEC);
    expect(r2.atUs - 6 * SEC).toBeLessThan(2 * MS);
  });
});
