import type { Fault } from '../harness/faults.ts';
import { formatScript } from '../harness/faults.ts';
import { UsageError } from '../core/invariant.ts';
import { resolveScenarioConfig, runScenario, type RunResult } from '../harness/run.ts';
import { parseArgs, parseNonNegativeInt, parseSets, positionals, type FlagSpecs } from './args.ts';
import { out, readFaults, reproduceCommand, RunCrash } from './common.ts';
import { FileSink } from './file-sink.ts';
import { expectationText, fmtInt, fmtRate, fmtSeconds, fmtSimMs, indent, violationLine } from './output.ts';
import { displayPath, resolveScenario, type ScenarioRef } from './scenarios.ts';
import { configDiff, effectiveOverrides, fmtValue, type ConfigDiff } from './run-config.ts';
import type { ConfigValue } from '../core/config.ts';

// `dsim run <scenario> [--seed N] [--set key=value]... [--trace FILE] [--faults FILE] [--json]`

export const RUN_FLAGS: FlagSpecs = {
  seed: { kind: 'value' },
  set: { kind: 'multi' },
  config: { kind: 'multi' },
  trace: { kind: 'value' },
  faults: { kind: 'value' },
  json: { kind: 'bool' },
};

export interface RunJson {
  scenario: string;
  seed: number;
  simulatedMs: number;
  events: number;
  traceHash: string;
  trace?: string;
  /** What mattered, in time order (the story of the run). */
  story: { timeMs: number; text: string }[];
  checks: { name: string; status: string }[];
  violations: { checker: string; seq: number; timeMs: number; message: string }[];
  expectMet: boolean;
  expected: { violations: string[]; why: string };
  faults: string;
  /** The --config files read, and every key whose value is not the default, with who set it. */
  config: { files: string[]; effective: { key: string; value: ConfigValue; default: ConfigValue; from: string }[] };
  wallMs: number;
}

export async function cmdRun(argv: readonly string[]): Promise<number> {
  const args = parseArgs('run', argv, RUN_FLAGS);
  const [arg] = positionals('run', args, ['scenario']);
  const seed = args.values.has('seed') ? parseNonNegativeInt('--seed', args.values.get('seed')!) : 1;
  const sets = parseSets(args.multi.get('set') ?? []);
  const configFiles = args.multi.get('config') ?? [];
  const faultsFile = args.values.get('faults');
  const faults = faultsFile !== undefined ? readFaults(faultsFile) : undefined;
  const tracePath = args.values.get('trace');
  const ref = await resolveScenario(arg!);
  const { overrides, source } = effectiveOverrides(ref.scenario, configFiles, sets);
  const cfg = resolveScenarioConfig(ref.scenario, overrides); // unknown keys and bad values: exit 2 before any output
  const diff = configDiff(ref.scenario, cfg, source);

  const sink = tracePath !== undefined ? new FileSink(tracePath) : null;
  const repro = reproduceCommand(ref.ref, seed, sets, faultsFile, configFiles);
  const t0 = performance.now();
  let r: RunResult;
  try {
    r = runScenario(ref.scenario, { seed, overrides, trace: sink, story: true, ...(faults !== undefined ? { faults } : {}) });
  } catch (e) {
    if (e instanceof UsageError) throw e;
    throw new RunCrash(ref.name, seed, e, repro);
  } finally {
    sink?.close();
  }
  const wallMs = performance.now() - t0;

  const json: RunJson = {
    scenario: r.scenario,
    seed: r.seed,
    simulatedMs: r.simulatedMs,
    events: r.events,
    traceHash: r.traceHash,
    ...(tracePath !== undefined ? { trace: tracePath } : {}),
    story: r.story.map((e) => ({ timeMs: e.atUs / 1000, text: e.text })),
    checks: r.checks.map((c) => ({ name: c.name, status: c.status })),
    violations: r.violations.map((v) => ({ checker: v.checker, seq: v.seq, timeMs: v.timeMs, message: v.message })),
    expectMet: r.expectMet,
    expected: { violations: [...r.expected.violations], why: r.expected.why },
    faults: formatScript(r.faults),
    config: { files: [...configFiles], effective: diff.map((d) => ({ ...d })) },
    wallMs: Math.round(wallMs * 1000) / 1000,
  };
  if (args.bools.has('json')) out(JSON.stringify(json));
  else out(humanRun(ref, r, wallMs, tracePath, faults, repro, diff));
  return r.expectMet ? 0 : 1;
}

