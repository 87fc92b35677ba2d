import { loadTrace, TraceFormatError, type TraceIndex } from '../model/load.ts';
import { fetchTrace } from './fetch-trace.ts';
import type { LoadReply, LoadRequest } from './load-protocol.ts';

// Loads a trace through the worker; falls back to loading on the page if workers are unavailable.

export class LoadError extends Error {
  override readonly name = 'LoadError';
  constructor(message: string, readonly line: number | null, readonly format: boolean) {
    super(message);
  }
}

export type Progress = (phase: 'download' | 'index', done: number, total: number) => void;

export function loadInWorker(req: LoadRequest, onProgress: Progress): Promise<TraceIndex> {
  let worker: Worker;
  try {
    worker = new Worker(new URL('../worker/load-worker.ts', import.meta.url), { type: 'module' });
  } catch {
    return loadOnPage(req, onProgress);
  }
  return new Promise<TraceIndex>((resolve, reject) => {
    worker.onmessage = (e: MessageEvent<LoadReply>) => {
      const m = e.data;
      if (m.kind === 'progress') onProgress(m.phase, m.done, m.total);
      else {
        worker.terminate();
        if (m.kind === 'done') resolve(m.index);
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

async function loadOnPage(req: LoadRequest, onProgress: Progress): Promise<TraceIndex> {
  const bytes = req.kind === 'url' ? await fetchTrace(req.url, (d, t) => onProgress('download', d, t)) : new Uint8Array(req.bytes);
  try {
    return loadTrace(bytes, { onProgress: (d, t) => onProgress('index', d, t) });
  } catch (e) {
    if (e instanceof TraceFormatError) throw new LoadError(e.message, e.line, true);
    throw e;
  }
}
