// Which synchronization a learner gets (LearnerHandler.syncFollower and queueCommittedProposals),
// as a pure function of the learner's last zxid and what the leader holds:
//   - its last zxid equals ours: an empty DIFF;
//   - it is beyond our last committed txn (and not just the start of a new epoch): TRUNC to that;
//   - it is within our in-memory committed log: DIFF with the txns after it; if it holds a txn we
//     do not (its zxid is not in our history) TRUNC to our txn before it first, but only within one
//     epoch ("Cannot send TRUNC to peer ... peer zxid is from different epoch"), else SNAP;
//   - it is older than the committed log: the same from the on-disk txn log, if it is small
//     enough next to a snapshot (zookeeper.snapshotSizeFactor);
//   - anything else: SNAP.

import type { Txn } from './txn.ts';
import { counterOf, epochOf, type Zxid } from './zxid.ts';

export type SyncPlan =
  | { readonly kind: 'DIFF'; readonly zxid: Zxid; readonly txns: readonly Txn[]; readonly upTo: Zxid }
  | { readonly kind: 'TRUNC'; readonly zxid: Zxid; readonly txns: readonly Txn[]; readonly upTo: Zxid }
  | { readonly kind: 'SNAP'; readonly zxid: Zxid; readonly upTo: Zxid };

export interface SyncInput {
  /** The learner's last logged zxid (ACKEPOCH). */
  readonly peerLastZxid: Zxid;
  /** The leader's last committed (applied) zxid. */
  readonly lastProcessedZxid: Zxid;
  /** The leader's in-memory committed log, oldest first. */
  readonly committedLog: readonly Txn[];
  /** Txns with zxid >= the argument from the on-disk log, or null when txn-log sync is not allowed. */
  readonly readTxnLog: ((fromZxid: Zxid) => readonly Txn[]) | null;
}

export function planSync(inp: SyncInput): SyncPlan {
  const { peerLastZxid: peer, lastProcessedZxid: last, committedLog: log } = inp;
  const minCommitted = log.length > 0 ? log[0]!.zxid : last;
  const maxCommitted = log.length > 0 ? log[log.length - 1]!.zxid : last;
  const isPeerNewEpochZxid = counterOf(peer) === 0;
  if (peer === last) return { kind: 'DIFF', zxid: peer, txns: [], upTo: peer };
  if (peer > maxCommitted && !isPeerNewEpochZxid) return { kind: 'TRUNC', zxid: maxCommitted, txns: [], upTo: maxCommitted };
  if (peer >= minCommitted && peer <= maxCommitted) {
    const plan = queueCommitted(log, peer, last);
    if (plan !== null) return plan;
  } else if (peer < minCommitted && inp.readTxnLog !== null) {
    const fromDisk = inp.readTxnLog(peer).filter((t) => t.zxid <= last);
    // The on-disk log must reach back to the learner's zxid (FileTxnLog.read finds it, or fails).
    if (fromDisk.length > 0 && fromDisk[0]!.zxid <= peer) {
      const plan = queueCommitted(fromDisk, peer, last);
      if (plan !== null) return plan;
    }
  }
  return { kind: 'SNAP', zxid: last, upTo: last };
}

function queueCommitted(txns: readonly Txn[], peer: Zxid, lastCommitted: Zxid): SyncPlan | null {
  let op: { kind: 'DIFF' | 'TRUNC'; zxid: Zxid } | null = null;
  let queued = peer;
  let prev = -1;
  const isNewEpoch = counterOf(peer) === 0;
  const out: Txn[] = [];
  for (const t of txns) {
    const z = t.zxid;
    if (z > lastCommitted) break;
    if (z < peer) {
      prev = z;
      continue;
    }
    if (op === null) {
      if (z === peer) {
        op = { kind: 'DIFF', zxid: lastCommitted };
        continue;
      }
      if (isNewEpoch) {
        op = { kind: 'DIFF', zxid: lastCommitted };
      } else if (z > peer) {
        if (epochOf(z) !== epochOf(peer) || prev < 0) return null;
        op = { kind: 'TRUNC', zxid: prev };
        queued = prev;
      }
    }
    if (z <= queued) continue;
    out.push(t);
    queued = z;
  }
  if (op === null && isNewEpoch) op = { kind: 'DIFF', zxid: lastCommitted };
  if (op === null) return null;
  return { kind: op.kind, zxid: op.zxid, txns: out, upTo: queued };
}
