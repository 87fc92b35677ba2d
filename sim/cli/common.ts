import { readFileSync } from 'node:fs';
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

/** Reads a user-named input file (`-` is stdin); failures are usage errors. */
export function readInput(path: string, what: string): string {
  try {
    return readFileSync(path === '-' ? 0 : path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : (e as Error).message;
    throw new UsageError(`cannot read ${what} ${path}: ${why}`);
  }
}

/** Parses a --faults file (text form of sim/harness/faults.ts). */
export function readFaults(path: string): Fault[] {
  const text = readInput(path, 'fault script');
  return parseScript(text, path === '-' ? '<stdin>' : path);
}

/** The command that reruns one seed exactly. */
export function reproduceCommand(ref: string, seed: number, overrides: Record<string, string>, faultsFile?: string): string {
  const parts = ['npx', 'dsim', 'run', shellQuote(ref), '--seed', String(seed), ...setFlags(overrides)];
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
