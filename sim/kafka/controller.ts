import { invariant } from '../core/invariant.ts';
import type { Json } from '../core/types.ts';
import type { ZkClient } from '../zookeeper/client.ts';
import type { MultiOp } from '../zookeeper/messages.ts';
import { assignReplicasToBrokers } from './assignment.ts';
import { assertPartitionState, leaderForControlledShutdown, leaderForOffline, newLeaderAndIsr, partitionsToRebalance, preferredReplicaPartitionLeaderElection, removeReplicaFromIsr, type LeaderAndIsr } from './election.ts';
import { ControllerChannel, RESEND_MS, type PartitionInfo } from './controller-channel.ts';
import { IsrChangeNotifications, type Step } from './controller-isr.ts';
import { processAlterIsr, type AlterIsrHost } from './controller-alter-isr.ts';
import type { AlterIsr, AlterIsrResponse } from './messages.ts';
import type { ControllerHost, ControllerTimer, ShutdownReply } from './controller-host.ts';
import { parsePartitionState, partitionStateJson, statePath } from './partition.ts';

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
// - AlterIsr (IBP >= 2.7-IV2, KIP-497): controller-alter-isr.ts.
// - Auto leader rebalance every leader.imbalance.check.interval.seconds.
// Every write is a multi that starts with `check /controller_epoch <zkVersion>`, so a zombie
// controller's writes fail; a failing check makes it resign.
//
// - ControlledShutdown (a broker stopping on SIGTERM): the broker joins shuttingDownBrokerIds, which
//   every election then leaves out; what it leads moves by the controlled-shutdown election, what it
//   follows gets StopReplica and its replica leaves the ISR; the answer lists what it still leads
//   (KIP-380: a request from an older registration is refused with STALE_BROKER_EPOCH from 2.2).
//
// Not modelled: topic deletion, partition reassignment, LeaderAndIsr responses' per-partition errors.

export type { ControllerHost, ControllerTimer, ShutdownReply } from './controller-host.ts';

const RETRY_MS = 1000;
const WRITE_ATTEMPTS_MAX = 5;

export class Controller {
  private readonly live = new Map<number, number>(); // broker id -> czxid of its registration
  private readonly parts = new Map<string, PartitionInfo>();
  private readonly knownTopics = new Set<string>();
  private readonly queue: Step[] = [];
  private busy = false;
  private dead = false;
  private readonly channel: ControllerChannel;
  /** ControllerContext.shuttingDownBrokerIds: brokers in controlled shutdown; no election picks them. */
  private readonly shuttingDown = new Set<number>();
  /** Replies owed to ControlledShutdown requests still queued or running (NOT_CONTROLLER on resignation). */
  private readonly shutdownReplies = new Set<ShutdownReply>();

  private readonly isrNotifications: IsrChangeNotifications;
  private readonly alterIsrHost: AlterIsrHost;
  /** AlterIsr answers owed for queued events (NOT_CONTROLLER on resignation, ControllerEvent.preempt). */
  private readonly alterIsrPreempt = new Set<() => void>();

  constructor(private readonly host: ControllerHost, readonly epoch: number, private epochZkVersion: number) {
    this.channel = new ControllerChannel(host, epoch, this.live);
    const self = this;
    this.isrNotifications = new IsrChangeNotifications({
      get zk() { return self.zk; },
      get dead() { return self.dead; },
      enqueue: (step) => this.enqueue(step),
      partition: (key) => this.parts.get(key),
      readState: (p, cb) => this.readState(p, cb),
      sendUpdateMetadata: (ps) => this.channel.sendUpdateMetadata(ps),
    });
    this.alterIsrHost = {
      host,
      get zk() { return self.zk; },
      epoch,
      get epochZkVersion() { return self.epochZkVersion; },
      get dead() { return self.dead; },
      live: this.live,
      partition: (key) => this.parts.get(key),
      sendUpdateMetadata: (ps) => this.channel.sendUpdateMetadata(ps),
      resign: (why) => host.resign(why),
    };
  }

  /** An AlterIsr request (KafkaController.alterIsrs): handled in the event queue; `reply` is called once. */
  alterIsr(msg: AlterIsr, reply: (r: AlterIsrResponse) => void): void {
    if (this.dead) return reply({ type: 'AlterIsrResponse', correlationId: msg.correlationId, error: 'NOT_CONTROLLER', partitions: [] });
    let answered = false;
    const once = (r: AlterIsrResponse): void => {
      if (answered) return;
      answered = true;
      this.alterIsrPreempt.delete(preempt);
      reply(r);
    };
    const preempt = (): void => once({ type: 'AlterIsrResponse', correlationId: msg.correlationId, error: 'NOT_CONTROLLER', partitions: [] });
    this.alterIsrPreempt.add(preempt);
    this.enqueue((done) => processAlterIsr(this.alterIsrHost, msg, (r) => {
      once(r);
      done();
    }));
  }

