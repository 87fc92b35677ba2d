import { invariant } from '../../core/invariant.ts';
import type { BlockId, DatanodeName } from '../types.ts';
import { blockName } from '../types.ts';
import type { BlockInfo } from './block-info.ts';
import type { BlockManager, NumberReplicas } from './block-manager.ts';
import { LEVEL, QUEUE_HIGHEST_PRIORITY } from './low-redundancy.ts';
import { chooseTarget } from './placement.ts';

// The RedundancyMonitor (BlockManager.RedundancyMonitor, every
// dfs.namenode.redundancy.interval.seconds = 3 s), skipped in safe mode:
//   computeDatanodeWork: live DataNodes x replication.work.multiplier.per.iteration (2) blocks are
//   taken from the low-redundancy queues by priority (each level resumed at its bookmark); for each
//   a source is chosen among the live replicas (chooseSourceDatanodes: a node already queued with
//   max-streams (2) transfers is skipped unless the block is of the highest priority, and none past
//   the hard limit (4)) and targets by the placement policy; the work is queued on the source for
//   its next heartbeat (DNA_TRANSFER) and counted in PendingReconstructionBlocks. Then invalidation
//   work for ceil(live x invalidate.work.pct.per.iteration) nodes, up to dfs.block.invalidate.limit
//   blocks each, queued for their heartbeats (DNA_INVALIDATE).
//   processPendingReconstructions: timed-out reconstructions go back to the queues.
//   rescanPostponedMisreplicatedBlocks.

/** One scheduled reconstruction (BlockReconstructionWork / ReplicationWork), for tests and annotations. */
export interface ReplicationWork {
  readonly blockId: BlockId;
  readonly source: DatanodeName;
  readonly targets: readonly DatanodeName[];
  readonly priority: number;
}

/** computeDatanodeWork. Returns what was scheduled. */
export function computeDatanodeWork(bm: BlockManager): { replication: ReplicationWork[]; invalidated: number } {
  if (bm.host.isInSafeMode()) return { replication: [], invalidated: 0 };
  const numlive = bm.dm.liveCount();
  const blocksToProcess = numlive * bm.settings.workMultiplier;
  const nodesToProcess = Math.ceil(numlive * bm.settings.invalidateWorkPct);
  const replication = computeBlockReconstructionWork(bm, blocksToProcess);
  const invalidated = computeInvalidateWork(bm, nodesToProcess);
  return { replication, invalidated };
}

/** computeBlockReconstructionWork -> computeReconstructionWorkForBlocks. */
export function computeBlockReconstructionWork(bm: BlockManager, blocksToProcess: number): ReplicationWork[] {
  const chosen = bm.neededReconstruction.chooseLowRedundancyBlocks(blocksToProcess);
  const out: ReplicationWork[] = [];
  for (let priority = 0; priority < LEVEL; priority++) {
    for (const id of chosen[priority] ?? []) {
      const w = scheduleReconstruction(bm, id, priority);
      if (w !== null) out.push(w);
    }
  }
  return out;
}

/** chooseSourceDatanodes: live, not corrupt, not excess, within the stream limits; one picked at random. */
export function chooseSourceDatanodes(bm: BlockManager, b: BlockInfo, priority: number): { source: DatanodeName | null; containing: DatanodeName[]; num: NumberReplicas } {
  const num = bm.countNodes(b);
  const containing: DatanodeName[] = [];
  let source: DatanodeName | null = null;
  for (const dn of b.storages) {
    containing.push(dn);
    if (bm.corruptReplicas.isReplicaCorrupt(b.blockId, dn) || bm.excessRedundancy.contains(dn, b.blockId)) continue;
    const d = bm.dm.descriptor(dn);
    if (d === undefined || !d.alive) continue;
    const queued = d.numberOfBlocksToBeReplicated();
    if (priority !== QUEUE_HIGHEST_PRIORITY && queued >= bm.settings.maxReplicationStreams) continue;
    if (queued >= bm.settings.replicationStreamsHardLimit) continue;
    // For replicated blocks, switch to another candidate at random, so a node that failed to copy
    // the block last time is not chosen every time.
    if (source === null || bm.host.rng.bernoulli(0.5)) source = dn;
  }
  return { source, containing, num };
}

