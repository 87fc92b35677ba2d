import type { ProcessId } from '../core/types.ts';
import type { Broker } from './broker.ts';
import { KAFKA_2_2_IV0 } from './broker-replicas.ts';
import { REQUEST_HEADER_BYTES, type ControlledShutdown, type ControlledShutdownResponse, type ErrorCode } from './messages.ts';
import { brokerName } from './partition.ts';

// The broker's orderly stop on SIGTERM (KafkaServer.shutdown, 2.x ZooKeeper era):
// 1. controlledShutdown() when controlled.shutdown.enable: up to controlled.shutdown.max.retries
//    attempts, each one reads /controller and the controller's registration from ZooKeeper, sends
//    ControlledShutdown (v2 with the broker epoch from 2.2, KIP-380; v1 before) and waits for the
//    answer (request.timeout.ms; a closed connection fails the attempt at once). It succeeds when the
//    controller answers NONE with no partitions remaining; otherwise the broker waits
//    controlled.shutdown.retry.backoff.ms (after the last attempt too, as KafkaServer does) and tries
//    again; when every attempt failed it proceeds with an unclean shutdown.
// 2. The broker stops processing requests, stops its fetchers (ReplicaManager.shutdown),
//    LogManager.shutdown() flushes every log, writes the recovery-point and HW checkpoints and the
//    clean-shutdown marker (a restart then skips log recovery), the controller resigns, the
//    ZooKeeper session is closed (its ephemerals go at once), and the process exits.
// A second SIGTERM while this runs does nothing new (KafkaServer's isShuttingDown).

export type ShutdownTimer = { readonly what: 'timeout' | 'retry' | 'close'; readonly attempt: number };

/** How long the broker waits for ZooKeeper to confirm the end of its session before it exits anyway. */
const ZK_CLOSE_WAIT_MS = 5000;

type Phase = 'running' | 'controlled' | 'stopping' | 'stopped';

export class BrokerShutdown {
  private phase: Phase = 'running';
  private remainingRetries = 0;
  private attempt = 0;
  private prevController: number | null = null;
  private inflight: { readonly correlationId: number; readonly controller: number; readonly timer: number } | null = null;

  constructor(private readonly b: Broker) {}

  /** The broker no longer serves requests, fetches or runs its periodic tasks. */
  get stopping(): boolean {
    return this.phase === 'stopping' || this.phase === 'stopped';
  }

  get inControlledShutdown(): boolean {
    return this.phase === 'controlled';
  }

  /** SIGTERM. */
  onShutdown(): void {
    const b = this.b;
    if (this.phase !== 'running') {
      b.ctx.annotate(`broker ${b.id}: already shutting down; SIGTERM ignored`);
      return;
    }
    b.ctx.annotate(`[KafkaServer id=${b.id}] shutting down`);
    if (!b.settings.controlledShutdownEnable) return this.stop('controlled.shutdown.enable=false');
    if (!b.zkRole.registered) return this.stop('startup not complete: no controlled shutdown');
    this.phase = 'controlled';
    this.remainingRetries = b.settings.controlledShutdownMaxRetries;
    b.ctx.annotate(`broker ${b.id}: Starting controlled shutdown (controlled.shutdown.max.retries=${this.remainingRetries})`);
    b.ctx.observe('kafka-shutdown', { broker: b.id, phase: 'controlled' });
    this.nextAttempt();
  }

  private nextAttempt(): void {
    const b = this.b;
    if (this.remainingRetries <= 0) {
      b.ctx.annotate(`broker ${b.id}: Proceeding to do an unclean shutdown as all the controlled shutdown attempts failed`);
      b.ctx.observe('kafka-shutdown', { broker: b.id, phase: 'unclean' });
      return this.stop('controlled shutdown failed');
    }
    this.remainingRetries--;
    const attempt = ++this.attempt;
    const client = b.zk;
    // zkClient.getControllerId, then zkClient.getBroker(controllerId).
    client.getData('/controller', {}, (err, data) => {
      if (this.phase !== 'controlled' || this.attempt !== attempt) return;
      if (err !== null || data === null) {
        b.ctx.annotate(`broker ${b.id}: No controller registered in ZooKeeper`);
        return this.send(attempt);
      }
      const controllerId = (JSON.parse(data) as { brokerid: number }).brokerid;
      client.exists(`/brokers/ids/${controllerId}`, {}, (e2, stat) => {
        if (this.phase !== 'controlled' || this.attempt !== attempt) return;
        if (e2 === null && stat !== null) this.prevController = controllerId;
        else b.ctx.annotate(`broker ${b.id}: Broker registration for controller ${controllerId} is not available (i.e. the Controller's ZK session expired)`);
        this.send(attempt);
      });
    });
  }

