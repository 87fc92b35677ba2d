import { describe, expect, it } from 'vitest';
import type { Actor, Context } from '../../sim/core/actor.ts';
import { resolveConfig } from '../../sim/core/config.ts';
import type { Json, ProcessId } from '../../sim/core/types.ts';
import { MS } from '../../sim/core/types.ts';
import { World } from '../../sim/world/world.ts';
import type { DiskError } from '../../sim/env/disk.ts';
import { DataTree } from '../../sim/zookeeper/datatree.ts';
import { snapshotPath } from '../../sim/zookeeper/snapshot.ts';
import { LogSyncer, Storage, type FsyncIO } from '../../sim/zookeeper/storage.ts';
import { serializeTxn, txnDigest, type Txn } from '../../sim/zookeeper/txn.ts';
import { LOG_DIR } from '../../sim/zookeeper/txnlog.ts';
import { makeZxid } from '../../sim/zookeeper/zxid.ts';

// The txn log and snapshots on a simulated host: what survives a process crash (page cache kept),
// a power loss (unsynced writes gone, the last one possibly torn), and damage on the media.

class Holder implements Actor, FsyncIO {
  readonly storage: Storage;
  readonly syncer: LogSyncer;
  durable = 0;
  private readonly cbs = new Map<number, (e: string | null) => void>();
  private next = 1;

  constructor(readonly ctx: Context) {
    this.storage = new Storage(ctx.disk, this);
    this.syncer = new LogSyncer(this.storage.log, this, true, (d) => { this.durable = d; }, (w) => { throw new Error(w); });
  }

  fsync(path: string, done: (err: string | null) => void): void {
    const tag = this.next++;
    this.cbs.set(tag, done);
    this.ctx.disk.fsync(path, tag);
  }

  onDiskDone(tag: unknown, error: DiskError | null): void {
    const cb = this.cbs.get(tag as number);
    this.cbs.delete(tag as number);
    cb?.(error);
  }

  onMessage(): void {}
  onTimer(): void {}
  inspect(): Json {
    return { role: 'storage' };
  }
}

const txn = (n: number, epoch = 1): Txn => ({ zxid: makeZxid(epoch, n), sessionId: 0, cxid: n, timeMs: n, body: { t: 'create', path: `/n${epoch}-${n}`, data: 'x'.repeat(n % 7), ephemeralOwner: 0, parentCVersion: -1 } });

function setup(): { world: World; pid: ProcessId; holder: () => Holder } {
  const world = new World({ seed: 1, config: resolveConfig({}) });
  world.addHost('h');
  const pid = world.addProcess('zk', 'h', (ctx) => new Holder(ctx), { system: 'test' });
  world.runUntil(1);
  return { world, pid, holder: () => world.actor<Holder>(pid)! };
}

/** Appends txns (and applies them to a tree), lets the fsync complete if asked. */
function append(world: World, h: Holder, txns: readonly Txn[], tree: DataTree | null, sync: boolean): void {
  world.schedule(world.nowUs, () => {
    for (const t of txns) {
      const bytes = serializeTxn(t);
      h.syncer.append(t, bytes);
      tree?.apply(t, txnDigest(bytes), null);
    }
  });
  world.runUntil(world.nowUs + (sync ? 50 * MS : 1));
}

const restoredZxids = (h: Holder): number[] => {
  const r = h.storage.restore();
  return r.replayed.map((x) => x.txn.zxid);
};

