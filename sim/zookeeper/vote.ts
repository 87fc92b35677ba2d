// Votes and their order (FastLeaderElection.totalOrderPredicate, Vote.equals).
// A vote names a leader with the (peerEpoch, zxid) of its history. A newer epoch wins, then a
// longer history in that epoch, then the higher server id: so the elected leader holds every txn
// a quorum has acknowledged (ZAB's requirement on the new leader's history).

import type { ServerState } from './messages.ts';
import type { Zxid } from './zxid.ts';

export interface Vote {
  readonly leader: number;
  readonly zxid: Zxid;
  readonly electionEpoch: number;
  readonly peerEpoch: number;
  readonly state: ServerState;
}

/** True when (newId, newZxid, newEpoch) should replace the current proposal. */
export function totalOrderPredicate(newId: number, newZxid: Zxid, newEpoch: number, curId: number, curZxid: Zxid, curEpoch: number): boolean {
  return newEpoch > curEpoch
    || (newEpoch === curEpoch && (newZxid > curZxid || (newZxid === curZxid && newId > curId)));
}

/**
 * Vote.equals: votes cast while looking must agree on everything; votes of servers already out of
 * the election (following or leading) only on leader and epoch (ZOOKEEPER-1805).
 */
export function sameVote(a: Vote, b: Vote): boolean {
  if (a.state === 'LOOKING' || b.state === 'LOOKING') {
    return a.leader === b.leader && a.zxid === b.zxid && a.electionEpoch === b.electionEpoch && a.peerEpoch === b.peerEpoch;
  }
  return a.leader === b.leader && a.peerEpoch === b.peerEpoch;
}

/** Majority of `servers` (QuorumMaj): more than half. */
export function quorumSize(servers: number): number {
  return Math.floor(servers / 2) + 1;
}

/** How many of `votes` equal `target`. */
export function countVotes(votes: ReadonlyMap<number, Vote>, target: Vote): number {
  let n = 0;
  for (const v of votes.values()) if (sameVote(v, target)) n++;
  return n;
}
