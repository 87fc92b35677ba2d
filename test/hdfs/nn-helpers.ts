import type { DiskView } from '../../sim/core/actor.ts';
import type { DiskError } from '../../sim/env/disk.ts';

/**
 * An in-memory DiskView for unit tests of the NameNode's storage code: every write is at once what a
 * reader sees; fsync is the io callback's business (tests call it synchronously or hold it).
 */
export class MemDisk implements DiskView {
  readonly files = new Map<string, Uint8Array>();

  exists(path: string): boolean {
    return this.files.has(path);
  }
  size(path: string): number {
    return this.files.get(path)?.length ?? 0;
  }
  list(prefix = ''): string[] {
    return [...this.files.keys()].filter((p) => p.startsWith(prefix)).sort();
  }
  create(path: string): DiskError | null {
    if (this.files.has(path)) return 'EEXIST';
    this.files.set(path, new Uint8Array(0));
    return null;
  }
  append(path: string, data: Uint8Array): DiskError | null {
    const old = this.files.get(path) ?? new Uint8Array(0);
    const b = new Uint8Array(old.length + data.length);
    b.set(old);
    b.set(data, old.length);
    this.files.set(path, b);
    return null;
  }
  write(path: string, offset: number, data: Uint8Array): DiskError | null {
    const old = this.files.get(path) ?? new Uint8Array(0);
    const b = new Uint8Array(Math.max(old.length, offset + data.length));
    b.set(old);
    b.set(data, offset);
    this.files.set(path, b);
    return null;
  }
  read(path: string, offset: number, length: number): Uint8Array | 'ENOENT' {
    const b = this.files.get(path);
    return b === undefined ? 'ENOENT' : b.slice(offset, offset + length);
  }
  readAll(path: string): Uint8Array | 'ENOENT' {
    const b = this.files.get(path);
    return b === undefined ? 'ENOENT' : b.slice();
  }
  truncate(path: string, size: number): DiskError | null {
    const b = this.files.get(path);
    if (b === undefined) return 'ENOENT';
    this.files.set(path, b.slice(0, size));
    return null;
  }
  rename(from: string, to: string): DiskError | null {
    const b = this.files.get(from);
    if (b === undefined) return 'ENOENT';
    this.files.delete(from);
    this.files.set(to, b);
    return null;
  }
  delete(path: string): DiskError | null {
    return this.files.delete(path) ? null : 'ENOENT';
  }
  fsync(): void {
    throw new Error('MemDisk: fsync goes through the io callback in these tests');
  }
  readAsync(): void {
    throw new Error('MemDisk: no async reads');
  }
}

/** An io whose fsync completes at once (a disk that is always durable). */
export const syncIO = {
  fsync(_path: string, done: (err: string | null) => void): void {
    done(null);
  },
  fatal(reason: string): void {
    throw new Error(`fatal: ${reason}`);
  },
};
