import { invariant } from '../../core/invariant.ts';
import type { Block, BlockId, BlockUCState, DatanodeName, GenStamp, ReplicaState } from '../types.ts';

// BlockInfo (BlockInfoContiguous): a block of a file as the NameNode keeps it in the blocks map,
// with the storages that hold a replica (the triplets), the file's expected replication, its
// BlockUCState and, while not COMPLETE, the BlockUnderConstructionFeature: the expected replicas of
// the pipeline and the block recovery id and primary.

/** ReplicaUnderConstruction: an expected location of a block under construction. */
export interface ReplicaUnderConstruction {
  readonly datanode: DatanodeName;
  state: ReplicaState;
  genStamp: GenStamp;
  chosenAsPrimary: boolean;
}

export class BlockInfo {
  genStamp: GenStamp;
  numBytes: number;
  /** BlockCollection.getPreferredBlockReplication of the owning file. */
  replication: number;
  ucState: BlockUCState;
  /** The file (inode id) this block belongs to (BlockInfo.bcId). */
  readonly fileId: number;
  /** Nodes the NameNode has a replica of this block on (unique). */
  readonly storages: DatanodeName[] = [];
  /** BlockUnderConstructionFeature.replicas: the pipeline's nodes (meaningful while not COMPLETE). */
  expected: ReplicaUnderConstruction[] = [];
  /** BlockUnderConstructionFeature.blockRecoveryId: the new GS of the running recovery (0: none). */
  blockRecoveryId: number = 0;
  /** The primary DataNode of the running recovery. */
  primary: DatanodeName | null = null;

  constructor(readonly blockId: BlockId, genStamp: GenStamp, numBytes: number, replication: number, ucState: BlockUCState, fileId: number) {
    this.genStamp = genStamp;
    this.numBytes = numBytes;
    this.replication = replication;
    this.ucState = ucState;
    this.fileId = fileId;
  }

  toBlock(): Block {
    return { blockId: this.blockId, genStamp: this.genStamp, numBytes: this.numBytes };
  }

  isComplete(): boolean {
    return this.ucState === 'COMPLETE';
  }

  isCompleteOrCommitted(): boolean {
    return this.ucState === 'COMPLETE' || this.ucState === 'COMMITTED';
  }

  hasStorage(dn: DatanodeName): boolean {
    return this.storages.includes(dn);
  }

  /** Adds a storage; false if it was already there. */
  addStorage(dn: DatanodeName): boolean {
    if (this.storages.includes(dn)) return false;
    this.storages.push(dn);
    return true;
  }

  removeStorage(dn: DatanodeName): boolean {
    const i = this.storages.indexOf(dn);
    if (i < 0) return false;
    this.storages.splice(i, 1);
    invariant(!this.storages.includes(dn), () => `blk_${this.blockId}: ${dn} held twice`);
    return true;
  }

  /** setExpectedLocations: a new pipeline's nodes, all RBW at the block's GS. */
  setExpectedLocations(nodes: readonly DatanodeName[]): void {
    invariant(new Set(nodes).size === nodes.length, () => `blk_${this.blockId}: duplicate expected location in [${nodes.join(', ')}]`);
    this.expected = nodes.map((datanode) => ({ datanode, state: 'RBW' as ReplicaState, genStamp: this.genStamp, chosenAsPrimary: false }));
  }

  /** BlockUnderConstructionFeature.addReplicaIfNotPresent: a reported replica of a block under construction. */
  addReplicaIfNotPresent(dn: DatanodeName, reported: Block, state: ReplicaState): void {
    const r = this.expected.find((e) => e.datanode === dn);
    if (r !== undefined) {
      r.state = state;
      r.genStamp = reported.genStamp;
      return;
    }
    this.expected.push({ datanode: dn, state, genStamp: reported.genStamp, chosenAsPrimary: false });
  }

  /**
   * setGenerationStampAndVerifyReplicas: the block gets a new GS (commit, pipeline update,
   * recovery). Returns the expected replicas whose GS differs (getStaleReplicas): the caller takes
   * the block off those storages; the expected list itself is unchanged, as in Hadoop.
   */
  setGenerationStampAndVerifyReplicas(gs: GenStamp): DatanodeName[] {
    this.genStamp = gs;
    return this.expected.filter((e) => e.genStamp !== gs).map((e) => e.datanode);
  }
}
