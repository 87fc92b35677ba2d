import { crc32c } from '../core/crc32c.ts';
import { Hash64 } from '../core/hash.ts';
import { invariant } from '../core/invariant.ts';

// The virtual content of HDFS files (DESIGN.md: bulk payload is size plus digest).
//
// Model. The bytes of a file are a pure function of the file's content seed and their offset. dsim
// never materializes them: a chunk of `dfs.bytes-per-checksum` bytes (512) is represented by its
// CHUNK WORD, a 32-bit digest of (seed, chunk index in the file), and its length: the first `len`
// bytes of a chunk are (word, len), so a chunk cut short (truncation to an hflushed length during
// recovery) keeps its word and only its length changes, as a real prefix would. Chunk boundaries
// are file-global because dfs.blocksize is a multiple of bytes-per-checksum (Hadoop requires it),
// so a block never splits a chunk and the words do not depend on where blocks end.
//
// On a DataNode's disk, the block file holds one 8-byte CHUNK RECORD per chunk: the word (u32 LE)
// and the chunk's byte length (u32 LE, 1..bytesPerChecksum; only the last chunk may be short). The
// `.meta` file is laid out as Hadoop's (BlockMetadataHeader: u16 version 1, u8 checksum type
// CRC32C = 2, u32 bytesPerChecksum, then a u32 checksum per chunk), and each checksum is the
// CRC32C of the chunk's record. A bit flipped anywhere in a record or in a stored checksum
// therefore fails verification of exactly that chunk, where Hadoop would fail it: in the reading
// client, the block scanner, a transfer's receiver, and restart recovery of an RBW replica.
// Deviation (README): the CRC covers the 8-byte stand-in of the chunk, not 512 real bytes, and the
// disk sees 8 bytes per chunk, not 512.

export const CHUNK_RECORD_BYTES = 8;
/** BlockMetadataHeader: version (2) + DataChecksum header: type (1) + bytesPerChecksum (4). */
export const META_HEADER_BYTES = 7;
export const META_VERSION = 1;
/** DataChecksum.Type.CRC32C.id */
export const CHECKSUM_TYPE_CRC32C = 2;
export const CHECKSUM_BYTES = 4;

/** The word of the chunk `chunkIndex` (file-global) of the file with `seed`. */
export function chunkWord(seed: number, chunkIndex: number): number {
  let h = Math.imul(seed ^ 0x5bd1e995, 0x27d4eb2f) ^ Math.imul(chunkIndex + 1, 0x165667b1);
  h ^= h >>> 15;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** The 8-byte record of a chunk, as stored in a block file and carried in packets. */
export function encodeRecord(word: number, len: number, out: Uint8Array, at: number): void {
  const v = new DataView(out.buffer, out.byteOffset, out.byteLength);
  v.setUint32(at, word >>> 0, true);
  v.setUint32(at + 4, len >>> 0, true);
}

const recordScratch = new Uint8Array(CHUNK_RECORD_BYTES);

/** The CRC32C a .meta file stores for a chunk with this word and length. */
export function chunkChecksum(word: number, len: number): number {
  // The record's little-endian bytes, written without a DataView (this runs for every chunk).
  const b = recordScratch;
  b[0] = word & 0xff;
  b[1] = (word >>> 8) & 0xff;
  b[2] = (word >>> 16) & 0xff;
  b[3] = word >>> 24;
  b[4] = len & 0xff;
  b[5] = (len >>> 8) & 0xff;
  b[6] = (len >>> 16) & 0xff;
  b[7] = len >>> 24;
  return crc32c(b);
}

/** Chunks of a byte range: the words and checksums a writer sends for file bytes [fileOffset, +len). */
export interface ChunkRun {
  readonly words: number[];
  readonly lens: number[];
  readonly checksums: number[];
}

/**
 * The chunks covering [fileOffset, fileOffset + length) of a file: fileOffset must be chunk-aligned
 * (a packet starts on a chunk boundary; after an hflush of a partial chunk the writer resends that
 * chunk whole, as DFSOutputStream does).
 */
export function chunksOf(seed: number, fileOffset: number, length: number, bytesPerChecksum: number): ChunkRun {
  invariant(fileOffset % bytesPerChecksum === 0, `chunk run must start on a chunk boundary (offset ${fileOffset})`);
  const words: number[] = [];
  const lens: number[] = [];
  const checksums: number[] = [];
  for (let off = 0; off < length; off += bytesPerChecksum) {
    const len = Math.min(bytesPerChecksum, length - off);
    const w = chunkWord(seed, (fileOffset + off) / bytesPerChecksum);
    words.push(w);
    lens.push(len);
    checksums.push(chunkChecksum(w, len));
  }
  return { words, lens, checksums };
}

/** A digest of a run of chunks (words and lengths): what the durability checker compares. */
export function chunksDigest(words: readonly number[], lens: readonly number[]): string {
  const h = new Hash64();
  let length = 0;
  for (let i = 0; i < words.length; i++) {
    h.int(words[i]!).int(lens[i]!);
    length += lens[i]!;
  }
  return `${length}:${h.hex()}`;
}

/** The digest the first `length` bytes of a file with `seed` must have. */
export function expectedDigest(seed: number, length: number, bytesPerChecksum: number): string {
  const words: number[] = [];
  const lens: number[] = [];
  for (let off = 0; off < length; off += bytesPerChecksum) {
    words.push(chunkWord(seed, off / bytesPerChecksum));
    lens.push(Math.min(bytesPerChecksum, length - off));
  }
  return chunksDigest(words, lens);
}

/** A stable content seed for a path (the workload may use any number). */
export function seedOfPath(path: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < path.length; i++) h = Math.imul(h ^ path.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/**
 * Verifies chunks against their checksums (DataChecksum.verifyChunkedSums): the index of the first
 * chunk whose checksum does not match, or -1 when all match.
 */
export function firstBadChunk(words: readonly number[], lens: readonly number[], checksums: readonly number[]): number {
  for (let i = 0; i < words.length; i++) {
    if (chunkChecksum(words[i]!, lens[i]!) !== checksums[i]) return i;
  }
  return -1;
}
