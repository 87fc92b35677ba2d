import type { Rng } from '../core/rng.ts';
import type { Json } from '../core/types.ts';
import type { ZkClient } from '../zookeeper/client.ts';
import type { MultiOp } from '../zookeeper/messages.ts';
import { assignReplicasToBrokers } from './assignment.ts';
import type { BrokerSettings } from './config.ts';
import { leaderForOffline, newLeaderAndIsr, partitionsToRebalance, preferredReplicaPartitionLeaderElection, removeReplicaFromIsr, type LeaderAndIsr } from './election.ts';
import type { LeaderAndIsr as LeaderAndIsrMsg, PartitionStateMsg, UpdateMetadata } from './messages.ts';
import { partitionStatesBytes } from './messages.ts';
import { parsePartitionState, partitionStateJson, statePath } from './partition.ts';
import type { TopicSpec } from './broker.ts';

// The controller (kafka.controller.KafkaController, ZooKeeper era) inside the broker that holds
// /controller. Its work is a queue of events handled one at a time, as Kafka's ControllerEventManager
// does; each event is a chain of ZooKeeper callbacks and ends by calling `done`.
// - Startup: read /brokers/ids and /brokers/topics (with watches), create the configured topics once
//   enough brokers registered (AdminUtils.assignReplicasToBrokers), bring new partitions online
//   (NewPartition -> OnlinePartition: first live replica leads, ISR = live replicas, epoch 0), mark
//   dead replicas offline, elect leaders for offline partitions, then send UpdateMetadata to every
//   live broker and LeaderAndIsr to the replicas.
// - BrokerChange (children watch on /brokers/ids; a broker whose znode czxid changed bounced,
//   KIP-380): the dead broker's partitions get an offline election (election.ts, unclean per the
//   topic), it leaves the other ISRs; a new broker gets LeaderAndIsr for its partitions and offline
//   partitions it can lead are elected.
// - IsrChangeNotification: re-read the partition states named, send UpdateMetadata, delete them.
// - Auto leader rebalance every leader.imbalance.check.interval.seconds.
// Every write is a multi that starts with `check /controller_epoch <zkVersion>`, so a zombie
// controller's writes fail; a failing check makes it resign.
//
// Not modelled: controlled shutdown, topic deletion, partition reassignment, LeaderAndIsr responses.

export type ControllerTimer = { readonly c: 'rebalance' } | { readonly c: 'retry' } | { readonly c: 'resend' };

export interface ControllerHost {
  readonly brokerId: number;
  readonly zk: ZkClient;
  readonly settings: BrokerSettings;
  readonly topics: readonly TopicSpec[];
  readonly expectedBrokers: number;
  readonly rng: Rng;
  readonly tracing: boolean;
  sendToBroker(id: number, msg: LeaderAndIsrMsg | UpdateMetadata, bytes: number): void;
  observe(kind: string, data: Json): void;
  annotate(text: string): void;
  setTimer(delayMs: number, tag: ControllerTimer): number;
  resign(why: string): void;
  nowMs(): number;
}

interface PartitionInfo {
  readonly topic: string;
  readonly partition: number;
  readonly key: string;
  readonly replicas: readonly number[];
  state: LeaderAndIsr | null;
  zkVersion: number;
}

type Step = (done: () => void) => void;

const RETRY_MS = 1000;
/** Unanswered LeaderAndIsr / UpdateMetadata requests are sent again this often (ControllerChannelManager retries). */
const RESEND_MS = 3000;
const WRITE_ATTEMPTS_MAX = 5;

export class Controller {
  private readonly live = new Map<number, number>(); // broker id -> czxid of its registration
  private readonly parts = new Map<string, PartitionInfo>();
  private readonly knownTopics = new Set<string>();
  private readonly queue: Step[] = [];
  private busy = false;
  private dead = false;
  private nextCorrelation = 1;
  private readonly unanswered = new Map<number, { broker: number; msg: LeaderAndIsrMsg | UpdateMetadata; bytes: number; sentMs: number }>();

  constructor(private readonly host: ControllerHost, readonly epoch: number, private epochZkVersion: number) {}

  startup(): void {
    this.enqueue((done) => this.onStartup(done));
    if (this.host.settings.autoLeaderRebalanceEnable) this.host.setTimer(this.host.settings.leaderImbalanceCheckIntervalSeconds * 1000, { c: 'rebalance' });
    this.host.setTimer(RESEND_MS, { c: 'resend' });
  }

