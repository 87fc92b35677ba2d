// What ZooKeeper's peers and clients tell the checkers, kind by kind (the typed observation map:
// sim/core/observation.ts). The checkers in checkers/ read these; the trace keeps them as `obs` lines.

import type { WatchEventType, WatchKind } from './messages.ts';

export interface ZkObservations {
  /** A learner truncated its log (TRUNC from the leader) from `from` down to `to`. */
  'zk-truncate': { readonly sid: number; readonly from: number; readonly to: number };
  /** A peer acknowledged a proposal (or NEWLEADER: the epoch's zxid with counter 0) to the leader. */
  'zk-ack': { readonly sid: number; readonly zxid: number };
  /** A peer applied a committed txn: its predecessor and the data tree digest after it. */
  'zk-commit': { readonly sid: number; readonly zxid: number; readonly prev: number; readonly digest: number; readonly leader: boolean };
  /** A peer starts serving: the committed history it holds, from a zxid and digest then a chain of (zxid, digest) pairs. */
  'zk-serving': { readonly sid: number; readonly from: number; readonly fromDigest: number; readonly chain: readonly number[] };
  /** A leader shut down (lost its quorum, or a fault), with the reason Leader.shutdown logs. */
  'zk-leader-lost': { readonly sid: number; readonly epoch: number; readonly reason: string };
  /** A leader got a quorum of ACKs of NEWLEADER: the epoch is established. */
  'zk-leader-established': { readonly sid: number; readonly epoch: number };
  /** A closeSession txn committed at the leader. */
  'zk-session-closed': { readonly sid: number; readonly session: number; readonly zxid: number };
  /** An ephemeral znode created for a session (committed at the leader). */
  'zk-ephemeral': { readonly sid: number; readonly session: number; readonly path: string; readonly zxid: number };
  /** The leader's session tracker expired a session. */
  'zk-session-expire': { readonly sid: number; readonly session: number };
  /** A client's session changed state (with the negotiated timeout, or when it last heard the server). */
  'zk-session-state':
    | { readonly session: number; readonly state: 'CONNECTED'; readonly client: string; readonly timeoutMs: number }
    | { readonly session: number; readonly state: 'DISCONNECTED'; readonly client: string; readonly lastHeardUs: number }
    | { readonly session: number; readonly state: 'EXPIRED' | 'CLOSED'; readonly client: string };
  /** A client registered a watch, with the znode's stat as the read saw it (-1: no node). */
  'zk-watch-set': {
    readonly session: number; readonly path: string; readonly kind: WatchKind; readonly exists: boolean;
    readonly mzxid: number; readonly pzxid: number; readonly czxid: number;
  };
  /** A watch event reached a client and fired this many watchers. */
  'zk-watch-fired': { readonly session: number; readonly path: string; readonly event: WatchEventType; readonly watchers: number };
}

declare module '../core/observation.ts' {
  interface Observations extends ZkObservations {}
}

/** One line per kind (the System lists them; `describe` and the viewer show them). */
export const ZK_OBSERVATIONS: { readonly [K in keyof ZkObservations]: string } = {
  'zk-truncate': 'a learner truncated its txn log (TRUNC)',
  'zk-ack': 'a peer acknowledged a proposal or NEWLEADER',
  'zk-commit': 'a peer applied a committed txn (zxid, predecessor, digest)',
  'zk-serving': 'a peer starts serving with this committed history',
  'zk-leader-lost': 'a leader shut down',
  'zk-leader-established': 'a leader established its epoch (quorum of NEWLEADER ACKs)',
  'zk-session-closed': 'a closeSession txn committed',
  'zk-ephemeral': 'an ephemeral znode created for a session',
  'zk-session-expire': 'the leader expired a session',
  'zk-session-state': 'a client session changed state',
  'zk-watch-set': 'a client registered a watch',
  'zk-watch-fired': 'a watch event fired at a client',
};
