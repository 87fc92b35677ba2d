import type { Config, ConfigValue } from '../core/config.ts';
import { scenarioSchema, type Scenario } from '../harness/scenario.ts';
import { shellQuote } from './args.ts';
import { err } from './common.ts';
import { ignoredLine, readConfigFiles } from './config-files.ts';

// A run's configuration from its three sources, lowest first: the schema's defaults, the scenario's
// defaults, the --config files (in order), the --set flags. The run's summary and JSON list what
// differs from the defaults and where each value came from.

export interface Overrides {
  /** What the harness gets: files' values under --set's. */
  readonly overrides: { [key: string]: string | ConfigValue };
  /** Where each overridden key came from: a file path or '--set'. */
  readonly source: ReadonlyMap<string, string>;
}

/** Reads the --config files, prints their ignored keys once on stderr, and lays --set over them. */
export function effectiveOverrides(scenario: Scenario, files: readonly string[], sets: Record<string, string>, quiet = false): Overrides {
  const read = readConfigFiles(scenario, files);
  if (!quiet) for (const i of read.ignored) err(ignoredLine(i));
  const source = new Map(read.source);
  for (const k of Object.keys(sets)) source.set(k, '--set');
  return { overrides: { ...read.values, ...sets }, source };
}

export function configFlags(files: readonly string[]): string[] {
  return files.flatMap((f) => ['--config', shellQuote(f)]);
}

export interface ConfigDiff {
  readonly key: string;
  readonly value: ConfigValue;
  readonly default: ConfigValue;
  /** 'scenario' (its defaults), a --config file path, or '--set'. */
  readonly from: string;
}

function same(a: ConfigValue, b: ConfigValue): boolean {
  return Array.isArray(a) && Array.isArray(b) ? a.join(',') === b.join(',') : a === b;
}

/** The keys whose effective value is not the schema's default, and who set each. */
export function configDiff(scenario: Scenario, cfg: Config, source: ReadonlyMap<string, string>): ConfigDiff[] {
  const schema = scenarioSchema(scenario);
  const out: ConfigDiff[] = [];
  for (const [key, spec] of Object.entries(schema)) {
    const value = cfg.get(key);
    if (same(value, spec.default)) continue;
    out.push({ key, value, default: spec.default, from: source.get(key) ?? 'scenario' });
  }
  return out;
}

export function fmtValue(v: ConfigValue): string {
  if (v === 'default') return '(the version\'s default)';
  return Array.isArray(v) ? (v.length === 0 ? '(empty)' : v.join(',')) : String(v);
}
