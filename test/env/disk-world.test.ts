import { describe, expect, it } from 'vitest';
import type { Context } from '../../sim/core/actor.ts';
import { MS, SEC } from '../../sim/core/types.ts';
import { applyFault, parseFault } from '../../sim/harness/faults.ts';
import { addProbe, bytes, constantNetwork, crc32, testWorld, text, untext, type Probe } from './fixtures.ts';

// The disk as processes see it through the world: a process crash keeps the host's page cache
// (kill -9), a power loss does not; a writer over the dirty-page limit stops handling events until
// write-back drains; disk faults (full, corrupt) at the seam.

const MiB = 1024 * 1024;

describe('disk through the world', () => {
  it('a process crash keeps what it wrote in the page cache, and the data reaches the media later', () => {
    const world = testWorld();
    const p = addProbe(world, 'p', 'h', {
      start: (ctx) => {
        if (ctx.incarnation === 1) ctx.disk.append('log', text('written before kill -9'));
      },
    });
    world.schedule(1 * SEC, () => world.crash(p.pid));
    world.schedule(2 * SEC, () => world.start(p.pid));
    world.runUntil(3 * SEC);
    expect(untext(p.ctx.disk.readAll('log'))).toBe('written before kill -9');
    const disk = world.disks[world.hostOf('h')]!;
    expect(untext(disk.durableContent('p/log')!)).toBe('');
    world.runUntil(31 * SEC);
    expect(untext(disk.durableContent('p/log')!)).toBe('written before kill -9');
  });

  it('a host power loss drops unsynced writes and keeps fsynced ones; the restarted process reads what survived', () => {
    const world = testWorld();
    const seen: string[] = [];
    const p = addProbe(world, 'p', 'h', {
      start: (ctx) => {
        if (ctx.incarnation === 1) {
          ctx.disk.append('synced', text('durable'));
          ctx.disk.fsync('synced', 'fsync-1');
          ctx.disk.append('unsynced', text('volatile'));
        } else {
          seen.push(untext(ctx.disk.readAll('synced')), untext(ctx.disk.readAll('unsynced')));
        }
      },
    });
    world.schedule(1 * SEC, () => world.powerOff(world.hostOf('h')));
    world.schedule(2 * SEC, () => world.powerOn(world.hostOf('h')));
    world.runUntil(3 * SEC);
    expect(p.of('disk').map((e) => [e.tag, e.error])).toEqual([['fsync-1', null]]);
    expect(seen).toEqual(['durable', '']);
  });

  it('processes on another host keep their page cache when one host loses power', () => {
    const world = testWorld();
    const a = addProbe(world, 'a', 'ha', { start: (ctx) => { if (ctx.incarnation === 1) ctx.disk.append('f', text('a-data')); } });
    addProbe(world, 'b', 'hb', { start: (ctx) => { if (ctx.incarnation === 1) ctx.disk.append('f', text('b-data')); } });
    world.schedule(1 * SEC, () => world.powerOff(world.hostOf('hb')));
    world.runUntil(2 * SEC);
    expect(untext(a.ctx.disk.readAll('f'))).toBe('a-data');
    expect(untext(world.disks[world.hostOf('hb')]!.readAll('b/f'))).toBe('');
  });

  it('an fsync completion is not delivered to the next incarnation of a process that crashed meanwhile', () => {
    const world = testWorld();
    const p = addProbe(world, 'p', 'h', {
      start: (ctx) => {
        if (ctx.incarnation !== 1) return;
        ctx.disk.append('big', bytes(24 * MiB));
        ctx.disk.fsync('big', 'old-fsync');
      },
    });
    world.schedule(10 * MS, () => world.restart(p.pid)); // the fsync needs ~105 ms
    world.runUntil(1 * SEC);
    expect(p.of('disk')).toEqual([]);
  });

  for (const when of ['a timer handler', 'its start handler (recovery)'] as const) {
    it(`the dirty-page limit stalls a writer in ${when}: it handles no event until write-back drains below the limit`, () => {
      const world = testWorld({ network: constantNetwork(100) });
      const chunk = bytes(MiB);
      const writeAll = (ctx: Context): void => { for (let i = 0; i < 16; i++) ctx.disk.append('data', chunk); };
      const t0 = when === 'a timer handler' ? 10 * MS : 0;
      const writer = addProbe(world, 'w', 'h', {
        start: (ctx) => {
          if (t0 === 0) writeAll(ctx);
          else ctx.setTimer(t0, 'write');
          ctx.setTimer(t0 + 1 * MS, 'tick');
        },
        timer: (ctx, tag) => {
          if (tag === 'write') writeAll(ctx);
          else ctx.setTimer(1 * MS, 'tick');
        },
      }, { disk: { dirtyBytesMax: 8 * MiB, dirtyBackgroundBytes: 4 * MiB } });
      const other = addProbe(world, 'o', 'h2');
      world.schedule(t0 + 5 * MS, () => other.ctx.send(writer.pid, { type: 'Data', n: 1 }, 100));
      world.runUntil(t0 + 200 * MS);
      // 16 MiB dirty against an 8 MiB limit: 8 MiB must be written back at 240 MB/s first.
      const drainUs = t0 + (8 * MiB / 240e6) * SEC;
      const handled = writer.events.filter((e) => e.kind !== 'start' && !(e.kind === 'timer' && e.tag === 'write'));
      expect(handled.length).toBeGreaterThan(0);
      const first = Math.min(...handled.map((e) => e.t));
      expect(first).toBeGreaterThanOrEqual(Math.floor(drainUs));
      expect(first).toBeLessThan(drainUs + 1 * MS);
      // What arrived during the stall was held, not lost: the message and the first tick.
      expect(writer.received()).toEqual([1]);
      expect(writer.of('timer').filter((e) => e.tag === 'tick')[0]!.t).toBe(first);
      // Afterwards it ticks every millisecond again.
      const later = writer.of('timer').filter((e) => e.t > first + 5 * MS).map((e) => e.t);
      expect(later.length).toBeGreaterThan(100);
      for (let i = 1; i < later.length; i++) expect(later[i]! - later[i - 1]!).toBe(1 * MS);
    });
  }

  it('a writer under the dirty-page limit is never stalled', () => {
    const world = testWorld();
    const writer = addProbe(world, 'w', 'h', {
      start: (ctx) => {
        for (let i = 0; i < 4; i++) ctx.disk.append('data', bytes(MiB));
        ctx.setTimer(1 * MS, 'tick');
      },
    }, { disk: { dirtyBytesMax: 8 * MiB, dirtyBackgroundBytes: 4 * MiB } });
    world.runUntil(10 * MS);
    expect(writer.of('timer').map((e) => e.t)).toEqual([1 * MS]);
  });

  it('the disk-full fault returns ENOSPC to writers until it lifts', () => {
    const world = testWorld();
    const results: (string | null)[] = [];
    const p = addProbe(world, 'p', 'h', { start: (ctx) => { ctx.disk.append('log', text('before')); } });
    const write = (ctx: Context): void => { results.push(ctx.disk.append('log', text('x'))); };
    world.schedule(1 * SEC, () => applyFault(world, parseFault('at 1s disk-full h for 5s', 'test')));
    world.schedule(2 * SEC, () => write(p.ctx));
    world.schedule(7 * SEC, () => write(p.ctx));
    world.runUntil(8 * SEC);
    expect(results).toEqual(['ENOSPC', null]);
    expect(untext(p.ctx.disk.readAll('log'))).toBe('beforex');
  });

  it('the disk-error fault fails writes with EIO until it lifts; reads still work', () => {
    const world = testWorld();
    const results: (string | null)[] = [];
    const p = addProbe(world, 'p', 'h', { start: (ctx) => { ctx.disk.append('log', text('before')); } });
    const write = (ctx: Context): void => { results.push(ctx.disk.append('log', text('x'))); };
    world.schedule(1 * SEC, () => applyFault(world, parseFault('at 1s disk-error h for 5s', 'test')));
    world.schedule(2 * SEC, () => write(p.ctx));
    world.schedule(2 * SEC, () => { results.push(untext(p.ctx.disk.readAll('log') as Uint8Array)); });
    world.schedule(7 * SEC, () => write(p.ctx));
    world.runUntil(8 * SEC);
    expect(results).toEqual(['EIO', 'before', null]);
    expect(untext(p.ctx.disk.readAll('log'))).toBe('beforex');
  });

  it('the corrupt fault flips a stored bit that the reader\'s CRC check catches', () => {
    const world = testWorld();
    const verdicts: string[] = [];
    const payload = bytes(1000);
    const record = new Uint8Array(1004);
    record.set(payload);
    new DataView(record.buffer).setUint32(1000, crc32(payload));
    const check = (ctx: Context): void => {
      const r = ctx.disk.readAll('rec') as Uint8Array;
      const ok = crc32(r.subarray(0, 1000)) === new DataView(r.buffer, r.byteOffset).getUint32(1000);
      verdicts.push(ok ? 'ok' : 'corrupt');
    };
    const p = addProbe(world, 'p', 'h', {
      start: (ctx) => {
        ctx.disk.append('rec', record);
        ctx.disk.fsync('rec', 'sync');
      },
    });
    world.schedule(1 * SEC, () => check(p.ctx));
    world.schedule(2 * SEC, () => applyFault(world, parseFault('at 2s corrupt h p/rec', 'test')));
    world.schedule(3 * SEC, () => check(p.ctx));
    world.runUntil(4 * SEC);
    expect(verdicts).toEqual(['ok', 'corrupt']);
  });

  it('each process sees only its own directory on a shared host disk', () => {
    const world = testWorld();
    const a = addProbe(world, 'a', 'h', { start: (ctx) => { ctx.disk.append('f', text('from a')); } });
    const b = addProbe(world, 'b', 'h', { start: (ctx) => { ctx.disk.append('f', text('from b')); } });
    world.runUntil(1 * MS);
    expect(untext(a.ctx.disk.readAll('f'))).toBe('from a');
    expect(untext(b.ctx.disk.readAll('f'))).toBe('from b');
    expect(a.ctx.disk.list()).toEqual(['f']);
    expect(world.disks[0]!.list('')).toEqual(['a/f', 'b/f']);
  });

  it('readAsync through the context completes with the data, paced by read bandwidth', () => {
    const world = testWorld();
    const p: Probe = addProbe(world, 'p', 'h', {
      start: (ctx) => {
        ctx.disk.append('f', bytes(3_740_000));
        ctx.disk.readAsync('f', 0, 3_740_000, 'read');
      },
    });
    world.runUntil(1 * SEC);
    const done = p.of('disk');
    expect(done.length).toBe(1);
    expect(done[0]!.t).toBe(10 * MS);
    expect(done[0]!.data?.length).toBe(3_740_000);
  });
});
