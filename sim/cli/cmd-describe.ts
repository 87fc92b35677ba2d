import { formatScript, parseScript } from '../harness/faults.ts';
import { resolveScenarioConfig } from '../harness/run.ts';
import { scenarioSchema } from '../harness/scenario.ts';
import { withUses } from '../harness/system.ts';
import type { ConfigValue } from '../core/config.ts';
import { parseArgs, parseSets, positionals } from './args.ts';
import { out } from './common.ts';
import { indent } from './output.ts';
import { effectiveOverrides, fmtValue } from './run-config.ts';
import { displayPath, resolveScenario } from './scenarios.ts';

// `dsim describe <scenario> [--config FILE]... [--set key=value]... [--json]`: what the scenario
// does and teaches, its systems, its fault script or nemesis, its expectation (computed from the
// configuration, as a run computes it), and every config key with its type, default, the value in
// this scenario (after --config and --set) and its doc.

export interface DescribeJson {
  name: string;
  file: string;
  description: string;
  teaches: string;
  systems: { name: string; description: string; configFiles: string[] }[];
  faultPhaseMs: number;
  quiesceMs: number;
  faults: string | null;
  nemesis: { kinds: string[]; meanIntervalMs: number; targets: string[] } | null;
  expect: { violations: string[]; why: string };
  keys: { key: string; type: string; default: ConfigValue; value: ConfigValue; doc: string; range?: string }[];
}

export async function cmdDescribe(argv: readonly string[]): Promise<number> {
  const args = parseArgs('describe', argv, { json: { kind: 'bool' }, set: { kind: 'multi' }, config: { kind: 'multi' } });
  const [arg] = positionals('describe', args, ['scenario']);
  const sets = parseSets(args.multi.get('set') ?? []);
  const ref = await resolveScenario(arg!);
  const s = ref.scenario;
  const { overrides } = effectiveOverrides(s, args.multi.get('config') ?? [], sets);
  const cfg = resolveScenarioConfig(s, overrides);
  const schema = scenarioSchema(s);
  const faultPhaseMs = typeof s.faultPhaseMs === 'function' ? s.faultPhaseMs(cfg) : s.faultPhaseMs;
  const quiesceMs = typeof s.quiesceMs === 'function' ? s.quiesceMs(cfg) : s.quiesceMs;
  const f = s.faults === undefined ? undefined : typeof s.faults === 'function' ? s.faults(cfg) : s.faults;
  const faults = f === undefined ? null : formatScript(typeof f === 'string' ? parseScript(f, `scenario ${s.name}`) : f);
  const nem = s.nemesis?.(cfg) ?? null;
  const e = typeof s.expect === 'function' ? s.expect(cfg) : s.expect;
  const json: DescribeJson = {
    name: s.name,
    file: displayPath(ref.file),
    description: s.description,
    teaches: s.teaches,
    systems: withUses(s.systems).map((x) => ({ name: x.name, description: x.description, configFiles: x.configFiles.flatMap((r) => r.fileNames) })),
    faultPhaseMs,
    quiesceMs,
    faults,
    nemesis: nem === null ? null : { kinds: [...nem.kinds], meanIntervalMs: nem.meanIntervalMs, targets: [...new Set([...(nem.processes ?? []), ...(nem.hosts ?? [])])] },
    expect: { violations: [...e.violations], why: e.why },
    keys: Object.entries(schema).map(([key, spec]) => ({
      key, type: spec.type, default: spec.default, value: cfg.get(key), doc: spec.doc,
      ...(spec.min !== undefined || spec.max !== undefined ? { range: `${spec.min ?? ''}..${spec.max ?? ''}` } : {}),
      ...(spec.values !== undefined ? { range: spec.values.join('|') } : {}),
    })),
  };
  if (args.bools.has('json')) {
    out(JSON.stringify(json));
    return 0;
  }
  const lines: string[] = [];
  lines.push(`${json.name} (${json.file})`, '', indent(wrap(json.description, 96)), '');
  lines.push('teaches:', indent(wrap(json.teaches, 96)), '');
  lines.push('systems:');
  if (json.systems.length === 0) lines.push('  none (kernel example with its own actors)');
  for (const x of json.systems) lines.push(`  ${x.name}: ${x.description}`, ...(x.configFiles.length > 0 ? [`    reads with --config: ${x.configFiles.join(', ')}`] : []));
  lines.push('', `phases: faults for ${faultPhaseMs / 1000} s, then every fault lifted and ${quiesceMs / 1000} s to recover`);
  if (faults !== null) lines.push('fault script:', faults.trim() === '' ? '  none' : indent(faults.trimEnd()));
  if (json.nemesis !== null) lines.push(`nemesis: random ${json.nemesis.kinds.join(', ')} about every ${json.nemesis.meanIntervalMs / 1000} s against ${json.nemesis.targets.join(', ')} (from the seed)`);
  if (faults === null && json.nemesis === null) lines.push('faults: none');
  lines.push('', `expects: ${e.violations.length === 0 ? 'no checker fires' : `${e.violations.join(', ')} fire${e.violations.length === 1 ? 's' : ''}`}`, indent(wrap(e.why, 96)));
  lines.push('', `config keys (${json.keys.length}; set with --set key=value or --config FILE):`);
  for (const k of json.keys) {
    const changed = fmtValue(k.value) !== fmtValue(k.default);
    lines.push(`  ${k.key}  ${k.type}${k.range !== undefined ? ` ${k.range}` : ''}  default ${fmtValue(k.default)}${changed ? `  here ${fmtValue(k.value)}` : ''}`);
    lines.push(indent(wrap(k.doc, 92), '      '));
  }
  out(lines.join('\n'));
  return 0;
}

/** Wraps text at word boundaries to `width` columns. */
export function wrap(text: string, width: number): string {
  const out: string[] = [];
  let line = '';
  for (const w of text.split(/\s+/)) {
    if (w === '') continue;
    if (line !== '' && line.length + 1 + w.length > width) {
      out.push(line);
      line = w;
    } else line = line === '' ? w : `${line} ${w}`;
  }
  if (line !== '') out.push(line);
  return out.join('\n');
}
