import type { Actor, Context } from '../core/actor.ts';
import type { Json, ProcessId } from '../core/types.ts';
import { MS } from '../core/types.ts';
import type { DiskError } from '../env/disk.ts';
import type { ZkClient } from '../zookeeper/client.ts';
import { AlterIsrManager, type AlterIsrTimer } from './alter-isr.ts';
import { BrokerZk } from './broker-zk.ts';
import { FollowerSide } from './broker-follower.ts';
import { LeaderSide } from './broker-leader.ts';
import { ReplicaManager } from './broker-replicas.ts';
import { BrokerShutdown, type ShutdownTimer } from './broker-shutdown.ts';
import { brokerSettings, type BrokerSettings } from './config.ts';
import type { Controller, ControllerTimer } from './controller.ts';
import { CLEAN_SHUTDOWN_FILE, tpKey } from './log/files.ts';
import { FsyncRouter, KafkaStorageError } from './log/io.ts';
import { contextLogIO, LogManager, type LogTaskName } from './log/manager.ts';
import { isKafkaMessage, type AlterIsr, type ControlledShutdown, type ControllerToBroker, type KafkaMessage } from './messages.ts';
import type { Partition } from './partition.ts';

// The Kafka broker (KafkaServer + ReplicaManager + KafkaApis, ZooKeeper era), one actor per process.
// This file is the actor shell: startup, the dispatch of messages and timers, the views. The roles
// live in their own files, each a plain object holding its own state:
// - broker-zk.ts: the ZooKeeper session, registration as the ephemeral /brokers/ids/<id> (KIP-380
//   broker epoch), the controller election (/controller + /controller_epoch in one multi, KAFKA-6082).
// - broker-replicas.ts: LeaderAndIsr / UpdateMetadata from the controller (refused when their
//   controller or broker epoch is stale), become leader or follower, the metadata cache.
// - broker-leader.ts: produce with acks 0/1/all and min.insync.replicas, delayed produce, follower
//   fetches, HW advance, ISR shrink (isr-expiration every replica.lag.time.max.ms / 2) and expand
//   with the conditional write of the partition state znode on the cached zkVersion and ISR change
//   notifications (before 2.7-IV2), or through AlterIsr to the controller (2.7-IV2+, KIP-497).
// - alter-isr.ts: the AlterIsr requests to the controller (DefaultAlterIsrManager).
// - broker-follower.ts: truncation by IBP, then a ReplicaFetcher per leader.
// - broker-shutdown.ts: the orderly stop on SIGTERM (controlled shutdown, then LogManager.shutdown).
// - the controller (controller.ts) runs inside whichever broker holds /controller.

export interface TopicSpec {
  readonly name: string;
  readonly partitions: number;
  readonly replicationFactor: number;
  /** Topic-level overrides (min.insync.replicas, unclean.leader.election.enable, flush.messages, ...). */
  readonly config: ReadonlyMap<string, number | boolean>;
  /** A manual assignment (kafka-topics.sh --replica-assignment): replicas per partition; else AdminUtils'. */
  readonly replicaAssignment?: readonly (readonly number[])[];
}

export interface BrokerOptions {
  readonly brokerId: number;
  readonly zkServers: readonly string[];
  /** Topics the first controller creates once `expectedBrokers` brokers registered (kafka-topics.sh --create). */
  readonly topics: readonly TopicSpec[];
  readonly expectedBrokers: number;
}

export type BrokerTimer =
  | { readonly k: 'task'; readonly name: LogTaskName }
  | { readonly k: 'isr-expiration' }
  | { readonly k: 'isr-propagate' }
  | { readonly k: 'produce-timeout'; readonly id: number }
  | { readonly k: 'fetch-wait'; readonly id: number }
  | { readonly k: 'fetcher'; readonly leader: number; readonly gen: number }
  | { readonly k: 'local'; readonly msg: ControllerToBroker }
  | { readonly k: 'local-controlled-shutdown'; readonly msg: ControlledShutdown }
  | { readonly k: 'local-alter-isr'; readonly msg: AlterIsr }
  | { readonly k: 'alter-isr'; readonly tag: AlterIsrTimer }
  | { readonly k: 'shutdown'; readonly tag: ShutdownTimer }
  | { readonly k: 'register' }
  | { readonly k: 'controller'; readonly tag: ControllerTimer };

const ISR_PROPAGATE_CHECK_MS = 2500;

