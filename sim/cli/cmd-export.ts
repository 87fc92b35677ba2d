import { UsageError } from '../core/invariant.ts';
import { perfettoMetadata, PerfettoExporter, type ChromeEvent } from '../world/perfetto.ts';
import { closest } from '../core/config.ts';
import { parseArgs, positionals } from './args.ts';
import { out } from './common.ts';
import { fmtInt } from './output.ts';
import { forEachLine } from './trace-file.ts';
import { AtomicOutput } from './out-file.ts';

// `dsim export <trace> --format perfetto -o FILE`: streams the trace through the converter into a
// temporary file and renames it when the whole trace was valid, so a bad trace leaves no output.

const FORMATS = ['perfetto'] as const;
const FLUSH_CHARS = 1 << 20;

export async function cmdExport(argv: readonly string[]): Promise<number> {
  const args = parseArgs('export', argv, {
    format: { kind: 'value' },
    out: { kind: 'value', short: 'o' },
  });
  const [tracePath] = positionals('export', args, ['trace']);
  const format = args.values.get('format') ?? 'perfetto';
  if (!(FORMATS as readonly string[]).includes(format)) {
    const best = closest(format, FORMATS);
    throw new UsageError(`export: unknown format '${format}'${best !== null ? ` (did you mean '${best}'?)` : ''}; known: ${FORMATS.join(', ')}`);
  }
  const outPath = args.values.get('out');
  if (outPath === undefined) throw new UsageError('export: missing -o FILE (where to write the Perfetto JSON)');

  const o = new AtomicOutput(outPath, 'export');
  let buf: string[] = [];
  let chars = 0;
  const flush = (): void => {
    if (buf.length === 0) return;
    o.write(buf.join(''));
    buf = [];
    chars = 0;
  };
  const write = (s: string): void => {
    buf.push(s);
    chars += s.length;
    if (chars >= FLUSH_CHARS) flush();
  };
  let first = true;
  const emit = (e: ChromeEvent): void => {
    write(first ? JSON.stringify(e) : `,\n${JSON.stringify(e)}`);
    first = false;
  };
  const ex = new PerfettoExporter(tracePath!);
  try {
    write('{"traceEvents":[\n');
    forEachLine(tracePath!, (line, unterminated) => ex.push(line, emit, unterminated));
    ex.finish(emit);
    write(`\n],\n"metadata":${JSON.stringify(perfettoMetadata(ex.traceHeader!))}}\n`);
    flush();
    o.commit();
  } catch (e) {
    o.abort();
    throw e;
  }
  out(`wrote ${outPath}: ${fmtInt(ex.events)} trace events (open it in https://ui.perfetto.dev or chrome://tracing)`);
  return 0;
}
