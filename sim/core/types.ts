// Shared vocabulary of the seam between the simulated world and protocol code.

/** Index of a process in the world. Branded so it is not confused with a host id or an offset. */
export type ProcessId = number & { readonly __brand: 'ProcessId' };
/** Index of a host in the world. */
export type HostId = number & { readonly __brand: 'HostId' };

/** A JSON value: what inspect() views, trace fields and config values are made of. */
export type Json = null | boolean | number | string | readonly Json[] | { readonly [key: string]: Json };

/** Every wire message is a member of a discriminated union with a `type` tag. */
export interface Message {
  readonly type: string;
}

/** Simulated time is an integer count of microseconds everywhere in dsim. */
export const US = 1;
export const MS = 1000;
export const SEC = 1_000_000;

export function msToUs(ms: number): number {
  return Math.round(ms * MS);
}

export function usToMs(us: number): number {
  return us / MS;
}

/** What a disk operation can fail with (the errno names a real filesystem gives). */
export type DiskError = 'ENOSPC' | 'ENOENT' | 'EIO' | 'EEXIST';
