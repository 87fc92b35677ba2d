import { invariant } from '../../core/invariant.ts';
import type { ObservationData } from '../../core/observation.ts';
import type { Rng } from '../../core/rng.ts';
import '../observations-bm.ts';
import type { BlockSettings } from '../config-blocks.ts';
import type { Block, BlockId, BlockUCState, DatanodeName, GenStamp } from '../types.ts';
import { blockName } from '../types.ts';
import { BlockInfo } from './block-info.ts';
import type { DatanodeDescriptor } from './datanode-descriptor.ts';
import { DatanodeManager } from './datanode-manager.ts';
import { LowRedundancyBlocks } from './low-redundancy.ts';
import { PendingReconstructionBlocks } from './pending-reconstruction.ts';
import { chooseReplicasToDelete, isPlacementPolicySatisfied, type DeleteCandidate, type PlacementCluster } from './placement.ts';
import { CorruptReplicasMap, ExcessRedundancyMap, InvalidateBlocks, type CorruptReason } from './replica-maps.ts';

// BlockManager (Hadoop 3.3): the blocks map (BlockInfo -> the DataNodes holding a replica), built
// from block reports and never persisted; a block's UC state (UNDER_CONSTRUCTION, UNDER_RECOVERY,
// COMMITTED by the client, COMPLETE once dfs.namenode.replication.min replicas are reported); the
// low-redundancy queues, pending reconstructions, replicas to invalidate, corrupt and excess
// replicas. Report processing is in block-reports.ts, the redundancy monitor in
// redundancy-monitor.ts, lease/block recovery in block-recovery.ts, the DatanodeProtocol entry
// point in rpc.ts. The NameNode actor owns one BlockManager and calls it through the hooks below.

/** What the BlockManager needs from the NameNode actor. */
export interface BlockManagerHost {
  nowUs(): number;
  readonly rng: Rng;
  readonly tracing: boolean;
  annotate(text: string): void;
  /** Safe mode is on: no redundancy work, no dead-node check, no DataNode commands. */
  isInSafeMode(): boolean;
  /** The rack of a host (what net.topology.script.file.name would answer), e.g. "/rack-1". */
  resolveRack(hostName: string): string;
  /** ctx.observe for the hdfs-placement checker (optional: unit tests may leave it out). */
  observe?<K extends 'hdfs-bm-placed' | 'hdfs-bm-datanode-dead'>(kind: K, data: ObservationData<K>): void;
}

/** NumberReplicas: a block's replicas by state (dsim has no decommissioning or maintenance). */
export interface NumberReplicas {
  readonly live: number;
  readonly corrupt: number;
  readonly excess: number;
  /** Live replicas on storages without a full block report since (re-)registration (blockContentsStale). */
  readonly staleStorage: number;
  readonly liveNodes: readonly DatanodeName[];
}

export class BlockManager {
  readonly dm: DatanodeManager;
  readonly blocksMap = new Map<BlockId, BlockInfo>();
  readonly neededReconstruction = new LowRedundancyBlocks();
  readonly pendingReconstruction: PendingReconstructionBlocks;
  readonly invalidateBlocks = new InvalidateBlocks();
  readonly corruptReplicas = new CorruptReplicasMap();
  readonly excessRedundancy = new ExcessRedundancyMap();
  /** postponedMisreplicatedBlocks: over-replicated blocks with replicas on not-yet-reported storages. */
  readonly postponedMisreplicated = new Set<BlockId>();
  /** initializedReplQueues: set when safe mode is first left (initializeReplQueues). */
  private populatingReplQueues = false;
  /** PendingRecoveryBlocks: block -> time its recovery attempt expires. */
  readonly pendingRecovery = new Map<BlockId, number>();
  readonly cluster: PlacementCluster;

  constructor(readonly settings: BlockSettings, readonly host: BlockManagerHost) {
    this.dm = new DatanodeManager(settings, (h) => host.resolveRack(h));
    this.pendingReconstruction = new PendingReconstructionBlocks(settings.pendingTimeoutUs);
    const dm = this.dm;
    this.cluster = {
      topology: dm.topology,
      settings,
      rng: host.rng,
      nowUs: () => host.nowUs(),
      descriptor: (dn) => dm.descriptor(dn),
      avoidStaleNodesForWrite: () => dm.avoidStaleNodesForWrite(),
      inServiceXceiverAverage: () => dm.inServiceXceiverAverage(),
    };
  }

