// Short-lived byte arrays carved out of shared slabs.
//
// `new Uint8Array(n)` above V8's on-heap limit (64 bytes) gets its own off-heap backing store: about
// 1 us to allocate and more work for the GC's array-buffer sweeper, against about 0.1 us for a
// subarray of a slab. A Kafka run allocates a few of these per produce request (the producer's
// encoded batch, the leader's copy that it stamps with offsets), so they come from slabs.
//
// Each region is handed out once and never reused, so it starts zeroed and no two callers share
// bytes; a slab is freed by the GC when no region of it is referenced any more. Memory cost: a slab
// lives as long as its longest-lived region (at most SLAB_BYTES per such region). Outputs do not
// depend on where a region lies, so this does not affect determinism. Callers must not use
// `.buffer` without `.byteOffset` on what they get.

const SLAB_BYTES = 64 * 1024;
/** Larger requests get their own buffer: they would waste most of a slab. */
const SLAB_REQUEST_MAX_BYTES = 4 * 1024;

let slab = new Uint8Array(SLAB_BYTES);
let slabPos = 0;

/** A zeroed array of n bytes that the caller owns. */
export function allocBytes(n: number): Uint8Array {
  if (n > SLAB_REQUEST_MAX_BYTES) return new Uint8Array(n);
  if (slabPos + n > SLAB_BYTES) {
    slab = new Uint8Array(SLAB_BYTES);
    slabPos = 0;
  }
  const out = slab.subarray(slabPos, slabPos + n);
  // 8-byte alignment keeps regions apart from each other's word writes (and DataView-friendly).
  slabPos = (slabPos + n + 7) & ~7;
  return out;
}

/** A copy of `src` that the caller owns (Uint8Array.prototype.slice, from a slab). */
export function copyBytes(src: Uint8Array): Uint8Array {
  const out = allocBytes(src.length);
  out.set(src);
  return out;
}
