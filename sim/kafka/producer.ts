import type { Actor, Context } from '../core/actor.ts';
import type { Json, ProcessId } from '../core/types.ts';
import { MS } from '../core/types.ts';
import { producerSettings, type ProducerSettings } from './config.ts';
import type { ErrorCode, KafkaMessage, MetadataResponse, Produce, ProduceResponse } from './messages.ts';
import { PARTITION_OVERHEAD_BYTES, REQUEST_HEADER_BYTES } from './messages.ts';
import { brokerName } from './partition.ts';
import { defaultPartitioner, type Partitioner, type TopicMetadataView } from './partitioner.ts';
import { encodeBatch, RECORD_BATCH_OVERHEAD, utf8 } from './records.ts';

// A producer (KafkaProducer: RecordAccumulator + Sender) good enough to drive replication:
// - records `<name>-<n>` every `intervalMs`, keyed `k<n mod keys>` (murmur2) or with null keys
//   (round-robin before 2.4, sticky from 2.4);
// - a batch per partition up to batch.size, sent when full or linger.ms old, at most
//   max.in.flight.requests.per.connection requests per broker, one batch per partition per request;
// - retries with retry.backoff.ms within delivery.timeout.ms (2.1+), request.timeout.ms per request
//   (a timed-out request closes the connection, failing everything in flight on it);
// - metadata from any broker, refreshed on NOT_LEADER_FOR_PARTITION, disconnects and unknown leaders.
// History: invoke('send', '<topic>-<p>', value) per record; ok with its offset (-1 with acks=0),
// fail when it certainly was not written, info when it may have been (a timeout or a lost
// connection after sending, NOT_ENOUGH_REPLICAS_AFTER_APPEND).

export interface ProducerOptions {
  readonly bootstrap: readonly string[];
  readonly topic: string;
  readonly intervalMs: number;
  /** Distinct keys (k0..); 0: null keys. */
  readonly keys: number;
  readonly startMs: number;
  /** Stop producing new records at this time (ms); in-flight ones still complete. */
  readonly stopMs: number;
}

interface Rec {
  readonly value: string;
  readonly key: string | null;
  /** The key's UTF-8 bytes (computed once for the partitioner and reused in the batch). */
  readonly keyBytes: Uint8Array | null;
  readonly opId: number;
}

interface Batch {
  readonly partition: number;
  readonly records: Rec[];
  bytes: number;
  readonly createdMs: number;
  attempts: number;
  retryAtMs: number;
  /** A previous attempt may have been written. */
  ambiguous: boolean;
  inflight: boolean;
  encoded: Uint8Array | null;
}

interface InFlight {
  readonly broker: number;
  readonly batches: Batch[];
  timer: number;
}

type ProducerTimer = { readonly k: 'produce' } | { readonly k: 'drain'; readonly gen: number } | { readonly k: 'request-timeout'; readonly id: number } | { readonly k: 'metadata-timeout'; readonly id: number } | { readonly k: 'metadata-backoff' };

const RETRIABLE: ReadonlySet<ErrorCode> = new Set(['NOT_LEADER_FOR_PARTITION', 'NOT_ENOUGH_REPLICAS', 'NOT_ENOUGH_REPLICAS_AFTER_APPEND', 'REQUEST_TIMED_OUT', 'NETWORK_EXCEPTION', 'UNKNOWN_TOPIC_OR_PARTITION', 'KAFKA_STORAGE_ERROR']);
const AMBIGUOUS: ReadonlySet<ErrorCode> = new Set(['NOT_ENOUGH_REPLICAS_AFTER_APPEND', 'REQUEST_TIMED_OUT', 'NETWORK_EXCEPTION']);

export class Producer implements Actor<KafkaMessage, ProducerTimer> {
  private readonly s: ProducerSettings;
  private readonly partitioner: Partitioner;
  private n = 0;
  /** Leader broker by partition id; -1 or a hole: unknown (not in the last metadata, or not a live broker). */
  private leaders: number[] = [];
  /** What the partitioner sees: replaced (not mutated) on each metadata answer. */
  private meta: TopicMetadataView = { numPartitions: 0, availablePartitions: [] };
  /** Batches per partition, oldest first (index: partition). */
  private readonly queues: Batch[][] = [];
  /** Partitions in the order their queue was created: the order drain visits them. */
  private readonly queueOrder: number[] = [];
  /** drain's scratch: the ready batch per leader broker (index: broker id), reused across calls. */
  private readonly ready: Batch[][] = [];
  private readonly readyBrokers: number[] = [];
  private readonly inflight = new Map<number, InFlight>();
  private readonly inflightPerBroker = new Map<number, number>();
  private metadataId = 0;
  /** When the last metadata request ended (answered, timed out, or its connection lost). */
  private lastMetadataMs = Number.MIN_SAFE_INTEGER;
  /** A refresh waits for retry.backoff.ms after the last one (a metadata-backoff timer is set). */
  private metadataWaiting = false;
  private nextCorrelation = 1;
  private drainGen = 0;
  private drainAtMs = Infinity;
  acked = 0;
  failed = 0;
  unknown = 0;

