import { invariant } from '../../core/invariant.ts';
import { chunksOf } from '../content.ts';
import { PACKET_HEADER_BYTES } from '../protocol-dt.ts';

// DFSOutputStream's packet building: bytes written by the application go into packets of
// chunksPerPacket chunks (DFSOutputStream.computePacketChunkSize: (writePacketSize - header) /
// (bytesPerChecksum + checksum size), 126 chunks = 64,512 bytes by default); a packet never spans
// two blocks; the end of a block is an empty packet with lastPacketInBlock. hflush/hsync send the
// current packet early, ending in a partial chunk; the stream then rolls back to that chunk's start
// and sends it again, whole, in the next packet (DFSOutputStream.flushOrSync keeps the partial
// chunk in its buffer), so every packet starts on a chunk boundary.

export interface WritePacket {
  readonly seqno: number;
  readonly offsetInBlock: number;
  readonly dataLen: number;
  readonly words: readonly number[];
  readonly lens: readonly number[];
  readonly checksums: readonly number[];
  readonly last: boolean;
  readonly sync: boolean;
}

export function chunksPerPacket(writePacketSize: number, bytesPerChecksum: number): number {
  return Math.max(1, Math.floor((writePacketSize - PACKET_HEADER_BYTES) / (bytesPerChecksum + 4)));
}

/** The write side of one file: where the application is, and the packets it produced. */
export class PacketBuilder {
  /** Index of the block being written (blocks are full-size except the last). */
  blockIndex = 0;
  /** Bytes of the current block the application has written (DataStreamer.bytesCurBlock). */
  bytesCurBlock = 0;
  /** Where the next packet starts in the block (a chunk boundary). */
  packetStart = 0;
  /** Bytes written in total. */
  written = 0;
  private nextSeqno = 0;
  private readonly packetDataMax: number;

  constructor(private readonly seed: number, readonly blockSize: number, private readonly bpc: number, writePacketSize: number) {
    invariant(blockSize % bpc === 0, `dfs.blocksize ${blockSize} is not a multiple of dfs.bytes-per-checksum ${bpc}`);
    this.packetDataMax = chunksPerPacket(writePacketSize, bpc) * bpc;
  }

  get lastSeqno(): number {
    return this.nextSeqno - 1;
  }

  /** Bytes the application may still write into the current packet before it is full. */
  private roomInPacket(): number {
    return Math.min(this.packetStart + this.packetDataMax, this.blockSize) - this.bytesCurBlock;
  }

  /**
   * Writes up to `n` bytes; returns the packets that became full (and the end-of-block packet)
   * and how many bytes were taken.
   */
  write(n: number, out: WritePacket[]): number {
    let taken = 0;
    while (taken < n) {
      const take = Math.min(n - taken, this.roomInPacket());
      this.bytesCurBlock += take;
      this.written += take;
      taken += take;
      if (this.roomInPacket() === 0) {
        out.push(this.cut(false));
        if (this.bytesCurBlock === this.blockSize) out.push(...this.endBlock());
      }
    }
    return taken;
  }

  /** The current partial packet, for hflush/hsync (null when there is nothing new to send). */
  flush(sync: boolean): WritePacket | null {
    if (this.bytesCurBlock === this.packetStart) {
      // Nothing new: hsync still sends an empty packet with syncBlock so every DataNode fsyncs.
      if (!sync || this.bytesCurBlock === 0) return null;
      return this.packet(this.bytesCurBlock, 0, false, true);
    }
    const p = this.cut(sync);
    return p;
  }

  /** The packets that end the file: the partial packet and the end-of-block packet. */
  close(out: WritePacket[]): void {
    if (this.bytesCurBlock > this.packetStart) out.push(this.cut(false));
    if (this.bytesCurBlock > 0) out.push(...this.endBlock());
  }

  private cut(sync: boolean): WritePacket {
    const start = this.packetStart;
    const len = this.bytesCurBlock - start;
    const p = this.packet(start, len, false, sync);
    // A partial last chunk is resent whole by the next packet: roll back to its start.
    this.packetStart = this.bytesCurBlock - (this.bytesCurBlock % this.bpc);
    return p;
  }

  private endBlock(): WritePacket[] {
    const last = this.packet(this.bytesCurBlock, 0, true, false);
    this.blockIndex++;
    this.bytesCurBlock = 0;
    this.packetStart = 0;
    return [last];
  }

  private packet(offsetInBlock: number, dataLen: number, last: boolean, sync: boolean): WritePacket {
    const fileOffset = this.blockIndex * this.blockSize + offsetInBlock;
    const c = dataLen > 0 ? chunksOf(this.seed, fileOffset, dataLen, this.bpc) : { words: [], lens: [], checksums: [] };
    return { seqno: this.nextSeqno++, offsetInBlock, dataLen, words: c.words, lens: c.lens, checksums: c.checksums, last, sync };
  }
}
