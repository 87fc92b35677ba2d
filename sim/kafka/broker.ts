import type { Actor, Context } from '../core/actor.ts';
import type { Json, ProcessId } from '../core/types.ts';
import { MS } from '../core/types.ts';
import type { DiskError } from '../env/disk.ts';
import { ZkClient, type ZkSessionEvent, type ZkWatchEvent } from '../zookeeper/client.ts';
import { brokerSettings, logConfigFor, type BrokerSettings } from './config.ts';
import { Controller, type ControllerHost, type ControllerTimer } from './controller.ts';
import { ReplicaFetcher, type FetcherHost } from './fetcher.ts';
import { tpKey, type TopicPartition } from './log/files.ts';
import { FsyncRouter, KafkaStorageError } from './log/io.ts';
import { isAppendError, isReadError } from './log/log.ts';
import { contextLogIO, LogManager, type LogTaskName } from './log/manager.ts';
import {
  isKafkaMessage, partitionStatesBytes, PARTITION_OVERHEAD_BYTES, REQUEST_HEADER_BYTES,
  type ErrorCode, type Fetch, type FetchResponsePartition, type KafkaMessage, type LeaderAndIsr, type Metadata, type MetadataPartition,
  type OffsetsForLeaderEpoch, type PartitionStateMsg, type Produce, type ProduceResponsePartition, type UpdateMetadata,
} from './messages.ts';
import { brokerName, Partition, partitionStateJson, statePath } from './partition.ts';
import { batchBaseOffset, batchLastOffset, batchSizeAt, readUint32, OFF_CRC } from './records.ts';
import {
  canJoinIsr, checkCurrentLeaderEpoch, followerHighWatermark, leaderHighWatermarkCandidate, newFollowerState,
  nextLeaderHighWatermark, notEnoughReplicasBeforeAppend, outOfSyncReplicas, resetFollowerOnLeadership, truncateToHighWatermark, usesEpochTruncation,
} from './replica-rules.ts';
import { checkLeaderAndIsrRequest } from './election.ts';
import { ProducePurgatory, type DelayedProduce, type ProduceStatus } from './produce-purgatory.ts';
import { parseApiVersion } from './version.ts';

const KAFKA_2_2_IV0 = parseApiVersion('2.2-IV0');

// The Kafka broker (KafkaServer + ReplicaManager + KafkaApis, ZooKeeper era), one actor per process:
// - startup: LogManager.startup() (recovery on the simulated disk), a ZkClient, registration as the
//   ephemeral /brokers/ids/<id>, the controller election (/controller + /controller_epoch in one
//   multi, KAFKA-6082), and the periodic log tasks.
// - LeaderAndIsr / UpdateMetadata from the controller, refused when their controller epoch is stale.
// - leader: produce with acks 0/1/all and min.insync.replicas, delayed produce, follower fetches,
//   HW advance, ISR shrink (isr-expiration every replica.lag.time.max.ms / 2) and expand with the
//   conditional write of the partition state znode on the cached zkVersion, ISR change notifications.
// - follower: truncation by IBP, then a ReplicaFetcher per leader.
// - the controller (controller.ts) runs inside whichever broker holds /controller.
//
// Deviation: ISR changes are written to ZooKeeper by the leader at every IBP (the pre-2.7 path);
// 2.7-IV2+ sends AlterIsr to the controller instead (KIP-497), with the same ISR outcomes.

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

type BrokerTimer =
  | { readonly k: 'task'; readonly name: LogTaskName }
  | { readonly k: 'isr-expiration' }
  | { readonly k: 'isr-propagate' }
  | { readonly k: 'produce-timeout'; readonly id: number }
  | { readonly k: 'fetch-wait'; readonly id: number }
  | { readonly k: 'fetcher'; readonly leader: number; readonly gen: number }
  | { readonly k: 'local'; readonly msg: LeaderAndIsr | UpdateMetadata }
  | { readonly k: 'register' }
  | { readonly k: 'controller'; readonly tag: ControllerTimer };

interface DelayedFetch {
  readonly id: number;
  readonly from: ProcessId;
  readonly msg: Fetch;
  timer: number;
}

const ISR_PROPAGATE_CHECK_MS = 2500;
const ISR_PROPAGATE_BLACKOUT_MS = 5000;
const ISR_PROPAGATE_MAX_DELAY_MS = 60_000;
const ZK_RETRY_MS = 1000;
const PERSISTENT_PATHS = ['/brokers', '/brokers/ids', '/brokers/topics', '/isr_change_notification', '/config', '/config/topics', '/admin'];

