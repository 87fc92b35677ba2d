import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import { UsageError } from '../core/invariant.ts';
import { parseTraceHeader } from '../world/perfetto.ts';
import type { TraceHeader } from '../world/trace.ts';

// Reading trace files line by line without holding the file in memory.

const CHUNK_BYTES = 1 << 20;

function openTrace(path: string): number {
  let st;
  try {
    st = statSync(path);
  } catch {
    st = null; // openSync below says why
  }
  if (st !== null && !st.isFile()) {
    throw new UsageError(`cannot read trace ${path}: ${st.isDirectory() ? 'is a directory' : st.isFIFO() ? 'is a fifo, not a regular file' : 'is not a regular file'}`);
  }
  try {
    return openSync(path, 'r');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UsageError(`cannot read trace ${path}: ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : (e as Error).message}`);
  }
}

/**
 * Calls `onLine(text, unterminated)` for every line of the file; `unterminated` is true only for a
 * last line that has no newline (possibly cut off).
 */
export function forEachLine(path: string, onLine: (text: string, unterminated: boolean) => void): void {
  const fd = openTrace(path);
  const buf = Buffer.allocUnsafe(CHUNK_BYTES);
  const dec = new StringDecoder('utf8');
  let pending = '';
  try {
    for (;;) {
      let n: number;
      try {
        n = readSync(fd, buf, 0, CHUNK_BYTES, null);
      } catch (e) {
        throw new UsageError(`cannot read trace ${path}: ${(e as Error).message}`);
      }
      if (n === 0) break;
      pending += dec.write(buf.subarray(0, n));
      let start = 0;
      for (;;) {
        const nl = pending.indexOf('\n', start);
        if (nl < 0) break;
        const end = nl > start && pending.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
        onLine(pending.slice(start, end), false);
        start = nl + 1;
      }
      pending = pending.slice(start);
    }
    pending += dec.end();
    if (pending !== '') onLine(pending, true);
  } finally {
    closeSync(fd);
  }
}

/** Reads and checks only the header line (viz: fail fast before serving). */
export function readTraceHeader(path: string): TraceHeader {
  const fd = openTrace(path);
  const buf = Buffer.allocUnsafe(64 * 1024);
  let text = '';
  try {
    for (;;) {
      const n = readSync(fd, buf, 0, buf.length, null);
      if (n === 0) break;
      text += buf.toString('utf8', 0, n);
      if (text.includes('\n') || text.length > 16 * 1024 * 1024) break;
    }
  } catch (e) {
    throw new UsageError(`cannot read trace ${path}: ${(e as Error).message}`);
  } finally {
    closeSync(fd);
  }
  const nl = text.indexOf('\n');
  return parseTraceHeader(nl < 0 ? text : text.slice(0, nl), path);
}
