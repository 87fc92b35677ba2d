// CRC-32C (Castagnoli), the checksum of Kafka's record batch v2 (org.apache.kafka.common.utils.Crc32C)
// and of HDFS chunks. Reflected polynomial 0x82F63B78, initial value and final xor 0xFFFFFFFF.
// Table-driven, slicing-by-8: eight 256-entry tables let the main loop consume 8 bytes per step.

const POLY = 0x82f63b78;

/** T[k * 256 + b]: the CRC of byte b followed by k zero bytes. */
const T = new Int32Array(8 * 256);
for (let b = 0; b < 256; b++) {
  let c = b;
  for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ POLY : c >>> 1;
  T[b] = c;
}
for (let b = 0; b < 256; b++) {
  for (let k = 1; k < 8; k++) {
    const prev = T[(k - 1) * 256 + b]!;
    T[k * 256 + b] = (prev >>> 8) ^ T[prev & 0xff]!;
  }
}

/** Continues a CRC over data[start, end): pass 0 to start a new one. Returns an unsigned 32-bit value. */
export function crc32cUpdate(crc: number, data: Uint8Array, start = 0, end = data.length): number {
  let c = ~crc;
  let i = start;
  for (; i + 8 <= end; i += 8) {
    const lo = c ^ (data[i]! | (data[i + 1]! << 8) | (data[i + 2]! << 16) | (data[i + 3]! << 24));
    c = T[7 * 256 + (lo & 0xff)]! ^ T[6 * 256 + ((lo >>> 8) & 0xff)]! ^ T[5 * 256 + ((lo >>> 16) & 0xff)]! ^ T[4 * 256 + (lo >>> 24)]!
      ^ T[3 * 256 + data[i + 4]!]! ^ T[2 * 256 + data[i + 5]!]! ^ T[256 + data[i + 6]!]! ^ T[data[i + 7]!]!;
  }
  for (; i < end; i++) c = (c >>> 8) ^ T[(c ^ data[i]!) & 0xff]!;
  return ~c >>> 0;
}

/** CRC-32C of data[start, end), unsigned. */
export function crc32c(data: Uint8Array, start = 0, end = data.length): number {
  return crc32cUpdate(0, data, start, end);
}

/** Bit-at-a-time reference implementation, for tests of the table-driven one. */
export function crc32cReference(data: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < data.length; i++) {
    c ^= data[i]!;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ POLY : c >>> 1;
  }
  return (c ^ 0xffffffff) >>> 0;
}
