import type { ControllerHost } from './controller-host.ts';
import type { LeaderAndIsr } from './election.ts';
import { partitionStatesBytes, type ControllerToBroker, type LeaderAndIsr as LeaderAndIsrMsg, type PartitionStateMsg, type StopReplica } from './messages.ts';

// The controller's requests to brokers (ControllerChannelManager, ControllerBrokerRequestBatch):
// LeaderAndIsr to replicas, UpdateMetadata to every registered broker, StopReplica; each carries the
// target's broker epoch (KIP-380) and is sent again every RESEND_MS until the broker answers.

/** The controller's view of one partition: its assignment and the state znode it last read or wrote. */
export interface PartitionInfo {
  readonly topic: string;
  readonly partition: number;
  readonly key: string;
  readonly replicas: readonly number[];
  state: LeaderAndIsr | null;
  zkVersion: number;
}

/** Unanswered LeaderAndIsr / UpdateMetadata / StopReplica requests are sent again this often (ControllerChannelManager retries). */
export const RESEND_MS = 3000;

export class ControllerChannel {
  private nextCorrelation = 1;
  private readonly unanswered = new Map<number, { broker: number; msg: ControllerToBroker; bytes: number; sentMs: number }>();

  /** `live`: the registered brokers (including those shutting down) and the czxid of their registration. */
  constructor(private readonly host: ControllerHost, private readonly epoch: number, private readonly live: ReadonlyMap<number, number>) {}

  /** A broker answered a request. */
  onResponse(correlationId: number): void {
    this.unanswered.delete(correlationId);
  }

  private send(broker: number, msg: ControllerToBroker, bytes: number): void {
    if (broker !== this.host.brokerId) this.unanswered.set(msg.correlationId, { broker, msg, bytes, sentMs: this.host.nowMs() });
    this.host.sendToBroker(broker, msg, bytes);
  }

  resend(): void {
    const now = this.host.nowMs();
    for (const [id, u] of this.unanswered) {
      if (!this.live.has(u.broker)) {
        this.unanswered.delete(id);
        continue;
      }
      if (now - u.sentMs < RESEND_MS) continue;
      u.sentMs = now;
      this.host.sendToBroker(u.broker, u.msg, u.bytes);
    }
  }

  /**
   * ControllerChannelManager.removeBroker: requests queued for a broker that died (or bounced) are
   * dropped; a broker that (re)joins gets the current state of all its partitions instead. Resending
   * an old LeaderAndIsr to a restarted broker would hand it a stale leader epoch.
   */
  dropFor(dead: readonly number[], added: readonly number[]): void {
    for (const [id, u] of this.unanswered) if (dead.includes(u.broker) || added.includes(u.broker)) this.unanswered.delete(id);
  }

  private stateMsg(p: PartitionInfo): PartitionStateMsg {
    const s = p.state!;
    return { tp: p.key, topic: p.topic, partition: p.partition, leader: s.leader, leaderEpoch: s.leaderEpoch, isr: s.isr, zkVersion: p.zkVersion, replicas: p.replicas };
  }

  sendLeaderAndIsr(broker: number, ps: readonly PartitionInfo[]): void {
    if (ps.length === 0) return;
    const msg: LeaderAndIsrMsg = { type: 'LeaderAndIsr', correlationId: this.nextCorrelation++, brokerEpoch: this.live.get(broker) ?? -1, controllerId: this.host.brokerId, controllerEpoch: this.epoch, partitions: ps.map((p) => this.stateMsg(p)) };
    this.send(broker, msg, partitionStatesBytes(ps.length));
  }

  sendStopReplica(broker: number, tps: readonly string[]): void {
    if (tps.length === 0) return;
    const msg: StopReplica = { type: 'StopReplica', correlationId: this.nextCorrelation++, brokerEpoch: this.live.get(broker) ?? -1, controllerId: this.host.brokerId, controllerEpoch: this.epoch, deletePartitions: false, partitions: tps };
    this.send(broker, msg, partitionStatesBytes(tps.length));
  }

  sendUpdateMetadata(ps: readonly PartitionInfo[]): void {
    const withState = ps.filter((p) => p.state !== null);
    const base = {
      type: 'UpdateMetadata' as const, controllerId: this.host.brokerId, controllerEpoch: this.epoch,
      liveBrokers: [...this.live.keys()].sort((a, b) => a - b), partitions: withState.map((p) => this.stateMsg(p)),
    };
    for (const id of this.live.keys()) this.send(id, { ...base, correlationId: this.nextCorrelation++, brokerEpoch: this.live.get(id) ?? -1 }, partitionStatesBytes(withState.length));
  }
}
