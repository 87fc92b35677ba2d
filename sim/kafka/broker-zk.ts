import { ZkClient, type ZkSessionEvent, type ZkWatchEvent } from '../zookeeper/client.ts';
import type { Broker } from './broker.ts';
import { Controller, type ControllerHost } from './controller.ts';
import type { ControllerToBroker } from './messages.ts';
import { brokerName } from './partition.ts';

// The broker's ZooKeeper side (KafkaServer.startup, KafkaZkClient.registerBroker, KafkaController
// elect/resign): one session at a time; once connected, the persistent paths and the ephemeral
// /brokers/ids/<id>, whose czxid is the broker epoch (KIP-380); a watch on /controller and the
// election (KAFKA-6082: /controller and /controller_epoch in one multi). A session expiry resigns
// the controller and starts a new session that registers again.

const ZK_RETRY_MS = 1000;
const PERSISTENT_PATHS = ['/brokers', '/brokers/ids', '/brokers/topics', '/isr_change_notification', '/config', '/config/topics', '/admin'];

export class BrokerZk {
  registered = false;
  private registering = false;
  private controllerWatchSet = false;

  constructor(private readonly b: Broker) {}

  /** A new session: the broker epoch is unknown until the new registration exists. */
  start(): void {
    const b = this.b;
    const client: ZkClient = new ZkClient(b.ctx, {
      connectString: b.opts.zkServers,
      sessionTimeoutMs: b.settings.zookeeperSessionTimeoutMs,
      recordHistory: false,
      onEvent: (e) => this.onZkEvent(client, e),
    });
    b.zk = client;
    b.brokerEpoch = -1;
    this.registered = false;
    this.registering = false;
    this.controllerWatchSet = false;
  }

  private onZkEvent(client: ZkClient, e: ZkSessionEvent): void {
    const b = this.b;
    // A stopping broker is about to close this session: it neither registers again nor starts a new one.
    if (client !== b.zk || b.isStopped || b.shutdownRole.stopping) return;
    b.guard(() => {
      if (e.state === 'SyncConnected') {
        if (!this.registered && !this.registering) this.register();
      } else if (e.state === 'Expired') {
        // The session and its ephemerals are gone: resign as controller, start a new session, re-register.
        b.ctx.annotate(`broker ${b.id}: ZooKeeper session expired; re-registering`);
        this.resign('ZooKeeper session expired');
        this.start();
      }
    });
  }

  register(): void {
    const b = this.b;
    if (b.zk.state !== 'CONNECTED') return;
    this.registering = true;
    const client = b.zk;
    let i = 0;
    const next = (): void => {
      if (client !== b.zk) return;
      if (i < PERSISTENT_PATHS.length) {
        client.create(PERSISTENT_PATHS[i++]!, '', {}, () => next());
        return;
      }
      const data = `{"version":4,"host":"${brokerName(b.id)}","port":9092,"endpoints":["PLAINTEXT://${brokerName(b.id)}:9092"],"jmx_port":-1,"timestamp":"${Math.floor(b.nowMs())}"}`;
      client.create(`/brokers/ids/${b.id}`, data, { ephemeral: true }, (err) => {
        if (client !== b.zk) return;
        this.registering = false;
        if (err === null) {
          this.registered = true;
          b.ctx.annotate(`broker ${b.id} registered at /brokers/ids/${b.id}`);
          this.learnBrokerEpoch(client);
          this.watchController();
          return;
        }
        // NODEEXISTS: the previous incarnation's session has not expired yet. Kafka 2.x fails startup
        // here; dsim retries until the old ephemeral is gone.
        b.setTimer(ZK_RETRY_MS, { k: 'register' });
      });
    };
    next();
  }

  private learnBrokerEpoch(client: ZkClient): void {
    const b = this.b;
    client.exists(`/brokers/ids/${b.id}`, {}, (err, stat) => {
      if (client !== b.zk || b.isStopped) return;
      if (err !== null || stat === null) return;
      b.guard(() => {
        b.brokerEpoch = stat.czxid;
        b.replicaManager.brokerEpochKnown();
      });
    });
  }

  private watchController(): void {
    if (this.controllerWatchSet) return;
    const b = this.b;
    const client = b.zk;
    this.controllerWatchSet = true;
    client.exists('/controller', { watch: (ev) => this.onControllerWatch(client, ev) }, (err, stat) => {
      if (client !== b.zk) return;
      if (err !== null) {
        this.controllerWatchSet = false;
        b.setTimer(ZK_RETRY_MS, { k: 'register' });
        return;
      }
      if (stat === null) b.guard(() => this.elect());
    });
  }

  private onControllerWatch(client: ZkClient, _ev: ZkWatchEvent): void {
    if (client !== this.b.zk || this.b.isStopped) return;
    this.controllerWatchSet = false;
    this.b.guard(() => this.watchController());
  }

  /** KafkaController.elect (2.1+, KAFKA-6082): create /controller and bump /controller_epoch in one multi. */
  private elect(): void {
    const b = this.b;
    if (b.controller !== null) return;
    const client = b.zk;
    client.getData('/controller_epoch', {}, (err, data, stat) => {
      if (client !== b.zk || b.controller !== null) return;
      if (err === 'NONODE') {
        client.create('/controller_epoch', '0', {}, () => b.guard(() => this.elect()));
        return;
      }
      if (err !== null || data === null || stat === null) return;
      const epoch = Number(data) + 1;
      const controllerData = `{"version":1,"brokerid":${b.id},"timestamp":"${Math.floor(b.nowMs())}"}`;
      client.multi([
        { op: 'create', path: '/controller', data: controllerData, ephemeral: true },
        { op: 'setData', path: '/controller_epoch', data: String(epoch), version: stat.version },
      ], (merr, results) => {
        if (client !== b.zk || b.isStopped) return;
        if (merr !== null || results === null) return; // someone else won; the /controller watch stays armed
        const r = results[1];
        const zkVersion = r !== undefined && r.op === 'setData' ? r.stat.version : stat.version + 1;
        b.guard(() => this.becomeController(epoch, zkVersion));
      });
    });
  }

  private becomeController(epoch: number, epochZkVersion: number): void {
    const b = this.b;
    b.ctx.annotate(`broker ${b.id} is the controller with epoch ${epoch}`);
    b.ctx.observe('kafka-controller', { broker: b.id, epoch });
    const host: ControllerHost = {
      brokerId: b.id,
      zk: b.zk,
      settings: b.settings,
      topics: b.opts.topics,
      expectedBrokers: b.opts.expectedBrokers,
      rng: b.ctx.rng,
      tracing: b.ctx.tracing,
      sendToBroker: (id, msg, bytes) => this.sendToBroker(id, msg, bytes),
      observe: (kind, data) => b.ctx.observe(kind, data),
      annotate: (text) => b.ctx.annotate(text),
      setTimer: (delayMs, tag) => b.setTimer(delayMs, { k: 'controller', tag }),
      resign: (why) => this.resign(why),
      nowMs: () => b.nowMs(),
    };
    b.controller = new Controller(host, epoch, epochZkVersion);
    b.controller.startup();
  }

  resign(why: string): void {
    const b = this.b;
    if (b.controller === null) return;
    b.ctx.annotate(`broker ${b.id} resigns as controller: ${why}`);
    b.controller.shutdown();
    b.controller = null;
  }

  private sendToBroker(id: number, msg: ControllerToBroker, bytes: number): void {
    const b = this.b;
    if (id === b.id) b.setTimer(0, { k: 'local', msg });
    else b.ctx.send(b.ctx.lookup(brokerName(id)), msg, bytes);
  }
}
