import type { Rng } from '../core/rng.ts';

// Replica assignment at topic creation: kafka.admin.AdminUtils.assignReplicasToBrokers
// (../shared/REFERENCE.md, "Replica assignment"). Brokers are taken sorted by id (AdminZkClient.
// getBrokerMetadatas sorts them). The first replica of each partition goes round-robin from a random
// start index; the others follow at an increasing shift, and the shift grows by one after every
// full round so partition n and n + brokers do not get the same follower sequence.
//
// Rack-aware assignment (KIP-36) runs when every broker has a rack: the same walk over a
// rack-alternated broker list, skipping a broker whose rack already holds a replica (until every
// rack has one) or that already holds one (until every broker has one).
//
// Kafka draws startIndex and then the shift with rand.nextInt(n); dsim draws both from the Rng it
// is given, in that order. A fixed start index sets both, as Kafka's `fixedStartIndex` does.

export interface BrokerMetadata {
  readonly id: number;
  readonly rack?: string | null;
}

/** partition id -> replica broker ids, first one the preferred leader. */
export type ReplicaAssignment = Map<number, number[]>;

export class InvalidPartitionsError extends Error {
  override readonly name = 'InvalidPartitionsException';
}

export class InvalidReplicationFactorError extends Error {
  override readonly name = 'InvalidReplicationFactorException';
}

export class AdminOperationError extends Error {
  override readonly name = 'AdminOperationException';
}

export interface AssignOptions {
  /** Kafka's fixedStartIndex: used as both start index and initial shift; otherwise both are drawn from rng. */
  readonly fixedStartIndex?: number;
  readonly startPartitionId?: number;
  /** Messages as written before 1.0 (lower case, no full stop): pass !Features.adminMessagesCapitalised. */
  readonly legacyWording?: boolean;
}

function wording(text: string, legacy: boolean): string {
  if (!legacy) return text;
  const t = text.endsWith('.') ? text.slice(0, -1) : text;
  return t.charAt(0).toLowerCase() + t.slice(1);
}

export function assignReplicasToBrokers(
  brokers: readonly BrokerMetadata[],
  nPartitions: number,
  replicationFactor: number,
  rng: Rng | null,
  opts: AssignOptions = {},
): ReplicaAssignment {
  const legacy = opts.legacyWording === true;
  if (nPartitions <= 0) throw new InvalidPartitionsError(wording('Number of partitions must be larger than 0.', legacy));
  if (replicationFactor <= 0) throw new InvalidReplicationFactorError(wording('Replication factor must be larger than 0.', legacy));
  if (replicationFactor > brokers.length) {
    throw new InvalidReplicationFactorError(
      wording(`Replication factor: ${replicationFactor} larger than available brokers: ${brokers.length}.`, legacy),
    );
  }
  const sorted = [...brokers].sort((a, b) => a.id - b.id);
  const hasRack = (b: BrokerMetadata): boolean => b.rack !== undefined && b.rack !== null;
  const draw = (n: number): number => {
    if (opts.fixedStartIndex !== undefined && opts.fixedStartIndex >= 0) return opts.fixedStartIndex;
    if (rng === null) throw new Error('assignReplicasToBrokers: no rng and no fixedStartIndex');
    return rng.int(0, n - 1);
  };
  if (sorted.every((b) => !hasRack(b))) {
    return rackUnaware(nPartitions, replicationFactor, sorted.map((b) => b.id), draw, opts.startPartitionId ?? -1);
  }
  if (sorted.some((b) => !hasRack(b))) {
    // This message kept its capital letter before 1.0; only the full stop is new.
    throw new AdminOperationError(`Not all brokers have rack information for replica rack aware assignment${legacy ? '' : '.'}`);
  }
  const rackOf = new Map<number, string>(sorted.map((b) => [b.id, b.rack!]));
  return rackAware(nPartitions, replicationFactor, rackOf, draw, opts.startPartitionId ?? -1);
}