  /** A broker answered a LeaderAndIsr, UpdateMetadata or StopReplica request. */
  onResponse(correlationId: number): void {
    this.channel.onResponse(correlationId);
  }

  startup(): void {
    this.enqueue((done) => this.onStartup(done));
    if (this.host.settings.autoLeaderRebalanceEnable) this.host.setTimer(this.host.settings.leaderImbalanceCheckIntervalSeconds * 1000, { c: 'rebalance' });
    this.host.setTimer(RESEND_MS, { c: 'resend' });
  }

  shutdown(): void {
    this.dead = true;
    this.queue.length = 0;
    // ControllerEvent.preempt: a queued ControlledShutdown is answered NOT_CONTROLLER.
    const replies = [...this.shutdownReplies];
    this.shutdownReplies.clear();
    for (const r of replies) r('NOT_CONTROLLER', []);
    for (const p of [...this.alterIsrPreempt]) p();
  }

  onTimer(tag: ControllerTimer): void {
    if (this.dead) return;
    if (tag.c === 'resend') {
      this.channel.resend();
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

  /** ControllerContext.liveBrokerIds: registered and not in controlled shutdown (the candidates of every election). */
  private liveSet(): Set<number> {
    const s = new Set<number>();
    for (const id of this.live.keys()) if (!this.shuttingDown.has(id)) s.add(id);
    return s;
  }

  // ---------------------------------------------------------------- events

  private onStartup(done: () => void): void {
    this.readBrokers(() => {
      this.readTopics(() => {
        const live = this.liveSet();
        const dead = new Set<number>();
        for (const p of this.parts.values()) for (const r of p.replicas) if (!live.has(r)) dead.add(r);
        this.reconcile([...dead].sort((a, b) => a - b), [...live].sort((a, b) => a - b), () => {
          this.isrNotifications.watch();
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
    this.channel.dropFor(dead, added);
    this.maybeCreateTopics(() => {
      const changed = new Set<string>();
      this.onlineNew(changed, () => {
        this.onBrokerFailure(dead, changed, () => {
          this.electOffline(changed, () => {
            this.channel.sendUpdateMetadata([...this.parts.values()]);
            const ps = [...changed].map((k) => this.parts.get(k)!).filter((p) => p.state !== null);
            const all = [...this.parts.values()].filter((p) => p.state !== null);
            for (const id of this.live.keys()) {
              this.channel.sendLeaderAndIsr(id, (added.includes(id) ? all : ps).filter((p) => p.replicas.includes(id)));
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
        // onBrokerFailure / onBrokerStartup: a broker that died or registered again is no longer shutting down.
        for (const id of [...dead, ...added]) this.shuttingDown.delete(id);
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
    assertPartitionState(p.key, next.leader, next.isr, p.replicas);
    const cur = p.state;
    // Every controller change bumps the leader epoch; a new leader comes from the ISR it replaces
    // unless unclean.leader.election.enable allows otherwise.
    invariant(cur === null || next.leaderEpoch > cur.leaderEpoch, () => `${p.key}: controller writes leader epoch ${next.leaderEpoch} over ${cur?.leaderEpoch ?? -1}`);
    invariant(cur === null || next.leader === cur.leader || next.leader < 0 || cur.isr.includes(next.leader) || this.uncleanFor(p.topic),
      () => `${p.key}: broker ${next.leader} elected from outside the ISR [${cur?.isr.join(',') ?? ''}] with unclean election disabled`);
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
    // A partition led by a broker in controlled shutdown is still online.
    const registered = new Set(this.live.keys());
    const offline = [...this.parts.values()].filter((p) => p.state !== null && !registered.has(p.state.leader) && p.replicas.some((r) => live.has(r)));
    this.forEachSerial(offline, (p, next) => {
      this.update(p, (s) => {
        if (s === null || registered.has(s.leader)) return null;
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

  // ---------------------------------------------------------------- controlled shutdown

  /** A ControlledShutdown request (KafkaController's ControlledShutdown event); `reply` is called once. */
  controlledShutdown(brokerId: number, brokerEpoch: number, reply: ShutdownReply): void {
    if (this.dead) return reply('NOT_CONTROLLER', []);
    let answered = false;
    const once: ShutdownReply = (e, r) => {
      if (answered) return;
      answered = true;
      this.shutdownReplies.delete(once);
      reply(e, r);
    };
    this.shutdownReplies.add(once);
    this.enqueue((done) => this.doControlledShutdown(brokerId, brokerEpoch, (e, r) => {
      once(e, r);
      done();
    }));
  }

  /**
   * KafkaController.doControlledShutdown: the broker joins shuttingDownBrokerIds; each partition it
   * leads (replication factor > 1) gets a controlled-shutdown election; each partition it follows
   * gets StopReplica (deletePartitions=false) and the replica goes OfflineReplica (out of the ISR
   * with the conditional write). The answer lists the partitions it still leads.
   */
  private doControlledShutdown(id: number, brokerEpoch: number, reply: ShutdownReply): void {
    const cached = this.live.get(id);
    if (cached === undefined) {
      this.host.annotate(`controller ${this.host.brokerId}: controlled shutdown of broker ${id}: Broker id ${id} does not exist (BROKER_NOT_AVAILABLE)`);
      return reply('BROKER_NOT_AVAILABLE', []);
    }
    // KIP-380 (v2, 2.2+): -1 is UNKNOWN_BROKER_EPOCH (a v1 request), which is not checked.
    if (brokerEpoch !== -1 && brokerEpoch < cached) {
      this.host.annotate(`controller ${this.host.brokerId}: Received controlled shutdown request from an old broker epoch ${brokerEpoch} for broker ${id}. Current broker epoch is ${cached}. (STALE_BROKER_EPOCH)`);
      return reply('STALE_BROKER_EPOCH', []);
    }
    this.shuttingDown.add(id);
    if (this.host.tracing) this.host.annotate(`controller ${this.host.brokerId}: Shutting down broker ${id}; shutting down brokers [${[...this.shuttingDown].sort((a, b) => a - b).join(',')}]`);
    const onBroker = [...this.parts.values()].filter((p) => p.state !== null && p.replicas.includes(id) && p.replicas.length > 1);
    const led = onBroker.filter((p) => p.state!.leader === id);
    const followed = onBroker.filter((p) => p.state!.leader !== id);
    const registered = new Set(this.live.keys());
    const moved = new Set<string>();
    const shrunk = new Set<string>();
    this.forEachSerial(led, (p, next) => {
      this.update(p, (s) => {
        if (s === null || s.leader !== id) return null;
        const n = leaderForControlledShutdown(p.replicas, s, registered, this.shuttingDown, this.epoch);
        if (n === null) this.host.annotate(`controller ${this.host.brokerId}: Failed to elect leader for partition ${p.key} under strategy ControlledShutdownPartitionLeaderElectionStrategy: no replica in ISR [${s.isr.join(',')}] outside the shutting-down brokers`);
        return n;
      }, (ok) => {
        if (ok) moved.add(p.key);
        next();
      });
    }, () => {
      this.forEachSerial(followed, (p, next) => {
        this.update(p, (s) => (s === null || s.leader === id ? null : removeReplicaFromIsr(s, id, this.epoch)), (ok) => {
          if (ok) shrunk.add(p.key);
          next();
        });
      }, () => this.finishControlledShutdown(id, followed, moved, shrunk, reply));
    });
  }

  private finishControlledShutdown(id: number, followed: readonly PartitionInfo[], moved: ReadonlySet<string>, shrunk: ReadonlySet<string>, reply: ShutdownReply): void {
    this.channel.sendStopReplica(id, followed.map((p) => p.key));
    this.channel.sendUpdateMetadata([...this.parts.values()]);
    const ps = [...moved, ...shrunk].map((k) => this.parts.get(k)!);
    // The stopping broker learns of the new leaders (it becomes their follower), not of its own removal.
    for (const b of this.live.keys()) this.channel.sendLeaderAndIsr(b, ps.filter((p) => p.replicas.includes(b) && (b !== id || moved.has(p.key))));
    const remaining = [...this.parts.values()].filter((p) => p.state !== null && p.state.leader === id).map((p) => p.key).sort();
    this.host.annotate(`controlled shutdown of broker-${id}: moved leadership of ${moved.size} partitions, ${remaining.length} remaining${remaining.length > 0 ? ` [${remaining.join(',')}]` : ''}; removed from ${shrunk.size} ISRs`);
    this.host.observe('kafka-controlled-shutdown', { broker: id, moved: [...moved].sort(), remaining, isrRemovals: [...shrunk].sort() });
    reply('NONE', remaining);
  }

  // ---------------------------------------------------------------- requests to brokers

  private sendChanged(changed: ReadonlySet<string>): void {
    const ps = [...changed].map((k) => this.parts.get(k)!).filter((p) => p.state !== null);
    this.channel.sendUpdateMetadata([...this.parts.values()]);
    for (const id of this.live.keys()) this.channel.sendLeaderAndIsr(id, ps.filter((p) => p.replicas.includes(id)));
  }

  inspect(): Json {
    return { epoch: this.epoch, live: [...this.live.keys()].sort((a, b) => a - b), partitions: this.parts.size };
  }
}