export class Broker implements Actor<KafkaMessage, BrokerTimer> {
  readonly id: number;
  readonly settings: BrokerSettings;
  readonly logs: LogManager;
  private readonly router: FsyncRouter;
  zk!: ZkClient;
  private registered = false;
  private registering = false;
  private controllerWatchSet = false;
  controller: Controller | null = null;
  controllerEpoch = 0;
  readonly partitions = new Map<string, Partition>();
  private readonly fetchers = new Map<number, ReplicaFetcher>();
  private readonly purgatory: ProducePurgatory;
  private readonly fetchWaits = new Map<number, DelayedFetch>();
  private nextId = 1;
  private readonly isrChanges = new Set<string>();
  private lastIsrChangeMs = 0;
  private lastIsrPropagationMs = 0;
  private liveBrokers: number[] = [];
  private readonly metadata = new Map<string, PartitionStateMsg>();
  private readonly topicSpecs = new Map<string, TopicSpec>();
  private stopped = false;
  private readonly fetcherHost: FetcherHost;
  /** KIP-380: the czxid of this broker's current registration (-1 until known). */
  brokerEpoch = -1;
  private readonly waitingForEpoch: { from: ProcessId; msg: LeaderAndIsr | UpdateMetadata }[] = [];

  constructor(private readonly ctx: Context, private readonly opts: BrokerOptions) {
    this.id = opts.brokerId;
    this.settings = brokerSettings(ctx.config);
    this.purgatory = new ProducePurgatory(
      ctx,
      (part) => part.isLeader && this.partitions.get(part.key) === part,
      (id, timeoutMs) => this.setTimer(timeoutMs, { k: 'produce-timeout', id }),
    );
    this.fetcherHost = {
      brokerId: this.id,
      settings: this.settings,
      send: (to, msg, bytes) => this.ctx.send(to, msg, bytes),
      setFetcherTimer: (leader, delayMs, gen) => this.setTimer(delayMs, { k: 'fetcher', leader, gen }),
      cancelTimer: (id) => this.ctx.cancelTimer(id),
      nextCorrelationId: () => this.nextId++,
      truncate: (p, offset, why) => this.truncate(p, offset, why),
      truncateFullyAndStartAt: (p, offset) => {
        this.logs.truncateFullyAndStartAt(p.tp, offset);
        this.ctx.observe('kafka-truncate', { tp: p.key, broker: this.id, offset: 0 });
      },
      appendAsFollower: (p, records, hw) => this.appendAsFollower(p, records, hw),
    };
    for (const t of opts.topics) this.topicSpecs.set(t.name, t);
    const { io, router } = contextLogIO(ctx);
    this.router = router;
    this.logs = new LogManager(io, this.settings, (e) => this.storageFailure(e));
    const logsAtStart: { [tp: string]: Json } = {};
    try {
      this.logs.startup();
    } catch (e) {
      if (e instanceof KafkaStorageError) {
        this.storageFailure(e);
        return;
      }
      throw e;
    }
    for (const log of this.logs.allLogs()) logsAtStart[log.name] = log.logEndOffset;
    ctx.observe('kafka-broker-start', { broker: this.id, logs: logsAtStart });
    for (const t of this.logs.periodicTasks()) this.setTimer(t.initialDelayMs, { k: 'task', name: t.name });
    this.setTimer(this.settings.replicaLagTimeMaxMs / 2, { k: 'isr-expiration' });
    this.setTimer(ISR_PROPAGATE_CHECK_MS, { k: 'isr-propagate' });
    this.startZk();
  }

  private nowMs(): number {
    return this.ctx.nowUs() / MS;
  }

  private setTimer(delayMs: number, tag: BrokerTimer): number {
    return this.ctx.setTimer(Math.max(0, Math.ceil(delayMs * MS)), tag);
  }

  private storageFailure(e: KafkaStorageError): void {
    if (this.stopped) return;
    this.stopped = true;
    this.ctx.annotate(`${e.message}: shutting down broker because all log dirs have failed`);
    this.ctx.exit('all log dirs failed');
  }

  /** Runs a handler; a KafkaStorageError from the log layer halts the broker, as Kafka does. */
  private guard(fn: () => void): void {
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
    if (!isKafkaMessage(msg)) return;
    this.guard(() => this.dispatch(from, msg));
  }

  private dispatch(from: ProcessId, msg: KafkaMessage): void {
    switch (msg.type) {
      case 'LeaderAndIsr':
      case 'UpdateMetadata':
        return this.onControllerRequest(from, msg);
      case 'ControllerRequestResponse': return this.controller?.onResponse(msg.correlationId);
      case 'Fetch': return this.onFetch(from, msg);
      case 'FetchResponse': return this.fetcherFor(from)?.onFetchResponse(msg);
      case 'OffsetsForLeaderEpoch': return this.onOffsetsForLeaderEpoch(from, msg);
      case 'OffsetsForLeaderEpochResponse': return this.fetcherFor(from)?.onEpochResponse(msg);
      case 'Produce': return this.onProduce(from, msg);
      case 'Metadata': return this.onMetadata(from, msg);
      case 'ProduceResponse':
      case 'MetadataResponse':
        return;
    }
  }

