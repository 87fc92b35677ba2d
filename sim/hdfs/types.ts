// Shared vocabulary of dsim's HDFS (Hadoop 3.3 unless hdfs.version says otherwise). The NameNode,
// the DataNodes and the client all speak in these terms; names follow Hadoop's own classes
// (org.apache.hadoop.hdfs.protocol.Block, ExtendedBlock, DatanodeID, HdfsServerConstants).

/** A block id (Block.blockId). Allocated by the NameNode's SequentialBlockIdGenerator. */
export type BlockId = number & { readonly __brand: 'BlockId' };
/** A generation stamp (Block.generationStamp). Bumped by pipeline and lease recovery. */
export type GenStamp = number & { readonly __brand: 'GenStamp' };
/** An edit-log transaction id. */
export type TxId = number & { readonly __brand: 'TxId' };
/** A DataNode's identity: its process name (dn-N); the NameNode keys DatanodeDescriptors by it. */
export type DatanodeName = string & { readonly __brand: 'DatanodeName' };

/** org.apache.hadoop.hdfs.protocol.Block: id, generation stamp, length in bytes. */
export interface Block {
  readonly blockId: BlockId;
  readonly genStamp: GenStamp;
  readonly numBytes: number;
}

/** The states of a replica on a DataNode (HdfsServerConstants.ReplicaState). */
export type ReplicaState = 'FINALIZED' | 'RBW' | 'RWR' | 'RUR' | 'TEMPORARY';

/** The states of a block at the NameNode (HdfsServerConstants.BlockUCState). */
export type BlockUCState = 'COMPLETE' | 'UNDER_CONSTRUCTION' | 'UNDER_RECOVERY' | 'COMMITTED';

/** dfs.bytes-per-checksum: a CRC32C per this many bytes of block data. */
export const BYTES_PER_CHECKSUM_DEFAULT = 512;

export function blockName(b: Pick<Block, 'blockId' | 'genStamp'>): string {
  return `blk_${b.blockId}_${b.genStamp}`;
}
