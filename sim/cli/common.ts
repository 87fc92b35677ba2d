import { readFileSync, statSync } from 'node:fs';
import { UsageError } from '../core/invariant.ts';
import { parseScript, type Fault } from '../harness/faults.ts';
import { setFlags, shellQuote } from './args.ts';
import { firstLine } from './scenarios.ts';

// Plumbing shared by the commands: output, reading input files, and the error raised when a run
// itself blows up (an InvariantError or a bug), which names the seed and how to reproduce it.

export function out(text: string): void {
  process.stdout.write(text.endsWith('\n') ? text : text + '\n');
}

export function err(text: string): void {
  process.stderr.write(text.endsWith('\n') ? text : text + '\n');
}

/** Why a path cannot be read as an input file ('is a directory'...), or null when it is a regular file. */
function notARegularFile(path: string): string | null {
  let st;
  try {
    st = statSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code === 'ENOTDIR' ? 'no such file (a parent is not a directory)' : (e as Error).message;
  }
  if (st.isDirectory()) return 'is a directory';
  if (st.isFIFO()) return 'is a fifo, not a regular file';
  if (st.isCharacterDevice() || st.isBlockDevice()) return 'is a device, not a regular file';
  if (st.isSocket()) return 'is a socket, not a regular file';
  return null;
}

/**
 * Reads a user-named text input file (`-` is stdin); failures are usage errors. Only regular files
 * are read (a fifo would block, a device never ends), and a file with NUL bytes or bytes that are
 * not UTF-8 is "not a text file" rather than pages of binary in an error message.
 */
export function readTextInput(path: string, what: string): string {
  let buf: Buffer;
  if (path !== '-') {
    const why = notARegularFile(path);
    if (why !== null) throw new UsageError(`cannot read ${what} ${path}: ${why}`);
  }
  try {
    buf = readFileSync(path === '-' ? 0 : path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : code === 'EACCES' ? 'permission denied' : firstLine(e);
    throw new UsageError(`cannot read ${what} ${path}: ${why}`);
  }
  if (buf.includes(0)) throw new UsageError(`cannot read ${what} ${path}: not a text file (it has NUL bytes)`);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(buf);
  } catch {
    throw new UsageError(`cannot read ${what} ${path}: not a text file (not UTF-8)`);
  }
  return text.startsWith('\uFEFF') ? text.slice(1) : text;
}

/** Reads a user-named input file (`-` is stdin); failures are usage errors. */
export function readInput(path: string, what: string): string {
  return readTextInput(path, what);
}

/** Parses a --faults file (text form of sim/harness/faults.ts). */
export function readFaults(path: string): Fault[] {
  const text = readInput(path, 'fault script');
  return parseScript(text, path === '-' ? '<stdin>' : path);
}

/** The command that reruns one seed exactly. */
export function reproduceCommand(ref: string, seed: number, overrides: Record<string, string>, faultsFile?: string, configFiles: readonly string[] = []): string {
  const parts = ['npx', 'dsim', 'run', shellQuote(ref), '--seed', String(seed), ...configFiles.flatMap((f) => ['--config', shellQuote(f)]), ...setFlags(overrides)];
  if (faultsFile !== undefined && faultsFile !== '-') parts.push('--faults', shellQuote(faultsFile));
  return parts.join(' ');
}

export function shrinkCommand(ref: string, seed: number, overrides: Record<string, string>): string {
  return ['npx', 'dsim', 'shrink', shellQuote(ref), '--seed', String(seed), ...setFlags(overrides)].join(' ');
}

/** A run threw (a broken invariant or a bug): exit 1 with the seed and the reproduce command. */
export class RunCrash extends Error {
  constructor(readonly scenario: string, readonly seed: number, override readonly cause: unknown, readonly reproduce: string) {
    super(`${scenario} seed ${seed}: ${cause instanceof Error ? cause.name : 'Error'}: ${firstLine(cause)}`);
  }
}
