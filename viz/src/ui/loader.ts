import { loadTrace, TraceFormatError, type TraceIndex } from '../model/load.ts';
import { fetchTrace } from './fetch-trace.ts';
import type { LoadReply, LoadRequest, LoadTimings } from './load-protocol.ts';

// Loads a trace through the worker; falls back to loading on the page if workers are unavailable.

export class LoadError extends Error {
  override readonly name = 'LoadError';
  constructor(message: string, readonly line: number | null, readonly format: boolean) {
    super(message);
  }
}

export type Progress = (phase: 'download' | 'index', done: number, total: number) => void;

export interface Loaded {
  readonly index: TraceIndex;
  readonly timings: LoadTimings;
}

export function loadInWorker(req: LoadRequest, onProgress: Progress): Promise<Loaded> {
  let worker: Worker;
  try {
    worker = new Worker(new URL('../worker/load-worker.ts', import.meta.url), { type: 'module' });
  } catch {
    return loadOnPage(req, onProgress);
  }
  return new Promise<Loaded>((resolve, reject) => {
    worker.onmessage = (e: MessageEvent<LoadReply>) => {
      const m = e.data;
      if (m.kind === 'progress') onProgress(m.phase, m.done, m.total);
      else {
        worker.terminate();
        if (m.kind === 'done') resolve({ index: m.index, timings: m.timings });
        else reject(new LoadError(m.message, m.line, m.format));
      }
    };
    worker.onerror = (e) => {
      worker.terminate();
      // A worker that cannot start (blocked by the page's policy): load here instead.
      e.preventDefault();
      loadOnPage(req, onProgress).then(resolve, reject);
    };
    if (req.kind === 'bytes') worker.postMessage(req, [req.bytes]);
    else worker.postMessage(req);
  });
}

async function loadOnPage(req: LoadRequest, onProgress: Progress): Promise<Loaded> {
  const t0 = performance.now();
  const bytes = req.kind === 'url' ? await fetchTrace(req.url, (d, t) => onProgress('download', d, t)) : new Uint8Array(req.bytes);
  const t1 = performance.now();
  try {
    const index = loadTrace(bytes, { onProgress: (d, t) => onProgress('index', d, t) });
    return { index, timings: { downloadMs: t1 - t0, indexMs: performance.now() - t1 } };
  } catch (e) {
    if (e instanceof TraceFormatError) throw new LoadError(e.message, e.line, true);
    throw e;
  }
}
