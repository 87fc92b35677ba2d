// What a peer keeps on its disk and how it gets it back (FileTxnSnapLog.java, QuorumPeer's epoch
// files): the txn log, snapshots, and the acceptedEpoch / currentEpoch files. Recovery loads the
// newest valid snapshot and replays the log after it, having cut any torn tail off the log.
//
// LogSyncer is SyncRequestProcessor's group commit: txns are appended to the page cache as they
// arrive; one fsync round at a time makes everything appended before it durable, and whoever waits
// for durability (a follower's ACK, the leader's own vote for its proposal) is told when the round
// completes. Appends made during a round wait for the next one.

import type { DiskView } from '../core/actor.ts';
import { DataTree } from './datatree.ts';
import { deserializeSnapshot, serializeSnapshot, snapshotPath, snapshotZxidOf } from './snapshot.ts';
import { txnDigest, type Txn } from './txn.ts';
import { LOG_DIR, TxnLog } from './txnlog.ts';
import { counterOf, epochOf, formatZxid, type Zxid } from './zxid.ts';

/** Asynchronous fsync with a completion callback (the peer maps it onto ctx.disk.fsync tags). */
export interface FsyncIO {
  fsync(path: string, done: (err: string | null) => void): void;
}

export const ACCEPTED_EPOCH = 'acceptedEpoch';
export const CURRENT_EPOCH = 'currentEpoch';

export interface Restored {
  readonly tree: DataTree;
  /** Txns replayed from the log after the snapshot (the tail of the history, for the committed log). */
  readonly replayed: { readonly txn: Txn; readonly digestAfter: number }[];
  readonly notes: string[];
}

export class Storage {
  readonly log: TxnLog;

  constructor(private readonly disk: DiskView, private readonly io: FsyncIO) {
    this.log = new TxnLog(disk);
  }

  snapshotZxids(): Zxid[] {
    return this.disk.list(`${LOG_DIR}snapshot.`).map(snapshotZxidOf).sort((a, b) => a - b);
  }

  /** FileTxnSnapLog.restore: newest valid snapshot, then the log after it. */
  restore(): Restored {
    const notes: string[] = [];
    const damage = this.log.recover();
    if (damage !== null) notes.push(`txn log: dropped a damaged tail (${damage})`);
    let tree: DataTree | null = null;
    for (const z of this.snapshotZxids().reverse()) {
      const bytes = this.disk.readAll(snapshotPath(z));
      const t = bytes === 'ENOENT' ? 'missing' : deserializeSnapshot(bytes);
      if (typeof t === 'string') {
        notes.push(`snapshot ${formatZxid(z)} is invalid (${t}); trying an older one`);
        continue;
      }
      tree = t;
      break;
    }
    tree ??= new DataTree();
    const replayed: { txn: Txn; digestAfter: number }[] = [];
    for (const r of this.log.readAfter(tree.lastZxid)) {
      const z = r.txn.zxid;
      const last = tree.lastZxid;
      if (z !== last + 1 && !(epochOf(z) > epochOf(last) && counterOf(z) === 1)) {
        // Like FileTxnSnapLog.fastForwardFromEdits, replay only requires increasing zxids: a hole
        // (a log file's tail lost while a later file survived) is replayed over, not repaired.
        notes.push(`txn log: ${formatZxid(z)} follows ${formatZxid(last)}, the txns between are missing; replay goes on`);
      }
      tree.apply(r.txn, txnDigest(r.bytes), null);
      replayed.push({ txn: r.txn, digestAfter: tree.digest });
    }
    if (this.log.lastZxid < tree.lastZxid) this.log.lastZxid = tree.lastZxid;
    return { tree, replayed, notes };
  }

  /** Writes snapshot.<zxid>; with fsync, `done` runs once it is durable (else at once). */
  saveSnapshot(tree: DataTree, fsync: boolean, done: ((err: string | null) => void) | null): void {
    const path = snapshotPath(tree.lastZxid);
    if (this.disk.exists(path)) this.disk.delete(path);
    const err = this.disk.write(path, 0, serializeSnapshot(tree));
    if (err !== null) {
      done?.(err);
      return;
    }
    if (fsync) this.io.fsync(path, (e) => done?.(e));
    else done?.(null);
  }

  snapshotSize(zxid: Zxid): number {
    return Math.max(0, this.disk.size(snapshotPath(zxid)));
  }

  /** Snapshot bytes of a tree, for SNAP sync. */
  snapshotBytes(tree: DataTree): Uint8Array {
    return serializeSnapshot(tree);
  }

