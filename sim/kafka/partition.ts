import type { Json } from '../core/types.ts';
import type { TopicPartition } from './log/files.ts';
import type { Log } from './log/log.ts';
import { NEVER_MS, type FollowerState } from './replica-rules.ts';

// A partition as one broker holds it (kafka.cluster.Partition): the state the controller last gave
// it (leader, leader epoch, ISR, the partition znode's zkVersion), its local log, and when it leads,
// what it knows of its followers. Plain mutable fields: this is on the hot path.

export class Partition {
  readonly key: string;
  /** Replaced, never changed in place (inspect() notices changes by identity); so is `isr`. */
  replicas: readonly number[] = [];
  leader = -1;
  leaderEpoch = -1;
  isr: readonly number[] = [];
  /** The partition state znode's version as of our last read or write (the conditional ISR write uses it). */
  zkVersion = 0;
  /** The controller epoch of the LeaderAndIsr that set this state (written back with ISR changes). */
  controllerEpoch = 0;
  isLeader = false;
  readonly followers = new Map<number, FollowerState>();
  /** KAFKA-7128: the leader's LEO when it became leader of the current epoch. */
  leaderEpochStartOffset: number | null = null;
  /**
   * An ISR change is in flight: the conditional ZooKeeper write (before 2.7-IV2), or an AlterIsr
   * request not yet answered (Partition.isrState.isInflight). One at a time.
   */
  isrWriteInFlight = false;
  /**
   * KIP-497 (IBP >= 2.7-IV2): the ISR change sent to the controller (Partition's PendingExpandIsr /
   * PendingShrinkIsr), null when the ISR is committed. It stays set after a non-retriable error
   * until the next LeaderAndIsr, as in Kafka 2.8.
   */
  pendingIsr: PendingIsr | null = null;

  constructor(readonly tp: TopicPartition, readonly log: Log) {
    this.key = `${tp.topic}-${tp.partition}`;
  }

  inIsr(id: number): boolean {
    return this.isr.includes(id);
  }

  /**
   * IsrState.maximalIsr (KIP-497): the committed ISR plus a replica whose expansion is pending. The
   * HW and acks=all wait for it; a pending shrink still counts the replicas it would remove, so a
   * leader cannot commit alone before the controller agreed.
   */
  get maximalIsr(): readonly number[] {
    return this.pendingIsr === null ? this.isr : this.pendingIsr.maximal;
  }

  /**
   * The partition's view, deep-frozen and memoized: while nothing shown changed, the same object is
   * returned, so a traced run's state diff skips it by identity (sim/world/view-diff.ts). Most
   * handlers change one or two of a broker's partitions.
   */
  inspect(): Json {
    const log = this.log;
    const epochs = log.epochsView();
    const recent = log.recentView();
    const m = this.memo;
    if (m !== null && m.leader === this.leader && m.leaderEpoch === this.leaderEpoch && m.isr === this.isr && m.replicas === this.replicas
      && m.isLeader === this.isLeader && m.leo === log.logEndOffset && m.hw === log.highWatermark && m.logStartOffset === log.logStartOffset
      && m.pendingIsr === this.pendingIsr && m.epochs === epochs && m.recent === recent && (!this.isLeader || sameFollowers(m.followers, this.followers))) {
      return m.view;
    }
    const view: { [key: string]: Json } = {
      leader: this.leader,
      leaderEpoch: this.leaderEpoch,
      isr: Object.freeze(this.isr.slice()),
      replicas: Object.freeze(this.replicas.slice()),
      isLeader: this.isLeader,
      leo: log.logEndOffset,
      hw: log.highWatermark,
      logStartOffset: log.logStartOffset,
      epochs,
      log: recent,
    };
    if (this.pendingIsr !== null) view['pendingIsr'] = Object.freeze({ kind: this.pendingIsr.kind, proposed: Object.freeze(this.pendingIsr.proposed.slice()) });
    const followers: number[] = [];
    if (this.isLeader) {
      const shown: { [id: string]: Json } = {};
      for (const [id, s] of [...this.followers].sort((a, b) => a[0] - b[0])) {
        shown[String(id)] = Object.freeze({ leo: s.leo, lastCaughtUpMs: s.lastCaughtUpTimeMs === NEVER_MS ? null : s.lastCaughtUpTimeMs });
        followers.push(id, s.leo, s.lastCaughtUpTimeMs);
      }
      view['followers'] = Object.freeze(shown);
    }
    Object.freeze(view);
    this.memo = {
      view, pendingIsr: this.pendingIsr, leader: this.leader, leaderEpoch: this.leaderEpoch, isr: this.isr, replicas: this.replicas, isLeader: this.isLeader,
      leo: log.logEndOffset, hw: log.highWatermark, logStartOffset: log.logStartOffset, epochs, recent, followers,
    };
    return view;
  }

  private memo: PartitionViewMemo | null = null;
}

/** Partition's PendingExpandIsr / PendingShrinkIsr (2.8): the committed ISR, what was proposed, and the maximal ISR. */
export interface PendingIsr {
  readonly kind: 'expand' | 'shrink';
  readonly isr: readonly number[];
  readonly proposed: readonly number[];
  /** Expand: the proposed ISR (committed + the new replica); shrink: the committed ISR. */
  readonly maximal: readonly number[];
}

/** What Partition.inspect's last view was built from. */
interface PartitionViewMemo {
  readonly view: Json;
  readonly pendingIsr: PendingIsr | null;
  readonly leader: number;
  readonly leaderEpoch: number;
  readonly isr: readonly number[];
  readonly replicas: readonly number[];
  readonly isLeader: boolean;
  readonly leo: number;
  readonly hw: number;
  readonly logStartOffset: number;
  readonly epochs: Json;
  readonly recent: Json;
  /** (id, leo, lastCaughtUpTimeMs) per follower, by id; empty when not leading. */
  readonly followers: readonly number[];
}

/** Whether the followers' shown state is still what `shown` recorded (ids in ascending order). */
function sameFollowers(shown: readonly number[], followers: ReadonlyMap<number, FollowerState>): boolean {
  if (shown.length !== followers.size * 3) return false;
  for (let i = 0; i < shown.length; i += 3) {
    const s = followers.get(shown[i]!);
    if (s === undefined || s.leo !== shown[i + 1] || s.lastCaughtUpTimeMs !== shown[i + 2]) return false;
  }
  return true;
}

/** The JSON of /brokers/topics/<t>/partitions/<p>/state. */
export function partitionStateJson(leader: number, leaderEpoch: number, isr: readonly number[], controllerEpoch: number): string {
  return `{"controller_epoch":${controllerEpoch},"leader":${leader},"version":1,"leader_epoch":${leaderEpoch},"isr":[${isr.join(',')}]}`;
}

export interface ParsedPartitionState {
  readonly leader: number;
  readonly leaderEpoch: number;
  readonly isr: number[];
  readonly controllerEpoch: number;
}

export function parsePartitionState(data: string): ParsedPartitionState {
  const o = JSON.parse(data) as { controller_epoch: number; leader: number; leader_epoch: number; isr: number[] };
  return { leader: o.leader, leaderEpoch: o.leader_epoch, isr: o.isr, controllerEpoch: o.controller_epoch };
}

export function statePath(topic: string, partition: number): string {
  return `/brokers/topics/${topic}/partitions/${partition}/state`;
}

export function brokerName(id: number): string {
  return `broker-${id}`;
}
