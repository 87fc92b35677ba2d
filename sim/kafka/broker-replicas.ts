import type { ProcessId } from '../core/types.ts';
import type { Broker, TopicSpec } from './broker.ts';
import { logConfigFor } from './config.ts';
import { invariant } from '../core/invariant.ts';
import { assertPartitionState, checkLeaderAndIsrRequest } from './election.ts';
import type { TopicPartition } from './log/files.ts';
import {
  partitionStatesBytes, REQUEST_HEADER_BYTES,
  type ControllerToBroker, type LeaderAndIsr, type Metadata, type MetadataPartition, type PartitionStateMsg, type StopReplica, type UpdateMetadata,
} from './messages.ts';
import { Partition } from './partition.ts';
import { parseApiVersion } from './version.ts';

// The broker's side of the controller's requests (ReplicaManager.becomeLeaderOrFollower,
// MetadataCache): the epoch checks (controller epoch; KIP-380 broker epoch from 2.2), then each
// partition state becomes leader (broker-leader.ts) or follower (broker-follower.ts); UpdateMetadata
// fills the metadata cache that answers the clients' Metadata requests.

export const KAFKA_2_2_IV0 = parseApiVersion('2.2-IV0');

export class ReplicaManager {
  private liveBrokers: number[] = [];
  /** MetadataCache's controller id (the last UpdateMetadata's sender); -1 until one arrived. AlterIsr goes there. */
  controllerId = -1;
  private readonly metadata = new Map<string, PartitionStateMsg>();
  private readonly topicSpecs = new Map<string, TopicSpec>();
  private readonly waitingForEpoch: { from: ProcessId; msg: ControllerToBroker }[] = [];

  constructor(private readonly b: Broker) {
    for (const t of b.opts.topics) this.topicSpecs.set(t.name, t);
  }

  /**
   * KIP-380 (2.2+): a request addressed to an older registration of this broker (a zombie
   * controller's, or one queued before a restart) carries a lower broker epoch and is refused with
   * STALE_BROKER_EPOCH. Until this broker knows its own epoch (the czxid of its registration),
   * requests wait.
   */
  onControllerRequest(from: ProcessId, msg: ControllerToBroker): void {
    const b = this.b;
    if (b.settings.ibp.id >= KAFKA_2_2_IV0.id) {
      if (b.brokerEpoch < 0) {
        this.waitingForEpoch.push({ from, msg });
        return;
      }
      if (msg.brokerEpoch < b.brokerEpoch) {
        b.ctx.annotate(`${msg.type} from controller ${msg.controllerId} for broker epoch ${msg.brokerEpoch} < ${b.brokerEpoch}: STALE_BROKER_EPOCH`);
        b.ctx.send(from, { type: 'ControllerRequestResponse', correlationId: msg.correlationId, error: 'STALE_BROKER_EPOCH' }, REQUEST_HEADER_BYTES);
        return;
      }
    }
    b.ctx.send(from, { type: 'ControllerRequestResponse', correlationId: msg.correlationId, error: msg.controllerEpoch < b.controllerEpoch ? 'STALE_CONTROLLER_EPOCH' : 'NONE' }, REQUEST_HEADER_BYTES);
    this.onLocalRequest(msg);
  }

  /**
   * A request past the broker epoch check (or from the controller inside this broker). One from an
   * older controller than the last one heard is refused (STALE_CONTROLLER_EPOCH); otherwise its
   * controller epoch becomes the broker's.
   */
  onLocalRequest(msg: ControllerToBroker): void {
    const b = this.b;
    if (msg.controllerEpoch < b.controllerEpoch) {
      b.ctx.annotate(`${msg.type} from controller ${msg.controllerId} with stale epoch ${msg.controllerEpoch} < ${b.controllerEpoch}: STALE_CONTROLLER_EPOCH`);
      return;
    }
    b.controllerEpoch = msg.controllerEpoch;
    if (msg.type === 'LeaderAndIsr') this.onLeaderAndIsr(msg);
    else if (msg.type === 'UpdateMetadata') this.onUpdateMetadata(msg);
    else this.onStopReplica(msg);
  }