  onTimer(tag: BrokerTimer): void {
    if (this.stopped) return;
    if (this.zk.handleTimer(tag)) return;
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
        this.maybeShrinkIsr();
        this.setTimer(this.settings.replicaLagTimeMaxMs / 2, tag);
        return;
      case 'isr-propagate':
        this.maybePropagateIsrChanges();
        this.setTimer(ISR_PROPAGATE_CHECK_MS, tag);
        return;
      case 'produce-timeout': return this.purgatory.expire(tag.id);
      case 'fetch-wait': return this.completeFetchWait(tag.id);
      case 'fetcher': return this.fetchers.get(tag.leader)?.onTimer(tag.gen);
      case 'local':
        return tag.msg.type === 'LeaderAndIsr' ? this.onLeaderAndIsr(tag.msg) : this.onUpdateMetadata(tag.msg);
      case 'register': return this.register();
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
    this.fetcherFor(peer)?.onDisconnect();
  }

  // ---------------------------------------------------------------- ZooKeeper: registration and controller election

  private startZk(): void {
    const client: ZkClient = new ZkClient(this.ctx, {
      connectString: this.opts.zkServers,
      sessionTimeoutMs: this.settings.zookeeperSessionTimeoutMs,
      recordHistory: false,
      onEvent: (e) => this.onZkEvent(client, e),
    });
    this.zk = client;
    this.brokerEpoch = -1;
    this.registered = false;
    this.registering = false;
    this.controllerWatchSet = false;
  }

  private onZkEvent(client: ZkClient, e: ZkSessionEvent): void {
    if (client !== this.zk || this.stopped) return;
    this.guard(() => {
      if (e.state === 'SyncConnected') {
        if (!this.registered && !this.registering) this.register();
      } else if (e.state === 'Expired') {
        // The session and its ephemerals are gone: resign as controller, start a new session, re-register.
        this.ctx.annotate(`broker ${this.id}: ZooKeeper session expired; re-registering`);
        this.resign('ZooKeeper session expired');
        this.startZk();
      }
    });
  }

  private register(): void {
    if (this.zk.state !== 'CONNECTED') return;
    this.registering = true;
    const client = this.zk;
    let i = 0;
    const next = (): void => {
      if (client !== this.zk) return;
      if (i < PERSISTENT_PATHS.length) {
        client.create(PERSISTENT_PATHS[i++]!, '', {}, () => next());
        return;
      }
      const data = `{"version":4,"host":"${brokerName(this.id)}","port":9092,"endpoints":["PLAINTEXT://${brokerName(this.id)}:9092"],"jmx_port":-1,"timestamp":"${Math.floor(this.nowMs())}"}`;
      client.create(`/brokers/ids/${this.id}`, data, { ephemeral: true }, (err) => {
        if (client !== this.zk) return;
        this.registering = false;
        if (err === null) {
          this.registered = true;
          this.ctx.annotate(`broker ${this.id} registered at /brokers/ids/${this.id}`);
          this.learnBrokerEpoch(client);
          this.watchController();
          return;
        }
        // NODEEXISTS: the previous incarnation's session has not expired yet. Kafka 2.x fails startup
        // here; dsim retries until the old ephemeral is gone.
        this.setTimer(ZK_RETRY_MS, { k: 'register' });
      });
    };
    next();
  }

  private watchController(): void {
    if (this.controllerWatchSet) return;
    const client = this.zk;
    this.controllerWatchSet = true;
    client.exists('/controller', { watch: (ev) => this.onControllerWatch(client, ev) }, (err, stat) => {
      if (client !== this.zk) return;
      if (err !== null) {
        this.controllerWatchSet = false;
        this.setTimer(ZK_RETRY_MS, { k: 'register' });
        return;
      }
      if (stat === null) this.guard(() => this.elect());
    });
  }

  private onControllerWatch(client: ZkClient, _ev: ZkWatchEvent): void {
    if (client !== this.zk || this.stopped) return;
    this.controllerWatchSet = false;
    this.guard(() => this.watchController());
  }

  /** KafkaController.elect (2.1+, KAFKA-6082): create /controller and bump /controller_epoch in one multi. */
  private elect(): void {
    if (this.controller !== null) return;
    const client = this.zk;
    client.getData('/controller_epoch', {}, (err, data, stat) => {
      if (client !== this.zk || this.controller !== null) return;
      if (err === 'NONODE') {
        client.create('/controller_epoch', '0', {}, () => this.guard(() => this.elect()));
        return;
      }
      if (err !== null || data === null || stat === null) return;
      const epoch = Number(data) + 1;
      const controllerData = `{"version":1,"brokerid":${this.id},"timestamp":"${Math.floor(this.nowMs())}"}`;
      client.multi([
        { op: 'create', path: '/controller', data: controllerData, ephemeral: true },
        { op: 'setData', path: '/controller_epoch', data: String(epoch), version: stat.version },
      ], (merr, results) => {
        if (client !== this.zk || this.stopped) return;
        if (merr !== null || results === null) return; // someone else won; the /controller watch stays armed
        const r = results[1];
        const zkVersion = r !== undefined && r.op === 'setData' ? r.stat.version : stat.version + 1;
        this.guard(() => this.becomeController(epoch, zkVersion));
      });
    });
  }