  private send(attempt: number): void {
    const b = this.b;
    const controller = this.prevController;
    if (controller === null) return this.failed(attempt);
    const msg: ControlledShutdown = {
      type: 'ControlledShutdown', correlationId: b.nextId(), brokerId: b.id,
      brokerEpoch: b.settings.ibp.id >= KAFKA_2_2_IV0.id ? b.brokerEpoch : -1,
    };
    const timer = b.setTimer(b.settings.requestTimeoutMs, { k: 'shutdown', tag: { what: 'timeout', attempt } });
    this.inflight = { correlationId: msg.correlationId, controller, timer };
    if (b.ctx.tracing) b.ctx.annotate(`broker ${b.id}: ControlledShutdown to controller ${controller} (attempt ${attempt}, broker epoch ${msg.brokerEpoch})`);
    // The controller's own shutdown request goes to its own event queue.
    if (controller === b.id) b.setTimer(0, { k: 'local-controlled-shutdown', msg });
    else b.ctx.send(b.ctx.lookup(brokerName(controller)), msg, REQUEST_HEADER_BYTES + 12);
  }

  /** The controller side of a ControlledShutdown request that reached this broker. */
  onRequest(from: ProcessId | null, msg: ControlledShutdown): void {
    const b = this.b;
    const reply = (error: ErrorCode, partitionsRemaining: readonly string[]): void => {
      const resp: ControlledShutdownResponse = { type: 'ControlledShutdownResponse', correlationId: msg.correlationId, error, partitionsRemaining };
      if (from === null) this.onResponse(resp);
      else b.ctx.send(from, resp, REQUEST_HEADER_BYTES + partitionsRemaining.length * 16);
    };
    if (b.controller === null) return reply('NOT_CONTROLLER', []);
    b.controller.controlledShutdown(msg.brokerId, msg.brokerEpoch, reply);
  }

  onResponse(msg: ControlledShutdownResponse): void {
    const b = this.b;
    const f = this.inflight;
    if (this.phase !== 'controlled' || f === null || f.correlationId !== msg.correlationId) return;
    this.inflight = null;
    b.ctx.cancelTimer(f.timer);
    if (msg.error === 'NONE' && msg.partitionsRemaining.length === 0) {
      b.ctx.annotate(`broker ${b.id}: Controlled shutdown succeeded`);
      b.ctx.observe('kafka-shutdown', { broker: b.id, phase: 'controlled-done', attempts: this.attempt });
      return this.stop('controlled shutdown succeeded');
    }
    b.ctx.annotate(`broker ${b.id}: Remaining partitions to move: [${msg.partitionsRemaining.join(',')}]; Error from controller: ${msg.error}`);
    this.failed(this.attempt);
  }

  /** The connection to the controller closed while the request was in flight (an IOException). */
  onDisconnect(peer: ProcessId): void {
    const b = this.b;
    const f = this.inflight;
    if (this.phase !== 'controlled' || f === null || f.controller === b.id || b.ctx.lookup(brokerName(f.controller)) !== peer) return;
    this.inflight = null;
    b.ctx.cancelTimer(f.timer);
    b.ctx.annotate(`broker ${b.id}: Error during controlled shutdown, possibly because leader movement took longer than the configured controller.socket.timeout.ms and/or request.timeout.ms: connection to broker-${f.controller} closed`);
    this.failed(this.attempt);
  }

  onTimer(tag: ShutdownTimer): void {
    const b = this.b;
    switch (tag.what) {
      case 'timeout':
        if (this.phase !== 'controlled' || this.inflight === null || tag.attempt !== this.attempt) return;
        this.inflight = null;
        b.ctx.annotate(`broker ${b.id}: Error during controlled shutdown, possibly because leader movement took longer than the configured controller.socket.timeout.ms and/or request.timeout.ms: no response within request.timeout.ms=${b.settings.requestTimeoutMs}`);
        return this.failed(tag.attempt);
      case 'retry':
        if (this.phase !== 'controlled' || tag.attempt !== this.attempt) return;
        if (this.remainingRetries > 0) b.ctx.annotate(`broker ${b.id}: Retrying controlled shutdown after the previous attempt failed...`);
        return this.nextAttempt();
      case 'close':
        return this.exit();
    }
  }

  private failed(attempt: number): void {
    const b = this.b;
    b.setTimer(b.settings.controlledShutdownRetryBackoffMs, { k: 'shutdown', tag: { what: 'retry', attempt } });
  }

  /** KafkaServer.shutdown after controlledShutdown(): stop serving, fetchers, logs, controller, ZooKeeper. */
  private stop(why: string): void {
    const b = this.b;
    this.phase = 'stopping';
    b.ctx.annotate(`broker ${b.id}: stopping (${why}): request processing and fetchers stop; LogManager.shutdown flushes every log`);
    b.ctx.observe('kafka-shutdown', { broker: b.id, phase: 'stopping' });
    b.followerSide.shutdown();
    b.logs.shutdown(() => b.guard(() => {
      b.ctx.annotate(`broker ${b.id}: logs flushed, checkpoints and clean-shutdown marker written`);
      b.zkRole.resign('shutting down');
      b.setTimer(ZK_CLOSE_WAIT_MS, { k: 'shutdown', tag: { what: 'close', attempt: this.attempt } });
      b.zk.close(() => this.exit());
    }));
  }

  private exit(): void {
    const b = this.b;
    if (this.phase !== 'stopping') return;
    this.phase = 'stopped';
    b.ctx.annotate(`[KafkaServer id=${b.id}] shut down completed`);
    b.ctx.observe('kafka-shutdown', { broker: b.id, phase: 'exit' });
    b.ctx.exit('shutdown complete');
  }
}
