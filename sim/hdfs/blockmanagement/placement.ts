import { invariant } from '../../core/invariant.ts';
import type { Rng } from '../../core/rng.ts';
import type { BlockSettings } from '../config-blocks.ts';
import type { DatanodeName } from '../types.ts';
import type { DatanodeDescriptor } from './datanode-descriptor.ts';
import type { NetworkTopology } from './topology.ts';

// BlockPlacementPolicyDefault (Hadoop 3.3): where new replicas go and which excess replica goes.
//   chooseTarget: 1st replica on the writer's DataNode (or a random node), 2nd on a remote rack,
//   3rd on the 2nd's rack (another node), more at random; never more than maxNodesPerRack =
//   (total - 1) / racks + 2 on one rack; a node is good if in service, not stale when stale nodes
//   are avoided, not loaded above considerLoad.factor x the average, with room for a block.
//   The result is ordered as a pipeline: each next node the nearest to the previous one.
//   chooseReplicasToDelete: prefer the delete hint when removing it keeps the rack count; else from
//   racks with more than one replica, the node with the oldest heartbeat (beyond the tolerated
//   heartbeats) or the least free space.

/** What the policy reads of the cluster (FSClusterStats, DatanodeManager, NetworkTopology). */
export interface PlacementCluster {
  readonly topology: NetworkTopology;
  readonly settings: BlockSettings;
  readonly rng: Rng;
  nowUs(): number;
  descriptor(dn: DatanodeName): DatanodeDescriptor | undefined;
  /** DatanodeManager.shouldAvoidStaleDataNodesForWrite. */
  avoidStaleNodesForWrite(): boolean;
  /** FSClusterStats.getInServiceXceiverAverage. */
  inServiceXceiverAverage(): number;
}

/** HdfsServerConstants.MIN_BLOCKS_FOR_WRITE: room for this many blocks is required on a target. */
export const MIN_BLOCKS_FOR_WRITE = 1;

/** Why a node was not chosen (BlockPlacementPolicyDefault.NodeNotChosenReason). */
export type NodeNotChosenReason = 'NOT_IN_SERVICE' | 'NODE_STALE' | 'NODE_TOO_BUSY' | 'TOO_MANY_NODES_ON_RACK' | 'NOT_ENOUGH_STORAGE_SPACE';

/** NotEnoughReplicasException, internal to the policy as in Hadoop. */
class NotEnoughReplicas extends Error {}

interface Choice {
  readonly cluster: PlacementCluster;
  readonly blockSize: number;
  readonly maxNodesPerRack: number;
  readonly results: DatanodeName[];
  /** A new block (addBlock) rather than re-replication: decides the third replica's rack. */
  readonly newBlock: boolean;
  avoidStale: boolean;
}

/**
 * getMaxNodesPerRack: [replicas to choose, max per rack]. More replicas than nodes are cut to the
 * cluster size; with one rack or one replica there is no rack limit beyond the total.
 */
export function getMaxNodesPerRack(numOfChosen: number, numOfReplicas: number, clusterSize: number, numOfRacks: number): [number, number] {
  let total = numOfChosen + numOfReplicas;
  let n = numOfReplicas;
  if (total > clusterSize) {
    n -= total - clusterSize;
    total = clusterSize;
  }
  if (numOfRacks <= 1 || total <= 1) return [n, total];
  let maxNodesPerRack = Math.floor((total - 1) / numOfRacks) + 2;
  if (maxNodesPerRack === total) maxNodesPerRack--;
  return [n, maxNodesPerRack];
}

/**
 * chooseTarget(numOfReplicas, writer, chosen, returnChosenNodes=false, excludedNodes, blocksize):
 * numOfReplicas new targets, in pipeline order starting at the writer. `chosen` are nodes that
 * already hold the block (re-replication) or are already in the pipeline.
 */