  private becomeController(epoch: number, epochZkVersion: number): void {
    this.ctx.annotate(`broker ${this.id} is the controller with epoch ${epoch}`);
    this.ctx.observe('kafka-controller', { broker: this.id, epoch });
    const host: ControllerHost = {
      brokerId: this.id,
      zk: this.zk,
      settings: this.settings,
      topics: this.opts.topics,
      expectedBrokers: this.opts.expectedBrokers,
      rng: this.ctx.rng,
      tracing: this.ctx.tracing,
      sendToBroker: (id, msg, bytes) => this.sendToBroker(id, msg, bytes),
      observe: (kind, data) => this.ctx.observe(kind, data),
      annotate: (text) => this.ctx.annotate(text),
      setTimer: (delayMs, tag) => this.setTimer(delayMs, { k: 'controller', tag }),
      resign: (why) => this.resign(why),
      nowMs: () => this.nowMs(),
    };
    this.controller = new Controller(host, epoch, epochZkVersion);
    this.controller.startup();
  }

  private resign(why: string): void {
    if (this.controller === null) return;
    this.ctx.annotate(`broker ${this.id} resigns as controller: ${why}`);
    this.controller.shutdown();
    this.controller = null;
  }

  private sendToBroker(id: number, msg: LeaderAndIsr | UpdateMetadata, bytes: number): void {
    if (id === this.id) this.setTimer(0, { k: 'local', msg });
    else this.ctx.send(this.ctx.lookup(brokerName(id)), msg, bytes);
  }

  // ---------------------------------------------------------------- controller requests

  /**
   * KIP-380 (2.2+): a request addressed to an older registration of this broker (a zombie
   * controller's, or one queued before a restart) carries a lower broker epoch and is refused with
   * STALE_BROKER_EPOCH. Until this broker knows its own epoch (the czxid of its registration),
   * requests wait.
   */
  private onControllerRequest(from: ProcessId, msg: LeaderAndIsr | UpdateMetadata): void {
    if (this.settings.ibp.id >= KAFKA_2_2_IV0.id) {
      if (this.brokerEpoch < 0) {
        this.waitingForEpoch.push({ from, msg });
        return;
      }
      if (msg.brokerEpoch < this.brokerEpoch) {
        this.ctx.annotate(`${msg.type} from controller ${msg.controllerId} for broker epoch ${msg.brokerEpoch} < ${this.brokerEpoch}: STALE_BROKER_EPOCH`);
        this.ctx.send(from, { type: 'ControllerRequestResponse', correlationId: msg.correlationId, error: 'STALE_BROKER_EPOCH' }, REQUEST_HEADER_BYTES);
        return;
      }
    }
    this.ctx.send(from, { type: 'ControllerRequestResponse', correlationId: msg.correlationId, error: msg.controllerEpoch < this.controllerEpoch ? 'STALE_CONTROLLER_EPOCH' : 'NONE' }, REQUEST_HEADER_BYTES);
    if (msg.type === 'LeaderAndIsr') this.onLeaderAndIsr(msg);
    else this.onUpdateMetadata(msg);
  }

  private learnBrokerEpoch(client: ZkClient): void {
    client.exists(`/brokers/ids/${this.id}`, {}, (err, stat) => {
      if (client !== this.zk || this.stopped) return;
      if (err !== null || stat === null) return;
      this.guard(() => {
        this.brokerEpoch = stat.czxid;
        const waiting = this.waitingForEpoch.splice(0);
        for (const w of waiting) this.onControllerRequest(w.from, w.msg);
      });
    });
  }

  private onUpdateMetadata(msg: UpdateMetadata): void {
    if (msg.controllerEpoch < this.controllerEpoch) {
      this.ctx.annotate(`UpdateMetadata from controller ${msg.controllerId} with stale epoch ${msg.controllerEpoch} < ${this.controllerEpoch}: STALE_CONTROLLER_EPOCH`);
      return;
    }
    this.controllerEpoch = msg.controllerEpoch;
    this.liveBrokers = msg.liveBrokers.slice();
    for (const p of msg.partitions) this.metadata.set(p.tp, p);
  }

  private onLeaderAndIsr(msg: LeaderAndIsr): void {
    if (msg.controllerEpoch < this.controllerEpoch) {
      this.ctx.annotate(`LeaderAndIsr from controller ${msg.controllerId} with stale epoch ${msg.controllerEpoch} < ${this.controllerEpoch}: STALE_CONTROLLER_EPOCH`);
      return;
    }
    this.controllerEpoch = msg.controllerEpoch;
    for (const st of msg.partitions) {
      const existing = this.partitions.get(st.tp);
      const current = existing === undefined ? -1 : existing.leaderEpoch;
      const d = checkLeaderAndIsrRequest(msg.controllerEpoch, this.controllerEpoch, st.leaderEpoch, current, st.replicas, this.id);
      if (d !== 'APPLY') {
        if (this.ctx.tracing) this.ctx.annotate(`LeaderAndIsr for ${st.tp} at leader epoch ${st.leaderEpoch} ignored (${d}; local epoch ${current})`);
        continue;
      }
      const part = existing ?? this.createPartition({ topic: st.topic, partition: st.partition });
      part.replicas = st.replicas.slice();
      part.leader = st.leader;
      part.leaderEpoch = st.leaderEpoch;
      part.isr = st.isr.slice();
      part.zkVersion = st.zkVersion;
      part.controllerEpoch = msg.controllerEpoch;
      if (st.leader === this.id) this.makeLeader(part);
      else this.makeFollower(part);
    }
  }

