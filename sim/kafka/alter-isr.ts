import type { ProcessId } from '../core/types.ts';
import type { Broker } from './broker.ts';
import { REQUEST_HEADER_BYTES, PARTITION_OVERHEAD_BYTES, type AlterIsr, type AlterIsrResponse, type AlterIsrResponsePartition } from './messages.ts';
import { brokerName, type Partition, type PendingIsr } from './partition.ts';

// The leader's side of KIP-497 (IBP >= 2.7-IV2): kafka.server.DefaultAlterIsrManager (2.8) with the
// transport of BrokerToControllerChannelManager.
// - At most one pending ISR change per partition (unsentIsrUpdates) and one AlterIsr request in
//   flight per broker; every pending change goes in the next request.
// - The controller is the one the metadata cache names (MetadataCacheControllerNodeProvider, set by
//   UpdateMetadata); none known: look again in 100 ms.
// - No answer within request.timeout.ms, or the connection to the controller closed: the request is
//   put back and sent again (retryTimeoutMs is Long.MaxValue for AlterIsr: it never gives up).
//   Deviation: Kafka's NetworkClient closes the connection on the timeout, so the first request is
//   lost with it; dsim keeps the stream, which may still deliver the first copy after a heal (the
//   controller then answers both; the leader uses the answer to the request it is waiting for);
//   NOT_CONTROLLER: the same, to whichever controller the metadata cache names then.
// - A top-level error (STALE_BROKER_EPOCH, NOT_CONTROLLER, ...): send the pending changes again in
//   50 ms. Per-partition answers go to the partition (LeaderSide.onAlterIsrResult), which commits,
//   gives up or resubmits.

/** A pending ISR change (AlterIsrItem): what the partition proposed, at which leader epoch and zkVersion. */
export interface AlterIsrItem {
  readonly part: Partition;
  readonly proposed: PendingIsr;
  readonly leaderEpoch: number;
  readonly zkVersion: number;
}

export type AlterIsrTimer = { readonly what: 'retry' } | { readonly what: 'timeout'; readonly correlationId: number };

/** BrokerToControllerRequestThread: no controller in the metadata cache, look again after this. */
const NO_CONTROLLER_BACKOFF_MS = 100;
/** DefaultAlterIsrManager: a top-level error is retried after this. */
const TOP_LEVEL_RETRY_MS = 50;
/** reconnect.backoff.ms (NetworkClient's default) before a new connection to the controller. */
const RECONNECT_BACKOFF_MS = 50;

export class AlterIsrManager {
  private readonly unsent = new Map<string, AlterIsrItem>();
  private inflight: { readonly correlationId: number; readonly items: readonly AlterIsrItem[]; readonly controller: number; readonly timer: number } | null = null;
  private retryArmed = false;

  constructor(private readonly b: Broker) {}

  /** AlterIsrManager.submit: false if this partition already has a pending change. */
  submit(item: AlterIsrItem): boolean {
    if (this.unsent.has(item.part.key)) return false;
    this.unsent.set(item.part.key, item);
    this.maybeSend();
    return true;
  }

  /** A LeaderAndIsr replaced the partition's state: its pending change is forgotten. */
  clearPending(tp: string): void {
    this.unsent.delete(tp);
  }

  private retryIn(ms: number): void {
    if (this.retryArmed) return;
    this.retryArmed = true;
    this.b.setTimer(ms, { k: 'alter-isr', tag: { what: 'retry' } });
  }

