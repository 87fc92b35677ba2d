import { describe, expect, it } from 'vitest';
import { crc32c, crc32cReference, crc32cUpdate } from '../../sim/kafka/crc32c.ts';
import { Rng } from '../../sim/core/rng.ts';

const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);

describe('CRC-32C (Castagnoli)', () => {
  it('matches the standard check value of "123456789"', () => {
    expect(crc32c(bytes('123456789'))).toBe(0xe3069283);
  });

  it('matches Kafka\'s Crc32CTest.testValue', () => {
    expect(crc32c(bytes('Some String'))).toBe(608512271);
  });

  it('is 0 for no data and matches RFC 3720 vectors (32 zero bytes, 32 0xff bytes)', () => {
    expect(crc32c(new Uint8Array(0))).toBe(0);
    expect(crc32c(new Uint8Array(32))).toBe(0x8a9136aa);
    expect(crc32c(new Uint8Array(32).fill(0xff))).toBe(0x62a8ab43);
  });

  it('gives the same value in one call, in pieces, and by the bit-at-a-time reference', () => {
    const rng = new Rng(7);
    for (let n = 0; n < 200; n += 7) {
      const data = new Uint8Array(n);
      for (let i = 0; i < n; i++) data[i] = rng.int(0, 255);
      const whole = crc32c(data);
      expect(whole).toBe(crc32cReference(data));
      const half = n >> 1;
      expect(crc32cUpdate(crc32cUpdate(0, data, 0, half), data, half, n)).toBe(whole);
    }
  });
});
