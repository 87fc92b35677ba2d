import { deflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { compareImages, decodePng, type Image } from './lib/png.ts';

// The PNG decoder and image comparison used for baseline screenshots, on images built here.

function crc32(buf: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of buf) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1;
  }
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, body: Uint8Array): Buffer {
  const out = Buffer.alloc(12 + body.length);
  out.writeUInt32BE(body.length, 0);
  out.write(type, 4, 'ascii');
  Buffer.from(body).copy(out, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + body.length)), 8 + body.length);
  return out;
}

/** Encodes RGBA pixels, one filter type per row (cycling 0..4), as Chromium's encoder may. */
function encodePng(img: Image, rgb = false): Buffer {
  const bpp = rgb ? 3 : 4;
  const stride = img.width * bpp;
  const raw = Buffer.alloc(img.height * (stride + 1));
  let prev = new Uint8Array(stride);
  for (let y = 0; y < img.height; y++) {
    const cur = new Uint8Array(stride);
    for (let x = 0; x < img.width; x++) for (let c = 0; c < bpp; c++) cur[x * bpp + c] = img.data[(y * img.width + x) * 4 + c]!;
    const f = y % 5;
    raw[y * (stride + 1)] = f;
    for (let i = 0; i < stride; i++) {
      const a = i >= bpp ? cur[i - bpp]! : 0;
      const b = prev[i]!;
      const c = i >= bpp ? prev[i - bpp]! : 0;
      const pa = Math.abs(b - c);
      const pb = Math.abs(a - c);
      const pc = Math.abs(a + b - 2 * c);
      const paeth = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
      const pred = f === 0 ? 0 : f === 1 ? a : f === 2 ? b : f === 3 ? (a + b) >> 1 : paeth;
      raw[y * (stride + 1) + 1 + i] = (cur[i]! - pred) & 255;
    }
    prev = cur;
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(img.width, 0);
  ihdr.writeUInt32BE(img.height, 4);
  ihdr[8] = 8;
  ihdr[9] = rgb ? 2 : 6;
  return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw)), chunk('IEND', new Uint8Array(0))]);
}

function gradient(w: number, h: number): Image {
  const data = new Uint8Array(w * h * 4);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
    const i = (y * w + x) * 4;
    data[i] = (x * 37 + y * 11) & 255;
    data[i + 1] = (x * 5 + y * 73) & 255;
    data[i + 2] = (x * y) & 255;
    data[i + 3] = 255;
  }
  return { width: w, height: h, data };
}

describe('PNG decoding', () => {
  it('decodes RGBA and RGB images written with every row filter', () => {
    const img = gradient(23, 17);
    expect(decodePng(encodePng(img))).toEqual(img);
    expect(decodePng(encodePng(img, true))).toEqual(img);
  });

  it('rejects what it cannot read', () => {
    expect(() => decodePng(new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]))).toThrow('not a PNG file');
  });
});

describe('image comparison', () => {
  const a = gradient(40, 30);
  it('finds identical images identical', () => {
    expect(compareImages(a, a)).toEqual({ differentFraction: 0, differentPixels: 0, sameSize: true });
  });

  it('ignores small channel differences and counts large ones', () => {
    const b = { ...a, data: a.data.slice() };
    b.data[0] = (b.data[0]! + 20) & 255; // within tolerance
    for (let k = 0; k < 12; k++) b.data[(100 + k) * 4 + 1] = (b.data[(100 + k) * 4 + 1]! + 128) & 255;
    const c = compareImages(a, b, 40);
    expect(c.differentPixels).toBe(12);
    expect(c.differentFraction).toBeCloseTo(12 / 1200);
  });

  it('treats a size change as entirely different', () => {
    expect(compareImages(a, gradient(40, 31)).sameSize).toBe(false);
  });
});