  private createPartition(tp: TopicPartition): Partition {
    const spec = this.topicSpecs.get(tp.topic);
    const log = this.logs.getOrCreateLog(tp, logConfigFor(this.settings, spec?.config ?? this.settings.topicOverrides));
    const part = new Partition(tp, log);
    this.partitions.set(part.key, part);
    return part;
  }

  /** Partition.makeLeader. */
  private makeLeader(part: Partition): void {
    this.stopFetching(part);
    const log = part.log;
    const leo = log.logEndOffset;
    // KAFKA-7415 (2.1): the new leader records (epoch, LEO) in its epoch cache at election.
    if (this.settings.features.epochCache21 && log.epochCache !== null) log.epochCache.assign(part.leaderEpoch, leo);
    part.leaderEpochStartOffset = leo;
    part.isLeader = true;
    part.isrWriteInFlight = false;
    const now = this.nowMs();
    part.followers.clear();
    for (const r of part.replicas) {
      if (r === this.id) continue;
      const s = newFollowerState();
      resetFollowerOnLeadership(s, part.isr.includes(r), leo, now);
      part.followers.set(r, s);
    }
    this.ctx.annotate(`broker ${this.id} leads ${part.key} at leader epoch ${part.leaderEpoch} with ISR [${part.isr.join(',')}], LEO ${leo}, HW ${log.highWatermark}`);
    this.ctx.observe('kafka-leader', { tp: part.key, broker: this.id, leaderEpoch: part.leaderEpoch, isr: part.isr.slice(), leo });
    this.maybeIncrementHw(part);
  }

  /** Partition.makeFollower + ReplicaManager.makeFollowers: stop leading, truncate by IBP, fetch from the leader. */
  private makeFollower(part: Partition): void {
    const wasLeader = part.isLeader;
    part.isLeader = false;
    part.followers.clear();
    part.leaderEpochStartOffset = null;
    if (wasLeader) this.purgatory.checkPartition(part);
    this.stopFetching(part);
    if (part.leader < 0) return;
    const log = part.log;
    const view = { logEndOffset: log.logEndOffset, highWatermark: log.highWatermark, latestEpoch: log.latestEpoch(), endOffsetFor: (e: number) => log.endOffsetForEpoch(e) };
    const epochs = usesEpochTruncation(this.settings.features, view);
    if (!epochs) {
      const d = truncateToHighWatermark(view);
      this.truncate(part, d.offset, d.why);
    }
    this.fetcherForLeader(part.leader).addPartition(part, part.leaderEpoch, epochs);
  }

  private stopFetching(part: Partition): void {
    for (const f of this.fetchers.values()) f.removePartition(part.key);
  }

  // ---------------------------------------------------------------- follower side

  private fetcherFor(pid: ProcessId): ReplicaFetcher | undefined {
    for (const f of this.fetchers.values()) if (f.leaderPid === pid) return f;
    return undefined;
  }

  private fetcherForLeader(leader: number): ReplicaFetcher {
    let f = this.fetchers.get(leader);
    if (f === undefined) {
      f = new ReplicaFetcher(this.fetcherHost, leader, this.ctx.lookup(brokerName(leader)), () => this.nowMs());
      this.fetchers.set(leader, f);
    }
    return f;
  }


  private truncate(part: Partition, offset: number, why: string): void {
    const log = part.log;
    if (this.ctx.tracing) this.ctx.annotate(`${part.key}: ${why} (LEO ${log.logEndOffset}, HW ${log.highWatermark})`);
    if (offset >= log.logEndOffset) {
      // Still lets 2.1+ drop an epoch-cache entry assigned past the LEO.
      log.truncateTo(offset);
      return;
    }
    this.logs.truncateTo(new Map([[part.key, offset]]));
    this.ctx.observe('kafka-truncate', { tp: part.key, broker: this.id, offset: log.logEndOffset });
  }

  private appendAsFollower(part: Partition, records: Uint8Array, leaderHw: number): number | null | 'error' {
    const log = part.log;
    let data = records;
    if (data.length > 0) {
      // Skip batches we already have; a batch straddling our LEO means our tail diverged: drop it.
      let p = 0;
      while (p < data.length && batchLastOffset(data, p) < log.logEndOffset) p += batchSizeAt(data, p);
      if (p < data.length && batchBaseOffset(data, p) < log.logEndOffset) this.truncate(part, batchBaseOffset(data, p), 'fetched batch straddles the log end offset');
      if (p > 0) data = data.subarray(p);
    }
    let flush: number | null = null;
    if (data.length > 0) {
      const info = log.appendAsFollower(data);
      if (isAppendError(info)) {
        this.ctx.annotate(`${part.key}: follower append failed: ${info.message}`);
        return 'error';
      }
      this.observeAppends(part, data);
      flush = info.flushOffset;
    }
    log.updateHighWatermark(followerHighWatermark(log.logEndOffset, leaderHw));
    return flush;
  }

