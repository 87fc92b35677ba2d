// Byte encoding for what ZooKeeper writes to disk and to the wire: the big-endian writer and reader
// (jute's BinaryOutputArchive in spirit; they live in sim/core/data-io.ts, HDFS uses them too),
// the Adler32 checksum FileTxnLog and FileSnap use, and a 52-bit mixing hash for digests.

export { ByteReader, ByteWriter, ShortRead } from '../core/data-io.ts';

/** Adler-32 (RFC 1950), the checksum java.util.zip.Adler32 computes for FileTxnLog records. */
export function adler32(data: Uint8Array, start = 0, end = data.length): number {
  let a = 1;
  let b = 0;
  const NMAX = 5552;
  let i = start;
  while (i < end) {
    const stop = Math.min(end, i + NMAX);
    for (; i < stop; i++) {
      a += data[i]!;
      b += a;
    }
    a %= 65521;
    b %= 65521;
  }
  return ((b << 16) | a) >>> 0;
}

/**
 * A 52-bit hash of bytes: two independent 32-bit FNV-1a style lanes combined. Used as a txn digest
 * and, chained, as the digest of a committed history (ZooKeeper 3.6 keeps a digest of the data
 * tree in its log and snapshots for the same purpose: detecting replicas that diverged).
 */
export function hashBytes(data: Uint8Array): number {
  let h1 = 0x811c9dc5;
  let h2 = 0x01000193 ^ data.length;
  for (let i = 0; i < data.length; i++) {
    const c = data[i]!;
    h1 = Math.imul(h1 ^ c, 0x01000193);
    h2 = Math.imul(h2 ^ c, 0x5bd1e995);
    h2 ^= h2 >>> 15;
  }
  return combine(h1, h2);
}

/** Chains a history digest: the digest of (history so far, next txn). */
export function chainHash(prev: number, zxid: number, txnDigest: number): number {
  let h1 = (prev % 0x1_0000_0000) ^ 0x9e3779b9;
  let h2 = Math.floor(prev / 0x1_0000_0000) ^ 0x85ebca6b;
  h1 = Math.imul(h1 ^ (zxid % 0x1_0000_0000), 0xcc9e2d51);
  h1 = Math.imul(h1 ^ Math.floor(zxid / 0x1_0000_0000), 0x1b873593);
  h2 = Math.imul(h2 ^ (txnDigest % 0x1_0000_0000), 0xe6546b64);
  h2 = Math.imul(h2 ^ Math.floor(txnDigest / 0x1_0000_0000), 0x2545f491);
  h1 ^= h2 >>> 13;
  h2 ^= h1 >>> 17;
  return combine(h1, h2);
}

function combine(h1: number, h2: number): number {
  return ((h2 >>> 0) & 0xfffff) * 0x1_0000_0000 + (h1 >>> 0);
}