  /** Removes every txn after zxid from the log and every snapshot newer than it (ZKDatabase.truncateLog). */
  truncateTo(zxid: Zxid): void {
    this.log.truncate(zxid);
    for (const z of this.snapshotZxids()) if (z > zxid) this.disk.delete(snapshotPath(z));
  }

  readLong(name: string): number | null {
    const b = this.disk.readAll(name);
    if (b === 'ENOENT') return null;
    const text = new TextDecoder().decode(b).trim();
    return /^\d+$/.test(text) ? Number(text) : null;
  }

  /** AtomicFileOutputStream: write name.tmp, fsync it, rename over name; `done` after the rename. */
  writeLong(name: string, value: number, done: (err: string | null) => void): void {
    const tmp = `${name}.tmp`;
    if (this.disk.exists(tmp)) this.disk.delete(tmp);
    const err = this.disk.write(tmp, 0, new TextEncoder().encode(`${value}\n`));
    if (err !== null) {
      done(err);
      return;
    }
    this.io.fsync(tmp, (e) => {
      if (e !== null) {
        done(e);
        return;
      }
      done(this.disk.rename(tmp, name));
    });
  }
}

interface Waiter {
  readonly zxid: Zxid;
  readonly gen: number;
  readonly cb: () => void;
}

export class LogSyncer {
  appendedZxid: Zxid = 0;
  durableZxid: Zxid = 0;
  private roundInFlight = false;
  private gen = 0;
  private waiters: Waiter[] = [];
  /** Txns appended since the last snapshot (SyncRequestProcessor's logCount). */
  logCount = 0;

  constructor(
    private readonly log: TxnLog,
    private readonly io: FsyncIO,
    private readonly forceSync: boolean,
    /** Called after every round with the new durable zxid. */
    private readonly onDurable: (durableZxid: Zxid) => void,
    /** Called when an append or fsync fails: ZooKeeper exits on txn log I/O errors. */
    private readonly onError: (what: string) => void,
  ) {
    this.appendedZxid = log.lastZxid;
    this.durableZxid = log.lastZxid;
  }

  /** Appends to the page cache and starts an fsync round if none is running. */
  append(txn: Txn, bytes: Uint8Array): boolean {
    const err = this.log.append(txn, bytes);
    if (err !== null) {
      this.onError(`txn log append failed: ${err}`);
      return false;
    }
    this.appendedZxid = txn.zxid;
    this.logCount++;
    if (!this.roundInFlight) this.startRound();
    return true;
  }

  /** Runs cb once everything appended so far is durable (synchronously if it already is). */
  whenDurable(cb: () => void): void {
    if (this.durableZxid >= this.appendedZxid && !this.roundInFlight) {
      cb();
      return;
    }
    this.waiters.push({ zxid: this.appendedZxid, gen: this.gen, cb });
    if (!this.roundInFlight) this.startRound();
  }

  /** After truncation or a snapshot sync: the log now ends at zxid. Pending waiters are dropped. */
  reset(zxid: Zxid): void {
    this.gen++;
    this.appendedZxid = zxid;
    this.durableZxid = Math.min(this.durableZxid, zxid);
    this.waiters = [];
  }

  private startRound(): void {
    this.roundInFlight = true;
    const gen = this.gen;
    const target = this.appendedZxid;
    const files = this.forceSync ? this.log.takeDirty() : (this.log.takeDirty(), []);
    let left = files.length;
    const finish = (): void => {
      this.roundInFlight = false;
      if (gen === this.gen && target > this.durableZxid) this.durableZxid = target;
      if (gen !== this.gen && this.durableZxid < this.appendedZxid && target >= this.appendedZxid) this.durableZxid = this.appendedZxid;
      this.onDurable(this.durableZxid);
      const ready = this.waiters.filter((w) => w.gen === this.gen && w.zxid <= this.durableZxid);
      if (ready.length > 0) {
        this.waiters = this.waiters.filter((w) => !(w.gen === this.gen && w.zxid <= this.durableZxid));
        for (const w of ready) w.cb();
      }
      if (!this.roundInFlight && (this.appendedZxid > this.durableZxid || this.waiters.length > 0)) this.startRound();
    };
    if (left === 0) {
      finish();
      return;
    }
    for (const f of files) {
      this.io.fsync(f, (err) => {
        if (err !== null && err !== 'ENOENT') this.onError(`fsync of ${f} failed: ${err}`);
        if (--left === 0) finish();
      });
    }
  }
}
