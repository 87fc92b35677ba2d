import { parseValue, type ConfigValue } from '../core/config.ts';
import { UsageError } from '../core/invariant.ts';
import { scenarioSchema, type Scenario } from '../harness/scenario.ts';
import { configReaderFor, notModelledReason } from '../harness/system.ts';
import { readTextInput } from './common.ts';

// `--config FILE` (repeatable): a system's native file (server.properties, producer.properties,
// zoo.cfg, hdfs-site.xml, core-site.xml, yarn-site.xml, capacity-scheduler.xml, fair-scheduler.xml)
// read by the reader its System declares (sim/harness/system.ts, chosen by the file's base name).
// Keys dsim models become overrides; keys the real system has but dsim does not model are listed
// once as ignored; keys the real system does not have are a one-line error with the closest key.
// Later files win over earlier ones, and `--set` wins over every file.

export interface ConfigFilesRead {
  /** Overrides from the files, as `--set` would give them, later files winning. */
  readonly values: { readonly [key: string]: string | ConfigValue };
  /** Which file set each key (for the effective-configuration listing). */
  readonly source: ReadonlyMap<string, string>;
  /** Per file, the real system's keys dsim does not model (printed once as ignored). */
  readonly ignored: readonly { readonly file: string; readonly keys: readonly string[] }[];
}

export function readConfigFiles(scenario: Scenario, paths: readonly string[]): ConfigFilesRead {
  const values: { [key: string]: string | ConfigValue } = {};
  const source = new Map<string, string>();
  const ignored: { file: string; keys: string[] }[] = [];
  const schema = scenarioSchema(scenario);
  for (const path of paths) {
    if (path === '-') throw new UsageError('--config needs a file named as its system names it (server.properties, zoo.cfg, hdfs-site.xml...), not stdin');
    const reader = configReaderFor(scenario.systems, path);
    const text = readTextInput(path, 'config file');
    const base = path.replace(/^.*[\\/]/, '');
    const r = reader.read(base, text);
    if (r.unknown.length > 0) {
      const list = r.unknown.map((u) => `'${u.key}'${u.closest !== null ? ` (did you mean '${u.closest}'?)` : ''}`).join(', ');
      throw new UsageError(`${path}: unknown ${base} key${r.unknown.length > 1 ? 's' : ''} ${list}`);
    }
    const skipped = [...r.unmodelled];
    for (const [key, raw] of Object.entries(r.values)) {
      if (notModelledReason(scenario.systems, key) !== null) {
        skipped.push(key.replace(/^[a-z]+\./, ''));
        continue;
      }
      const spec = schema[key];
      if (spec === undefined) throw new UsageError(`${path}: ${key} is not a key of scenario ${scenario.name}`);
      try {
        parseValue(key, spec, raw);
      } catch (e) {
        if (e instanceof UsageError) throw new UsageError(`${path}: ${e.message}`);
        throw e;
      }
      values[key] = raw;
      source.set(key, path);
    }
    if (skipped.length > 0) ignored.push({ file: path, keys: skipped });
  }
  return { values, source, ignored };
}

/** The stderr line for a file's ignored keys. */
export function ignoredLine(i: { readonly file: string; readonly keys: readonly string[] }): string {
  return `dsim: note: ${i.file}: ignored ${i.keys.length} key${i.keys.length > 1 ? 's' : ''} dsim does not model: ${i.keys.join(', ')}`;
}
