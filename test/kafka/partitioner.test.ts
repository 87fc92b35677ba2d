import { describe, expect, it } from 'vitest';
import { Rng } from '../../sim/core/rng.ts';
import { RoundRobinDefaultPartitioner, StickyDefaultPartitioner, keyedPartition, murmur2, toPositive } from '../../sim/kafka/partitioner.ts';

const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);

describe('murmur2 (Utils.murmur2)', () => {
  // The vectors of Kafka's UtilsTest.testMurmur2.
  it.each([
    ['21', -973932308],
    ['foobar', -790332482],
    ['a-little-bit-long-string', -985981536],
    ['a-little-bit-longer-string', -1486304829],
    ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971],
    ['abc', 479470107],
  ])('murmur2(%s) = %i', (s, expected) => {
    expect(murmur2(bytes(s))).toBe(expected);
  });

  it('toPositive clears the sign bit, so MIN_VALUE maps to 0', () => {
    expect(toPositive(-2147483648)).toBe(0);
    expect(toPositive(-1)).toBe(2147483647);
    expect(toPositive(5)).toBe(5);
  });

  it('keyed partition is toPositive(murmur2(key)) % n', () => {
    expect(keyedPartition(bytes('foobar'), 6)).toBe(toPositive(-790332482) % 6);
  });
});

describe('null-key partitioners', () => {
  const meta = { numPartitions: 6, availablePartitions: [0, 1, 2, 4, 5] };

  it('round-robin (< 2.4) walks the available partitions in order from a random start', () => {
    const p = new RoundRobinDefaultPartitioner(new Rng(1));
    const seq = Array.from({ length: 10 }, () => p.partition('t', null, meta));
    expect(new Set(seq)).toEqual(new Set([0, 1, 2, 4, 5]));
    for (let i = 1; i < seq.length; i++) {
      const prev = meta.availablePartitions.indexOf(seq[i - 1]!);
      expect(seq[i]).toBe(meta.availablePartitions[(prev + 1) % 5]);
    }
  });

  it('sticky (>= 2.4) keeps one partition until a new batch, then moves to a different available one', () => {
    const p = new StickyDefaultPartitioner(new Rng(2));
    const first = p.partition('t', null, meta);
    expect(meta.availablePartitions).toContain(first);
    for (let i = 0; i < 5; i++) expect(p.partition('t', null, meta)).toBe(first);
    p.onNewBatch('t', meta, first);
    const second = p.partition('t', null, meta);
    expect(second).not.toBe(first);
    expect(meta.availablePartitions).toContain(second);
    // A new batch on a partition that is not the sticky one changes nothing.
    p.onNewBatch('t', meta, first);
    expect(p.partition('t', null, meta)).toBe(second);
  });

  it('keyed records ignore availability', () => {
    const p = new StickyDefaultPartitioner(new Rng(3));
    expect(p.partition('t', bytes('foobar'), { numPartitions: 6, availablePartitions: [] })).toBe(keyedPartition(bytes('foobar'), 6));
  });
});
