import { describe, expect, it } from 'vitest';
import { crc32 } from '../../sim/core/crc32.ts';

describe('crc32', () => {
  it('matches the standard check value and known vectors', () => {
    const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
    expect(crc32(enc('123456789'))).toBe(0xcbf43926); // the CRC-32/ISO-HDLC check value
    expect(crc32(enc(''))).toBe(0);
    expect(crc32(enc('The quick brown fox jumps over the lazy dog'))).toBe(0x414fa339);
  });

  it('checksums a sub-range and chains through a seed', () => {
    const b = new TextEncoder().encode('xx123456789yy');
    expect(crc32(b, 2, 11)).toBe(0xcbf43926);
    const whole = crc32(new TextEncoder().encode('123456789'));
    const first = crc32(b, 2, 6);
    expect(crc32(b, 6, 11, first)).toBe(whole);
  });
});
