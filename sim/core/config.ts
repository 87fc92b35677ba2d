import { UsageError } from './invariant.ts';
import type { Json } from './types.ts';

// Configuration with real keys and defaults. Each system declares a schema (key -> type, default,
// bounds, doc); a scenario picks the systems it uses and may change defaults; users override with
// `--set key=value`. Unknown keys and impossible values are usage errors with a one-line message.

export type ConfigValue = number | boolean | string | readonly string[];

export interface KeySpec {
  readonly type: 'int' | 'double' | 'boolean' | 'string' | 'enum' | 'list';
  readonly default: ConfigValue;
  readonly doc: string;
  readonly min?: number;
  readonly max?: number;
  /** Allowed values of an enum. */
  readonly values?: readonly string[];
  /** Custom parser for values with a special spelling (Kafka's acks=all is -1). Returns an error text or the value. */
  readonly parse?: (raw: string) => ConfigValue | { error: string };
}

export type ConfigSchema = { readonly [key: string]: KeySpec };

export class Config {
  constructor(private readonly values: ReadonlyMap<string, ConfigValue>, readonly schema: ConfigSchema, private readonly prefix = '') {}

  has(key: string): boolean {
    return this.values.has(this.prefix + key);
  }

  get(key: string): ConfigValue {
    const v = this.values.get(this.prefix + key);
    if (v === undefined) throw new Error(`config: no key '${this.prefix + key}' in this scenario's schema`);
    return v;
  }

  int(key: string): number {
    const v = this.get(key);
    if (typeof v !== 'number') throw new Error(`config: '${this.prefix + key}' is not a number`);
    return v;
  }

  num(key: string): number {
    return this.int(key);
  }

  bool(key: string): boolean {
    const v = this.get(key);
    if (typeof v !== 'boolean') throw new Error(`config: '${this.prefix + key}' is not a boolean`);
    return v;
  }

  str(key: string): string {
    const v = this.get(key);
    if (typeof v !== 'string') throw new Error(`config: '${this.prefix + key}' is not a string`);
    return v;
  }

  list(key: string): readonly string[] {
    const v = this.get(key);
    if (!Array.isArray(v)) throw new Error(`config: '${this.prefix + key}' is not a list`);
    return v as readonly string[];
  }

  /** A view in which keys are read without a prefix: config.scope('kafka.').int('acks'). */
  scope(prefix: string): Config {
    return new Config(this.values, this.schema, this.prefix + prefix);
  }

  /** A copy with some values replaced (used by scenarios that vary one key per process). */
  with(changes: { readonly [key: string]: ConfigValue }): Config {
    const m = new Map(this.values);
    for (const [k, v] of Object.entries(changes)) m.set(this.prefix + k, v);
    return new Config(m, this.schema, this.prefix);
  }

  toJson(): { [key: string]: Json } {
    const out: { [key: string]: Json } = {};
    for (const k of [...this.values.keys()].sort()) out[k] = this.values.get(k) as Json;
    return out;
  }
}

export function parseValue(key: string, spec: KeySpec, raw: string | ConfigValue): ConfigValue {
  if (typeof raw === 'string' && spec.parse !== undefined) {
    const r = spec.parse(raw);
    if (typeof r === 'object' && r !== null && 'error' in r) throw new UsageError(`invalid value for ${key}: ${r.error}`);
    return checkBounds(key, spec, r as ConfigValue);
  }
  switch (spec.type) {
    case 'int':
    case 'double': {
      const n = typeof raw === 'number' ? raw : typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : NaN;
      if (!Number.isFinite(n)) throw new UsageError(`invalid value for ${key}: '${String(raw)}' is not a number`);
      if (spec.type === 'int' && !Number.isInteger(n)) throw new UsageError(`invalid value for ${key}: '${String(raw)}' is not an integer`);
      return checkBounds(key, spec, n);
    }
    case 'boolean': {
      if (typeof raw === 'boolean') return raw;
      if (raw === 'true') return true;
      if (raw === 'false') return false;
      throw new UsageError(`invalid value for ${key}: '${String(raw)}' is not true or false`);
    }
    case 'string':
      return String(raw);
    case 'enum': {
      const s = String(raw);
      if (spec.values !== undefined && !spec.values.includes(s)) {
        throw new UsageError(`invalid value for ${key}: '${s}' is not one of ${spec.values.join(', ')}`);
      }
      return s;
    }
    case 'list':
      if (Array.isArray(raw)) return raw as readonly string[];
      return String(raw).split(',').map((x) => x.trim()).filter((x) => x !== '');
  }
}

function checkBounds(key: string, spec: KeySpec, v: ConfigValue): ConfigValue {
  if (typeof v === 'number') {
    if (spec.min !== undefined && v < spec.min) throw new UsageError(`invalid value for ${key}: ${v} is below the minimum ${spec.min}`);
    if (spec.max !== undefined && v > spec.max) throw new UsageError(`invalid value for ${key}: ${v} is above the maximum ${spec.max}`);
  }
  return v;
}

/**
 * Resolves a configuration: schema defaults, then the scenario's defaults, then user overrides.
 * Unknown keys raise a UsageError suggesting the closest known key.
 */
export function resolveConfig(
  schema: ConfigSchema,
  scenarioDefaults: { readonly [key: string]: ConfigValue } = {},
  overrides: { readonly [key: string]: string | ConfigValue } = {},
): Config {
  const values = new Map<string, ConfigValue>();
  for (const [k, spec] of Object.entries(schema)) values.set(k, spec.default);
  for (const [k, v] of [...Object.entries(scenarioDefaults), ...Object.entries(overrides)]) {
    const spec = schema[k];
    if (spec === undefined) throw new UsageError(unknownKeyMessage(k, Object.keys(schema)));
    values.set(k, parseValue(k, spec, v));
  }
  return new Config(values, schema);
}

export function unknownKeyMessage(key: string, known: readonly string[]): string {
  const best = closest(key, known);
  return best === null ? `unknown config key '${key}'` : `unknown config key '${key}' (did you mean '${best}'?)`;
}

/** The known name closest to `name` by edit distance, if it is reasonably close. */
export function closest(name: string, known: readonly string[]): string | null {
  let best: string | null = null;
  let bestD = Infinity;
  for (const k of known) {
    const d = editDistance(name.toLowerCase(), k.toLowerCase());
    if (d < bestD) {
      bestD = d;
      best = k;
    }
  }
  if (best === null) return null;
  return bestD <= Math.max(3, Math.floor(name.length / 3)) ? best : null;
}

export function editDistance(a: string, b: string): number {
  const prev = new Array<number>(b.length + 1);
  for (let j = 0; j <= b.length; j++) prev[j] = j;
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0]!;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = prev[j]!;
      prev[j] = Math.min(prev[j]! + 1, prev[j - 1]! + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = tmp;
    }
  }
  return prev[b.length]!;
}

/** Parses `key=value` lines (server.properties, zoo.cfg): comments with # or !, blank lines ignored. */
export function parseProperties(text: string, source: string): Map<string, string> {
  const out = new Map<string, string>();
  text.split(/\r?\n/).forEach((line, i) => {
    const t = line.trim();
    if (t === '' || t.startsWith('#') || t.startsWith('!')) return;
    const m = /^([^=:\s]+)\s*[=:]\s*(.*)$/.exec(t);
    if (m === null) throw new UsageError(`${source}:${i + 1}: expected key=value, got '${t}'`);
    out.set(m[1]!, m[2]!.trim());
  });
  return out;
}
