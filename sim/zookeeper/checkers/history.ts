// zk-history-agreement and zk-acked-writes-durable: the committed history is one sequence.
//
// Every serving peer declares what it holds as committed: when it starts serving (zk-serving: a
// starting point and the chain of txns it still holds in memory, each with the digest of the whole
// history after it) and at every commit (zk-commit: zxid, the zxid before it, history digest).
// Zab.tla's agreement, total order and prefix consistency then read:
//   - one digest per zxid: two peers whose histories differ at or before a zxid cannot both
//     declare that zxid committed (the digest covers the whole prefix);
//   - one successor per zxid: after committed zxid p, every peer commits the same next zxid, so no
//     peer skips or reorders committed txns;
//   - a peer's committed point only moves forward while it runs (it never truncates what it
//     declared committed).
// Durability: every write a client saw succeed carries its txn's zxid; that zxid must be declared
// committed, and the history of the last leader must still run through it after every recovery.

import type { Checker, CheckStatus, RunPhases } from '../../world/checker.ts';
import type { ProcessId } from '../../core/types.ts';
import type { ZkObservations } from '../observations.ts';
import type { World } from '../../world/world.ts';
import { formatZxid } from '../zxid.ts';

interface PeerState {
  incarnation: number;
  /** Highest zxid declared committed by this incarnation; -1 before it served. */
  last: number;
}

/** The shared record of declared history, one per world. */
export class CommitRecord {
  readonly digestAt = new Map<number, number>();
  readonly declaredBy = new Map<number, string>();
  readonly succ = new Map<number, number>();
  readonly pred = new Map<number, number>();
  readonly peers = new Map<ProcessId, PeerState>();
  /** The last leader to be established, and where its history reached. */
  readonly violations: string[] = [];

  constructor(private readonly world: World) {
    world.onObserve('zk-serving', (pid, data) => this.onServing(pid, data));
    world.onObserve('zk-commit', (pid, data) => this.onCommit(pid, data));
    world.onObserve('zk-truncate', (pid, data) => this.onTruncate(pid, data));
  }

  private report(msg: string): void {
    this.world.reportViolation('zk-history-agreement', msg);
  }

  private peer(pid: ProcessId): PeerState {
    const inc = this.world.incarnation[pid]!;
    let p = this.peers.get(pid);
    if (p === undefined || p.incarnation !== inc) {
      p = { incarnation: inc, last: -1 };
      this.peers.set(pid, p);
    }
    return p;
  }

  private digest(pid: ProcessId, zxid: number, digest: number): void {
    const known = this.digestAt.get(zxid);
    const name = this.world.procNames[pid]!;
    if (known === undefined) {
      this.digestAt.set(zxid, digest);
      this.declaredBy.set(zxid, name);
    } else if (known !== digest) {
      this.report(`${name}'s committed history up to ${formatZxid(zxid)} differs from ${this.declaredBy.get(zxid)}'s (digest ${digest.toString(16)} vs ${known.toString(16)})`);
    }
  }

  private link(pid: ProcessId, prev: number, zxid: number): void {
    const name = this.world.procNames[pid]!;
    if (zxid <= prev) {
      this.report(`${name} committed ${formatZxid(zxid)} after ${formatZxid(prev)}: committed zxids must increase`);
      return;
    }
    if (!this.pred.has(zxid)) this.pred.set(zxid, prev);
    const s = this.succ.get(prev);
    if (s === undefined) {
      this.succ.set(prev, zxid);
    } else if (s !== zxid) {
      this.report(`after ${formatZxid(prev)}, ${name} committed ${formatZxid(zxid)} but ${this.declaredBy.get(s) ?? 'another server'} committed ${formatZxid(s)}`);
    }
  }

  private onServing(pid: ProcessId, d: ZkObservations['zk-serving']): void {
    const p = this.peer(pid);
    this.digest(pid, d.from, d.fromDigest);
    let prev = d.from;
    for (let i = 0; i < d.chain.length; i += 2) {
      const z = d.chain[i]!;
      this.link(pid, prev, z);
      this.digest(pid, z, d.chain[i + 1]!);
      prev = z;
    }
    if (prev < p.last) {
      this.report(`${this.world.procNames[pid]} serves from ${formatZxid(prev)} after it had committed up to ${formatZxid(p.last)}: committed txns were dropped`);
    }
    p.last = Math.max(p.last, prev);
  }