export function chooseTarget(
  cluster: PlacementCluster,
  numOfReplicas: number,
  writer: DatanodeName | null,
  chosen: readonly DatanodeName[],
  excludedNodes: ReadonlySet<DatanodeName>,
  blockSize: number,
  newBlock: boolean,
  favoredNodes: readonly DatanodeName[] = [],
): DatanodeName[] {
  const topo = cluster.topology;
  if (numOfReplicas === 0 || topo.numOfLeaves === 0) return [];
  const excluded = new Set(excludedNodes);
  for (const c of chosen) excluded.add(c);
  const w = writer !== null && topo.contains(writer) ? writer : null;
  const [n, maxNodesPerRack] = getMaxNodesPerRack(chosen.length, numOfReplicas, topo.numOfLeaves, topo.numOfRacks);
  const c: Choice = { cluster, blockSize, maxNodesPerRack, results: [...chosen], newBlock, avoidStale: cluster.avoidStaleNodesForWrite() };
  // chooseTarget with favored nodes: each favored node is tried as a local choice first.
  let remaining = n;
  for (const f of favoredNodes) {
    if (remaining === 0) break;
    if (!topo.contains(f) || excluded.has(f)) continue;
    if (chooseLocalNode(c, f, excluded) !== null) remaining--;
  }
  if (remaining > 0) chooseTargetRetrying(c, remaining, w, excluded);
  const fresh = c.results.slice(chosen.length);
  invariant(new Set(c.results).size === c.results.length, () => `placement chose a node twice: [${c.results.join(', ')}]`);
  for (const rack of new Set(c.results.map((r) => topo.rackOf(r)))) {
    const onRack = c.results.filter((r) => topo.rackOf(r) === rack).length;
    invariant(onRack <= Math.max(maxNodesPerRack, chosen.filter((r) => topo.rackOf(r) === rack).length), () => `placement put ${onRack} replicas on ${String(rack)} (max ${maxNodesPerRack})`);
  }
  return getPipeline(topo, w ?? (c.results.length > 0 ? (c.results[0] as DatanodeName) : null), fresh);
}

/** The inner chooseTarget: on NotEnoughReplicas with stale nodes avoided, retry allowing them. */
function chooseTargetRetrying(c: Choice, numOfReplicas: number, writer: DatanodeName | null, excluded: Set<DatanodeName>): void {
  const totalExpected = numOfReplicas + c.results.length;
  const oldExcluded = new Set(excluded);
  try {
    chooseTargetInOrder(c, numOfReplicas, writer, excluded);
  } catch (e) {
    if (!(e instanceof NotEnoughReplicas)) throw e;
    if (c.avoidStale) {
      for (const r of c.results) oldExcluded.add(r);
      c.avoidStale = false;
      chooseTargetRetrying(c, totalExpected - c.results.length, writer, oldExcluded);
    }
    // Otherwise: fewer targets than asked ("Failed to place enough replicas"); the caller decides.
  }
}

function chooseTargetInOrder(c: Choice, numOfReplicas: number, writerIn: DatanodeName | null, excluded: Set<DatanodeName>): void {
  let n = numOfReplicas;
  let writer = writerIn;
  const numOfResults = c.results.length;
  if (numOfResults === 0) {
    writer = chooseLocalStorage(c, writer, excluded);
    if (--n === 0) return;
  }
  const dn0 = c.results[0] as DatanodeName;
  if (numOfResults <= 1) {
    chooseRemoteRack(c, 1, dn0, excluded);
    if (--n === 0) return;
  }
  if (numOfResults <= 2) {
    const dn1 = c.results[1] as DatanodeName;
    if (c.cluster.topology.isOnSameRack(dn0, dn1)) chooseRemoteRack(c, 1, dn0, excluded);
    else if (c.newBlock) chooseLocalRack(c, dn1, excluded);
    else chooseLocalRack(c, writer, excluded);
    if (--n === 0) return;
  }
  chooseRandom(c, n, '', excluded);
}

/** chooseLocalStorage: the writer's own node if good, else its rack, else anywhere. */
function chooseLocalStorage(c: Choice, local: DatanodeName | null, excluded: Set<DatanodeName>): DatanodeName {
  if (local === null) return chooseRandom(c, 1, '', excluded);
  if (c.cluster.settings.preferLocalNode) {
    const got = chooseLocalNode(c, local, excluded);
    if (got !== null) return got;
  }
  return chooseLocalRack(c, local, excluded);
}