export class Broker implements Actor<KafkaMessage, BrokerTimer> {
  readonly id: number;
  readonly settings: BrokerSettings;
  readonly logs: LogManager;
  private readonly router: FsyncRouter;
  /** The current ZooKeeper session's client (a new one after expiry). */
  zk!: ZkClient;
  controller: Controller | null = null;
  controllerEpoch = 0;
  readonly partitions = new Map<string, Partition>();
  /** KIP-380: the czxid of this broker's current registration (-1 until known). */
  brokerEpoch = -1;
  private nextIdValue = 1;
  private stopped = false;
  readonly zkRole: BrokerZk;
  readonly replicaManager: ReplicaManager;
  readonly leaderSide: LeaderSide;
  readonly followerSide: FollowerSide;
  readonly shutdownRole: BrokerShutdown;
  readonly alterIsr: AlterIsrManager;

  constructor(readonly ctx: Context, readonly opts: BrokerOptions) {
    this.id = opts.brokerId;
    this.settings = brokerSettings(ctx.config);
    this.leaderSide = new LeaderSide(this);
    this.followerSide = new FollowerSide(this);
    this.replicaManager = new ReplicaManager(this);
    this.zkRole = new BrokerZk(this);
    this.shutdownRole = new BrokerShutdown(this);
    this.alterIsr = new AlterIsrManager(this);
    const { io, router } = contextLogIO(ctx);
    this.router = router;
    this.logs = new LogManager(io, this.settings, (e) => this.storageFailure(e));
    const logsAtStart: { [tp: string]: number } = {};
    let cleanShutdown = false;
    try {
      cleanShutdown = this.logs.startup().hadCleanShutdown;
    } catch (e) {
      if (e instanceof KafkaStorageError) {
        this.storageFailure(e);
        return;
      }
      throw e;
    }
    // What the leader-epoch cache holds after loading, next to the epoch stamped on the last batch
    // (for the kafka-epoch-cache checker: a cache behind its log makes the follower truncate to its HW).
    const epochsAtStart: { [tp: string]: { cached: number; stamped: number } } = {};
    for (const log of this.logs.allLogs()) {
      logsAtStart[log.name] = log.logEndOffset;
      epochsAtStart[log.name] = { cached: log.latestEpoch(), stamped: log.lastBatchEpoch() };
    }
    ctx.observe('kafka-broker-start', { broker: this.id, logs: logsAtStart, epochs: epochsAtStart, cleanShutdown, leaderEpochs: this.settings.features.usesLeaderEpochs });
    if (cleanShutdown) ctx.annotate(`broker ${this.id}: the previous shutdown was clean (${CLEAN_SHUTDOWN_FILE} found): log recovery skipped`);
    for (const t of this.logs.periodicTasks()) this.setTimer(t.initialDelayMs, { k: 'task', name: t.name });
    this.setTimer(this.settings.replicaLagTimeMaxMs / 2, { k: 'isr-expiration' });
    this.setTimer(ISR_PROPAGATE_CHECK_MS, { k: 'isr-propagate' });
    this.zkRole.start();
  }

  /** Whether the broker has halted (storage failure) and ignores every event. */
  get isStopped(): boolean {
    return this.stopped;
  }

  nowMs(): number {
    return this.ctx.nowUs() / MS;
  }

  setTimer(delayMs: number, tag: BrokerTimer): number {
    return this.ctx.setTimer(Math.max(0, Math.ceil(delayMs * MS)), tag);
  }

  /** Correlation ids of this broker's requests, delayed produce and fetch ids. */
  nextId(): number {
    return this.nextIdValue++;
  }

  private storageFailure(e: KafkaStorageError): void {
    if (this.stopped) return;
    this.stopped = true;
    this.ctx.annotate(`${e.message}: shutting down broker because all log dirs have failed`);
    this.ctx.exit('all log dirs failed');
  }

  /** Runs a handler; a KafkaStorageError from the log layer halts the broker, as Kafka does. */
  guard(fn: () => void): void {
    if (this.stopped) return;
    try {
      fn();
    } catch (e) {
      if (e instanceof KafkaStorageError) return this.storageFailure(e);
      throw e;
    }
  }

  // ---------------------------------------------------------------- actor handlers

  onMessage(from: ProcessId, msg: KafkaMessage): void {
    if (this.stopped) return;
    if (this.zk.handleMessage(from, msg)) return;
    if (!isKafkaMessage(msg) || this.shutdownRole.stopping) return;
    this.guard(() => this.dispatch(from, msg));
  }