  private observeAppends(part: Partition, data: Uint8Array): void {
    let p = 0;
    while (p < data.length) {
      const size = batchSizeAt(data, p);
      this.ctx.observe('kafka-append', { tp: part.key, broker: this.id, base: batchBaseOffset(data, p), last: batchLastOffset(data, p), crc: readUint32(data, p + OFF_CRC) });
      p += size;
    }
  }

  // ---------------------------------------------------------------- leader side: fetch

  private onOffsetsForLeaderEpoch(from: ProcessId, msg: OffsetsForLeaderEpoch): void {
    const f = this.settings.features;
    const partitions = msg.partitions.map((r) => {
      const part = this.partitions.get(r.tp);
      if (part === undefined || !part.isLeader) return { tp: r.tp, error: 'NOT_LEADER_FOR_PARTITION' as ErrorCode, leaderEpoch: -1, endOffset: -1 };
      const check = checkCurrentLeaderEpoch(f, r.currentLeaderEpoch, part.leaderEpoch);
      if (check !== 'NONE') return { tp: r.tp, error: check as ErrorCode, leaderEpoch: -1, endOffset: -1 };
      const a = part.log.endOffsetForEpoch(r.leaderEpoch);
      // v0 (before KIP-279) answers the offset only.
      return { tp: r.tp, error: 'NONE' as ErrorCode, leaderEpoch: f.kip279 ? a.epoch : -1, endOffset: a.endOffset };
    });
    this.ctx.send(from, { type: 'OffsetsForLeaderEpochResponse', correlationId: msg.correlationId, partitions }, REQUEST_HEADER_BYTES + partitions.length * 16);
  }

  private onFetch(from: ProcessId, msg: Fetch): void {
    const now = this.nowMs();
    let hasData = false;
    let hasError = false;
    for (const r of msg.partitions) {
      const part = this.partitions.get(r.tp);
      if (part === undefined || !part.isLeader) {
        hasError = true;
        continue;
      }
      if (checkCurrentLeaderEpoch(this.settings.features, r.currentLeaderEpoch, part.leaderEpoch) !== 'NONE') {
        hasError = true;
        continue;
      }
      const log = part.log;
      if (r.fetchOffset > log.logEndOffset || r.fetchOffset < log.logStartOffset) {
        hasError = true;
        continue;
      }
      if (r.fetchOffset < log.logEndOffset) hasData = true;
      const s = part.followers.get(msg.replicaId);
      if (s === undefined) continue;
      // Replica.updateLogReadResult, then ISR expansion and the HW (Partition.updateFollowerFetchState).
      const before = s.leo;
      s.leo = r.fetchOffset;
      if (r.fetchOffset >= log.logEndOffset) s.lastCaughtUpTimeMs = Math.max(s.lastCaughtUpTimeMs, now);
      else if (r.fetchOffset >= s.lastFetchLeaderLogEndOffset) s.lastCaughtUpTimeMs = Math.max(s.lastCaughtUpTimeMs, s.lastFetchTimeMs);
      if (before !== r.fetchOffset) s.leoUpdateTimeMs = now;
      s.lastFetchLeaderLogEndOffset = log.logEndOffset;
      s.lastFetchTimeMs = now;
      this.maybeExpandIsr(part, msg.replicaId, r.fetchOffset);
      this.maybeIncrementHw(part);
    }
    if (!hasData && !hasError && msg.maxWaitMs > 0 && msg.minBytes > 0) {
      const id = this.nextId++;
      const w: DelayedFetch = { id, from, msg, timer: -1 };
      w.timer = this.setTimer(msg.maxWaitMs, { k: 'fetch-wait', id });
      this.fetchWaits.set(id, w);
      return;
    }
    this.respondFetch(from, msg);
  }

  private completeFetchWait(id: number): void {
    const w = this.fetchWaits.get(id);
    if (w === undefined) return;
    this.fetchWaits.delete(id);
    this.respondFetch(w.from, w.msg);
  }

  /** New data was appended to a partition this broker leads: parked fetches for it complete. */
  private wakeFetches(part: Partition): void {
    if (this.fetchWaits.size === 0) return;
    for (const w of [...this.fetchWaits.values()]) {
      if (!w.msg.partitions.some((p) => p.tp === part.key)) continue;
      this.fetchWaits.delete(w.id);
      this.ctx.cancelTimer(w.timer);
      this.respondFetch(w.from, w.msg);
    }
  }

