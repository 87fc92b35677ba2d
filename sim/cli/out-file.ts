import { closeSync, constants, fstatSync, ftruncateSync, lstatSync, mkdirSync, openSync, realpathSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { UsageError } from '../core/invariant.ts';

// Everything dsim writes (traces, Perfetto exports, shrunk scripts) goes only to regular files. A
// directory, a device, a fifo or a socket named as an output, directly or through a symlink, is a
// one-line error and is left exactly as it was: nothing is truncated, renamed over or replaced
// (before this, `-o /dev/null` as root replaced the device node with a regular file). Every error
// while writing (EISDIR, ENOSPC, EACCES, EROFS) is one line too.

function kindOf(st: { isDirectory(): boolean; isFIFO(): boolean; isCharacterDevice(): boolean; isBlockDevice(): boolean; isSocket(): boolean }): string | null {
  if (st.isDirectory()) return 'a directory';
  if (st.isFIFO()) return 'a fifo';
  if (st.isCharacterDevice() || st.isBlockDevice()) return 'a device';
  if (st.isSocket()) return 'a socket';
  return null;
}

/** A one-line reason for a failed write: the errno in words. */
export function writeErrorText(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  switch (code) {
    case 'EISDIR': return 'is a directory';
    case 'ENOSPC': return 'no space left on the device';
    case 'EDQUOT': return 'disk quota exceeded';
    case 'EACCES': case 'EPERM': return 'permission denied';
    case 'EROFS': return 'read-only file system';
    case 'ENOENT': return 'no such directory';
    case 'ENOTDIR': return 'a parent is not a directory';
    case 'ENXIO': return 'a fifo with no reader';
    case 'ELOOP': return 'too many symbolic links';
    case 'ENAMETOOLONG': return 'file name too long';
    default: return (e instanceof Error ? e.message : String(e)).split('\n')[0]!;
  }
}

/**
 * Checks an output path before anything is written and returns the path to write: the path itself,
 * or, when it is a symlink to a regular file, the file it points to (so the link stays a link).
 * Refuses a directory, a device, a fifo or a socket (also behind a symlink), and a dangling symlink.
 */
export function checkOutputPath(path: string, what: string): string {
  if (path === '' || path === '-') throw new UsageError(`cannot write ${what} '${path}': give a file name`);
  let lst;
  try {
    lst = lstatSync(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
      checkParent(path, what);
      return path;
    }
    throw new UsageError(`cannot write ${what} ${path}: ${writeErrorText(e)}`);
  }
  let target = path;
  let st = lst;
  if (lst.isSymbolicLink()) {
    try {
      target = realpathSync(path);
      st = statSync(target);
    } catch (e) {
      throw new UsageError(`cannot write ${what} ${path}: a symlink to nothing (${writeErrorText(e)})`);
    }
  }
  const kind = kindOf(st);
  if (kind !== null) throw new UsageError(`cannot write ${what} ${path}: it is ${kind}${target !== path ? ` (via a symlink to ${target})` : ''}; dsim writes only regular files`);
  return target;
}

function checkParent(path: string, what: string): void {
  const dir = dirname(path);
  try {
    const st = statSync(dir);
    if (!st.isDirectory()) throw new UsageError(`cannot write ${what} ${path}: ${dir} is not a directory`);
  } catch (e) {
    if (e instanceof UsageError) throw e;
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw new UsageError(`cannot write ${what} ${path}: ${writeErrorText(e)}`);
    try {
      mkdirSync(dir, { recursive: true });
    } catch (e2) {
      throw new UsageError(`cannot write ${what} ${path}: cannot create ${dir}: ${writeErrorText(e2)}`);
    }
  }
}

/**
 * Opens a checked output path for streaming. The file is opened without truncation and without
 * blocking, checked again through the descriptor (a fifo or device swapped in meanwhile is closed
 * untouched), and only then emptied.
 */
export function openOutput(path: string, what: string): number {
  const target = checkOutputPath(path, what);
  let fd: number;
  try {
    fd = openSync(target, constants.O_WRONLY | constants.O_CREAT | constants.O_NONBLOCK | (constants.O_NOFOLLOW ?? 0), 0o644);
  } catch (e) {
    throw new UsageError(`cannot write ${what} ${path}: ${writeErrorText(e)}`);
  }
  const kind = kindOf(fstatSync(fd));
  if (kind !== null) {
    closeSync(fd);
    throw new UsageError(`cannot write ${what} ${path}: it is ${kind}; dsim writes only regular files`);
  }
  try {
    ftruncateSync(fd, 0);
  } catch (e) {
    closeSync(fd);
    throw new UsageError(`cannot write ${what} ${path}: ${writeErrorText(e)}`);
  }
  return fd;
}

/** Writes all of `data` at the descriptor's position; a failure is a one-line UsageError. */
export function writeAll(fd: number, data: Buffer, path: string, what: string): void {
  let off = 0;
  try {
    while (off < data.length) off += writeSync(fd, data, off, data.length - off);
  } catch (e) {
    throw new UsageError(`cannot write ${what} ${path}: ${writeErrorText(e)}`);
  }
}

/**
 * An output written whole or not at all: into a temporary file next to the target, renamed over it
 * at commit(). Only a regular file (or nothing) is ever replaced; abort() removes the temporary.
 */
export class AtomicOutput {
  readonly fd: number;
  private readonly tmp: string;
  private readonly target: string;
  private done = false;

  constructor(readonly path: string, readonly what: string) {
    this.target = checkOutputPath(path, what);
    this.tmp = join(dirname(this.target), `.${basename(this.target)}.tmp-${process.pid}`);
    try {
      this.fd = openSync(this.tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o644);
    } catch (e) {
      throw new UsageError(`cannot write ${what} ${path}: ${writeErrorText(e)}`);
    }
  }

  write(text: string): void {
    writeAll(this.fd, Buffer.from(text, 'utf8'), this.path, this.what);
  }

  commit(): void {
    if (this.done) return;
    this.done = true;
    try {
      closeSync(this.fd);
      checkOutputPath(this.target, this.what); // still a regular file (or absent) at the last moment
      renameSync(this.tmp, this.target);
    } catch (e) {
      rmSync(this.tmp, { force: true });
      if (e instanceof UsageError) throw e;
      throw new UsageError(`cannot write ${this.what} ${this.path}: ${writeErrorText(e)}`);
    }
  }

  abort(): void {
    if (this.done) return;
    this.done = true;
    try { closeSync(this.fd); } catch { /* already closed */ }
    rmSync(this.tmp, { force: true });
  }
}

/** Writes a whole small output (a fault script) atomically. */
export function writeOutputFile(path: string, text: string, what: string): void {
  const o = new AtomicOutput(path, what);
  try {
    o.write(text);
    o.commit();
  } catch (e) {
    o.abort();
    throw e;
  }
}
