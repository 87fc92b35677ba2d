import type { Rng } from '../core/rng.ts';

// The producer's DefaultPartitioner (org.apache.kafka.clients.producer.internals):
// - keyed records: toPositive(murmur2(keyBytes)) % numPartitions, over all partitions (available or not);
// - null keys before 2.4: round-robin over the available partitions (those with a leader), from a
//   per-topic counter that starts at a random int;
// - null keys from 2.4 (KIP-480): the sticky partitioner keeps one partition per topic until a batch
//   for it is completed (onNewBatch), then picks a different random available partition.
// Randomness comes from the producer's Rng where Kafka uses ThreadLocalRandom.

/** Utils.murmur2: 32-bit MurmurHash2 with Kafka's seed, as a signed 32-bit int. */
export function murmur2(data: Uint8Array): number {
  const length = data.length;
  const seed = 0x9747b28c;
  const m = 0x5bd1e995;
  const r = 24;
  let h = seed ^ length;
  const length4 = length >>> 2;
  for (let i = 0; i < length4; i++) {
    const i4 = i * 4;
    let k = data[i4]! | (data[i4 + 1]! << 8) | (data[i4 + 2]! << 16) | (data[i4 + 3]! << 24);
    k = Math.imul(k, m);
    k ^= k >>> r;
    k = Math.imul(k, m);
    h = Math.imul(h, m);
    h ^= k;
  }
  // The last 1-3 bytes (Kafka's switch falls through from case 3 to case 1).
  const tail = length & ~3;
  const rest = length % 4;
  if (rest >= 3) h ^= data[tail + 2]! << 16;
  if (rest >= 2) h ^= data[tail + 1]! << 8;
  if (rest >= 1) {
    h ^= data[tail]!;
    h = Math.imul(h, m);
  }
  h ^= h >>> 13;
  h = Math.imul(h, m);
  h ^= h >>> 15;
  return h | 0;
}

/** Utils.toPositive: clears the sign bit (not Math.abs: abs(MIN_VALUE) is negative in Java). */
export function toPositive(x: number): number {
  return x & 0x7fffffff;
}

/** Partition of a keyed record. */
export function keyedPartition(keyBytes: Uint8Array, numPartitions: number): number {
  return toPositive(murmur2(keyBytes)) % numPartitions;
}

/** A random Java int (ThreadLocalRandom.nextInt()). */
function nextJavaInt(rng: Rng): number {
  return rng.int(-2147483648, 2147483647);
}

/** What the partitioner needs from cluster metadata. */
export interface TopicMetadataView {
  readonly numPartitions: number;
  /** Partitions that currently have a leader, ascending. */
  readonly availablePartitions: readonly number[];
}

export interface Partitioner {
  partition(topic: string, keyBytes: Uint8Array | null, meta: TopicMetadataView): number;
  /** The accumulator started a new batch for `prevPartition` (KIP-480's hook; no-op for round-robin). */
  onNewBatch(topic: string, meta: TopicMetadataView, prevPartition: number): void;
}

/** DefaultPartitioner up to 2.3: round-robin for null keys. */
export class RoundRobinDefaultPartitioner implements Partitioner {
  private readonly counters = new Map<string, number>();

  constructor(private readonly rng: Rng) {}

  partition(topic: string, keyBytes: Uint8Array | null, meta: TopicMetadataView): number {
    if (keyBytes !== null) return keyedPartition(keyBytes, meta.numPartitions);
    const next = this.nextValue(topic);
    const avail = meta.availablePartitions;
    if (avail.length > 0) return avail[toPositive(next) % avail.length]!;
    return toPositive(next) % meta.numPartitions;
  }

  onNewBatch(): void {}

  private nextValue(topic: string): number {
    let c = this.counters.get(topic);
    if (c === undefined) c = nextJavaInt(this.rng);
    this.counters.set(topic, (c + 1) | 0); // AtomicInteger.getAndIncrement wraps
    return c;
  }
}

/** DefaultPartitioner from 2.4 with StickyPartitionCache (KIP-480). */
export class StickyDefaultPartitioner implements Partitioner {
  private readonly sticky = new Map<string, number>();

  constructor(private readonly rng: Rng) {}

  partition(topic: string, keyBytes: Uint8Array | null, meta: TopicMetadataView): number {
    if (keyBytes !== null) return keyedPartition(keyBytes, meta.numPartitions);
    const part = this.sticky.get(topic);
    return part === undefined ? this.nextPartition(topic, meta, -1) : part;
  }

  onNewBatch(topic: string, meta: TopicMetadataView, prevPartition: number): void {
    this.nextPartition(topic, meta, prevPartition);
  }

  private nextPartition(topic: string, meta: TopicMetadataView, prevPartition: number): number {
    const oldPart = this.sticky.get(topic);
    // Only change it if unset or if the partition that triggered the new batch is the sticky one.
    if (oldPart !== undefined && oldPart !== prevPartition) return oldPart;
    const avail = meta.availablePartitions;
    let newPart: number;
    if (avail.length < 1) newPart = toPositive(nextJavaInt(this.rng)) % meta.numPartitions;
    else if (avail.length === 1) newPart = avail[0]!;
    else {
      do newPart = avail[toPositive(nextJavaInt(this.rng)) % avail.length]!;
      while (newPart === oldPart);
    }
    this.sticky.set(topic, newPart);
    return newPart;
  }
}

/** The DefaultPartitioner of a client version: sticky from 2.4 (Features.stickyPartitioner). */
export function defaultPartitioner(sticky: boolean, rng: Rng): Partitioner {
  return sticky ? new StickyDefaultPartitioner(rng) : new RoundRobinDefaultPartitioner(rng);
}