  isPopulatingReplQueues(): boolean {
    return this.populatingReplQueues;
  }

  note(text: () => string): void {
    if (this.host.tracing) this.host.annotate(text());
  }

  /** Tells the checkers where a block's replicas were placed. */
  observePlacement(purpose: 'new-block' | 'reconstruction', blockId: number, replication: number, requested: number, writer: DatanodeName | null, existing: readonly DatanodeName[], targets: readonly DatanodeName[], excluded: readonly DatanodeName[]): void {
    this.host.observe?.('hdfs-bm-placed', {
      purpose, blockId, replication, requested, writer, existing: [...existing], targets: [...targets], excluded: [...excluded],
      live: this.dm.topology.allNodes(),
    });
  }

  getStoredBlock(id: BlockId): BlockInfo | undefined {
    return this.blocksMap.get(id);
  }

  // ------------------------------------------------------------------ counting

  /** countNodes. */
  countNodes(b: BlockInfo): NumberReplicas {
    let live = 0;
    let corrupt = 0;
    let excess = 0;
    let staleStorage = 0;
    const liveNodes: DatanodeName[] = [];
    for (const dn of b.storages) {
      if (this.corruptReplicas.isReplicaCorrupt(b.blockId, dn)) corrupt++;
      else if (this.excessRedundancy.contains(dn, b.blockId)) excess++;
      else {
        live++;
        liveNodes.push(dn);
        if ((this.dm.descriptor(dn)?.blockReportCount ?? 0) === 0) staleStorage++;
      }
    }
    return { live, corrupt, excess, staleStorage, liveNodes };
  }

  hasMinStorage(liveReplicas: number): boolean {
    return liveReplicas >= this.settings.minReplication;
  }

  /** BlockManager.isPlacementPolicySatisfied: racks of the non-corrupt replicas. */
  isPlacementPolicySatisfied(b: BlockInfo): boolean {
    const racks: string[] = [];
    for (const dn of b.storages) {
      if (this.corruptReplicas.isReplicaCorrupt(b.blockId, dn)) continue;
      const d = this.dm.descriptor(dn);
      if (d !== undefined) racks.push(d.rack);
    }
    return isPlacementPolicySatisfied(this.dm.topology, racks, b.replication);
  }

  /** hasEnoughEffectiveReplicas: live + pending reach the target, and racks are fine (or a copy is on its way). */
  hasEnoughEffectiveReplicas(b: BlockInfo, num: NumberReplicas, pending: number): boolean {
    return num.live + pending >= b.replication && (pending > 0 || this.isPlacementPolicySatisfied(b));
  }

  /** isNeededReconstruction. */
  isNeededReconstruction(b: BlockInfo, num: NumberReplicas, pending: number): boolean {
    return b.isComplete() && !this.hasEnoughEffectiveReplicas(b, num, pending);
  }

  // ------------------------------------------------------------------ storages

  /** Attaches a replica on dn to the block (DatanodeStorageInfo.addBlock); false if already there. */
  attach(b: BlockInfo, dn: DatanodeName): boolean {
    const d = this.dm.descriptor(dn);
    invariant(d !== undefined, () => `${blockName(b)}: replica on unknown DataNode ${dn}`);
    const added = b.addStorage(dn);
    d.blocks.add(b.blockId);
    invariant(b.storages.filter((s) => s === dn).length === 1, () => `${blockName(b)}: storage ${dn} listed twice`);
    return added;
  }

  /** DatanodeStorageInfo.removeBlock without the bookkeeping of removeStoredBlock. */
  detach(b: BlockInfo, dn: DatanodeName): boolean {
    this.dm.descriptor(dn)?.blocks.delete(b.blockId);
    return b.removeStorage(dn);
  }

