import { closest } from '../core/config.ts';
import { UsageError } from '../core/invariant.ts';

// Command-line flags. Each command declares its flags; anything else is a usage error that names
// the closest known flag. `--flag value` and `--flag=value` are both accepted; `--` ends flags.

export type FlagKind = 'bool' | 'value' | 'multi';

export interface FlagSpec {
  readonly kind: FlagKind;
  /** Short alias without the dash, e.g. 'o' for -o. */
  readonly short?: string;
}

export type FlagSpecs = { readonly [name: string]: FlagSpec };

export interface ParsedArgs {
  readonly positionals: string[];
  readonly bools: Set<string>;
  readonly values: Map<string, string>;
  readonly multi: Map<string, string[]>;
}

export function parseArgs(command: string, argv: readonly string[], specs: FlagSpecs): ParsedArgs {
  const out: ParsedArgs = { positionals: [], bools: new Set(), values: new Map(), multi: new Map() };
  const shortToLong = new Map<string, string>();
  for (const [name, s] of Object.entries(specs)) if (s.short !== undefined) shortToLong.set(s.short, name);
  let onlyPositionals = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (onlyPositionals || a === '-' || !a.startsWith('-')) {
      out.positionals.push(a);
      continue;
    }
    if (a === '--') {
      onlyPositionals = true;
      continue;
    }
    let name: string;
    let inline: string | undefined;
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      name = eq < 0 ? a.slice(2) : a.slice(2, eq);
      inline = eq < 0 ? undefined : a.slice(eq + 1);
    } else {
      const long = shortToLong.get(a.slice(1));
      if (long === undefined) throw unknownFlag(command, a, specs);
      name = long;
    }
    const spec = specs[name];
    if (spec === undefined) throw unknownFlag(command, a, specs);
    if (spec.kind === 'bool') {
      if (inline !== undefined) throw new UsageError(`${command}: --${name} takes no value`);
      out.bools.add(name);
      continue;
    }
    let value = inline;
    if (value === undefined) {
      const next = argv[i + 1];
      if (next === undefined || (next.startsWith('-') && next !== '-' && !/^-\d/.test(next))) throw new UsageError(`${command}: --${name} needs a value`);
      value = next;
      i++;
    }
    if (spec.kind === 'value') {
      if (out.values.has(name)) throw new UsageError(`${command}: --${name} given twice`);
      out.values.set(name, value);
    } else {
      const list = out.multi.get(name) ?? [];
      list.push(value);
      out.multi.set(name, list);
    }
  }
  return out;
}

function unknownFlag(command: string, flag: string, specs: FlagSpecs): UsageError {
  const names = Object.keys(specs).map((n) => `--${n}`);
  const best = closest(flag.startsWith('--') ? flag.replace(/=.*$/, '') : flag, names);
  return new UsageError(`${command}: unknown flag '${flag}'${best !== null ? ` (did you mean '${best}'?)` : ''}`);
}

/** Exactly `n` positionals, or a usage error naming what is missing. */
export function positionals(command: string, args: ParsedArgs, names: readonly string[]): string[] {
  if (args.positionals.length < names.length) {
    throw new UsageError(`${command}: missing ${names.slice(args.positionals.length).map((n) => `<${n}>`).join(' ')} (see 'dsim help')`);
  }
  if (args.positionals.length > names.length) {
    throw new UsageError(`${command}: unexpected argument '${args.positionals[names.length]}'`);
  }
  return args.positionals.slice();
}

/** A non-negative safe integer (seeds, counts). */
export function parseNonNegativeInt(what: string, raw: string): number {
  if (!/^\d+$/.test(raw.trim())) throw new UsageError(`${what} must be a non-negative integer, got '${raw}'`);
  const n = Number(raw.trim());
  if (!Number.isSafeInteger(n)) throw new UsageError(`${what} is too large: '${raw}'`);
  return n;
}

export function parsePositiveInt(what: string, raw: string): number {
  const n = parseNonNegativeInt(what, raw);
  if (n < 1) throw new UsageError(`${what} must be at least 1, got '${raw}'`);
  return n;
}

/** `--set key=value` pairs, in order (a later setting of the same key wins). */
export function parseSets(raw: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const s of raw) {
    const eq = s.indexOf('=');
    if (eq <= 0) throw new UsageError(`--set expects key=value, got '${s}'`);
    const key = s.slice(0, eq).trim();
    if (key === '' || /\s/.test(key)) throw new UsageError(`--set expects key=value, got '${s}'`);
    out[key] = s.slice(eq + 1);
  }
  return out;
}

/** `--seeds A..B` (inclusive). A single number N means N..N. */
export function parseSeedRange(raw: string): { first: number; last: number } {
  const m = /^\s*(\d+)\s*(?:\.\.\s*(\d+)\s*)?$/.exec(raw);
  if (m === null) throw new UsageError(`--seeds expects A..B (e.g. 1..1000), got '${raw}'`);
  const first = parseNonNegativeInt('--seeds start', m[1]!);
  const last = m[2] !== undefined ? parseNonNegativeInt('--seeds end', m[2]) : first;
  if (last < first) throw new UsageError(`--seeds ${raw}: the end ${last} is before the start ${first}`);
  return { first, last };
}

/** `--shard K/N` with 1 <= K <= N. */
export function parseShard(raw: string): { index: number; count: number } {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(raw);
  if (m === null) throw new UsageError(`--shard expects K/N (e.g. 2/8), got '${raw}'`);
  const k = Number(m[1]);
  const n = Number(m[2]);
  if (n < 1 || k < 1 || k > n) throw new UsageError(`--shard ${raw}: K must be between 1 and N (N >= 1)`);
  return { index: k, count: n };
}

/** Quotes an argument for a POSIX shell when it needs it (reproduce commands). */
export function shellQuote(s: string): string {
  if (/^[A-Za-z0-9_./:=,@%+-]+$/.test(s)) return s;
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** `--set k=v` flags as they should appear in a reproduce command. */
export function setFlags(overrides: Record<string, string>): string[] {
  const out: string[] = [];
  for (const [k, v] of Object.entries(overrides)) out.push('--set', shellQuote(`${k}=${v}`));
  return out;
}
