import type { TraceIndex } from '../model/load.ts';

// Messages between the page and the loading worker.

export type LoadRequest =
  | { readonly kind: 'url'; readonly url: string }
  | { readonly kind: 'bytes'; readonly bytes: ArrayBuffer; readonly name: string };

export type LoadReply =
  | { readonly kind: 'progress'; readonly phase: 'download' | 'index'; readonly done: number; readonly total: number }
  | { readonly kind: 'done'; readonly index: TraceIndex; readonly timings: LoadTimings }
  | { readonly kind: 'error'; readonly message: string; readonly line: number | null; readonly format: boolean };

/** Where the loading time went (shown in the performance readout and reported by the perf script). */
export interface LoadTimings {
  readonly downloadMs: number;
  readonly indexMs: number;
}
