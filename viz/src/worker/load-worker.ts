/// <reference lib="webworker" />
import { loadTrace, TraceFormatError, transferables } from '../model/load.ts';
import type { LoadReply, LoadRequest } from '../ui/load-protocol.ts';
import { fetchTrace } from '../ui/fetch-trace.ts';

// Loads and indexes a trace off the main thread, so the page stays responsive and shows progress
// while a large trace is parsed. The index (typed arrays and the raw bytes) is transferred back.

const scope = self as unknown as DedicatedWorkerGlobalScope;

function post(msg: LoadReply, transfer: Transferable[] = []): void {
  scope.postMessage(msg, transfer);
}

scope.onmessage = (e: MessageEvent<LoadRequest>) => {
  void run(e.data);
};

async function run(req: LoadRequest): Promise<void> {
  try {
    const t0 = performance.now();
    const bytes = req.kind === 'url'
      ? await fetchTrace(req.url, (done, total) => post({ kind: 'progress', phase: 'download', done, total }))
      : new Uint8Array(req.bytes);
    const t1 = performance.now();
    post({ kind: 'progress', phase: 'index', done: 0, total: bytes.length });
    const ix = loadTrace(bytes, { onProgress: (done, total) => post({ kind: 'progress', phase: 'index', done, total }) });
    const t2 = performance.now();
    post({ kind: 'done', index: ix, timings: { downloadMs: t1 - t0, indexMs: t2 - t1 } }, transferables(ix));
  } catch (err) {
    post({
      kind: 'error',
      message: err instanceof Error ? err.message : String(err),
      line: err instanceof TraceFormatError ? err.line : null,
      format: err instanceof TraceFormatError,
    });
  }
}