  /**
   * addStoredBlock: a FINALIZED replica of a COMPLETE or COMMITTED block (or a finalized replica of
   * one under construction). Completes a COMMITTED block once minReplication replicas are live,
   * then fixes low and excess redundancy and drops corrupt replicas once the block has enough
   * live ones ("re-replicate first, then invalidate").
   */
  addStoredBlock(b: BlockInfo, reported: Block, dn: DatanodeName, delHint: DatanodeName | null): void {
    const added = this.attach(b, dn);
    // Already stored for dn: if it was marked corrupt for a wrong generation stamp (an older RBW
    // report of the same replica), the finalized report with the right stamp clears that mark
    // (BlockManager.addStoredBlock's ALREADY_EXIST branch: removeFromCorruptReplicasMap(block,
    // node, Reason.GENSTAMP_MISMATCH)). Other reasons stay.
    if (!added && this.corruptReplicas.get(b.blockId, dn)?.reason === 'GENSTAMP_MISMATCH' && reported.genStamp === b.genStamp) {
      this.corruptReplicas.remove(b.blockId, dn);
    }
    const curReplicaDelta = added ? 1 : 0;
    const num = this.countNodes(b);
    const pending = this.pendingReconstruction.getNumReplicas(b.blockId);
    if (b.ucState === 'COMMITTED' && this.hasMinStorage(num.live)) {
      this.addExpectedReplicasToPending(b);
      this.completeBlock(b);
    }
    if (!b.isCompleteOrCommitted()) return;
    if (!this.populatingReplQueues) return;
    if (!this.isNeededReconstruction(b, num, pending)) this.neededReconstruction.remove(b.blockId, -1);
    else this.updateNeededReconstructions(b, curReplicaDelta, 0);
    if (num.live > b.replication) this.processExtraRedundancyBlock(b, dn, delHint);
    const corruptCount = this.corruptReplicas.numCorruptReplicas(b.blockId);
    invariant(corruptCount === num.corrupt, () => `${blockName(b)}: corrupt replicas map has ${corruptCount}, storages ${num.corrupt}`);
    if (corruptCount > 0 && num.live >= b.replication) this.invalidateCorruptReplicas(b, num);
  }

  /** removeStoredBlock: the replica on dn is gone (deleted, node dead, or corrupt and invalidated). */
  removeStoredBlock(b: BlockInfo, dn: DatanodeName): void {
    if (!this.detach(b, dn)) return;
    this.updateNeededReconstructions(b, -1, 0);
    this.excessRedundancy.remove(dn, b.blockId);
    this.corruptReplicas.remove(b.blockId, dn);
  }

  /** removeBlocksAssociatedTo: every replica of a dead node; its queued deletions are dropped. */
  removeBlocksAssociatedTo(d: DatanodeDescriptor): void {
    for (const id of [...d.blocks]) {
      const b = this.blocksMap.get(id);
      if (b !== undefined) this.removeStoredBlock(b, d.name);
      else d.blocks.delete(id);
    }
    invariant(d.blocks.size === 0, () => `${d.name} still holds ${d.blocks.size} blocks after removal`);
    this.invalidateBlocks.removeNode(d.name);
  }

  /** Commits: state COMMITTED, the client's length; replicas with another GS are stale and dropped. */
  private commitBlock(b: BlockInfo, commit: Block): string | null | false {
    if (b.ucState === 'COMMITTED') return false;
    if (b.genStamp !== commit.genStamp) return `Commit block with mismatching GS. NN has ${blockName(b)}, client submits ${blockName(commit)}`;
    b.ucState = 'COMMITTED';
    b.numBytes = commit.numBytes;
    for (const dn of b.setGenerationStampAndVerifyReplicas(commit.genStamp)) {
      this.removeStoredBlock(b, dn);
    }
    return null;
  }

  /** completeBlock: COMMITTED with minReplication replicas becomes COMPLETE. */
  completeBlock(b: BlockInfo): void {
    if (b.isComplete()) return;
    invariant(b.ucState === 'COMMITTED', () => `Cannot complete block ${blockName(b)}: block has not been COMMITTED by the client`);
    invariant(this.hasMinStorage(b.storages.length), () => `Cannot complete block ${blockName(b)}: block does not satisfy minimal replication requirement.`);
    b.ucState = 'COMPLETE';
    b.expected = [];
    b.blockRecoveryId = 0;
    b.primary = null;
    this.pendingRecovery.delete(b.blockId);
    this.note(() => `${blockName(b)} is COMPLETE: ${b.storages.length} replica(s) >= dfs.namenode.replication.min=${this.settings.minReplication}`);
  }

