import type { Block, BlockId, DatanodeName } from '../types.ts';

// The per-replica sets of the BlockManager:
//   InvalidateBlocks      replicas to delete, per DataNode, handed out by the redundancy monitor
//                         (at most dfs.block.invalidate.limit per node and round)
//   CorruptReplicasMap    replicas known corrupt, with the reason
//   ExcessRedundancyMap   replicas chosen for deletion because the block has too many

/** CorruptReplicasMap.Reason. */
export type CorruptReason = 'NONE' | 'ANY' | 'GENSTAMP_MISMATCH' | 'SIZE_MISMATCH' | 'INVALID_STATE' | 'CORRUPTION_REPORTED';

export class InvalidateBlocks {
  private readonly byNode = new Map<DatanodeName, Map<BlockId, Block>>();

  add(block: Block, dn: DatanodeName): boolean {
    let m = this.byNode.get(dn);
    if (m === undefined) {
      m = new Map();
      this.byNode.set(dn, m);
    }
    if (m.has(block.blockId)) return false;
    m.set(block.blockId, block);
    return true;
  }

  /**
   * InvalidateBlocks.contains: the replica of `b` on dn is queued for deletion with the same
   * generation stamp. A queued deletion of an older stamp (a corrupt RBW replica) does not hide a
   * report of the replica finalized since at the current stamp.
   */
  contains(dn: DatanodeName, b: Block): boolean {
    const queued = this.byNode.get(dn)?.get(b.blockId);
    return queued !== undefined && queued.genStamp === b.genStamp;
  }

  remove(dn: DatanodeName, b: BlockId): void {
    const m = this.byNode.get(dn);
    if (m === undefined) return;
    m.delete(b);
    if (m.size === 0) this.byNode.delete(dn);
  }

  /** Drops everything queued for a node (it died). */
  removeNode(dn: DatanodeName): void {
    this.byNode.delete(dn);
  }

  nodes(): DatanodeName[] {
    return [...this.byNode.keys()].sort();
  }

  numBlocks(): number {
    let n = 0;
    for (const m of this.byNode.values()) n += m.size;
    return n;
  }

  /** invalidateWork: takes up to limit blocks queued for dn. */
  pollBlocks(dn: DatanodeName, limit: number): Block[] {
    const m = this.byNode.get(dn);
    if (m === undefined) return [];
    const out: Block[] = [];
    for (const [id, b] of m) {
      if (out.length >= limit) break;
      out.push(b);
      m.delete(id);
    }
    if (m.size === 0) this.byNode.delete(dn);
    return out;
  }
}

/** A corrupt replica: why, and the replica as reported (its GS, to invalidate exactly that replica). */
export interface CorruptReplica {
  readonly reason: CorruptReason;
  readonly replica: Block;
}

export class CorruptReplicasMap {
  private readonly map = new Map<BlockId, Map<DatanodeName, CorruptReplica>>();

  add(b: BlockId, dn: DatanodeName, reason: CorruptReason, replica: Block): void {
    let m = this.map.get(b);
    if (m === undefined) {
      m = new Map();
      this.map.set(b, m);
    }
    m.set(dn, { reason, replica });
  }

  /** removeFromCorruptReplicasMap(block[, node]). */
  remove(b: BlockId, dn?: DatanodeName): boolean {
    const m = this.map.get(b);
    if (m === undefined) return false;
    if (dn === undefined) {
      this.map.delete(b);
      return true;
    }
    const had = m.delete(dn);
    if (m.size === 0) this.map.delete(b);
    return had;
  }

  isReplicaCorrupt(b: BlockId, dn: DatanodeName): boolean {
    return this.map.get(b)?.has(dn) ?? false;
  }

  getNodes(b: BlockId): DatanodeName[] {
    return [...(this.map.get(b)?.keys() ?? [])];
  }

  numCorruptReplicas(b: BlockId): number {
    return this.map.get(b)?.size ?? 0;
  }

  get(b: BlockId, dn: DatanodeName): CorruptReplica | undefined {
    return this.map.get(b)?.get(dn);
  }

  size(): number {
    return this.map.size;
  }

  blocks(): BlockId[] {
    return [...this.map.keys()];
  }
}

export class ExcessRedundancyMap {
  private readonly map = new Map<DatanodeName, Set<BlockId>>();

  add(dn: DatanodeName, b: BlockId): boolean {
    let s = this.map.get(dn);
    if (s === undefined) {
      s = new Set();
      this.map.set(dn, s);
    }
    if (s.has(b)) return false;
    s.add(b);
    return true;
  }

  contains(dn: DatanodeName, b: BlockId): boolean {
    return this.map.get(dn)?.has(b) ?? false;
  }

  remove(dn: DatanodeName, b: BlockId): boolean {
    const s = this.map.get(dn);
    if (s === undefined) return false;
    const had = s.delete(b);
    if (s.size === 0) this.map.delete(dn);
    return had;
  }

  size(): number {
    let n = 0;
    for (const s of this.map.values()) n += s.size;
    return n;
  }
}
