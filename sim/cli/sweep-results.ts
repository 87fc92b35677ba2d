import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { UsageError } from '../core/invariant.ts';
import { DSIM_VERSION } from '../harness/run.ts';
import type { SeedOutcome } from './sweep-engine.ts';
import type { Shard } from './sweep-shard.ts';

// A sweep's result file (`--results FILE`): JSON Lines, written as the seeds finish, so a shard that
// dies leaves a file that `sweep merge` recognises as incomplete (no end line).
//
//   line 1   {"type":"dsim-sweep","version":1,"dsimVersion","scenario","ref","overrides",
//             "seeds":{"first","last"},"shard":{"index","count"}|null,"runs"}
//   per seed {"type":"seed","seed","events","simulatedMs","expectMet","violations":[...],"error"?}
//   last     {"type":"end","runs","events","wallMs","workers"}
//
// Every seed gets a line, passing or not, so a merge can prove that the shards covered the range
// exactly once.

export const RESULTS_FORMAT = 'dsim-sweep';
export const RESULTS_VERSION = 1;

export interface ResultsHeader {
  readonly type: typeof RESULTS_FORMAT;
  readonly version: number;
  readonly dsimVersion: string;
  readonly scenario: string;
  readonly ref: string;
  readonly overrides: Record<string, string>;
  readonly seeds: { readonly first: number; readonly last: number };
  readonly shard: Shard | null;
  readonly runs: number;
}

/** One seed's outcome as a results line (what a shard's sweep learned of it). */
export type SeedLine = { readonly type: 'seed' } & Pick<SeedOutcome, 'seed' | 'events' | 'simulatedMs' | 'expectMet' | 'violations' | 'error'>;

export interface EndLine {
  readonly type: 'end';
  readonly runs: number;
  readonly events: number;
  readonly wallMs: number;
  readonly workers: number;
}

/** `{K}` and `{N}` in a --results path become the shard's index and count (one path for every task). */
export function resultsPath(pattern: string, shard: Shard | null): string {
  if (shard === null && /\{[KN]\}/.test(pattern)) throw new UsageError(`--results ${pattern}: {K} and {N} need --shard`);
  if (shard === null) return pattern;
  return pattern.replace(/\{K\}/g, String(shard.index)).replace(/\{N\}/g, String(shard.count));
}

export class ResultsWriter {
  private fd: number;

  constructor(readonly path: string, header: Omit<ResultsHeader, 'type' | 'version' | 'dsimVersion'>) {
    try {
      mkdirSync(dirname(path), { recursive: true });
      this.fd = openSync(path, 'w');
    } catch (e) {
      throw new UsageError(`cannot write --results ${path}: ${(e as Error).message.split('\n')[0]}`);
    }
    const h: ResultsHeader = { type: RESULTS_FORMAT, version: RESULTS_VERSION, dsimVersion: DSIM_VERSION, ...header };
    this.line(h);
  }

  seed(o: SeedOutcome): void {
    const l: SeedLine = {
      type: 'seed', seed: o.seed, events: o.events, simulatedMs: o.simulatedMs, expectMet: o.expectMet, violations: o.violations,
      ...(o.error !== undefined ? { error: o.error } : {}),
    };
    this.line(l);
  }

  end(e: Omit<EndLine, 'type'>): void {
    this.line({ type: 'end', ...e });
    this.close();
  }

  close(): void {
    if (this.fd >= 0) closeSync(this.fd);
    this.fd = -1;
  }

  private line(x: unknown): void {
    writeSync(this.fd, JSON.stringify(x) + '\n');
  }
}

export interface ResultsFile {
  readonly path: string;
  readonly header: ResultsHeader;
  readonly seeds: SeedLine[];
  readonly end: EndLine;
}

/** Reads and checks one result file; anything malformed or incomplete is a one-line usage error. */
export function parseResults(path: string, text: string): ResultsFile {
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  const parse = (l: string, n: number): Record<string, unknown> => {
    try {
      const x = JSON.parse(l) as unknown;
      if (typeof x !== 'object' || x === null || Array.isArray(x)) throw new Error('not an object');
      return x as Record<string, unknown>;
    } catch {
      throw new UsageError(`${path}:${n}: not a JSON object (is this a dsim sweep --results file?)`);
    }
  };
  if (lines.length === 0) throw new UsageError(`${path}: empty file, not a dsim sweep --results file`);
  const h = parse(lines[0]!, 1);
  if (h['type'] !== RESULTS_FORMAT) throw new UsageError(`${path}: not a dsim sweep --results file (its first line has no "type":"${RESULTS_FORMAT}")`);
  if (h['version'] !== RESULTS_VERSION) throw new UsageError(`${path}: results format version ${String(h['version'])}, this dsim reads ${RESULTS_VERSION}`);
  const seedsObj = h['seeds'] as { first?: unknown; last?: unknown } | undefined;
  if (typeof h['scenario'] !== 'string' || typeof h['ref'] !== 'string' || typeof h['runs'] !== 'number'
    || typeof h['overrides'] !== 'object' || h['overrides'] === null || typeof seedsObj !== 'object' || seedsObj === null
    || typeof seedsObj.first !== 'number' || typeof seedsObj.last !== 'number') {
    throw new UsageError(`${path}:1: a results header without scenario, ref, overrides, seeds and runs`);
  }
  const header = h as unknown as ResultsHeader;
  const seeds: SeedLine[] = [];
  let end: EndLine | null = null;
  for (let i = 1; i < lines.length; i++) {
    const x = parse(lines[i]!, i + 1);
    if (end !== null) throw new UsageError(`${path}:${i + 1}: a line after the end line`);
    if (x['type'] === 'seed') {
      if (typeof x['seed'] !== 'number' || typeof x['expectMet'] !== 'boolean' || !Array.isArray(x['violations'])) {
        throw new UsageError(`${path}:${i + 1}: a seed line without seed, expectMet and violations`);
      }
      seeds.push(x as unknown as SeedLine);
    } else if (x['type'] === 'end') {
      end = x as unknown as EndLine;
    } else {
      throw new UsageError(`${path}:${i + 1}: unknown line type ${JSON.stringify(x['type'])}`);
    }
  }
  const shardText = header.shard !== null ? ` (shard ${header.shard.index}/${header.shard.count})` : '';
  if (end === null) throw new UsageError(`${path}${shardText}: incomplete, no end line (${seeds.length} of ${header.runs} seeds): the shard did not finish; run it again`);
  if (seeds.length !== header.runs || end.runs !== header.runs) {
    throw new UsageError(`${path}${shardText}: ${seeds.length} seed lines, but the shard has ${header.runs} seeds`);
  }
  return { path, header, seeds, end };
}