  /** addExpectedReplicasToPending: pipeline nodes that have not reported yet count as pending. */
  private addExpectedReplicasToPending(b: BlockInfo): void {
    const pendingNodes = b.expected.map((e) => e.datanode).filter((dn) => !b.hasStorage(dn));
    if (pendingNodes.length > 0) this.pendingReconstruction.increment(b.blockId, pendingNodes, this.host.nowUs());
  }

  // ------------------------------------------------------------------ redundancy bookkeeping

  /** updateNeededReconstructions: after a change in live replicas or expected replication. */
  updateNeededReconstructions(b: BlockInfo, curReplicasDelta: number, expectedReplicasDelta: number): void {
    if (!this.populatingReplQueues || !b.isComplete()) return;
    const num = this.countNodes(b);
    const pending = this.pendingReconstruction.getNumReplicas(b.blockId);
    if (!this.hasEnoughEffectiveReplicas(b, num, pending)) {
      this.neededReconstruction.update(b.blockId, num.live + pending, 0, 0, b.replication, curReplicasDelta, expectedReplicasDelta);
    } else {
      this.neededReconstruction.remove(b.blockId, -1);
    }
  }

  /**
   * processExtraRedundancyBlock: too many live replicas; the policy picks which go to the excess map
   * and InvalidateBlocks. Postponed while a replica sits on a storage that has not reported since
   * the NameNode (re)started, as that replica may already be gone.
   */
  processExtraRedundancyBlock(b: BlockInfo, addedNode: DatanodeName | null, delHint: DatanodeName | null): void {
    const candidates: DeleteCandidate[] = [];
    for (const dn of b.storages) {
      const d = this.dm.descriptor(dn);
      if (d === undefined) continue;
      if (d.blockReportCount === 0) {
        this.postponedMisreplicated.add(b.blockId);
        return;
      }
      if (this.excessRedundancy.contains(dn, b.blockId) || this.corruptReplicas.isReplicaCorrupt(b.blockId, dn)) continue;
      candidates.push({ dn, rack: d.rack, lastHeartbeatUs: d.lastUpdateUs, remaining: d.remaining });
    }
    const chosen = chooseReplicasToDelete(this.settings, this.host.nowUs(), candidates, b.replication, addedNode, delHint);
    for (const dn of chosen) {
      this.excessRedundancy.add(dn, b.blockId);
      this.addToInvalidates(b.toBlock(), dn);
      this.note(() => `${blockName(b)} has ${candidates.length} live replicas for replication ${b.replication}: excess replica on ${dn} will be deleted`);
    }
  }

  addToInvalidates(block: Block, dn: DatanodeName): void {
    this.invalidateBlocks.add(block, dn);
  }

  /**
   * markBlockAsCorrupt: the replica on dn is corrupt. It stays attached (counted as corrupt) until
   * the block has enough live replicas; it is invalidated at once if there already are enough, or
   * more live + corrupt than needed, or it was corrupted during a write (older GS).
   */
  markBlockAsCorrupt(b: BlockInfo, corrupted: Block, dn: DatanodeName, reason: CorruptReason): void {
    this.attach(b, dn);
    this.corruptReplicas.add(b.blockId, dn, reason, corrupted);
    const num = this.countNodes(b);
    const hasEnoughLive = num.live >= b.replication;
    const minSatisfied = this.hasMinStorage(num.live);
    const hasMoreCorrupt = minSatisfied && num.live + num.corrupt > b.replication;
    const corruptedDuringWrite = minSatisfied && b.genStamp > corrupted.genStamp;
    this.note(() => `${blockName(corrupted)} on ${dn} marked corrupt (${reason}): ${num.live} live, ${num.corrupt} corrupt, replication ${b.replication}`);
    if (hasEnoughLive || hasMoreCorrupt || corruptedDuringWrite) this.invalidateBlock(b, corrupted, dn, num);
    else this.updateNeededReconstructions(b, -1, 0);
  }

  /** invalidateBlock: delete a corrupt replica if a live copy remains elsewhere. */
  invalidateBlock(b: BlockInfo, corrupted: Block, dn: DatanodeName, num: NumberReplicas): boolean {
    if (num.live >= 1) {
      this.addToInvalidates(corrupted, dn);
      this.removeStoredBlock(b, dn);
      return true;
    }
    this.note(() => `${blockName(corrupted)} on ${dn} is the only copy and was not deleted`);
    return false;
  }

