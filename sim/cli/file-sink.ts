import { closeSync } from 'node:fs';
import type { TraceSink } from '../world/trace.ts';
import { checkOutputPath, openOutput, writeAll } from './out-file.ts';

// Streams trace lines to a file in chunks: lines are joined in memory up to a bound and written
// with one synchronous write, so a run of a million events never holds a million lines. Writes are
// synchronous because a run is synchronous (and a crash mid-run still leaves the lines so far).
// The path is checked when the sink is made (only a regular file, or a new one: out-file.ts) and the
// file is opened at the first line, so a run refused before it starts (a bad config found while
// building the cluster) writes nothing.

/** Flush when this many characters are buffered. */
const FLUSH_CHARS = 1 << 20;

export class FileSink implements TraceSink {
  private fd: number | null = null;
  private buf: string[] = [];
  private chars = 0;
  private closed = false;
  bytes = 0;
  lines = 0;

  constructor(readonly path: string) {
    checkOutputPath(path, 'trace file');
  }

  write(line: string): void {
    this.buf.push(line);
    this.chars += line.length + 1;
    this.lines++;
    if (this.chars >= FLUSH_CHARS) this.flush();
  }

  flush(): void {
    if (this.buf.length === 0) return;
    this.fd ??= openOutput(this.path, 'trace file');
    const chunk = this.buf.join('\n') + '\n';
    this.buf = [];
    this.chars = 0;
    const data = Buffer.from(chunk, 'utf8');
    writeAll(this.fd, data, this.path, 'trace file');
    this.bytes += data.length;
  }

  close(): void {
    if (this.closed) return;
    this.flush();
    this.closed = true;
    if (this.fd !== null) closeSync(this.fd);
  }
}
