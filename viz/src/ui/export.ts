import { perfettoMetadata, PerfettoExporter, type ChromeEvent } from '../../../sim/world/perfetto.ts';

// Export to Perfetto / Chrome trace-event JSON with the same converter and the same file layout as
// `dsim export <trace> --format perfetto -o FILE` (sim/cli/cmd-export.ts), so both give the same bytes.

export function perfettoJson(bytes: Uint8Array, source: string): string {
  const text = new TextDecoder().decode(bytes);
  const ex = new PerfettoExporter(source);
  const parts: string[] = ['{"traceEvents":[\n'];
  let first = true;
  const emit = (e: ChromeEvent): void => {
    parts.push(first ? JSON.stringify(e) : `,\n${JSON.stringify(e)}`);
    first = false;
  };
  const terminated = text.endsWith('\n');
  let start = 0;
  while (start < text.length) {
    let nl = text.indexOf('\n', start);
    const last = nl < 0;
    if (last) nl = text.length;
    let line = text.slice(start, nl);
    if (line.endsWith('\r')) line = line.slice(0, -1);
    ex.push(line, emit, last && !terminated);
    start = nl + 1;
  }
  ex.finish(emit);
  parts.push(`\n],\n"metadata":${JSON.stringify(perfettoMetadata(ex.traceHeader!))}}\n`);
  return parts.join('');
}

/** Saves the export as a file download. */
export function downloadPerfetto(bytes: Uint8Array, traceName: string): void {
  const json = perfettoJson(bytes, traceName);
  const blob = new Blob([json], { type: 'application/json' });
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = `${traceName.replace(/\.jsonl$/i, '') || 'trace'}.perfetto.json`;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
