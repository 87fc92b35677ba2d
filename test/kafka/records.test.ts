import { describe, expect, it } from 'vitest';
import { crc32c } from '../../sim/kafka/crc32c.ts';
import {
  OFF_ATTRIBUTES, OFF_CRC, RECORD_BATCH_OVERHEAD, batchLastOffset, batchLeaderEpoch, checkBatch, encodeBatch, forEachBatch,
  fromUtf8, readBatchHeader, readRecords, readUint32, setBatchBaseOffset, setBatchLeaderEpoch, utf8, writeVarint, readVarint,
} from '../../sim/kafka/records.ts';

describe('record batch v2 encoding', () => {
  const batch = () => encodeBatch({
    baseTimestampMs: 1_700_000_000_000,
    records: [
      { key: null, value: utf8('p1-1') },
      { key: utf8('k'), value: utf8('p1-2'), timestampMs: 1_700_000_000_005 },
      { key: utf8('k2'), value: null, headers: [{ key: 'h', value: utf8('v') }] },
    ],
  });

  it('writes the 61-byte header Kafka writes', () => {
    const b = batch();
    const h = readBatchHeader(b);
    expect(h.magic).toBe(2);
    expect(h.sizeInBytes).toBe(b.length);
    expect(h.baseOffset).toBe(0);
    expect(h.lastOffset).toBe(2);
    expect(h.recordCount).toBe(3);
    expect(h.partitionLeaderEpoch).toBe(-1);
    expect(h.producerId).toBe(-1);
    expect(h.producerEpoch).toBe(-1);
    expect(h.baseSequence).toBe(-1);
    expect(h.baseTimestampMs).toBe(1_700_000_000_000);
    expect(h.maxTimestampMs).toBe(1_700_000_000_005);
    expect(b.length).toBeGreaterThan(RECORD_BATCH_OVERHEAD);
  });

  it('stores the CRC-32C of bytes from attributes to the end', () => {
    const b = batch();
    expect(readUint32(b, OFF_CRC)).toBe(crc32c(b, OFF_ATTRIBUTES, b.length));
    expect(checkBatch(b, 0, b.length)).toBe(b.length);
  });

  it('round-trips records: keys, values, nulls, timestamps, headers', () => {
    const recs = readRecords(batch());
    expect(recs.map((r) => r.offset)).toEqual([0, 1, 2]);
    expect(recs.map((r) => fromUtf8(r.value))).toEqual(['p1-1', 'p1-2', null]);
    expect(recs.map((r) => fromUtf8(r.key))).toEqual([null, 'k', 'k2']);
    expect(recs[1]!.timestampMs).toBe(1_700_000_000_005);
    expect(recs[2]!.headers).toHaveLength(1);
    expect(recs[2]!.headers[0]!.key).toBe('h');
  });

  it('lets the leader assign offsets and stamp its epoch without breaking the CRC', () => {
    const b = batch();
    setBatchBaseOffset(b, 0, 5_000_000_000);
    setBatchLeaderEpoch(b, 0, 7);
    expect(checkBatch(b, 0, b.length)).toBe(b.length);
    expect(batchLastOffset(b)).toBe(5_000_000_002);
    expect(batchLeaderEpoch(b)).toBe(7);
    expect(readRecords(b)[2]!.offset).toBe(5_000_000_002);
  });

  it('detects a flipped bit in the covered bytes with Kafka\'s message', () => {
    const b = batch();
    b[b.length - 3]! ^= 0x10;
    const r = checkBatch(b, 0, b.length);
    expect(typeof r).toBe('object');
    expect((r as { corrupt: string }).corrupt).toMatch(/^Record is corrupt \(stored crc = \d+, computed crc = \d+\)$/);
  });

  it('treats a torn tail as the end of data and a zeroed size as corrupt', () => {
    const b = batch();
    expect(checkBatch(b, 0, b.length - 1)).toBe('end');
    expect(checkBatch(b, 0, 10)).toBe('end');
    const z = new Uint8Array(40);
    expect(checkBatch(z, 0, z.length)).toEqual({ corrupt: 'Found record size 0 smaller than minimum record overhead (14) in file' });
  });

  it('walks concatenated batches and stops at the first bad one', () => {
    const a = batch();
    const c = batch();
    setBatchBaseOffset(c, 0, 3);
    const buf = new Uint8Array(a.length + c.length + 5);
    buf.set(a, 0);
    buf.set(c, a.length);
    const seen: number[] = [];
    const end = forEachBatch(buf, (p) => seen.push(p));
    expect(seen).toEqual([0, a.length]);
    expect(end).toBe(a.length + c.length);
  });

  it('encodes zigzag varints like ByteUtils (0, -1, 1, -64, 64, 2^31-1, large longs)', () => {
    const b = new Uint8Array(16);
    const cases: [number, number[]][] = [[0, [0]], [-1, [1]], [1, [2]], [-64, [127]], [64, [128, 1]], [300, [216, 4]]];
    for (const [v, enc] of cases) {
      const end = writeVarint(b, 0, v);
      expect([...b.subarray(0, end)]).toEqual(enc);
    }
    for (const v of [2147483647, -2147483648, 1_700_000_000_000, -1_700_000_000_000]) {
      const end = writeVarint(b, 0, v);
      expect(readVarint(b, { pos: 0 }, end)).toBe(v);
    }
  });
});

describe('UTF-8 values', () => {
  it('fromUtf8 decodes what utf8 encodes, as TextDecoder does: short ASCII, non-ASCII, long and empty strings', () => {
    const long = 'x'.repeat(65);
    for (const s of ['p1-42', '', 'k0', 'naïve-ü', '日本-1', long, `${long}é`, '\u0000\u007f']) {
      expect(fromUtf8(utf8(s))).toBe(s);
      expect(fromUtf8(utf8(s))).toBe(new TextDecoder().decode(new TextEncoder().encode(s)));
    }
    // Invalid UTF-8 decodes with replacement characters, as TextDecoder does.
    expect(fromUtf8(Uint8Array.from([0x61, 0xff, 0x62]))).toBe('a\ufffdb');
    expect(fromUtf8(null)).toBeNull();
  });
});