  /** maybePropagateIsrChanges: every pending change in one request, if none is in flight. */
  private maybeSend(): void {
    const b = this.b;
    if (this.unsent.size === 0 || this.inflight !== null || b.shutdownRole.stopping) return;
    const controller = b.replicaManager.controllerId;
    if (controller < 0) return this.retryIn(NO_CONTROLLER_BACKOFF_MS);
    const items = [...this.unsent.values()];
    const msg: AlterIsr = {
      type: 'AlterIsr', correlationId: b.nextId(), brokerId: b.id, brokerEpoch: b.brokerEpoch,
      partitions: items.map((i) => ({ tp: i.part.key, leaderEpoch: i.leaderEpoch, newIsr: i.proposed.proposed, currentIsrVersion: i.zkVersion })),
    };
    const timer = b.setTimer(b.settings.requestTimeoutMs, { k: 'alter-isr', tag: { what: 'timeout', correlationId: msg.correlationId } });
    this.inflight = { correlationId: msg.correlationId, items, controller, timer };
    if (b.ctx.tracing) {
      b.ctx.annotate(`broker ${b.id}: AlterIsr to controller ${controller} (broker epoch ${msg.brokerEpoch}): ${msg.partitions.map((p) => `${p.tp} ISR [${p.newIsr.join(',')}] at leader epoch ${p.leaderEpoch}, zkVersion ${p.currentIsrVersion}`).join('; ')}`);
    }
    // The controller inside this broker gets it through its own event queue.
    if (controller === b.id) b.setTimer(0, { k: 'local-alter-isr', msg });
    else b.ctx.send(b.ctx.lookup(brokerName(controller)), msg, REQUEST_HEADER_BYTES + 12 + msg.partitions.length * PARTITION_OVERHEAD_BYTES);
  }

  /** The controller side: a request that reached this broker (`from` null: sent by this broker to itself). */
  onRequest(from: ProcessId | null, msg: AlterIsr): void {
    const b = this.b;
    const reply = (resp: AlterIsrResponse): void => {
      if (from === null) this.onResponse(resp);
      else b.ctx.send(from, resp, REQUEST_HEADER_BYTES + resp.partitions.length * PARTITION_OVERHEAD_BYTES);
    };
    if (b.controller === null) return reply({ type: 'AlterIsrResponse', correlationId: msg.correlationId, error: 'NOT_CONTROLLER', partitions: [] });
    b.controller.alterIsr(msg, reply);
  }

  onResponse(msg: AlterIsrResponse): void {
    const b = this.b;
    const f = this.inflight;
    if (f === null || f.correlationId !== msg.correlationId) return;
    this.inflight = null;
    b.ctx.cancelTimer(f.timer);
    if (msg.error !== 'NONE') {
      b.ctx.annotate(`broker ${b.id}: Controller returned an unexpected top-level error when handling AlterIsr request: ${msg.error}; retrying in ${TOP_LEVEL_RETRY_MS} ms`);
      return this.retryIn(TOP_LEVEL_RETRY_MS);
    }
    const answers = new Map<string, AlterIsrResponsePartition>();
    for (const p of msg.partitions) answers.set(p.tp, p);
    for (const item of f.items) {
      const a = answers.get(item.part.key);
      if (a === undefined) continue; // not answered: stays unsent, goes in the next request
      // Deviation: Kafka removes the partition's entry by key after the callback, which also drops a
      // change submitted meanwhile; dsim removes only the answered item, before the callback.
      if (this.unsent.get(item.part.key) === item) this.unsent.delete(item.part.key);
      b.leaderSide.onAlterIsrResult(item, a);
    }
    this.maybeSend();
  }

  onTimer(tag: AlterIsrTimer): void {
    const b = this.b;
    if (tag.what === 'retry') {
      this.retryArmed = false;
      return this.maybeSend();
    }
    const f = this.inflight;
    if (f === null || f.correlationId !== tag.correlationId) return;
    this.inflight = null;
    b.ctx.annotate(`broker ${b.id}: AlterIsr to controller ${f.controller} got no answer within request.timeout.ms=${b.settings.requestTimeoutMs}: sending it again`);
    this.retryIn(RECONNECT_BACKOFF_MS);
  }

  /** The connection to the controller closed with the request in flight: it is put back and sent again. */
  onDisconnect(peer: ProcessId): void {
    const b = this.b;
    const f = this.inflight;
    if (f === null || f.controller === b.id || b.ctx.lookup(brokerName(f.controller)) !== peer) return;
    this.inflight = null;
    b.ctx.cancelTimer(f.timer);
    if (b.ctx.tracing) b.ctx.annotate(`broker ${b.id}: connection to controller ${f.controller} closed with AlterIsr in flight; sending it again`);
    this.retryIn(RECONNECT_BACKOFF_MS);
  }
}