  private respondFetch(from: ProcessId, msg: Fetch): void {
    let bytes = REQUEST_HEADER_BYTES;
    const partitions: FetchResponsePartition[] = msg.partitions.map((r) => {
      const part = this.partitions.get(r.tp);
      if (part === undefined || !part.isLeader) return this.fetchError(r.tp, 'NOT_LEADER_FOR_PARTITION');
      const check = checkCurrentLeaderEpoch(this.settings.features, r.currentLeaderEpoch, part.leaderEpoch);
      if (check !== 'NONE') return this.fetchError(r.tp, check);
      const read = part.log.read(r.fetchOffset, msg.maxBytes, 'leo');
      const log = part.log;
      if (isReadError(read)) return { tp: r.tp, error: 'OFFSET_OUT_OF_RANGE', highWatermark: log.highWatermark, logStartOffset: log.logStartOffset, logEndOffset: log.logEndOffset, records: EMPTY };
      bytes += PARTITION_OVERHEAD_BYTES + read.records.length;
      return { tp: r.tp, error: 'NONE', highWatermark: read.highWatermark, logStartOffset: read.logStartOffset, logEndOffset: read.logEndOffset, records: read.records };
    });
    this.ctx.send(from, { type: 'FetchResponse', correlationId: msg.correlationId, partitions }, bytes);
  }

  private fetchError(tp: string, error: ErrorCode): FetchResponsePartition {
    return { tp, error, highWatermark: -1, logStartOffset: -1, logEndOffset: -1, records: EMPTY };
  }

  // ---------------------------------------------------------------- HW and ISR

  private maybeIncrementHw(part: Partition): void {
    const log = part.log;
    const cand = leaderHighWatermarkCandidate(this.settings.features, this.id, log.logEndOffset, part.replicas, part.isr, part.followers, this.nowMs(), this.settings.replicaLagTimeMaxMs);
    if (log.maybeIncrementHighWatermark(nextLeaderHighWatermark(log.highWatermark, cand))) {
      this.ctx.observe('kafka-hw', { tp: part.key, broker: this.id, hw: log.highWatermark, leaderEpoch: part.leaderEpoch });
      this.purgatory.checkPartition(part);
    }
  }

  private maybeExpandIsr(part: Partition, replica: number, fetchOffset: number): void {
    if (part.isrWriteInFlight || part.isr.includes(replica) || !part.replicas.includes(replica)) return;
    const s = part.followers.get(replica)!;
    if (!canJoinIsr(this.settings.features, s.leo, fetchOffset, part.log.highWatermark, part.leaderEpochStartOffset)) return;
    const isr = [...part.isr, replica].sort((a, b) => a - b);
    this.ctx.annotate(`Expanding ISR for partition ${part.key} from ${part.isr.join(',')} to ${isr.join(',')}`);
    this.writeIsr(part, isr);
  }

  private maybeShrinkIsr(): void {
    const now = this.nowMs();
    for (const part of this.partitions.values()) {
      if (!part.isLeader || part.isrWriteInFlight) continue;
      const out = outOfSyncReplicas(this.settings.features, part.isr, this.id, part.log.logEndOffset, part.followers, now, this.settings);
      if (out.length === 0) continue;
      const isr = part.isr.filter((r) => !out.includes(r));
      if (this.ctx.tracing) {
        const lag = out.map((r) => `broker ${r} last caught up ${((now - (part.followers.get(r)?.lastCaughtUpTimeMs ?? 0)) / 1000).toFixed(1)} s ago`).join('; ');
        this.ctx.annotate(`Shrinking ISR for partition ${part.key} from ${part.isr.join(',')} to ${isr.join(',')}: ${lag}, replica.lag.time.max.ms=${this.settings.replicaLagTimeMaxMs}`);
      }
      this.writeIsr(part, isr);
    }
  }

  /** Partition.updateIsr (pre-2.7): the conditional write of the state znode on the cached zkVersion. */
  private writeIsr(part: Partition, isr: number[]): void {
    part.isrWriteInFlight = true;
    const client = this.zk;
    const epoch = part.leaderEpoch;
    const data = partitionStateJson(this.id, epoch, isr, part.controllerEpoch);
    const path = statePath(part.tp.topic, part.tp.partition);
    const applied = (version: number): void => {
      part.isr = isr;
      part.zkVersion = version;
      this.ctx.observe('kafka-isr', { tp: part.key, leader: this.id, leaderEpoch: epoch, isr: isr.slice(), zkVersion: version, by: 'leader' });
      this.isrChanges.add(part.key);
      this.lastIsrChangeMs = this.nowMs();
      this.maybeIncrementHw(part);
      this.purgatory.checkPartition(part);
    };
    client.setData(path, data, part.zkVersion, (err, stat) => {
      this.guard(() => {
        if (!part.isLeader || part.leaderEpoch !== epoch) {
          part.isrWriteInFlight = false;
          return;
        }
        if (err === null && stat !== null) {
          part.isrWriteInFlight = false;
          return applied(stat.version);
        }
        // ReplicationUtils.checkLeaderAndIsrZkData (KAFKA-1382): a write whose answer was lost
        // (CONNECTIONLOSS) or that now meets a newer version may have been applied by this very
        // request; if the znode holds exactly what we wrote, it was.
        client.getData(path, {}, (e2, current, st2) => {
          this.guard(() => {
            part.isrWriteInFlight = false;
            if (!part.isLeader || part.leaderEpoch !== epoch) return;
            if (e2 === null && current === data && st2 !== null) return applied(st2.version);
            this.ctx.annotate(err === 'BADVERSION'
              ? `Cached zkVersion [${part.zkVersion}] not equal to that in zookeeper, skip updating ISR for ${part.key}`
              : `ISR update for ${part.key} failed: ${err ?? 'no stat'}`);
          });
        });
      });
    });
  }

