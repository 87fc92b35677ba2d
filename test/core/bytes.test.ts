import { describe, expect, it } from 'vitest';
import { allocBytes, copyBytes } from '../../sim/core/bytes.ts';

describe('slab byte arrays', () => {
  it('hands out zeroed regions that never overlap, across slab boundaries', () => {
    const regions: Uint8Array[] = [];
    for (let i = 0; i < 2000; i++) {
      const r = allocBytes(1 + (i % 300));
      expect(r.length).toBe(1 + (i % 300));
      expect(r.every((b) => b === 0)).toBe(true);
      r.fill(i & 255 || 1);
      regions.push(r);
    }
    // Writing every region with its own byte left every other region intact.
    regions.forEach((r, i) => expect(r.every((b) => b === (i & 255 || 1))).toBe(true));
  });

  it('gives large requests their own buffer', () => {
    const big = allocBytes(100_000);
    expect(big.length).toBe(100_000);
    expect(big.byteOffset).toBe(0);
    expect(big.buffer.byteLength).toBe(100_000);
  });

  it('copyBytes is a copy: changing either side leaves the other alone', () => {
    const src = Uint8Array.from([1, 2, 3, 4, 5]);
    const c = copyBytes(src);
    expect([...c]).toEqual([1, 2, 3, 4, 5]);
    c[0] = 9;
    src[1] = 8;
    expect([...src]).toEqual([1, 8, 3, 4, 5]);
    expect([...c]).toEqual([9, 2, 3, 4, 5]);
  });
});