  private dispatch(from: ProcessId, msg: KafkaMessage): void {
    switch (msg.type) {
      case 'LeaderAndIsr':
      case 'UpdateMetadata':
      case 'StopReplica':
        return this.replicaManager.onControllerRequest(from, msg);
      case 'ControlledShutdown': return this.shutdownRole.onRequest(from, msg);
      case 'ControlledShutdownResponse': return this.shutdownRole.onResponse(msg);
      case 'ControllerRequestResponse': return this.controller?.onResponse(msg.correlationId);
      case 'AlterIsr': return this.alterIsr.onRequest(from, msg);
      case 'AlterIsrResponse': return this.alterIsr.onResponse(msg);
      case 'Fetch': return this.leaderSide.onFetch(from, msg);
      case 'FetchResponse': return this.followerSide.fetcherFor(from)?.onFetchResponse(msg);
      case 'OffsetsForLeaderEpoch': return this.leaderSide.onOffsetsForLeaderEpoch(from, msg);
      case 'OffsetsForLeaderEpochResponse': return this.followerSide.fetcherFor(from)?.onEpochResponse(msg);
      case 'Produce': return this.leaderSide.onProduce(from, msg);
      case 'Metadata': return this.replicaManager.onMetadata(from, msg);
      case 'ProduceResponse':
      case 'MetadataResponse':
        return;
    }
  }

  onTimer(tag: BrokerTimer): void {
    if (this.stopped) return;
    if (this.zk.handleTimer(tag)) return;
    // KafkaServer.shutdown stops the scheduler (log tasks, ISR expiration) and the fetchers first.
    if (this.shutdownRole.stopping && tag.k !== 'shutdown') return;
    this.guard(() => this.timer(tag));
  }

  private timer(tag: BrokerTimer): void {
    switch (tag.k) {
      case 'task': {
        this.logs.runTask(tag.name);
        const t = this.logs.periodicTasks().find((x) => x.name === tag.name);
        if (t !== undefined && t.periodMs !== null) this.setTimer(t.periodMs, tag);
        return;
      }
      case 'isr-expiration':
        this.leaderSide.maybeShrinkIsr();
        this.setTimer(this.settings.replicaLagTimeMaxMs / 2, tag);
        return;
      case 'isr-propagate':
        // With AlterIsr the controller tells the brokers itself (no /isr_change_notification).
        if (!this.settings.features.alterIsr) this.leaderSide.maybePropagateIsrChanges();
        this.setTimer(ISR_PROPAGATE_CHECK_MS, tag);
        return;
      case 'produce-timeout': return this.leaderSide.purgatory.expire(tag.id);
      case 'fetch-wait': return this.leaderSide.completeFetchWait(tag.id);
      case 'fetcher': return this.followerSide.onFetcherTimer(tag.leader, tag.gen);
      case 'local': return this.replicaManager.onLocalRequest(tag.msg);
      case 'local-controlled-shutdown': return this.shutdownRole.onRequest(null, tag.msg);
      case 'local-alter-isr': return this.alterIsr.onRequest(null, tag.msg);
      case 'alter-isr': return this.alterIsr.onTimer(tag.tag);
      case 'shutdown': return this.shutdownRole.onTimer(tag.tag);
      case 'register': return this.zkRole.register();
      case 'controller': return this.controller?.onTimer(tag.tag);
    }
  }

  onDiskDone(tag: unknown, error: DiskError | null): void {
    if (this.stopped) return;
    this.guard(() => {
      this.router.onDiskDone(tag, error);
    });
  }

  onDisconnect(peer: ProcessId): void {
    if (this.stopped) return;
    if (this.zk.handleDisconnect(peer)) return;
    this.shutdownRole.onDisconnect(peer);
    if (this.shutdownRole.stopping) return;
    this.alterIsr.onDisconnect(peer);
    this.followerSide.fetcherFor(peer)?.onDisconnect();
  }

  /** SIGTERM (kafka-server-stop.sh): controlled shutdown, then the orderly stop (broker-shutdown.ts). */
  onShutdown(): void {
    if (this.stopped) return;
    this.guard(() => this.shutdownRole.onShutdown());
  }

  // ---------------------------------------------------------------- views

  /** The broker's partition (tests and checkers). */
  partition(topic: string, partition: number): Partition | undefined {
    return this.partitions.get(tpKey({ topic, partition }));
  }

  inspect(): Json {
    const partitions: { [tp: string]: Json } = {};
    for (const k of [...this.partitions.keys()].sort()) partitions[k] = this.partitions.get(k)!.inspect();
    return {
      role: this.controller !== null ? 'controller' : 'broker',
      brokerId: this.id,
      controllerEpoch: this.controller !== null ? this.controller.epoch : this.controllerEpoch,
      ibp: this.settings.ibp.shortVersion,
      registered: this.zkRole.registered,
      partitions,
    };
  }
}