describe('txn log on the simulated disk', () => {
  it('survives a process crash even unsynced (the page cache belongs to the host)', () => {
    const { world, pid, holder } = setup();
    append(world, holder(), [1, 2, 3].map((n) => txn(n)), null, false);
    world.restart(pid);
    world.runUntil(world.nowUs + 1);
    expect(restoredZxids(holder())).toEqual([1, 2, 3].map((n) => makeZxid(1, n)));
  });

  it('loses only what was not fsynced when the host loses power', () => {
    const { world, holder } = setup();
    append(world, holder(), [1, 2, 3].map((n) => txn(n)), null, true);
    expect(holder().durable).toBe(makeZxid(1, 3));
    // Appended to the page cache without the syncer's fsync (it would start one at once).
    world.schedule(world.nowUs, () => {
      for (const t of [txn(4), txn(5)]) holder().storage.log.append(t, serializeTxn(t));
    });
    world.runUntil(world.nowUs + 10 * MS);
    const host = world.hostOf('h');
    world.powerOff(host);
    world.powerOn(host);
    world.runUntil(world.nowUs + 1);
    expect(restoredZxids(holder())).toEqual([1, 2, 3].map((n) => makeZxid(1, n)));
  });

  it('cuts a torn last record on recovery, and later appends stay readable', () => {
    const { world, pid, holder } = setup();
    append(world, holder(), [1, 2, 3].map((n) => txn(n)), null, true);
    const path = world.disks[0]!.list('zk/' + LOG_DIR + 'log.')[0]!;
    const size = world.disks[0]!.size(path);
    world.disks[0]!.truncate(path, size - 5); // the tail of record 3 never reached the media
    world.restart(pid);
    world.runUntil(world.nowUs + 1);
    const h = holder();
    const r = h.storage.restore();
    expect(r.notes.join(' ')).toMatch(/dropped a damaged tail/);
    expect(r.replayed.map((x) => x.txn.zxid)).toEqual([1, 2].map((n) => makeZxid(1, n)));
    append(world, h, [txn(3), txn(4)], null, true);
    expect(restoredZxids(h)).toEqual([1, 2, 3, 4].map((n) => makeZxid(1, n)));
  });

  it('drops a record whose checksum no longer matches', () => {
    const { world, pid, holder } = setup();
    append(world, holder(), [1, 2, 3].map((n) => txn(n)), null, true);
    const disk = world.disks[0]!;
    const path = disk.list('zk/' + LOG_DIR + 'log.')[0]!;
    const bytes = disk.readAll(path) as Uint8Array;
    bytes[bytes.length - 3]! ^= 0x10; // inside the last record's payload
    disk.write(path, 0, bytes);
    world.restart(pid);
    world.runUntil(world.nowUs + 1);
    expect(holder().storage.restore().replayed.map((x) => x.txn.zxid)).toEqual([1, 2].map((n) => makeZxid(1, n)));
  });

  it('truncates to a zxid: later records and newer snapshots go', () => {
    const { world, holder } = setup();
    const tree = new DataTree();
    const h = holder();
    append(world, h, [1, 2, 3].map((n) => txn(n)), tree, true);
    h.storage.saveSnapshot(tree, false, null);
    append(world, h, [4, 5].map((n) => txn(n)), tree, true);
    h.storage.log.roll();
    h.storage.saveSnapshot(tree, false, null);
    h.storage.truncateTo(makeZxid(1, 4));
    expect(h.storage.snapshotZxids()).toEqual([makeZxid(1, 3)]);
    const r = h.storage.restore();
    expect(r.tree.lastZxid).toBe(makeZxid(1, 4));
    expect(r.replayed.map((x) => x.txn.zxid)).toEqual([makeZxid(1, 4)]);
  });
});

describe('snapshots', () => {
  it('restores from the newest snapshot plus the log after it', () => {
    const { world, holder } = setup();
    const tree = new DataTree();
    const h = holder();
    append(world, h, [1, 2, 3].map((n) => txn(n)), tree, true);
    h.storage.log.roll();
    h.storage.saveSnapshot(tree, false, null);
    append(world, h, [4, 5].map((n) => txn(n)), tree, true);
    const r = h.storage.restore();
    expect(r.tree.lastZxid).toBe(makeZxid(1, 5));
    expect(r.tree.digest).toBe(tree.digest);
    expect(r.replayed.map((x) => x.txn.zxid)).toEqual([4, 5].map((n) => makeZxid(1, n)));
  });

  it('falls back to an older snapshot when the newest one was torn by a power loss', () => {
    const { world, holder } = setup();
    const tree = new DataTree();
    const h = holder();
    append(world, h, [1, 2].map((n) => txn(n)), tree, true);
    h.storage.saveSnapshot(tree, true, null);
    world.runUntil(world.nowUs + 50 * MS);
    append(world, h, [3, 4].map((n) => txn(n)), tree, true);
    h.storage.saveSnapshot(tree, false, null); // not fsynced: lost with the page cache
    const host = world.hostOf('h');
    world.powerOff(host);
    world.powerOn(host);
    world.runUntil(world.nowUs + 1);
    const h2 = holder();
    const r = h2.storage.restore();
    expect(r.notes.join(' ')).toMatch(/snapshot 0x100000004 is invalid/);
    expect(r.tree.lastZxid).toBe(makeZxid(1, 4));
    expect(r.tree.digest).toBe(tree.digest);
    expect(world.disks[0]!.exists('zk/' + snapshotPath(makeZxid(1, 4)))).toBe(true);
  });
});

describe('epoch files', () => {
  it('publishes a value with tmp + fsync + rename; a power loss before the rename keeps the old one', () => {
    const { world, holder } = setup();
    let done = 0;
    world.schedule(world.nowUs, () => holder().storage.writeLong('currentEpoch', 3, () => done++));
    world.runUntil(world.nowUs + 50 * MS);
    expect(done).toBe(1);
    expect(holder().storage.readLong('currentEpoch')).toBe(3);
    world.schedule(world.nowUs, () => holder().storage.writeLong('currentEpoch', 4, () => done++));
    world.runUntil(world.nowUs + 1); // the fsync of the tmp file has not completed
    const host = world.hostOf('h');
    world.powerOff(host);
    world.powerOn(host);
    world.runUntil(world.nowUs + 1);
    expect(done).toBe(1);
    expect(holder().storage.readLong('currentEpoch')).toBe(3);
  });
});
