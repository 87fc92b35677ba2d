import type { Json } from '../core/types.ts';
import type { TopicPartition } from './log/files.ts';
import type { Log } from './log/log.ts';
import { NEVER_MS, type FollowerState } from './replica-rules.ts';

// A partition as one broker holds it (kafka.cluster.Partition): the state the controller last gave
// it (leader, leader epoch, ISR, the partition znode's zkVersion), its local log, and when it leads,
// what it knows of its followers. Plain mutable fields: this is on the hot path.

export class Partition {
  readonly key: string;
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
  /** A conditional ISR write is in flight (one at a time, as Kafka holds the partition lock). */
  isrWriteInFlight = false;

  constructor(readonly tp: TopicPartition, readonly log: Log) {
    this.key = `${tp.topic}-${tp.partition}`;
  }

  inIsr(id: number): boolean {
    return this.isr.includes(id);
  }

  inspect(): { [key: string]: Json } {
    const l = this.log.inspect();
    const view: { [key: string]: Json } = {
      leader: this.leader,
      leaderEpoch: this.leaderEpoch,
      isr: this.isr.slice(),
      replicas: this.replicas.slice(),
      isLeader: this.isLeader,
      leo: this.log.logEndOffset,
      hw: this.log.highWatermark,
      logStartOffset: this.log.logStartOffset,
      epochs: l['epochs'] ?? [],
      log: l['log'] ?? null,
    };
    if (this.isLeader) {
      const followers: { [id: string]: Json } = {};
      for (const [id, s] of [...this.followers].sort((a, b) => a[0] - b[0])) followers[String(id)] = { leo: s.leo, lastCaughtUpMs: s.lastCaughtUpTimeMs === NEVER_MS ? null : s.lastCaughtUpTimeMs };
      view['followers'] = followers;
    }
    return view;
  }
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