  /** invalidateCorruptReplicas: the block is back at its replication; its corrupt replicas go. */
  private invalidateCorruptReplicas(b: BlockInfo, num: NumberReplicas): void {
    for (const dn of this.corruptReplicas.getNodes(b.blockId)) {
      const c = this.corruptReplicas.get(b.blockId, dn);
      this.invalidateBlock(b, c?.replica ?? b.toBlock(), dn, num);
    }
  }

  // ------------------------------------------------------------------ blocks of files (namespace hooks)

  /**
   * A new block of a file (FSNamesystem.addBlock -> saveAllocatedBlock): UNDER_CONSTRUCTION with
   * the chosen pipeline as expected locations. Also what replaying OP_ADD_BLOCK / OP_ADD loads.
   */
  addBlockCollection(block: Block, replication: number, fileId: number, ucState: BlockUCState, targets: readonly DatanodeName[] = []): BlockInfo {
    invariant(!this.blocksMap.has(block.blockId), () => `${blockName(block)} is already in the blocks map`);
    const b = new BlockInfo(block.blockId, block.genStamp, block.numBytes, replication, ucState, fileId);
    if (ucState !== 'COMPLETE') b.setExpectedLocations(targets);
    this.blocksMap.set(b.blockId, b);
    return b;
  }

  /**
   * commitOrCompleteLastBlock: the client's complete() or next addBlock() reports the last block's
   * final length and GS. Returns an error text (IOException) or whether the block was committed.
   */
  commitOrCompleteLastBlock(id: BlockId, commit: Block): { committed: boolean } | { error: string } {
    const b = this.blocksMap.get(id);
    if (b === undefined) return { error: `${blockName(commit)} does not exist` };
    if (b.isComplete()) return { committed: false };
    if (b.ucState === 'UNDER_RECOVERY') return { error: `Commit or complete block ${blockName(commit)}, whereas it is under recovery.` };
    const r = this.commitBlock(b, commit);
    if (typeof r === 'string') return { error: r };
    const committed = r === null;
    const num = this.countNodes(b);
    if (this.hasMinStorage(num.live)) {
      if (committed) this.addExpectedReplicasToPending(b);
      this.completeBlock(b);
      this.updateNeededReconstructions(b, 0, 0);
    }
    return { committed };
  }

  isBlockComplete(id: BlockId): boolean {
    return this.blocksMap.get(id)?.isComplete() ?? false;
  }

  /** COMMITTED with minReplication live replicas (checkFileProgress / isCompleteOrCommitted for close). */
  isMinimallyReplicated(id: BlockId): boolean {
    const b = this.blocksMap.get(id);
    return b !== undefined && this.hasMinStorage(this.countNodes(b).live);
  }

  /** removeBlock (file deleted): every replica is invalidated; the block leaves every queue. */
  removeBlock(id: BlockId): void {
    const b = this.blocksMap.get(id);
    if (b === undefined) return;
    for (const dn of b.storages) this.addToInvalidates(b.toBlock(), dn);
    this.removeBlockFromMap(id);
  }

  /** removeBlockFromMap (abandonBlock, or the last half of removeBlock). */
  removeBlockFromMap(id: BlockId): void {
    const b = this.blocksMap.get(id);
    if (b === undefined) return;
    for (const dn of [...b.storages]) {
      this.detach(b, dn);
      this.excessRedundancy.remove(dn, id);
    }
    this.blocksMap.delete(id);
    this.corruptReplicas.remove(id);
    this.pendingReconstruction.remove(id);
    this.neededReconstruction.remove(id, -1);
    this.postponedMisreplicated.delete(id);
    this.pendingRecovery.delete(id);
  }

  /** setReplication: the file's replication changed; requeue and maybe drop excess replicas. */
  setReplication(id: BlockId, newRepl: number): void {
    const b = this.blocksMap.get(id);
    if (b === undefined || b.replication === newRepl) return;
    const oldRepl = b.replication;
    b.replication = newRepl;
    this.updateNeededReconstructions(b, 0, newRepl - oldRepl);
    if (this.populatingReplQueues && b.isComplete() && this.countNodes(b).live > newRepl) this.processExtraRedundancyBlock(b, null, null);
  }

