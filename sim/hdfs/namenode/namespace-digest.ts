import { Hash64 } from '../../core/hash.ts';
import type { INode } from './namespace.ts';

// The per-inode hash behind Namespace.digest(): everything an fsimage and the edit log persist about
// an inode (id, parent id, name, kind, replication, block size, times, blocks with id, GS and length,
// lease holder). The in-memory block state (COMMITTED, UNDER_RECOVERY) is not persisted, so it is
// not hashed. Two lanes of 32 bits, summed over inodes by the namespace.

export function hashInode(n: INode): [number, number] {
  const h = new Hash64();
  h.num(n.id).num(n.parent === null ? 0 : n.parent.id).str(n.name).num(n.mtimeMs);
  if (n.kind === 'file') {
    h.int(1).int(n.replication).num(n.blockSize).num(n.atimeMs).int(n.blocks.length);
    for (const b of n.blocks) h.num(b.blockId).num(b.genStamp).num(b.numBytes);
    if (n.uc !== null) h.str(n.uc.clientName).str(n.uc.clientMachine);
    else h.int(-1);
  } else {
    h.int(2);
  }
  const hex = h.hex();
  return [parseInt(hex.slice(0, 8), 16) | 0, parseInt(hex.slice(8), 16) | 0];
}