/** The local node alone, if it was not excluded and is good. */
function chooseLocalNode(c: Choice, local: DatanodeName, excluded: Set<DatanodeName>): DatanodeName | null {
  if (excluded.has(local)) return null;
  excluded.add(local);
  if (isGoodDatanode(c, local) !== null) return null;
  c.results.push(local);
  return local;
}

/** chooseLocalRack: a node on the local node's rack; else on the rack of another chosen node; else anywhere. */
function chooseLocalRack(c: Choice, local: DatanodeName | null, excluded: Set<DatanodeName>): DatanodeName {
  if (local === null) return chooseRandom(c, 1, '', excluded);
  const topo = c.cluster.topology;
  try {
    return chooseRandom(c, 1, topo.rackOf(local) ?? '', excluded);
  } catch (e) {
    if (!(e instanceof NotEnoughReplicas)) throw e;
    for (const next of [...c.results]) {
      if (next === local) continue;
      try {
        return chooseRandom(c, 1, topo.rackOf(next) ?? '', excluded);
      } catch (e1) {
        if (!(e1 instanceof NotEnoughReplicas)) throw e1;
      }
    }
    return chooseRandom(c, 1, '', excluded);
  }
}

/** chooseRemoteRack: n nodes off the local node's rack; what is missing, from the local rack. */
function chooseRemoteRack(c: Choice, n: number, local: DatanodeName, excluded: Set<DatanodeName>): void {
  const before = c.results.length;
  const rack = c.cluster.topology.rackOf(local) ?? '';
  try {
    chooseRandom(c, n, `~${rack}`, excluded);
  } catch (e) {
    if (!(e instanceof NotEnoughReplicas)) throw e;
    chooseRandom(c, n - (c.results.length - before), rack, excluded);
  }
}

/** chooseRandom: n good nodes from a scope; throws NotEnoughReplicas if the scope runs out. */
function chooseRandom(c: Choice, n: number, scope: string, excluded: Set<DatanodeName>): DatanodeName {
  let first: DatanodeName | null = null;
  let needed = n;
  while (needed > 0) {
    const node = c.cluster.topology.chooseRandom(scope, excluded, c.cluster.rng);
    if (node === null) break;
    excluded.add(node);
    if (isGoodDatanode(c, node) !== null) continue;
    c.results.push(node);
    needed--;
    if (first === null) first = node;
  }
  if (needed > 0 || first === null) throw new NotEnoughReplicas(`scope ${scope || '/'}: ${needed} short`);
  return first;
}

/** isGoodDatanode plus chooseStorage4Block's space check; null when good, else why not. */
export function isGoodDatanode(c: Choice, dn: DatanodeName): NodeNotChosenReason | null {
  const cluster = c.cluster;
  const d = cluster.descriptor(dn);
  if (d === undefined || !d.alive) return 'NOT_IN_SERVICE';
  const now = cluster.nowUs();
  if (c.avoidStale && d.isStale(now, cluster.settings.staleIntervalUs)) return 'NODE_STALE';
  if (cluster.settings.considerLoad) {
    const maxLoad = cluster.settings.considerLoadFactor * cluster.inServiceXceiverAverage();
    if (maxLoad > 0 && d.xceiverCount > maxLoad) return 'NODE_TOO_BUSY';
  }
  let counter = 1;
  for (const r of c.results) if (cluster.topology.rackOf(r) === d.rack) counter++;
  if (counter > c.maxNodesPerRack) return 'TOO_MANY_NODES_ON_RACK';
  const required = c.blockSize * MIN_BLOCKS_FOR_WRITE;
  const scheduled = c.blockSize * d.getBlocksScheduled(now);
  if (required > d.remaining - scheduled) return 'NOT_ENOUGH_STORAGE_SPACE';
  return null;
}

/**
 * getPipeline: orders the targets so each is the nearest remaining one to the previous (starting
 * at the writer), the order a write pipeline takes.
 */