function humanRun(ref: ScenarioRef, r: RunResult, wallMs: number, tracePath: string | undefined, given: Fault[] | undefined, repro: string, diff: readonly ConfigDiff[]): string {
  const lines: string[] = [];
  lines.push(`${r.scenario}: ${ref.scenario.description}`);
  lines.push(`seed ${r.seed}`);
  lines.push(`configuration (what differs from the defaults):${diff.length === 0 ? ' none' : ''}`);
  const w = Math.max(0, ...diff.map((d) => d.key.length + fmtValue(d.value).length + 3));
  for (const d of diff) lines.push(`  ${`${d.key} = ${fmtValue(d.value)}`.padEnd(w)}  (${d.from}; default ${fmtValue(d.default)})`);
  const script = formatScript(r.faults).trimEnd();
  lines.push(`faults${given !== undefined ? ' (from --faults)' : ''}:${script === '' ? ' none' : ''}`);
  if (script !== '') lines.push(indent(script));
  lines.push('', 'what happened:');
  if (r.story.length === 0) lines.push('  nothing of note');
  const shown = r.story.length > STORY_LINES ? r.story.slice(0, STORY_LINES - 1) : r.story;
  for (const e of shown) lines.push(storyLine(e.atUs, e.text));
  if (shown.length < r.story.length) {
    lines.push(`  ... ${r.story.length - shown.length} more (--json has them all)`);
    lines.push(storyLine(r.story[r.story.length - 1]!.atUs, r.story[r.story.length - 1]!.text));
  }
  if (r.summary.trim() !== '') {
    lines.push('', 'at the end, in the systems\' own words:', indent(r.summary.trimEnd()));
  }
  lines.push('', 'checks:');
  if (r.checks.length === 0) lines.push('  (no checkers)');
  for (const c of r.checks) lines.push(`  ${c.status.padEnd(7)} ${c.name}`);
  lines.push(`violations:${r.violations.length === 0 ? ' none' : ''}`);
  for (const v of r.violations) lines.push(`  ${violationLine(v)}`);
  lines.push('');
  lines.push(`expected: ${expectationText(r.expected)} (${r.expected.why})`);
  lines.push(r.expectMet ? 'verdict: expectation met' : 'verdict: EXPECTATION NOT MET');
  if (!r.expectMet) lines.push(`reproduce: ${repro}`);
  lines.push('');
  const wallS = wallMs / 1000;
  const speedup = wallS > 0 ? r.simulatedMs / 1000 / wallS : Infinity;
  lines.push(`events ${fmtInt(r.events)}   simulated ${fmtSimMs(r.simulatedMs)}   wall ${fmtSeconds(wallS)}   ${fmtRate(r.events / wallS)} events/s   ${fmtRate(speedup)}x real time`);
  lines.push(`trace hash ${r.traceHash}`);
  if (tracePath !== undefined) {
    lines.push(`trace written to ${displayPath(tracePath)}; open the replay with: npx dsim viz ${tracePath}`);
  }
  return lines.join('\n');
}

/** The story's lines shown in the human output (the last is always the end-of-run line). */
const STORY_LINES = 60;

function storyLine(atUs: number, text: string): string {
  const t = `${(atUs / 1e6).toFixed(3)} s`.padStart(10);
  return wrapHang(`${t}  ${text}`, 100, 14);
}

/** Wraps a long line at spaces, continuation lines indented by `hang`. */
function wrapHang(line: string, width: number, hang: number): string {
  if (line.length <= width) return line;
  const out: string[] = [];
  let rest = line;
  let first = true;
  while (rest.length > (first ? width : width - hang)) {
    const w = first ? width : width - hang;
    let cut = rest.lastIndexOf(' ', w);
    if (cut <= w / 3) cut = w;
    out.push((first ? '' : ' '.repeat(hang)) + rest.slice(0, cut).trimEnd());
    rest = rest.slice(cut).trimStart();
    first = false;
  }
  if (rest !== '') out.push(' '.repeat(hang) + rest);
  return out.join('\n');
}