  constructor(private readonly ctx: Context, private readonly opts: ProducerOptions) {
    this.s = producerSettings(ctx.config);
    this.partitioner = defaultPartitioner(this.s.features.stickyPartitioner, ctx.rng.fork('partitioner'));
    this.refreshMetadata();
    ctx.setTimer(Math.max(0, opts.startMs * MS - ctx.nowUs()), { k: 'produce' });
  }

  private nowMs(): number {
    return this.ctx.nowUs() / MS;
  }

  // ---------------------------------------------------------------- metadata

  /**
   * Metadata.requestUpdate + NetworkClient's metadata updater: one request at a time, and never
   * sooner than retry.backoff.ms after the previous one ended (Metadata.timeToNextUpdate), so a
   * partition without a leader does not turn into a request storm.
   */
  private refreshMetadata(): void {
    if (this.metadataId !== 0 || this.metadataWaiting) return;
    const waitMs = this.lastMetadataMs + this.s.retryBackoffMs - this.nowMs();
    if (waitMs > 0) {
      this.metadataWaiting = true;
      // Rounded up to whole microseconds: a timer shorter than the clock's grain would fire at once.
      this.ctx.setTimer(Math.max(1, Math.ceil(waitMs * MS)), { k: 'metadata-backoff' });
      return;
    }
    const id = this.nextCorrelation++;
    this.metadataId = id;
    const to = this.opts.bootstrap[this.ctx.rng.int(0, this.opts.bootstrap.length - 1)]!;
    this.ctx.send(this.ctx.lookup(to), { type: 'Metadata', correlationId: id, topics: [this.opts.topic] }, REQUEST_HEADER_BYTES + 16);
    this.ctx.setTimer(this.s.requestTimeoutMs * MS, { k: 'metadata-timeout', id });
  }

  private onMetadata(msg: MetadataResponse): void {
    if (msg.correlationId !== this.metadataId) return;
    this.metadataId = 0;
    this.lastMetadataMs = this.nowMs();
    const parts = msg.topics[this.opts.topic] ?? [];
    if (parts.length > 0) {
      // Cluster: a partition's leader is the broker node of that id, null when the response does not
      // list it. A broker that just restarted can answer with only some partitions of a topic (its
      // cache holds what UpdateMetadata requests brought so far): numPartitions is then the size of
      // that list, as partitionsForTopic(topic).size() is to the DefaultPartitioner, and a partition
      // missing from it has no known leader, so sending to it asks for a metadata refresh.
      const leaders: number[] = [];
      const available: number[] = [];
      for (const p of parts) {
        const known = p.leader >= 0 && msg.brokers.includes(p.leader);
        leaders[p.partition] = known ? p.leader : -1;
        if (known) available.push(p.partition);
      }
      this.leaders = leaders;
      this.meta = { numPartitions: parts.length, availablePartitions: available };
    }
    if (this.meta.numPartitions === 0 || this.leaders.includes(-1)) this.refreshMetadata();
    this.drain();
  }

  // ---------------------------------------------------------------- handlers

  onMessage(_from: ProcessId, msg: KafkaMessage): void {
    if (msg.type === 'MetadataResponse') this.onMetadata(msg);
    else if (msg.type === 'ProduceResponse') this.onProduceResponse(msg);
  }

  onTimer(tag: ProducerTimer): void {
    switch (tag.k) {
      case 'produce':
        this.produceOne();
        if (this.nowMs() + this.opts.intervalMs < this.opts.stopMs) this.ctx.setTimer(this.opts.intervalMs * MS, tag);
        return;
      case 'drain':
        if (tag.gen !== this.drainGen) return;
        this.drainAtMs = Infinity;
        this.drain();
        return;
      case 'request-timeout': {
        const f = this.inflight.get(tag.id);
        if (f === undefined) return;
        // NetworkClient: a request past request.timeout.ms disconnects the node; all in flight on it fail.
        this.ctx.disconnect(this.ctx.lookup(brokerName(f.broker)));
        this.failBroker(f.broker, 'REQUEST_TIMED_OUT');
        return;
      }
      case 'metadata-timeout':
        if (tag.id === this.metadataId) {
          this.metadataId = 0;
          this.lastMetadataMs = this.nowMs();
          this.refreshMetadata();
        }
        return;
      case 'metadata-backoff':
        this.metadataWaiting = false;
        this.refreshMetadata();
        return;
    }
  }

