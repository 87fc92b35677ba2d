// ZooKeeper in dsim: the public surface for scenarios, tests, and systems that embed a ZooKeeper
// ensemble (Kafka, HDFS HA). The design note is in README.md next to this file.

import type { Checker } from '../world/checker.ts';
import { singleLeaderChecker } from './checkers/leaders.ts';
import { ackedWritesDurableChecker, historyAgreementChecker } from './checkers/history.ts';
import { quorumCommitChecker } from './checkers/quorum.ts';
import { linearizableWritesChecker } from './checkers/linearizable.ts';
import { sessionOrderChecker } from './checkers/session-order.ts';
import { watchOnceChecker } from './checkers/watches.ts';
import { ephemeralLifetimeChecker } from './checkers/ephemerals.ts';
import { livenessChecker } from './checkers/liveness.ts';

export { zkSchema, zkSettings, parseZooCfg, negotiateSessionTimeout, type ZkSettings } from './config.ts';
export { ZkClient, isZkClientTimer, type ZkClientOptions, type ZkClientState, type ZkSessionEvent, type ZkWatchEvent, type Watcher, type CreateOptions, type ReadOptions, type ZkClientTimer } from './client.ts';
export type { ZkErrorCode, Stat, MultiOp, MultiResult, WatchEventType, ZkMessage } from './messages.ts';
export { addEnsemble, zkNames, type Ensemble, type EnsembleOptions } from './ensemble.ts';
export { ZkPeer, type PeerOptions } from './peer.ts';
export { Learner } from './learner.ts';
export { FastLeaderElection, type ElectionHost, type ElectionParams } from './election.ts';
export { totalOrderPredicate, quorumSize } from './vote.ts';
export { makeZxid, epochOf, counterOf, formatZxid, parseZxid, type Zxid } from './zxid.ts';
export { zkStatus, type SummaryOptions } from './summary.ts';
export { singleLeaderChecker } from './checkers/leaders.ts';
export { historyAgreementChecker, ackedWritesDurableChecker, commitRecord } from './checkers/history.ts';
export { quorumCommitChecker } from './checkers/quorum.ts';
export { linearizableWritesChecker, znodeModel } from './checkers/linearizable.ts';
export { sessionOrderChecker } from './checkers/session-order.ts';
export { watchOnceChecker } from './checkers/watches.ts';
export { ephemeralLifetimeChecker } from './checkers/ephemerals.ts';
export { livenessChecker, electionTimeChecker, leaderStepsDownChecker } from './checkers/liveness.ts';
export { availabilityChecker } from './checkers/availability.ts';

export interface ZkCheckerOptions {
  /** Server process names. */
  readonly servers: readonly string[];
  /** zk-liveness: a leader and a committed write within this long after heal. */
  readonly livenessBoundMs: number;
}

/** Every ZooKeeper checker: the safety properties of the issue plus liveness after heal. */
export function zkCheckers(opts: ZkCheckerOptions): Checker[] {
  return [
    singleLeaderChecker(),
    historyAgreementChecker(),
    ackedWritesDurableChecker(),
    quorumCommitChecker(opts.servers),
    linearizableWritesChecker(),
    sessionOrderChecker(),
    watchOnceChecker(),
    ephemeralLifetimeChecker({ servers: opts.servers }),
    livenessChecker({ servers: opts.servers, boundMs: opts.livenessBoundMs }),
  ];
}
