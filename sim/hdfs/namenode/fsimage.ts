import { ByteReader, ByteWriter, ShortRead } from '../../core/data-io.ts';
import type { BlockId, GenStamp, TxId } from '../types.ts';
import { Namespace, ROOT_INODE_ID, type BlockInfo, type INode } from './namespace.ts';

// The fsimage: the namespace at a txid (FSImage.saveFSImage / FSImageFormat.Loader).
//
// Deviation (README): Hadoop 3.3 writes FSImageFormatProtobuf: the magic "HDFSIMG1", protobuf
// sections (NS_INFO, INODE, INODE_DIR, FILES_UNDERCONSTRUCTION, ...) and a FileSummary at the end.
// dsim keeps the magic and the content and uses a flat binary layout:
//   "HDFSIMG1" | layoutVersion:i32 | namespaceId:i32 | txid:i64 | genStamp:i64 | lastBlockId:i64 |
//   lastInodeId:i64 | inodeCount:i32 | inodes in pre-order
// an inode: id:i64 | parentId:i64 (0: root) | name | kind:u8 (1 dir, 2 file) | mtime:i64, and for a
// file: replication:i32 | blockSize:i64 | atime:i64 | blocks (i32 count, each id, length, GS:i64) |
// underConstruction:u8 [clientName, clientMachine]. Integrity is the .md5 file beside it.

export const IMAGE_MAGIC = 'HDFSIMG1';

export interface ImageInfo {
  readonly layoutVersion: number;
  readonly namespaceId: number;
  readonly txid: TxId;
}

export function serializeImage(ns: Namespace, info: { layoutVersion: number; namespaceId: number }): Uint8Array {
  const w = new ByteWriter(4096);
  for (let i = 0; i < IMAGE_MAGIC.length; i++) w.u8(IMAGE_MAGIC.charCodeAt(i));
  w.i32(info.layoutVersion).i32(info.namespaceId).i64(ns.lastAppliedTxId).i64(ns.genStamp).i64(ns.lastBlockId).i64(ns.lastInodeId);
  w.i32(ns.inodeCount);
  for (const n of ns.walk()) {
    w.i64(n.id).i64(n.parent === null ? 0 : n.parent.id).str(n.name).u8(n.kind === 'dir' ? 1 : 2).i64(n.mtimeMs);
    if (n.kind === 'file') {
      w.i32(n.replication).i64(n.blockSize).i64(n.atimeMs).i32(n.blocks.length);
      for (const b of n.blocks) w.i64(b.blockId).i64(b.numBytes).i64(b.genStamp);
      w.bool(n.uc !== null);
      if (n.uc !== null) w.str(n.uc.clientName).str(n.uc.clientMachine);
    }
  }
  return w.finish();
}

/** Loads an image; a string names what is wrong with it. */
export function deserializeImage(bytes: Uint8Array): { ns: Namespace; info: ImageInfo } | string {
  const r = new ByteReader(bytes);
  try {
    for (let i = 0; i < IMAGE_MAGIC.length; i++) {
      if (r.u8() !== IMAGE_MAGIC.charCodeAt(i)) return 'bad magic (not an fsimage)';
    }
    const layoutVersion = r.i32();
    const namespaceId = r.i32();
    const txid = r.i64() as TxId;
    const genStamp = r.i64() as GenStamp;
    const lastBlockId = r.i64() as BlockId;
    const lastInodeId = r.i64();
    const count = r.i32();
    const ns = new Namespace();
    for (let i = 0; i < count; i++) {
      const id = r.i64();
      const parentId = r.i64();
      const name = r.str();
      const kind = r.u8();
      const mtimeMs = r.i64();
      let n: INode;
      if (kind === 1) {
        n = { kind: 'dir', id, name, parent: null, children: new Map(), mtimeMs };
      } else if (kind === 2) {
        const replication = r.i32();
        const blockSize = r.i64();
        const atimeMs = r.i64();
        const nb = r.i32();
        if (nb < 0 || nb > r.remaining / 24) return `bad block count ${nb} for inode ${id}`;
        const blocks: BlockInfo[] = [];
        for (let j = 0; j < nb; j++) {
          const blockId = r.i64() as BlockId;
          const numBytes = r.i64();
          blocks.push({ blockId, numBytes, genStamp: r.i64() as GenStamp, state: 'COMPLETE' });
        }
        const uc = r.bool() ? { clientName: r.str(), clientMachine: r.str() } : null;
        // FSImageFormatPBINode.loadINodeFile: the last block of a file under construction is under construction.
        if (uc !== null && blocks.length > 0) blocks[blocks.length - 1]!.state = 'UNDER_CONSTRUCTION';
        n = { kind: 'file', id, name, parent: null, replication, blockSize, blocks, mtimeMs, atimeMs, uc };
      } else {
        return `bad inode kind ${kind} for inode ${id}`;
      }
      if (i === 0 && (parentId !== 0 || id !== ROOT_INODE_ID)) return 'the first inode is not the root';
      ns.loadInode(i === 0 ? null : parentId, n);
    }
    if (r.remaining !== 0) return `${r.remaining} trailing bytes`;
    ns.setCounters({ lastInodeId, genStamp, lastBlockId, lastAppliedTxId: txid });
    return { ns, info: { layoutVersion, namespaceId, txid } };
  } catch (e) {
    if (e instanceof ShortRead) return `truncated image: ${e.message}`;
    throw e;
  }
}