  onDisconnect(peer: ProcessId): void {
    const name = this.ctx.nameOf(peer);
    const id = Number(name.slice('broker-'.length));
    if (this.metadataId !== 0) {
      this.metadataId = 0;
      this.lastMetadataMs = this.nowMs();
      this.refreshMetadata();
    }
    this.failBroker(id, 'NETWORK_EXCEPTION');
  }

  private failBroker(broker: number, error: ErrorCode): void {
    for (const [cid, f] of [...this.inflight]) {
      if (f.broker !== broker) continue;
      this.inflight.delete(cid);
      this.ctx.cancelTimer(f.timer);
      this.inflightPerBroker.set(broker, (this.inflightPerBroker.get(broker) ?? 1) - 1);
      for (const b of f.batches) this.handleError(b, error, null);
    }
    this.refreshMetadata();
    this.drain();
  }

  // ---------------------------------------------------------------- accumulator

  private produceOne(): void {
    if (this.meta.numPartitions === 0) return; // no metadata yet: KafkaProducer.send would block here
    const i = this.n++;
    const value = `${this.ctx.name}-${i}`;
    const key = this.opts.keys > 0 ? `k${i % this.opts.keys}` : null;
    const keyBytes = key === null ? null : utf8(key);
    const p = this.partitioner.partition(this.opts.topic, keyBytes, this.meta);
    const opId = this.ctx.invoke('send', this.tpName(p), value);
    const size = value.length + (key?.length ?? 0) + 10;
    const rec: Rec = { value, key, keyBytes, opId };
    let q = this.queues[p];
    if (q === undefined) {
      this.queues[p] = q = [];
      this.queueOrder.push(p);
    }
    const last = q[q.length - 1];
    if (last !== undefined && !last.inflight && last.attempts === 0 && last.bytes + size <= this.s.batchSize) {
      last.records.push(rec);
      last.bytes += size;
    } else {
      if (last !== undefined) this.partitioner.onNewBatch(this.opts.topic, this.meta, p);
      q.push({ partition: p, records: [rec], bytes: RECORD_BATCH_OVERHEAD + size, createdMs: this.nowMs(), attempts: 0, retryAtMs: 0, ambiguous: false, inflight: false, encoded: null });
    }
    this.drain();
  }

  private drain(): void {
    const now = this.nowMs();
    const brokers = this.readyBrokers;
    let nextMs = Infinity;
    for (let i = 0; i < this.queueOrder.length; i++) {
      const p = this.queueOrder[i]!;
      const q = this.queues[p]!;
      this.expire(q, now);
      const b = firstNotInFlight(q);
      if (b === undefined) continue;
      const readyAt = Math.max(b.retryAtMs, b.bytes >= this.s.batchSize ? 0 : b.createdMs + this.s.lingerMs);
      if (readyAt > now) {
        nextMs = Math.min(nextMs, readyAt);
        continue;
      }
      const leader = this.leaders[p] ?? -1;
      if (leader < 0) {
        this.refreshMetadata();
        continue;
      }
      let l = this.ready[leader];
      if (l === undefined) this.ready[leader] = l = [];
      if (l.length === 0) brokers.push(leader);
      l.push(b);
    }
    // Brokers in the order their first ready partition was found (as a Map keyed on insertion would give).
    for (let i = 0; i < brokers.length; i++) {
      const broker = brokers[i]!;
      const l = this.ready[broker]!;
      const batches = l.slice();
      l.length = 0;
      if ((this.inflightPerBroker.get(broker) ?? 0) >= this.s.maxInFlightRequestsPerConnection) continue;
      this.send(broker, batches);
    }
    brokers.length = 0;
    if (nextMs < this.drainAtMs) {
      this.drainAtMs = nextMs;
      this.ctx.setTimer(Math.max(0, Math.ceil((nextMs - now) * MS)), { k: 'drain', gen: ++this.drainGen });
    }
  }

  /** Batches past delivery.timeout.ms that are not in flight complete now. */
  private expire(q: Batch[], now: number): void {
    const limit = this.s.deliveryTimeoutMs;
    if (limit === null) return;
    while (q.length > 0 && !q[0]!.inflight && now - q[0]!.createdMs >= limit) {
      const b = q.shift()!;
      this.completeBatch(b, b.ambiguous ? 'info' : 'fail', `Expiring ${b.records.length} record(s) for ${this.opts.topic}-${b.partition}: ${limit} ms has passed since batch creation`);
    }
  }