  /**
   * updatePipeline (FSNamesystem.updatePipelineInternal, the block part): the client recovered its
   * pipeline with a new GS; the length may only grow; the new nodes are the expected locations.
   */
  updatePipeline(oldBlock: Block, newBlock: Block, newNodes: readonly DatanodeName[]): string | null {
    const b = this.blocksMap.get(oldBlock.blockId);
    if (b === undefined || b.isComplete()) return `Update ${blockName(oldBlock)} failed: the block is not under construction`;
    if (newBlock.genStamp <= b.genStamp) {
      return `Update ${blockName(oldBlock)} but the new block ${blockName(newBlock)} does not have a larger generation stamp than the existing one ${blockName(b)}`;
    }
    if (newBlock.numBytes < b.numBytes) {
      return `Update ${blockName(oldBlock)} (len = ${oldBlock.numBytes}) to a smaller length ${blockName(newBlock)} (len = ${newBlock.numBytes})`;
    }
    b.numBytes = newBlock.numBytes;
    for (const dn of b.setGenerationStampAndVerifyReplicas(newBlock.genStamp)) this.detach(b, dn);
    b.setExpectedLocations(newNodes);
    this.note(() => `updatePipeline: ${blockName(oldBlock)} -> ${blockName(newBlock)} on [${newNodes.join(', ')}]`);
    return null;
  }

  /** The expected locations of a block under construction (updateBlockForPipeline, lease recovery). */
  expectedLocations(id: BlockId): DatanodeName[] {
    return this.blocksMap.get(id)?.expected.map((e) => e.datanode) ?? [];
  }

  // ------------------------------------------------------------------ safe mode

  /**
   * The counts BlockManagerSafeMode keeps: blockTotal = COMPLETE blocks, blockSafe = those with at
   * least dfs.namenode.replication.min live replicas; plus the live DataNodes.
   */
  safeModeCounts(): { blockTotal: number; blockSafe: number; liveDatanodes: number } {
    let blockTotal = 0;
    let blockSafe = 0;
    const min = this.settings.minReplication;
    for (const b of this.blocksMap.values()) {
      if (!b.isComplete()) continue;
      blockTotal++;
      // countNodes(b).live >= min, stopping at min (this runs after every DataNode request).
      let live = 0;
      for (const dn of b.storages) {
        if (this.corruptReplicas.isReplicaCorrupt(b.blockId, dn) || this.excessRedundancy.contains(dn, b.blockId)) continue;
        if (++live >= min) break;
      }
      if (live >= min) blockSafe++;
    }
    invariant(blockSafe <= blockTotal, 'more safe blocks than blocks');
    return { blockTotal, blockSafe, liveDatanodes: this.dm.liveCount() };
  }

  /**
   * initializeReplQueues (leaving safe mode the first time): processMisReplicatedBlocks puts every
   * low-redundancy block in its queue and handles over-replicated ones.
   */
  initializeReplQueues(): void {
    if (this.populatingReplQueues) return;
    this.populatingReplQueues = true;
    for (const b of this.blocksMap.values()) this.processMisReplicatedBlock(b);
  }

  /** processMisReplicatedBlock. */
  processMisReplicatedBlock(b: BlockInfo): void {
    if (!b.isComplete()) return;
    const num = this.countNodes(b);
    if (this.isNeededReconstruction(b, num, 0)) {
      this.neededReconstruction.add(b.blockId, num.live, 0, 0, b.replication);
      return;
    }
    if (num.live > b.replication) {
      if (num.staleStorage > 0) {
        this.postponedMisreplicated.add(b.blockId);
        return;
      }
      this.processExtraRedundancyBlock(b, null, null);
    }
  }

  /** rescanPostponedMisreplicatedBlocks: retry blocks whose storages have reported since. */
  rescanPostponedMisreplicatedBlocks(): void {
    for (const id of [...this.postponedMisreplicated]) {
      const b = this.blocksMap.get(id);
      if (b === undefined) {
        this.postponedMisreplicated.delete(id);
        continue;
      }
      if (this.countNodes(b).staleStorage > 0) continue;
      this.postponedMisreplicated.delete(id);
      this.processMisReplicatedBlock(b);
    }
  }

  /** The next GS of a recovery the NameNode started (for tests and inspect). */
  recoveryIdOf(id: BlockId): GenStamp | null {
    const b = this.blocksMap.get(id);
    return b === undefined || b.blockRecoveryId === 0 ? null : (b.blockRecoveryId as GenStamp);
  }
}
