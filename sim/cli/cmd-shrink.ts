import { shrinkFaults, type ShrinkResult } from '../check/shrink.ts';
import { UsageError } from '../core/invariant.ts';
import { resolveScenarioConfig } from '../harness/run.ts';
import { formatFault, formatScript } from '../harness/faults.ts';
import { parseArgs, parseNonNegativeInt, parsePositiveInt, parseSets, positionals, setFlags, shellQuote } from './args.ts';
import { out, readFaults, reproduceCommand, RunCrash } from './common.ts';
import { fmtSeconds, indent, violationLine } from './output.ts';
import { resolveScenario } from './scenarios.ts';
import { checkOutputPath, writeOutputFile } from './out-file.ts';
import { configFlags, effectiveOverrides } from './run-config.ts';

// `dsim shrink <scenario> --seed N [--set key=value]... [--faults FILE] [--out FILE] [--max-runs N] [--json]`

export interface ShrinkJson {
  scenario: string;
  seed: number;
  checker: string;
  originalFaults: string[];
  minimalFaults: string[];
  script: string;
  runs: number;
  violation: { checker: string; seq: number; timeMs: number; message: string };
  replay: string;
}

export async function cmdShrink(argv: readonly string[]): Promise<number> {
  const args = parseArgs('shrink', argv, {
    seed: { kind: 'value' },
    set: { kind: 'multi' },
    config: { kind: 'multi' },
    faults: { kind: 'value' },
    out: { kind: 'value', short: 'o' },
    'max-runs': { kind: 'value' },
    json: { kind: 'bool' },
  });
  const [arg] = positionals('shrink', args, ['scenario']);
  const rawSeed = args.values.get('seed');
  if (rawSeed === undefined) throw new UsageError('shrink: missing --seed N (the failing seed, e.g. from dsim sweep)');
  const seed = parseNonNegativeInt('--seed', rawSeed);
  const sets = parseSets(args.multi.get('set') ?? []);
  const faultsFile = args.values.get('faults');
  const faults = faultsFile !== undefined ? readFaults(faultsFile) : undefined;
  const maxRuns = args.values.has('max-runs') ? parsePositiveInt('--max-runs', args.values.get('max-runs')!) : undefined;
  const outFile = args.values.get('out');
  const json = args.bools.has('json');
  if (outFile !== undefined) checkOutputPath(outFile, 'fault script');
  const ref = await resolveScenario(arg!);
  const configFiles = args.multi.get('config') ?? [];
  const overrides = effectiveOverrides(ref.scenario, configFiles, sets).overrides;
  resolveScenarioConfig(ref.scenario, overrides);

  const tty = process.stderr.isTTY === true && !json;
  let lastDraw = 0;
  const t0 = performance.now();
  let r: ShrinkResult;
  try {
    r = shrinkFaults(ref.scenario, {
      seed,
      overrides,
      ...(faults !== undefined ? { faults } : {}),
      ...(maxRuns !== undefined ? { maxRuns } : {}),
      onProgress: (runs, current) => {
        if (!tty) return;
        const now = performance.now();
        if (now - lastDraw < 100) return;
        lastDraw = now;
        process.stderr.write(`\rshrinking: ${runs} runs, ${current.length} fault${current.length === 1 ? '' : 's'} left\x1b[K`);
      },
    });
  } catch (e) {
    if (e instanceof UsageError) throw e;
    throw new RunCrash(ref.name, seed, e, reproduceCommand(ref.ref, seed, sets, faultsFile, configFiles));
  } finally {
    if (tty && lastDraw > 0) process.stderr.write('\r\x1b[K');
  }
  const wallS = (performance.now() - t0) / 1000;
  const script = formatScript(r.minimal);
  if (outFile !== undefined) {
    writeOutputFile(outFile, script, 'fault script');
  }
  const scriptFile = outFile ?? 'shrunk.faults';
  const replay = ['npx', 'dsim', 'run', shellQuote(ref.ref), '--seed', String(seed), ...configFlags(configFiles), ...setFlags(sets), '--faults', shellQuote(scriptFile)].join(' ');
  const result: ShrinkJson = {
    scenario: ref.name,
    seed,
    checker: r.checker,
    originalFaults: r.original.map(formatFault),
    minimalFaults: r.minimal.map(formatFault),
    script,
    runs: r.runs,
    violation: { checker: r.violation.checker, seq: r.violation.seq, timeMs: r.violation.timeMs, message: r.violation.message },
    replay,
  };
  if (json) {
    out(JSON.stringify(result));
    return 0;
  }
  const lines: string[] = [];
  lines.push(`shrink ${ref.name} seed ${seed}: ${r.checker} fails with ${r.minimal.length} of ${r.original.length} fault${r.original.length === 1 ? '' : 's'} (${r.runs} runs, ${fmtSeconds(wallS)})`);
  lines.push(`  ${violationLine(r.violation)}`);
  lines.push('');
  lines.push(`minimal fault script${outFile !== undefined ? ` (written to ${outFile})` : ''}:`);
  lines.push(script.trimEnd() === '' ? '  (none: the seed fails without any fault)' : indent(script.trimEnd()));
  lines.push('');
  if (outFile === undefined) lines.push(`save it as ${scriptFile} (or pass --out FILE) and replay it with:`);
  else lines.push('replay it with:');
  lines.push(`  ${replay}`);
  out(lines.join('\n'));
  return 0;
}
