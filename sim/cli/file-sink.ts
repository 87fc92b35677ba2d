import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { UsageError } from '../core/invariant.ts';
import type { TraceSink } from '../world/trace.ts';

// Streams trace lines to a file in chunks: lines are joined in memory up to a bound and written
// with one synchronous write, so a run of a million events never holds a million lines. Writes are
// synchronous because a run is synchronous (and a crash mid-run still leaves the lines so far).

/** Flush when this many characters are buffered. */
const FLUSH_CHARS = 1 << 20;

export class FileSink implements TraceSink {
  private readonly fd: number;
  private buf: string[] = [];
  private chars = 0;
  private closed = false;
  bytes = 0;
  lines = 0;

  constructor(readonly path: string) {
    try {
      mkdirSync(dirname(path), { recursive: true });
      this.fd = openSync(path, 'w');
    } catch (e) {
      throw new UsageError(`cannot write trace file ${path}: ${(e as Error).message}`);
    }
  }

  write(line: string): void {
    this.buf.push(line);
    this.chars += line.length + 1;
    this.lines++;
    if (this.chars >= FLUSH_CHARS) this.flush();
  }

  flush(): void {
    if (this.buf.length === 0) return;
    const chunk = this.buf.join('\n') + '\n';
    this.buf = [];
    this.chars = 0;
    const data = Buffer.from(chunk, 'utf8');
    let off = 0;
    while (off < data.length) off += writeSync(this.fd, data, off, data.length - off);
    this.bytes += data.length;
  }

  close(): void {
    if (this.closed) return;
    this.flush();
    this.closed = true;
    closeSync(this.fd);
  }
}
