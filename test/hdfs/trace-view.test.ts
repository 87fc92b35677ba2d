import { describe, expect, it } from 'vitest';
import '../../sim/hdfs/protocol-dt.ts'; // registers the trace views (the DataNode and client load it the same way)
import type { DtPacket, DtReadPacket } from '../../sim/hdfs/protocol-dt.ts';
import { messageJson } from '../../sim/world/trace.ts';

// Packets are traced by their header and chunk count, not their chunk words and checksums (those
// were 95% of an hdfs-write-read trace: 2.7 KB per event, now under 400 B).

const words = Array.from({ length: 128 }, (_, i) => (i * 2654435761) >>> 0);

describe('HDFS trace views', () => {
  it('a DtPacket is traced as its PacketHeader and its chunk count', () => {
    const p: DtPacket = {
      type: 'DtPacket', xceiverId: 7, seqno: 3, offsetInBlock: 196608, lastPacketInBlock: false, syncBlock: true,
      dataLen: 65536, words, lens: words.map(() => 512), checksums: words,
    };
    expect(JSON.parse(messageJson(p))).toEqual({
      type: 'DtPacket', xceiverId: 7, seqno: 3, offsetInBlock: 196608, lastPacketInBlock: false, syncBlock: true, dataLen: 65536, chunks: 128,
    });
    expect(messageJson(p).length).toBeLessThan(200);
  });

  it('a DtReadPacket likewise', () => {
    const p: DtReadPacket = {
      type: 'DtReadPacket', xceiverId: 1, seqno: 0, offsetInBlock: 0, lastPacketInBlock: true, dataLen: 1000,
      words: words.slice(0, 2), lens: [512, 488], checksums: words.slice(0, 2),
    };
    expect(JSON.parse(messageJson(p))).toEqual({ type: 'DtReadPacket', xceiverId: 1, seqno: 0, offsetInBlock: 0, lastPacketInBlock: true, dataLen: 1000, chunks: 2 });
  });
});