  private send(broker: number, batches: Batch[]): void {
    const now = this.nowMs();
    const id = this.nextCorrelation++;
    let bytes = REQUEST_HEADER_BYTES;
    const partitions = batches.map((b) => {
      b.encoded ??= encodeBatch({ baseTimestampMs: Math.floor(now), records: b.records.map((r) => ({ key: r.keyBytes, value: utf8(r.value) })) });
      b.inflight = true;
      b.attempts++;
      bytes += PARTITION_OVERHEAD_BYTES + b.encoded.length;
      return { tp: this.tpName(b.partition), records: b.encoded };
    });
    const msg: Produce = { type: 'Produce', correlationId: id, acks: this.s.acks, timeoutMs: this.s.requestTimeoutMs, partitions };
    this.ctx.send(this.brokerPid(broker), msg, bytes);
    if (this.s.acks === 0) {
      for (const b of batches) this.completeBatch(b, 'ok', null, -1);
      return;
    }
    const f: InFlight = { broker, batches, timer: -1 };
    f.timer = this.ctx.setTimer(this.s.requestTimeoutMs * MS, { k: 'request-timeout', id });
    this.inflight.set(id, f);
    this.inflightPerBroker.set(broker, (this.inflightPerBroker.get(broker) ?? 0) + 1);
  }

  private onProduceResponse(msg: ProduceResponse): void {
    const f = this.inflight.get(msg.correlationId);
    if (f === undefined) return;
    this.inflight.delete(msg.correlationId);
    this.ctx.cancelTimer(f.timer);
    this.inflightPerBroker.set(f.broker, (this.inflightPerBroker.get(f.broker) ?? 1) - 1);
    for (const b of f.batches) {
      const tp = this.tpName(b.partition);
      const r = msg.partitions.find((x) => x.tp === tp);
      if (r === undefined) this.handleError(b, 'NETWORK_EXCEPTION', null);
      else if (r.error === 'NONE') this.completeBatch(b, 'ok', null, r.baseOffset);
      else this.handleError(b, r.error, r.errorMessage);
    }
    this.drain();
  }

  private handleError(b: Batch, error: ErrorCode, message: string | null): void {
    b.inflight = false;
    if (AMBIGUOUS.has(error)) b.ambiguous = true;
    if (error === 'NOT_LEADER_FOR_PARTITION' || error === 'NETWORK_EXCEPTION' || error === 'REQUEST_TIMED_OUT') this.refreshMetadata();
    const now = this.nowMs();
    const within = this.s.deliveryTimeoutMs === null || now - b.createdMs < this.s.deliveryTimeoutMs;
    if (RETRIABLE.has(error) && b.attempts <= this.s.retries && within) {
      b.retryAtMs = now + this.s.retryBackoffMs;
      return;
    }
    this.completeBatch(b, b.ambiguous ? 'info' : 'fail', message ?? error);
  }

  private completeBatch(b: Batch, type: 'ok' | 'fail' | 'info', error: string | null, baseOffset = -1): void {
    const q = this.queues[b.partition];
    if (q !== undefined) {
      const i = q.indexOf(b);
      if (i >= 0) q.splice(i, 1);
    }
    for (let i = 0; i < b.records.length; i++) {
      const r = b.records[i]!;
      if (type === 'ok') {
        this.ctx.complete(r.opId, 'ok', baseOffset < 0 ? -1 : baseOffset + i);
        this.acked++;
      } else {
        this.ctx.complete(r.opId, type, null, error ?? undefined);
        if (type === 'fail') this.failed++;
        else this.unknown++;
      }
    }
  }

  /** "<topic>-<p>", built once per partition (produce requests, responses and the history name it per record). */
  private readonly tpNames: string[] = [];

  private tpName(p: number): string {
    return (this.tpNames[p] ??= `${this.opts.topic}-${p}`);
  }

  private readonly brokerPids = new Map<number, ProcessId>();

  private brokerPid(broker: number): ProcessId {
    let pid = this.brokerPids.get(broker);
    if (pid === undefined) this.brokerPids.set(broker, (pid = this.ctx.lookup(brokerName(broker))));
    return pid;
  }

  inspect(): Json {
    let queued = 0;
    for (const q of this.queues) if (q !== undefined) for (const b of q) queued += b.records.length;
    return { role: 'producer', acked: this.acked, failed: this.failed, unknown: this.unknown, inFlight: this.inflight.size, queued };
  }
}

function firstNotInFlight(q: readonly Batch[]): Batch | undefined {
  for (let i = 0; i < q.length; i++) if (!q[i]!.inflight) return q[i];
  return undefined;
}