  /** ReplicaManager.maybePropagateIsrChanges: /isr_change_notification/isr_change_<seq>. */
  private maybePropagateIsrChanges(): void {
    if (this.isrChanges.size === 0) return;
    const now = this.nowMs();
    if (now - this.lastIsrChangeMs < ISR_PROPAGATE_BLACKOUT_MS && now - this.lastIsrPropagationMs < ISR_PROPAGATE_MAX_DELAY_MS) return;
    const parts = [...this.isrChanges].sort().map((k) => {
      const p = this.partitions.get(k)!;
      return `{"topic":"${p.tp.topic}","partition":${p.tp.partition}}`;
    });
    this.isrChanges.clear();
    this.lastIsrPropagationMs = now;
    this.zk.create('/isr_change_notification/isr_change_', `{"version":1,"partitions":[${parts.join(',')}]}`, { sequential: true }, () => {});
  }

  // ---------------------------------------------------------------- produce

  private onProduce(from: ProcessId, msg: Produce): void {
    const f = this.settings.features;
    const done: ProduceResponsePartition[] = [];
    const waiting: ProduceStatus[] = [];
    let flushPart: Partition | null = null;
    let flushOffset = -1;
    for (const r of msg.partitions) {
      const part = this.partitions.get(r.tp);
      if (part === undefined || !part.isLeader) {
        done.push({ tp: r.tp, error: 'NOT_LEADER_FOR_PARTITION', baseOffset: -1, errorMessage: `This server is not the leader for partition ${r.tp}` });
        continue;
      }
      const minIsr = part.log.config.minInsyncReplicas;
      const notEnough = notEnoughReplicasBeforeAppend(f, msg.acks, part.isr, minIsr, part.key);
      if (notEnough !== null) {
        done.push({ tp: r.tp, error: 'NOT_ENOUGH_REPLICAS', baseOffset: -1, errorMessage: notEnough });
        continue;
      }
      const info = part.log.appendAsLeader(r.records, part.leaderEpoch);
      if (isAppendError(info)) {
        done.push({ tp: r.tp, error: 'CORRUPT_MESSAGE', baseOffset: -1, errorMessage: info.message });
        continue;
      }
      this.ctx.observe('kafka-append', { tp: part.key, broker: this.id, base: info.firstOffset, last: info.lastOffset, crc: readUint32(r.records, OFF_CRC) });
      if (info.flushOffset !== null && info.flushOffset > flushOffset) {
        flushOffset = info.flushOffset;
        flushPart = part;
      }
      this.wakeFetches(part);
      this.maybeIncrementHw(part);
      if (msg.acks === -1) waiting.push({ part, requiredOffset: info.lastOffset + 1, baseOffset: info.firstOffset, error: null, errorMessage: null });
      else done.push({ tp: r.tp, error: 'NONE', baseOffset: info.firstOffset, errorMessage: null });
    }
    if (msg.acks === 0) return;
    const p: DelayedProduce = { id: this.nextId++, from, correlationId: msg.correlationId, done, waiting, timer: -1 };
    const finish = (): void => this.purgatory.add(p, msg.timeoutMs);
    // With log.flush.interval.messages reached, the request thread blocks in the fsync: answer after it.
    if (flushPart !== null) flushPart.log.awaitFlush(flushOffset, () => this.guard(finish));
    else finish();
  }

  // ---------------------------------------------------------------- metadata

  private onMetadata(from: ProcessId, msg: Metadata): void {
    const topics: { [topic: string]: MetadataPartition[] } = {};
    for (const t of msg.topics) topics[t] = [];
    for (const p of this.metadata.values()) {
      const list = topics[p.topic];
      if (list === undefined) continue;
      list.push({ partition: p.partition, leader: p.leader, leaderEpoch: p.leaderEpoch, replicas: p.replicas, isr: p.isr });
    }
    for (const list of Object.values(topics)) list.sort((a, b) => a.partition - b.partition);
    this.ctx.send(from, { type: 'MetadataResponse', correlationId: msg.correlationId, brokers: this.liveBrokers, topics }, partitionStatesBytes(this.metadata.size));
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
      registered: this.registered,
      partitions,
    };
  }
}

const EMPTY = new Uint8Array(0);