  /** A broker answered a LeaderAndIsr or UpdateMetadata request. */
  onResponse(correlationId: number): void {
    this.unanswered.delete(correlationId);
  }

  private send(broker: number, msg: LeaderAndIsrMsg | UpdateMetadata, bytes: number): void {
    if (broker !== this.host.brokerId) this.unanswered.set(msg.correlationId, { broker, msg, bytes, sentMs: this.host.nowMs() });
    this.host.sendToBroker(broker, msg, bytes);
  }

  private resend(): void {
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

  shutdown(): void {
    this.dead = true;
    this.queue.length = 0;
  }

  onTimer(tag: ControllerTimer): void {
    if (this.dead) return;
    if (tag.c === 'resend') {
      this.resend();
      this.host.setTimer(RESEND_MS, tag);
    } else if (tag.c === 'rebalance') {
      this.enqueue((done) => this.autoRebalance(done));
      this.host.setTimer(this.host.settings.leaderImbalanceCheckIntervalSeconds * 1000, tag);
    } else {
      this.enqueue((done) => this.onBrokerChange(done));
    }
  }

  private enqueue(step: Step): void {
    if (this.dead) return;
    this.queue.push(step);
    this.runNext();
  }

  private runNext(): void {
    if (this.busy || this.dead) return;
    const step = this.queue.shift();
    if (step === undefined) return;
    this.busy = true;
    step(() => {
      this.busy = false;
      this.runNext();
    });
  }

  private get zk(): ZkClient {
    return this.host.zk;
  }

  private liveSet(): Set<number> {
    return new Set(this.live.keys());
  }

  // ---------------------------------------------------------------- events

  private onStartup(done: () => void): void {
    this.readBrokers(() => {
      this.readTopics(() => {
        const live = this.liveSet();
        const dead = new Set<number>();
        for (const p of this.parts.values()) for (const r of p.replicas) if (!live.has(r)) dead.add(r);
        this.reconcile([...dead].sort((a, b) => a - b), [...live].sort((a, b) => a - b), () => {
          this.watchIsrChanges();
          done();
        });
      });
    });
  }

  private onBrokerChange(done: () => void): void {
    this.readBrokers((dead, added) => {
      if (this.host.tracing) this.host.annotate(`controller ${this.host.brokerId}: brokers [${[...this.live.keys()].sort((a, b) => a - b).join(',')}] live; dead [${dead.join(',')}], new [${added.join(',')}]`);
      this.reconcile(dead, added, done);
    });
  }

  /**
   * Topic creation if due, new partitions online, the dead brokers' replicas offline (elections,
   * ISR removal), offline partitions elected; then UpdateMetadata to every live broker, all
   * partition states to the new brokers and the changed ones to the others.
   */
  private reconcile(dead: readonly number[], added: readonly number[], done: () => void): void {
    // ControllerChannelManager.removeBroker: requests queued for a broker that died (or bounced) are
    // dropped; a broker that (re)joins gets the current state of all its partitions instead. Resending
    // an old LeaderAndIsr to a restarted broker would hand it a stale leader epoch.
    for (const [id, u] of this.unanswered) if (dead.includes(u.broker) || added.includes(u.broker)) this.unanswered.delete(id);
    this.maybeCreateTopics(() => {
      const changed = new Set<string>();
      this.onlineNew(changed, () => {
        this.onBrokerFailure(dead, changed, () => {
          this.electOffline(changed, () => {
            this.sendUpdateMetadata([...this.parts.values()]);
            const ps = [...changed].map((k) => this.parts.get(k)!).filter((p) => p.state !== null);
            const all = [...this.parts.values()].filter((p) => p.state !== null);
            for (const id of this.live.keys()) {
              this.sendLeaderAndIsr(id, (added.includes(id) ? all : ps).filter((p) => p.replicas.includes(id)));
            }
            done();
          });
        });
      });
    });
  }

  // ---------------------------------------------------------------- reading ZooKeeper

  private readBrokers(cb: (dead: number[], added: number[]) => void): void {
    this.zk.getChildren('/brokers/ids', { watch: () => this.enqueue((d) => this.onBrokerChange(d)) }, (err, children) => {
      if (this.dead) return;
      if (err !== null || children === null) return this.retryLater();
      const ids = children.map(Number).sort((a, b) => a - b);
      const czxids = new Map<number, number>();
      let left = ids.length;
      const finish = (): void => {
        const dead: number[] = [];
        const added: number[] = [];
        for (const [id, cz] of this.live) {
          const now = czxids.get(id);
          if (now === undefined) dead.push(id);
          else if (now !== cz) {
            dead.push(id); // bounced (KIP-380): it restarted with a new session
            added.push(id);
          }
        }
        for (const [id] of czxids) if (!this.live.has(id)) added.push(id);
        this.live.clear();
        for (const [id, cz] of czxids) this.live.set(id, cz);
        cb(dead.sort((a, b) => a - b), added.sort((a, b) => a - b));
      };
      if (left === 0) return finish();
      for (const id of ids) {
        this.zk.exists(`/brokers/ids/${id}`, {}, (e2, stat) => {
          if (this.dead) return;
          if (e2 === null && stat !== null) czxids.set(id, stat.czxid);
          if (--left === 0) finish();
        });
      }
    });
  }

  private retryLater(): void {
    // A failed read: the event is abandoned and the broker list re-read later (the queue moves on).
    this.busy = false;
    this.host.setTimer(RETRY_MS, { c: 'retry' });
    this.runNext();
  }

  private readTopics(cb: () => void): void {
    this.zk.getChildren('/brokers/topics', {}, (err, topics) => {
      if (this.dead) return;
      if (err !== null || topics === null) return this.retryLater();
      const missing = topics.filter((t) => !this.knownTopics.has(t));
      let left = missing.length;
      if (left === 0) return cb();
      for (const t of missing) {
        this.zk.getData(`/brokers/topics/${t}`, {}, (e2, data) => {
          if (this.dead) return;
          if (e2 === null && data !== null) this.addTopic(t, data);
          if (--left === 0) this.readStates(cb);
        });
      }
    });
  }

  private addTopic(topic: string, data: string): void {
    const o = JSON.parse(data) as { partitions: { [p: string]: number[] } };
    this.knownTopics.add(topic);
    for (const [p, replicas] of Object.entries(o.partitions)) {
      const partition = Number(p);
      const key = `${topic}-${partition}`;
      if (!this.parts.has(key)) this.parts.set(key, { topic, partition, key, replicas, state: null, zkVersion: -1 });
    }
  }

  private readStates(cb: () => void): void {
    const unread = [...this.parts.values()].filter((p) => p.state === null);
    let left = unread.length;
    if (left === 0) return cb();
    for (const p of unread) {
      this.readState(p, () => {
        if (--left === 0) cb();
      });
    }
  }

  private readState(p: PartitionInfo, cb: () => void): void {
    this.zk.getData(statePath(p.topic, p.partition), {}, (err, data, stat) => {
      if (this.dead) return;
      if (err === null && data !== null && stat !== null) {
        const s = parsePartitionState(data);
        p.state = { leader: s.leader, leaderEpoch: s.leaderEpoch, isr: s.isr, controllerEpoch: s.controllerEpoch };
        p.zkVersion = stat.version;
      }
      cb();
    });
  }

  // ---------------------------------------------------------------- topic creation

  private maybeCreateTopics(cb: () => void): void {
    const todo = this.host.topics.filter((t) => !this.knownTopics.has(t.name));
    if (todo.length === 0 || this.live.size < this.host.expectedBrokers) return cb();
    let left = todo.length;
    for (const t of todo) {
      const brokers = [...this.live.keys()].sort((a, b) => a - b).map((id) => ({ id, rack: null }));
      const assignment = t.replicaAssignment !== undefined
        ? new Map(t.replicaAssignment.map((r, i) => [i, r.slice()] as [number, number[]]))
        : assignReplicasToBrokers(brokers, t.partitions, t.replicationFactor, this.host.rng);
      const parts: string[] = [];
      for (const [p, r] of [...assignment].sort((a, b) => a[0] - b[0])) parts.push(`"${p}":[${r.join(',')}]`);
      const data = `{"version":2,"partitions":{${parts.join(',')}},"adding_replicas":{},"removing_replicas":{}}`;
      const cfg: string[] = [];
      for (const [k, v] of t.config) cfg.push(`"${k}":"${String(v)}"`);
      this.zk.create(`/config/topics/${t.name}`, `{"version":1,"config":{${cfg.join(',')}}}`, {}, () => {});
      this.zk.create(`/brokers/topics/${t.name}`, data, {}, (err) => {
        if (this.dead) return;
        if (err === null || err === 'NODEEXISTS') {
          this.host.annotate(`Created topic ${t.name} with ${t.partitions} partitions, replication factor ${t.replicationFactor}: ${data}`);
        }
        if (--left === 0) this.readTopics(cb);
      });
    }
  }

  // ---------------------------------------------------------------- state changes

  /** A conditional write of a partition state, fenced by the controller epoch's zkVersion. */
  private writeState(p: PartitionInfo, next: LeaderAndIsr, cb: (ok: boolean) => void): void {
    const path = statePath(p.topic, p.partition);
    const data = partitionStateJson(next.leader, next.leaderEpoch, next.isr, next.controllerEpoch);
    const ops: MultiOp[] = [{ op: 'check', path: '/controller_epoch', version: this.epochZkVersion }];
    if (p.state === null) {
      ops.push({ op: 'create', path: `/brokers/topics/${p.topic}/partitions/${p.partition}`, data: '' });
      ops.push({ op: 'create', path, data });
    } else ops.push({ op: 'setData', path, data, version: p.zkVersion });
    this.zk.multi(ops, (err, results) => {
      if (this.dead) return;
      if (err === null && results !== null) {
        const last = results[results.length - 1];
        p.zkVersion = last !== undefined && last.op === 'setData' ? last.stat.version : 0;
        p.state = next;
        if (this.host.tracing) this.host.annotate(`controller ${this.host.brokerId}: ${p.key} leader ${next.leader}, leader epoch ${next.leaderEpoch}, ISR [${next.isr.join(',')}] (zkVersion ${p.zkVersion})`);
        this.host.observe('kafka-isr', { tp: p.key, leader: next.leader, leaderEpoch: next.leaderEpoch, isr: next.isr.slice(), zkVersion: p.zkVersion, by: 'controller' });
        return cb(true);
      }
      if (this.host.tracing) this.host.annotate(`controller ${this.host.brokerId}: write of ${p.key} state failed: ${err ?? 'no results'}`);
      const first = results?.[0];
      if (first !== undefined && first.op === 'error' && first.err !== 'OK') {
        // /controller_epoch moved: another controller was elected. This one is a zombie.
        this.host.resign(`controller epoch zkVersion ${this.epochZkVersion} is stale`);
        return;
      }
      cb(false);
    });
  }

  /**
   * Applies `change` to the partition's current state and writes it; on a version conflict (the
   * leader changed the ISR meanwhile) re-reads the state and tries again.
   */
  private update(p: PartitionInfo, change: (s: LeaderAndIsr | null) => LeaderAndIsr | null, cb: (changed: boolean) => void, attempt = 0): void {
    const next = change(p.state);
    if (next === null) return cb(false);
    this.writeState(p, next, (ok) => {
      if (ok) return cb(true);
      if (attempt + 1 >= WRITE_ATTEMPTS_MAX) return cb(false);
      // Re-read: a write whose answer was lost (CONNECTIONLOSS) may have been applied, in which case
      // the znode now holds exactly what we wrote and the change is done; otherwise apply the change
      // to what is there (the leader changed the ISR meanwhile, or the znodes exist already).
      this.readState(p, () => {
        const s = p.state;
        if (s !== null && s.leader === next.leader && s.leaderEpoch === next.leaderEpoch && s.isr.join(',') === next.isr.join(',')) return cb(true);
        this.update(p, change, cb, attempt + 1);
      });
    });
  }

  private forEachSerial(items: PartitionInfo[], fn: (p: PartitionInfo, next: () => void) => void, cb: () => void): void {
    let i = 0;
    const next = (): void => {
      if (this.dead) return;
      if (i >= items.length) return cb();
      fn(items[i++]!, next);
    };
    next();
  }

  /** NewPartition -> OnlinePartition: the first live replica leads, ISR = live replicas, leader epoch 0. */
  private onlineNew(changed: Set<string>, cb: () => void): void {
    const live = this.liveSet();
    const fresh = [...this.parts.values()].filter((p) => p.state === null);
    // The partitions' parent znode (KafkaZkClient creates it recursively); requests on one session
    // are applied in order, so the multis below see it.
    for (const t of new Set(fresh.map((p) => p.topic))) this.zk.create(`/brokers/topics/${t}/partitions`, '', {}, () => {});
    this.forEachSerial(fresh, (p, next) => {
      const liveReplicas = p.replicas.filter((r) => live.has(r));
      if (liveReplicas.length === 0) return next();
      this.update(p, (s) => (s !== null ? null : { leader: liveReplicas[0]!, leaderEpoch: 0, isr: liveReplicas, controllerEpoch: this.epoch }), (ok) => {
        if (ok) changed.add(p.key);
        next();
      });
    }, cb);
  }

  /** KafkaController.onBrokerFailure: offline elections for what the dead led, removal from the other ISRs. */
  private onBrokerFailure(dead: readonly number[], changed: Set<string>, cb: () => void): void {
    if (dead.length === 0) return cb();
    const deadSet = new Set(dead);
    const live = this.liveSet();
    const affected = [...this.parts.values()].filter((p) => p.state !== null && (deadSet.has(p.state.leader) || p.state.isr.some((r) => deadSet.has(r))));
    this.forEachSerial(affected, (p, next) => {
      this.update(p, (s) => {
        if (s === null) return null;
        if (deadSet.has(s.leader) || s.leader < 0) {
          const r = leaderForOffline(p.replicas, s, live, this.uncleanFor(p.topic), this.epoch);
          if (r !== null) {
            if (r.unclean) this.host.annotate(`Unclean leader election for ${p.key}: broker ${r.state.leader} is not in the ISR [${s.isr.join(',')}]; data loss is possible`);
            return r.state;
          }
          // No live ISR member: offline (leader -1), ISR kept as its last live-or-not members.
          let cur: LeaderAndIsr = s;
          for (const d of dead) cur = removeReplicaFromIsr(cur, d, this.epoch) ?? cur;
          return cur.leader === s.leader && cur.isr.length === s.isr.length ? null : { ...cur, leaderEpoch: s.leaderEpoch + 1 };
        }
        let cur: LeaderAndIsr = s;
        let any = false;
        for (const d of dead) {
          const n = removeReplicaFromIsr(cur, d, this.epoch);
          if (n !== null) {
            cur = { ...n, leaderEpoch: s.leaderEpoch };
            any = true;
          }
        }
        return any ? { ...cur, leaderEpoch: s.leaderEpoch + 1 } : null;
      }, (ok) => {
        if (ok) changed.add(p.key);
        next();
      });
    }, cb);
  }

  /** Offline partitions (no leader, or a dead leader) that a live replica can now lead. */
  private electOffline(changed: Set<string>, cb: () => void): void {
    const live = this.liveSet();
    const offline = [...this.parts.values()].filter((p) => p.state !== null && !live.has(p.state.leader) && p.replicas.some((r) => live.has(r)));
    this.forEachSerial(offline, (p, next) => {
      this.update(p, (s) => {
        if (s === null || live.has(s.leader)) return null;
        const r = leaderForOffline(p.replicas, s, live, this.uncleanFor(p.topic), this.epoch);
        if (r !== null && r.unclean) this.host.annotate(`Unclean leader election for ${p.key}: broker ${r.state.leader} is not in the ISR [${s.isr.join(',')}]; data loss is possible`);
        return r === null ? null : r.state;
      }, (ok) => {
        if (ok) changed.add(p.key);
        next();
      });
    }, cb);
  }

  private autoRebalance(done: () => void): void {
    const live = this.liveSet();
    const view = new Map<string, { assignment: readonly number[]; state: LeaderAndIsr | null }>();
    for (const p of this.parts.values()) view.set(p.key, { assignment: p.replicas, state: p.state });
    const tps = partitionsToRebalance(view, live, this.host.settings.leaderImbalancePerBrokerPercentage);
    const changed = new Set<string>();
    this.forEachSerial(tps.map((k) => this.parts.get(k)!), (p, next) => {
      this.update(p, (s) => {
        if (s === null) return null;
        const leader = preferredReplicaPartitionLeaderElection(p.replicas, s.isr, live);
        return leader === null || leader === s.leader ? null : newLeaderAndIsr(s, leader, s.isr, this.epoch);
      }, (ok) => {
        if (ok) changed.add(p.key);
        next();
      });
    }, () => {
      if (changed.size > 0) this.sendChanged(changed);
      done();
    });
  }

  private uncleanFor(topic: string): boolean {
    const spec = this.host.topics.find((t) => t.name === topic);
    const o = spec?.config.get('unclean.leader.election.enable');
    return typeof o === 'boolean' ? o : this.host.settings.logDefaults.uncleanLeaderElectionEnable;
  }

  // ---------------------------------------------------------------- ISR change notifications

  private watchIsrChanges(): void {
    this.zk.getChildren('/isr_change_notification', { watch: () => this.enqueue((d) => this.onIsrChange(d)) }, (err, children) => {
      if (this.dead || err !== null || children === null || children.length === 0) return;
      this.enqueue((d) => this.processIsrChanges(children, d));
    });
  }

  private onIsrChange(done: () => void): void {
    this.zk.getChildren('/isr_change_notification', { watch: () => this.enqueue((d) => this.onIsrChange(d)) }, (err, children) => {
      if (this.dead) return;
      if (err !== null || children === null) return done();
      this.processIsrChanges(children, done);
    });
  }

  private processIsrChanges(children: readonly string[], done: () => void): void {
    if (children.length === 0) return done();
    const tps = new Set<string>();
    let left = children.length;
    for (const c of children) {
      const path = `/isr_change_notification/${c}`;
      this.zk.getData(path, {}, (err, data) => {
        if (this.dead) return;
        if (err === null && data !== null) {
          const o = JSON.parse(data) as { partitions: { topic: string; partition: number }[] };
          for (const p of o.partitions) tps.add(`${p.topic}-${p.partition}`);
        }
        this.zk.delete(path, -1, () => {});
        if (--left === 0) {
          const ps = [...tps].map((k) => this.parts.get(k)).filter((p): p is PartitionInfo => p !== undefined);
          let n = ps.length;
          if (n === 0) return done();
          for (const p of ps) this.readState(p, () => {
            if (--n === 0) {
              this.sendUpdateMetadata(ps);
              done();
            }
          });
        }
      });
    }
  }

  // ---------------------------------------------------------------- requests to brokers

  private stateMsg(p: PartitionInfo): PartitionStateMsg {
    const s = p.state!;
    return { tp: p.key, topic: p.topic, partition: p.partition, leader: s.leader, leaderEpoch: s.leaderEpoch, isr: s.isr, zkVersion: p.zkVersion, replicas: p.replicas };
  }

  private sendLeaderAndIsr(broker: number, ps: readonly PartitionInfo[]): void {
    if (ps.length === 0) return;
    const msg: LeaderAndIsrMsg = { type: 'LeaderAndIsr', correlationId: this.nextCorrelation++, brokerEpoch: this.live.get(broker) ?? -1, controllerId: this.host.brokerId, controllerEpoch: this.epoch, partitions: ps.map((p) => this.stateMsg(p)) };
    this.send(broker, msg, partitionStatesBytes(ps.length));
  }

  private sendUpdateMetadata(ps: readonly PartitionInfo[]): void {
    const withState = ps.filter((p) => p.state !== null);
    const base = {
      type: 'UpdateMetadata' as const, controllerId: this.host.brokerId, controllerEpoch: this.epoch,
      liveBrokers: [...this.live.keys()].sort((a, b) => a - b), partitions: withState.map((p) => this.stateMsg(p)),
    };
    for (const id of this.live.keys()) this.send(id, { ...base, correlationId: this.nextCorrelation++, brokerEpoch: this.live.get(id) ?? -1 }, partitionStatesBytes(withState.length));
  }

  private sendChanged(changed: ReadonlySet<string>): void {
    const ps = [...changed].map((k) => this.parts.get(k)!).filter((p) => p.state !== null);
    this.sendUpdateMetadata([...this.parts.values()]);
    for (const id of this.live.keys()) this.sendLeaderAndIsr(id, ps.filter((p) => p.replicas.includes(id)));
  }

  inspect(): Json {
    return { epoch: this.epoch, live: [...this.live.keys()].sort((a, b) => a - b), partitions: this.parts.size };
  }
}