/** scheduleReconstruction + chooseTargets + validateReconstructionWork + addTaskToDatanode. */
function scheduleReconstruction(bm: BlockManager, id: BlockId, priority: number): ReplicationWork | null {
  const b = bm.getStoredBlock(id);
  if (b === undefined || !b.isCompleteOrCommitted()) {
    bm.neededReconstruction.remove(id, priority);
    return null;
  }
  const { source, containing, num } = chooseSourceDatanodes(bm, b, priority);
  if (source === null) {
    bm.note(() => `${blockName(b)} cannot be reconstructed from any node (${num.live} live, all busy or unusable)`);
    return null;
  }
  const pending = bm.pendingReconstruction.getNumReplicas(id);
  if (bm.hasEnoughEffectiveReplicas(b, num, pending)) {
    bm.neededReconstruction.remove(id, priority);
    return null;
  }
  const effective = num.live + pending;
  const additional = num.live < b.replication ? b.replication - effective : 1;
  if (additional <= 0) return null;
  const targets = chooseTarget(bm.cluster, additional, source, num.liveNodes, new Set(containing), b.numBytes, false);
  if (targets.length === 0) {
    bm.note(() => `${blockName(b)}: no target for reconstruction (${additional} needed)`);
    return null;
  }
  // validateReconstructionWork: a block with enough replicas but on too few racks only gains from
  // a target on a new rack.
  if (num.live >= b.replication && !bm.isPlacementPolicySatisfied(b)) {
    const target = targets[0] as DatanodeName;
    const srcRacks = new Set(num.liveNodes.map((n) => bm.dm.descriptor(n)?.rack));
    if (srcRacks.has(bm.dm.descriptor(target)?.rack)) return null;
  }
  bm.observePlacement('reconstruction', id, b.replication, additional, source, num.liveNodes, targets, containing);
  const d = bm.dm.descriptor(source);
  invariant(d !== undefined, () => `source ${source} has no descriptor`);
  d.replicateBlocks.push({ block: b.toBlock(), targets });
  const now = bm.host.nowUs();
  for (const t of targets) bm.dm.descriptor(t)?.incrementBlocksScheduled(now);
  bm.pendingReconstruction.increment(id, targets, now);
  if (effective + targets.length >= b.replication) bm.neededReconstruction.remove(id, priority);
  bm.note(() => `redundancy monitor: ${blockName(b)} (priority ${priority}, ${num.live} live of ${b.replication}) to be copied from ${source} to [${targets.join(', ')}]`);
  return { blockId: id, source, targets, priority };
}

/**
 * computeInvalidateWork: invalidation work for up to nodesToProcess DataNodes (chosen at random
 * among those with blocks to delete), at most dfs.block.invalidate.limit blocks each, queued for
 * their next heartbeats.
 */
export function computeInvalidateWork(bm: BlockManager, nodesToProcess: number): number {
  const nodes = bm.host.rng.shuffle(bm.invalidateBlocks.nodes()).slice(0, nodesToProcess);
  let n = 0;
  for (const dn of nodes) {
    const d = bm.dm.descriptor(dn);
    if (d === undefined || !d.alive) {
      bm.invalidateBlocks.removeNode(dn);
      continue;
    }
    const blocks = bm.invalidateBlocks.pollBlocks(dn, bm.settings.blockInvalidateLimit);
    d.invalidateBlocks.push(...blocks);
    n += blocks.length;
  }
  return n;
}

/** processPendingReconstructions: timed-out work goes back to the queues if still needed. */
export function processPendingReconstructions(bm: BlockManager): BlockId[] {
  const timedOut = bm.pendingReconstruction.takeTimedOutBlocks();
  for (const id of timedOut) {
    const b = bm.getStoredBlock(id);
    if (b === undefined) continue;
    const num = bm.countNodes(b);
    if (bm.isNeededReconstruction(b, num, bm.pendingReconstruction.getNumReplicas(id))) {
      bm.neededReconstruction.add(id, num.live, 0, 0, b.replication);
      bm.note(() => `pending reconstruction of ${blockName(b)} timed out after dfs.namenode.reconstruction.pending.timeout-sec; queued again`);
    }
  }
  return timedOut;
}

/** One RedundancyMonitor round. */
export function redundancyMonitorRound(bm: BlockManager): { replication: ReplicationWork[]; invalidated: number } {
  const work = computeDatanodeWork(bm);
  processPendingReconstructions(bm);
  if (!bm.host.isInSafeMode()) bm.rescanPostponedMisreplicatedBlocks();
  return work;
}
