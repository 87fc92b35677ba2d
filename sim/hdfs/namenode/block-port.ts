import type { ObservationData } from '../../core/observation.ts';
import '../observations-bm.ts';
import type { Rng } from '../../core/rng.ts';
import type { DatanodeLocation, LocatedBlock } from '../protocol.ts';
import type { CommitBlockSynchronizationRequest, DatanodeProtocolRequest, DatanodeProtocolResponse } from '../protocol-dn.ts';
import type { Block, BlockId, BlockUCState, DatanodeName, GenStamp } from '../types.ts';

// The seam between the NameNode actor (hdfs-nn) and the block manager (hdfs-bm, sim/hdfs/blockmanagement/).
//
// The NameNode owns the namespace, the edit log, leases and the safe mode state machine; the block
// manager owns the blocks map, DataNodes, placement and replication work. FSNamesystem calls into
// BlockManager at these points; the method names are BlockManager's own where it has them. The
// NameNode builds its block manager with `NameNodeOptions.blockManager(host)` and calls nothing else.
// DatanodeProtocol messages are handed over whole (handleDatanodeRequest), except
// commitBlockSynchronization, whose namespace part (OP_UPDATE_BLOCKS / OP_CLOSE) is the NameNode's.

/** What the block manager may ask of the NameNode actor. */
export interface BlockManagerHost {
  nowUs(): number;
  readonly rng: Rng;
  readonly tracing: boolean;
  annotate(text: string): void;
  /** Safe mode is on: no redundancy work, no DataNode commands. */
  isInSafeMode(): boolean;
  /** The rack of a host (what net.topology.script.file.name would answer), e.g. "/rack-1". */
  resolveRack(hostName: string): string;
  /** The block counts changed (a report arrived): the NameNode re-checks safe mode. */
  countsChanged(): void;
  /** ctx.observe, for the placement observation the hdfs-placement checker reads. */
  observe<K extends 'hdfs-bm-placed' | 'hdfs-bm-datanode-dead'>(kind: K, data: ObservationData<K>): void;
}

export interface NamenodeBlockManager {
  // ---- blocks of files (FSNamesystem / FSDirWriteFileOp / FSEditLogLoader hooks)
  /** A new block of a file, or one loaded from the image / edits (targets empty then). */
  addBlockCollection(block: Block, replication: number, fileId: number, ucState: BlockUCState, targets: readonly DatanodeName[]): unknown;
  /** BlockPlacementPolicy.chooseTarget for a new block; an error text when too few nodes qualify. */
  chooseTargetForNewBlock(src: string, numReplicas: number, clientMachine: string, excluded: readonly DatanodeName[], favored: readonly DatanodeName[], blockSize: number): DatanodeLocation[] | { error: string };
  /** getAdditionalDatanode: replacement nodes for a pipeline (existing ones kept, excluded avoided). */
  chooseAdditionalTargets(src: string, block: Block, existing: readonly DatanodeName[], excluded: readonly DatanodeName[], numAdditional: number, clientMachine: string): DatanodeLocation[] | { error: string };
  /** commitOrCompleteLastBlock: the client's length and GS for the last block. */
  commitOrCompleteLastBlock(id: BlockId, commit: Block): { committed: boolean } | { error: string };
  /** The block has dfs.namenode.replication.min live replicas (checkFileProgress). */
  isMinimallyReplicated(id: BlockId): boolean;
  /** A deleted file's block: invalidate every replica and forget it. */
  removeBlock(id: BlockId): void;
  /** An abandoned block (abandonBlock, lease recovery of an empty last block). */
  removeBlockFromMap(id: BlockId): void;
  setReplication(id: BlockId, newRepl: number): void;
  /** updatePipeline's block part; an error text when refused. */
  updatePipeline(oldBlock: Block, newBlock: Block, newNodes: readonly DatanodeName[]): string | null;
  /** The expected locations of a block under construction. */
  expectedLocations(id: BlockId): DatanodeName[];
  /** getBlockLocations: a block with its replicas, nearest to clientMachine first (sortLocatedBlocks). */
  locatedBlock(block: Block, offset: number, clientMachine: string): LocatedBlock;
  /** ClientProtocol.reportBadBlocks: a replica on `datanode` is corrupt. */
  reportBadBlock(block: Block, datanode: DatanodeName): void;
  /**
   * Lease recovery of a file's last block (BlockUnderConstructionFeature.initializeBlockRecovery):
   * the block goes UNDER_RECOVERY with recovery id `recoveryId`; a primary DataNode gets
   * DNA_RECOVERBLOCK in its next heartbeat. false when the block has no replica to recover from.
   */
  initializeBlockRecovery(block: Block, recoveryId: GenStamp): boolean;
  /**
   * commitBlockSynchronization's block part: checks the recovery id and updates the block (GS,
   * length, locations). An error text refuses it; null lets the NameNode log the result.
   */
  commitBlockSynchronization(req: CommitBlockSynchronizationRequest): string | null;

  // ---- DataNodes
  /** Every other DatanodeProtocol request: the answer to send back. */
  handleDatanodeRequest(from: DatanodeName, req: Exclude<DatanodeProtocolRequest, CommitBlockSynchronizationRequest>): DatanodeProtocolResponse;

  // ---- safe mode and monitors
  safeModeCounts(): { blockTotal: number; blockSafe: number; liveDatanodes: number };
  /** Leaving startup safe mode: initialize the replication queues. */
  initializeReplQueues(): void;
  /** Periodic work the NameNode schedules (heartbeat monitor, redundancy monitor...). */
  periodicTasks(): readonly { readonly name: string; readonly periodUs: number; run(): void }[];
}

/** The block manager's part of the NameNode's inspect() view. */
export interface InspectableBlockManager {
  inspect?(): import('../../core/types.ts').Json;
}
