// A big-endian writer and reader of the primitive encodings Java's DataOutputStream and jute's
// BinaryOutputArchive share: ints, longs, length-prefixed strings and buffers. ZooKeeper's txn log
// and snapshots and HDFS's edit log and fsimage are written with it (sim/zookeeper/bytes.ts,
// sim/hdfs/namenode/edit-ops.ts).

import { invariant } from './invariant.ts';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export class ByteWriter {
  private buf: Uint8Array;
  private view: DataView;
  length = 0;

  constructor(initialBytes = 256) {
    this.buf = new Uint8Array(initialBytes);
    this.view = new DataView(this.buf.buffer);
  }

  private ensure(extra: number): void {
    const need = this.length + extra;
    if (need <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < need) cap *= 2;
    const b = new Uint8Array(cap);
    b.set(this.buf.subarray(0, this.length));
    this.buf = b;
    this.view = new DataView(b.buffer);
  }

  u8(v: number): this {
    this.ensure(1);
    this.buf[this.length++] = v & 0xff;
    return this;
  }

  i32(v: number): this {
    this.ensure(4);
    this.view.setInt32(this.length, v);
    this.length += 4;
    return this;
  }

  u32(v: number): this {
    this.ensure(4);
    this.view.setUint32(this.length, v >>> 0);
    this.length += 4;
    return this;
  }

  /** A non-negative integer below 2^53 as a 64-bit big-endian long (zxids, session ids, times). */
  i64(v: number): this {
    invariant(Number.isSafeInteger(v), () => `i64: ${v} is not a safe integer`);
    const neg = v < 0;
    const a = Math.abs(v);
    let hi = Math.floor(a / 0x1_0000_0000);
    let lo = a % 0x1_0000_0000;
    if (neg) {
      // two's complement of the 64-bit value
      hi = ~hi >>> 0;
      lo = (~lo >>> 0) + 1;
      if (lo > 0xffff_ffff) {
        lo = 0;
        hi = (hi + 1) >>> 0;
      }
    }
    this.u32(hi);
    this.u32(lo);
    return this;
  }

  bytes(b: Uint8Array): this {
    this.i32(b.length);
    this.raw(b);
    return this;
  }

  raw(b: Uint8Array): this {
    this.ensure(b.length);
    this.buf.set(b, this.length);
    this.length += b.length;
    return this;
  }

  str(s: string): this {
    // ASCII fast path (paths and most data): one byte per char, no intermediate buffer.
    const n = s.length;
    let ascii = true;
    for (let i = 0; i < n; i++) {
      if (s.charCodeAt(i) > 0x7f) {
        ascii = false;
        break;
      }
    }
    if (!ascii) return this.bytes(encoder.encode(s));
    this.i32(n);
    this.ensure(n);
    for (let i = 0; i < n; i++) this.buf[this.length + i] = s.charCodeAt(i);
    this.length += n;
    return this;
  }

  bool(v: boolean): this {
    return this.u8(v ? 1 : 0);
  }

  /** A copy of the bytes written so far. */
  finish(): Uint8Array {
    return this.buf.slice(0, this.length);
  }

  reset(): void {
    this.length = 0;
  }
}

export class ByteReader {
  private readonly view: DataView;
  pos: number;

  constructor(private readonly buf: Uint8Array, offset = 0, private readonly end = buf.length) {
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    this.pos = offset;
  }

  get remaining(): number {
    return this.end - this.pos;
  }

  private need(n: number): void {
    if (this.pos + n > this.end) throw new ShortRead(`need ${n} bytes at ${this.pos}, have ${this.end - this.pos}`);
  }

  u8(): number {
    this.need(1);
    return this.buf[this.pos++]!;
  }

  i32(): number {
    this.need(4);
    const v = this.view.getInt32(this.pos);
    this.pos += 4;
    return v;
  }

  u32(): number {
    this.need(4);
    const v = this.view.getUint32(this.pos);
    this.pos += 4;
    return v;
  }

  i64(): number {
    const hi = this.u32();
    const lo = this.u32();
    if (hi & 0x8000_0000) {
      // negative: -(~x + 1)
      const nhi = ~hi >>> 0;
      const nlo = (~lo >>> 0) + 1;
      return -(nhi * 0x1_0000_0000 + nlo);
    }
    return hi * 0x1_0000_0000 + lo;
  }

  bytes(): Uint8Array {
    const n = this.i32();
    if (n < 0) throw new ShortRead(`negative length ${n}`);
    return this.raw(n);
  }

  raw(n: number): Uint8Array {
    this.need(n);
    const b = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return b;
  }

  str(): string {
    return decoder.decode(this.bytes());
  }

  bool(): boolean {
    return this.u8() !== 0;
  }
}

/** Thrown by ByteReader on truncated or malformed input; recovery code catches it as "end of valid data". */
export class ShortRead extends Error {
  override readonly name = 'ShortRead';
}