  private onCommit(pid: ProcessId, d: ZkObservations['zk-commit']): void {
    const p = this.peer(pid);
    if (p.last >= 0 && d.prev !== p.last) {
      this.report(`${this.world.procNames[pid]} committed ${formatZxid(d.zxid)} on top of ${formatZxid(d.prev)}, but its committed history ended at ${formatZxid(p.last)}`);
    }
    this.link(pid, d.prev, d.zxid);
    this.digest(pid, d.zxid, d.digest);
    p.last = d.zxid;
  }

  private onTruncate(pid: ProcessId, d: ZkObservations['zk-truncate']): void {
    const p = this.peer(pid);
    if (p.last > d.to) {
      this.report(`${this.world.procNames[pid]} truncated its log to ${formatZxid(d.to)} below ${formatZxid(p.last)}, which it had committed`);
    }
  }

  /** The zxids reachable from `tip` walking back through committed links, and the lowest one reached. */
  chainFrom(tip: number): { readonly zxids: Set<number>; readonly lowest: number } {
    const zxids = new Set<number>();
    let z = tip;
    for (;;) {
      zxids.add(z);
      const p = this.pred.get(z);
      if (p === undefined || zxids.has(p)) return { zxids, lowest: z };
      z = p;
    }
  }
}

const records = new WeakMap<World, CommitRecord>();

/** The world's commit record (created on first use). */
export function commitRecord(world: World): CommitRecord {
  let r = records.get(world);
  if (r === undefined) records.set(world, (r = new CommitRecord(world)));
  return r;
}

export function historyAgreementChecker(): Checker {
  return {
    name: 'zk-history-agreement',
    kind: 'safety',
    description: 'committed txns agree across servers: one digest and one successor per committed zxid, and no server drops what it committed',
    attach(world: World) {
      commitRecord(world);
    },
  };
}

const WRITE_FS = new Set(['create', 'delete', 'setData', 'multi']);

/** zk-acked-writes-durable: every write a client saw succeed is committed and survives in the last leader's history. */
export function ackedWritesDurableChecker(): Checker {
  return {
    name: 'zk-acked-writes-durable',
    kind: 'safety',
    description: 'every write acknowledged to a client is committed and stays in the history of the final leader after all recoveries',
    attach(world: World) {
      commitRecord(world);
    },
    finish(world: World, _run: RunPhases): CheckStatus {
      const rec = commitRecord(world);
      // The final leader: the serving peer whose committed history reaches furthest.
      let tip = -1;
      let tipName = '';
      for (const [pid, st] of rec.peers) {
        if (!world.isUp(pid) || world.incarnation[pid] !== st.incarnation) continue;
        if (st.last > tip) {
          tip = st.last;
          tipName = world.procNames[pid]!;
        }
      }
      let unknown = false;
      const chain = tip >= 0 ? rec.chainFrom(tip) : null;
      for (const op of world.history.operations()) {
        if (op.status !== 'ok' || !WRITE_FS.has(op.f)) continue;
        const z = (op.output as { zxid?: number } | undefined)?.zxid;
        if (typeof z !== 'number') continue;
        const what = `${op.process}'s ${op.f} ${op.key ?? ''} (op #${op.opId}, zxid ${formatZxid(z)})`;
        if (!rec.digestAt.has(z)) {
          world.reportViolation('zk-acked-writes-durable', `${what} was acknowledged, but no server ever committed that zxid`);
          continue;
        }
        if (chain === null) {
          unknown = true;
          continue;
        }
        if (tip < z) {
          world.reportViolation('zk-acked-writes-durable', `${what} is beyond the end of every running server's committed history (${tipName} ends at ${formatZxid(tip)}): lost`);
        } else if (z >= chain.lowest && !chain.zxids.has(z)) {
          world.reportViolation('zk-acked-writes-durable', `${what} is missing from ${tipName}'s committed history: lost`);
        } else if (z < chain.lowest) {
          unknown = true;
        }
      }
      return unknown ? 'unknown' : 'pass';
    },
  };
}
