import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

// Runs the real `dsim` binary (node bin/dsim.mjs) the way a user does, and captures what it prints.

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const BIN = join(REPO, 'bin', 'dsim.mjs');
export const FRAGILE = 'test/cli/fixtures/fragile.ts';
/** kernel-pingpong kept short: three processes. */
export const SMALL_PINGPONG = ['kernel-pingpong', '--set', 'pingpong.processes=3'];

export interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

export function dsim(args: readonly string[], opts: { input?: string; env?: Record<string, string> } = {}): Result {
  const env: NodeJS.ProcessEnv = { ...process.env, ...opts.env };
  if (opts.env?.['DSIM_DEBUG'] === undefined) delete env['DSIM_DEBUG'];
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd: REPO,
    encoding: 'utf8',
    env,
    ...(opts.input !== undefined ? { input: opts.input } : {}),
    maxBuffer: 256 * 1024 * 1024,
  });
  if (r.error !== undefined) throw r.error;
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** Runs dsim and parses its stdout as exactly one JSON document. */
export function dsimJson<T>(args: readonly string[], opts: { input?: string; env?: Record<string, string> } = {}): { code: number; json: T; stderr: string } {
  const r = dsim(args, opts);
  let json: T;
  try {
    json = JSON.parse(r.stdout) as T;
  } catch {
    throw new Error(`stdout is not one JSON document (exit ${r.code}):\n${r.stdout}\nstderr:\n${r.stderr}`);
  }
  return { code: r.code, json, stderr: r.stderr };
}

export function tempDir(prefix = 'dsim-cli-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** A dsim process left running (viz): its output so far, and a way to stop it. */
export function start(args: readonly string[], env: Record<string, string> = {}) {
  const child = spawn(process.execPath, [BIN, ...args], { cwd: REPO, env: { ...process.env, ...env } });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => { stdout += d; });
  child.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
  const exited = new Promise<number | null>((res) => child.on('exit', (code) => res(code)));
  return {
    child,
    exited,
    output: () => ({ stdout, stderr }),
    /** Resolves with the first stdout match of `re`, or rejects after `timeoutMs`. */
    waitFor(re: RegExp, timeoutMs = 60_000): Promise<RegExpMatchArray> {
      return new Promise((res, rej) => {
        const t0 = Date.now();
        const poll = (): void => {
          const m = stdout.match(re);
          if (m !== null) return res(m);
          if (child.exitCode !== null) return rej(new Error(`dsim exited (${child.exitCode}) before printing ${re}:\n${stdout}\n${stderr}`));
          if (Date.now() - t0 > timeoutMs) return rej(new Error(`timed out waiting for ${re}:\n${stdout}\n${stderr}`));
          setTimeout(poll, 50);
        };
        poll();
      });
    },
  };
}

/** The one-line error contract: `dsim: error: ...`, one line, no stack trace. */
export function expectOneLineError(r: Result, pattern: RegExp): void {
  const lines = r.stderr.trimEnd().split('\n');
  if (r.code !== 2) throw new Error(`expected exit 2, got ${r.code}\nstdout:${r.stdout}\nstderr:${r.stderr}`);
  if (lines.length !== 1) throw new Error(`expected a one-line error, got:\n${r.stderr}`);
  if (!lines[0]!.startsWith('dsim: error: ')) throw new Error(`expected 'dsim: error: ...', got: ${lines[0]}`);
  if (!pattern.test(lines[0]!)) throw new Error(`error line does not match ${pattern}: ${lines[0]}`);
  if (/\n\s+at /.test(r.stderr)) throw new Error(`stack trace printed:\n${r.stderr}`);
}