  /**
   * ReplicaManager.stopReplicas with deletePartitions=false (controlled shutdown of this broker): the
   * fetchers of these partitions stop; the logs stay.
   */
  private onStopReplica(msg: StopReplica): void {
    const b = this.b;
    const stopped: string[] = [];
    for (const tp of msg.partitions) {
      const part = b.partitions.get(tp);
      if (part === undefined || part.isLeader) continue;
      b.followerSide.stopFetching(part);
      stopped.push(tp);
    }
    if (b.ctx.tracing) b.ctx.annotate(`broker ${b.id}: StopReplica (deletePartitions=${String(msg.deletePartitions)}): stopped fetching [${stopped.join(',')}]`);
  }

  /** The broker learned its epoch: the requests that waited for it are handled now. */
  brokerEpochKnown(): void {
    const waiting = this.waitingForEpoch.splice(0);
    for (const w of waiting) this.onControllerRequest(w.from, w.msg);
  }

  private onUpdateMetadata(msg: UpdateMetadata): void {
    this.liveBrokers = msg.liveBrokers.slice();
    this.controllerId = msg.controllerId;
    for (const p of msg.partitions) this.metadata.set(p.tp, p);
  }

  private onLeaderAndIsr(msg: LeaderAndIsr): void {
    const b = this.b;
    for (const st of msg.partitions) {
      const existing = b.partitions.get(st.tp);
      const current = existing === undefined ? -1 : existing.leaderEpoch;
      const d = checkLeaderAndIsrRequest(msg.controllerEpoch, b.controllerEpoch, st.leaderEpoch, current, st.replicas, b.id);
      if (d !== 'APPLY') {
        if (b.ctx.tracing) b.ctx.annotate(`LeaderAndIsr for ${st.tp} at leader epoch ${st.leaderEpoch} ignored (${d}; local epoch ${current})`);
        continue;
      }
      // Leader epochs only grow at a broker: an older or equal one was refused above.
      invariant(st.leaderEpoch > current, () => `${st.tp}: LeaderAndIsr would move the leader epoch from ${current} to ${st.leaderEpoch}`);
      assertPartitionState(st.tp, st.leader, st.isr, st.replicas);
      const part = existing ?? this.createPartition({ topic: st.topic, partition: st.partition });
      // Kafka's leaderReplicaIdOpt: the leader the last applied LeaderAndIsr named (none for a new partition object).
      const previousLeader = part.leader;
      part.replicas = st.replicas.slice();
      part.leader = st.leader;
      part.leaderEpoch = st.leaderEpoch;
      part.isr = st.isr.slice();
      part.zkVersion = st.zkVersion;
      // Partition.updateAssignmentAndIsr: CommittedIsr; AlterIsrManager.clearPending.
      part.pendingIsr = null;
      b.alterIsr.clearPending(part.key);
      part.controllerEpoch = msg.controllerEpoch;
      if (st.leader === b.id) b.leaderSide.makeLeader(part);
      else b.followerSide.makeFollower(part, previousLeader);
    }
    b.followerSide.shutdownIdleFetchers();
  }

  private createPartition(tp: TopicPartition): Partition {
    const b = this.b;
    const spec = this.topicSpecs.get(tp.topic);
    const log = b.logs.getOrCreateLog(tp, logConfigFor(b.settings, spec?.config ?? b.settings.topicOverrides));
    const part = new Partition(tp, log);
    b.partitions.set(part.key, part);
    return part;
  }

  onMetadata(from: ProcessId, msg: Metadata): void {
    const topics: { [topic: string]: MetadataPartition[] } = {};
    for (const t of msg.topics) topics[t] = [];
    for (const p of this.metadata.values()) {
      const list = topics[p.topic];
      if (list === undefined) continue;
      list.push({ partition: p.partition, leader: p.leader, leaderEpoch: p.leaderEpoch, replicas: p.replicas, isr: p.isr });
    }
    for (const list of Object.values(topics)) list.sort((a, b) => a.partition - b.partition);
    this.b.ctx.send(from, { type: 'MetadataResponse', correlationId: msg.correlationId, brokers: this.liveBrokers, topics }, partitionStatesBytes(this.metadata.size));
  }
}
