// Fast, deterministic, non-cryptographic hashing for trace identity. Two 32-bit lanes give a
// 64-bit digest printed as 16 hex digits. Pure integer arithmetic: no allocation per update.

export class Hash64 {
  private h1 = 0x9747b28c | 0;
  private h2 = 0x85ebca6b | 0;

  /** Mixes one 32-bit integer into both lanes (murmur3-style round). */
  int(v: number): this {
    let k = Math.imul(v | 0, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, 0x1b873593);
    let h1 = this.h1 ^ k;
    h1 = (h1 << 13) | (h1 >>> 19);
    this.h1 = (Math.imul(h1, 5) + 0xe6546b64) | 0;
    let h2 = this.h2 ^ Math.imul(k, 0x27d4eb2f);
    h2 = (h2 << 17) | (h2 >>> 15);
    this.h2 = (Math.imul(h2, 0x165667b1) + this.h1) | 0;
    return this;
  }

  /** Mixes a non-negative integer up to 2^53 (e.g. a time in microseconds). */
  num(v: number): this {
    this.int(v >>> 0);
    return this.int(Math.floor(v / 4294967296));
  }

  str(s: string): this {
    this.int(s.length);
    for (let i = 0; i < s.length; i++) this.int(s.charCodeAt(i));
    return this;
  }

  hex(): string {
    const f = (h: number): number => {
      h ^= h >>> 16;
      h = Math.imul(h, 0x85ebca6b);
      h ^= h >>> 13;
      h = Math.imul(h, 0xc2b2ae35);
      h ^= h >>> 16;
      return h >>> 0;
    };
    const a = f(this.h1 ^ this.h2);
    const b = f(this.h2 + Math.imul(this.h1, 31));
    return a.toString(16).padStart(8, '0') + b.toString(16).padStart(8, '0');
  }
}

/** 32-bit FNV-1a of a string: cheap, stable ids for message type names. */
export function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}
