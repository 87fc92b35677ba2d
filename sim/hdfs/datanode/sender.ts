import type { DtReadPacket } from '../protocol-dt.ts';
import type { Block } from '../types.ts';
import type { FsDataset } from './dataset.ts';
import type { Replica } from './replica.ts';

// BlockSender: reads a replica's chunk records with their STORED checksums and cuts them into
// packets. It does not verify (DataXceiver.readBlock creates it with verifyChecksum=false): the
// client, or the receiving DataNode of a transfer, verifies, which is where HDFS detects a corrupt
// replica.

/** The GS rule of BlockSender's constructor: a replica older than the block asked for is never served. */
export const senderRules = {
  /** Replica gen stamp < block genstamp: refuse (Hadoop throws IOException). */
  refusesStale(replica: Replica, block: Block): boolean {
    return replica.genStamp < block.genStamp;
  },
};

export interface SendPlan {
  readonly chunkOffset: number;
  readonly packets: Omit<DtReadPacket, 'type' | 'xceiverId'>[];
}

/** Packets for [offset, offset + length) of the replica, clipped to its visible length. */
export function planSend(ds: FsDataset, r: Replica, visibleLen: number, offset: number, length: number, packetBytes: number): SendPlan | string {
  const bpc = ds.bytesPerChecksum;
  if (offset < 0 || offset > visibleLen) return `Offset ${offset} and length ${length} don't match block (blockLen ${visibleLen})`;
  const end = Math.min(visibleLen, offset + length);
  const chunkOffset = Math.floor(offset / bpc) * bpc;
  const chunksPerPacket = Math.max(1, Math.floor(packetBytes / bpc));
  const packets: Omit<DtReadPacket, 'type' | 'xceiverId'>[] = [];
  let seqno = 0;
  for (let at = chunkOffset; at < end; at += chunksPerPacket * bpc) {
    const first = at / bpc;
    const count = Math.min(chunksPerPacket, Math.ceil((end - at) / bpc));
    const c = ds.readChunks(r, first, count);
    if (c === null || c.words.length < count) return `could not read blk_${r.blockId} at ${at}`;
    // The last chunk may reach past the requested end (whole chunks travel with their checksums):
    // the client ignores the bytes it did not ask for.
    const lens = c.lens;
    const dataLen = lens.reduce((s, l) => s + l, 0);
    packets.push({ seqno: seqno++, offsetInBlock: at, lastPacketInBlock: false, dataLen, words: c.words, lens, checksums: c.checksums });
  }
  packets.push({ seqno: seqno++, offsetInBlock: end, lastPacketInBlock: true, dataLen: 0, words: [], lens: [], checksums: [] });
  return { chunkOffset, packets };
}