export function getPipeline(topo: NetworkTopology, writer: DatanodeName | null, targets: readonly DatanodeName[]): DatanodeName[] {
  if (targets.length === 0) return [];
  const rest = [...targets];
  const out: DatanodeName[] = [];
  let prev: DatanodeName = writer ?? (rest[0] as DatanodeName);
  while (rest.length > 0) {
    let best = 0;
    let bestD = Infinity;
    for (let i = 0; i < rest.length; i++) {
      const d = topo.distance({ node: prev, rack: topo.rackOf(prev) ?? null }, rest[i] as DatanodeName);
      if (d < bestD) {
        bestD = d;
        best = i;
      }
    }
    prev = rest.splice(best, 1)[0] as DatanodeName;
    out.push(prev);
  }
  return out;
}

/**
 * BlockPlacementPolicyDefault.verifyBlockPlacement + BlockPlacementStatusDefault.isPlacementPolicySatisfied:
 * a block's replicas span min(2, replication) racks, or every rack there is. A cluster that was
 * never multi-rack is always satisfied.
 */
export function isPlacementPolicySatisfied(topo: NetworkTopology, racksOfReplicas: readonly string[], replication: number): boolean {
  if (!topo.everMultiRack) return true;
  const minRacks = Math.min(2, replication);
  const current = new Set(racksOfReplicas).size;
  return current >= minRacks || current >= topo.numOfRacks;
}

/** A candidate for deletion (DatanodeStorageInfo as chooseReplicasToDelete reads it). */
export interface DeleteCandidate {
  readonly dn: DatanodeName;
  readonly rack: string;
  readonly lastHeartbeatUs: number;
  readonly remaining: number;
}

/**
 * chooseReplicasToDelete: which of `candidates` to delete so `expected` remain. The delete hint
 * goes first when removing it does not reduce the number of racks (or the added node brings a new
 * one); then, from the racks holding more than one replica (or all, if none does), the node whose
 * heartbeat is older than tolerate.heartbeat.multiplier heartbeats, else the one with least space.
 */
export function chooseReplicasToDelete(
  settings: BlockSettings,
  nowUs: number,
  candidates: readonly DeleteCandidate[],
  expected: number,
  addedNode: DatanodeName | null,
  delHint: DatanodeName | null,
): DatanodeName[] {
  const excess: DatanodeName[] = [];
  const live = [...candidates];
  let first = true;
  while (live.length - expected > 0) {
    const rackCount = new Map<string, number>();
    for (const s of live) rackCount.set(s.rack, (rackCount.get(s.rack) ?? 0) + 1);
    const moreThanOne = live.filter((s) => (rackCount.get(s.rack) ?? 0) > 1);
    const exactlyOne = live.filter((s) => (rackCount.get(s.rack) ?? 0) === 1);
    let cur: DeleteCandidate | null = null;
    if (first && delHint !== null) {
      const hint = live.find((s) => s.dn === delHint) ?? null;
      const added = addedNode === null ? null : (live.find((s) => s.dn === addedNode) ?? null);
      // useDelHint / notReduceNumOfGroups
      if (hint !== null && (moreThanOne.includes(hint) || (added !== null && !moreThanOne.includes(added)))) cur = hint;
    }
    first = false;
    if (cur === null) cur = chooseReplicaToDelete(settings, nowUs, moreThanOne.length > 0 ? moreThanOne : exactlyOne);
    if (cur === null) break;
    excess.push(cur.dn);
    live.splice(live.indexOf(cur), 1);
  }
  return excess;
}

/** chooseReplicaToDelete: the oldest heartbeat beyond the tolerated age, else the least remaining space. */
export function chooseReplicaToDelete(settings: BlockSettings, nowUs: number, set: readonly DeleteCandidate[]): DeleteCandidate | null {
  let oldestHeartbeat = nowUs - settings.heartbeatIntervalUs * settings.tolerateHeartbeatMultiplier;
  let oldest: DeleteCandidate | null = null;
  let minSpace = Infinity;
  let minSpaceStorage: DeleteCandidate | null = null;
  for (const s of set) {
    if (s.lastHeartbeatUs < oldestHeartbeat) {
      oldestHeartbeat = s.lastHeartbeatUs;
      oldest = s;
    }
    if (minSpace > s.remaining) {
      minSpace = s.remaining;
      minSpaceStorage = s;
    }
  }
  return oldest ?? minSpaceStorage;
}