function replicaIndex(firstReplicaIndex: number, secondReplicaShift: number, replicaIdx: number, nBrokers: number): number {
  const shift = 1 + ((secondReplicaShift + replicaIdx) % (nBrokers - 1));
  return (firstReplicaIndex + shift) % nBrokers;
}

function rackUnaware(nPartitions: number, rf: number, brokerArray: readonly number[], draw: (n: number) => number, startPartitionId: number): ReplicaAssignment {
  const ret: ReplicaAssignment = new Map();
  const n = brokerArray.length;
  const startIndex = draw(n);
  let currentPartitionId = Math.max(0, startPartitionId);
  let nextReplicaShift = draw(n);
  for (let i = 0; i < nPartitions; i++) {
    if (currentPartitionId > 0 && currentPartitionId % n === 0) nextReplicaShift += 1;
    const firstReplicaIndex = (currentPartitionId + startIndex) % n;
    const replicas = [brokerArray[firstReplicaIndex]!];
    for (let j = 0; j < rf - 1; j++) replicas.push(brokerArray[replicaIndex(firstReplicaIndex, nextReplicaShift, j, n)]!);
    ret.set(currentPartitionId, replicas);
    currentPartitionId += 1;
  }
  return ret;
}

/** AdminUtils.getRackAlternatedBrokerList: racks sorted, brokers sorted within a rack, dealt one per rack in turn. */
export function rackAlternatedBrokerList(rackOf: ReadonlyMap<number, string>): number[] {
  const byRack = new Map<string, number[]>();
  for (const [id, rack] of rackOf) {
    let l = byRack.get(rack);
    if (l === undefined) byRack.set(rack, (l = []));
    l.push(id);
  }
  for (const l of byRack.values()) l.sort((a, b) => a - b);
  const racks = [...byRack.keys()].sort();
  const cursors = racks.map(() => 0);
  const result: number[] = [];
  let rackIndex = 0;
  while (result.length < rackOf.size) {
    const list = byRack.get(racks[rackIndex]!)!;
    if (cursors[rackIndex]! < list.length) result.push(list[cursors[rackIndex]!++]!);
    rackIndex = (rackIndex + 1) % racks.length;
  }
  return result;
}

function rackAware(nPartitions: number, rf: number, rackOf: ReadonlyMap<number, string>, draw: (n: number) => number, startPartitionId: number): ReplicaAssignment {
  const numRacks = new Set(rackOf.values()).size;
  const arranged = rackAlternatedBrokerList(rackOf);
  const numBrokers = arranged.length;
  const ret: ReplicaAssignment = new Map();
  const startIndex = draw(numBrokers);
  let currentPartitionId = Math.max(0, startPartitionId);
  let nextReplicaShift = draw(numBrokers);
  for (let i = 0; i < nPartitions; i++) {
    if (currentPartitionId > 0 && currentPartitionId % numBrokers === 0) nextReplicaShift += 1;
    const firstReplicaIndex = (currentPartitionId + startIndex) % numBrokers;
    const leader = arranged[firstReplicaIndex]!;
    const replicas = [leader];
    const racksWithReplicas = new Set([rackOf.get(leader)!]);
    const brokersWithReplicas = new Set([leader]);
    let k = 0;
    for (let j = 0; j < rf - 1; j++) {
      let done = false;
      while (!done) {
        const broker = arranged[replicaIndex(firstReplicaIndex, nextReplicaShift * numRacks, k, numBrokers)]!;
        const rack = rackOf.get(broker)!;
        if ((!racksWithReplicas.has(rack) || racksWithReplicas.size === numRacks)
          && (!brokersWithReplicas.has(broker) || brokersWithReplicas.size === numBrokers)) {
          replicas.push(broker);
          racksWithReplicas.add(rack);
          brokersWithReplicas.add(broker);
          done = true;
        }
        k += 1;
      }
    }
    ret.set(currentPartitionId, replicas);
    currentPartitionId += 1;
  }
  return ret;
}
