import type { Violation } from '../world/checker.ts';
import type { Expectation } from '../harness/scenario.ts';

// Human output helpers shared by the commands: numbers, rates, tables, verdict lines.

export function fmtInt(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

/** 1234567 -> "1.23 M", 4321 -> "4.32 k". */
export function fmtRate(n: number): string {
  if (!Number.isFinite(n)) return '-';
  if (n >= 1e6) return `${(n / 1e6).toFixed(2)} M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)} k`;
  return n.toFixed(n >= 100 ? 0 : 1);
}

export function fmtSeconds(s: number): string {
  if (!Number.isFinite(s)) return '-';
  if (s < 1) return `${(s * 1000).toFixed(0)} ms`;
  if (s < 120) return `${s.toFixed(2)} s`;
  const m = Math.floor(s / 60);
  return `${m}m${String(Math.round(s - m * 60)).padStart(2, '0')}s`;
}

export function fmtSimMs(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(3)} s` : `${ms.toFixed(3)} ms`;
}

export function violationLine(v: Violation): string {
  return `${v.checker}  event #${v.seq}  t=${v.timeMs.toFixed(3)} ms  ${v.message}`;
}

export function expectationText(e: Expectation): string {
  return e.violations.length === 0 ? 'no violations' : `violations from ${e.violations.join(', ')}`;
}

/** Left-aligned text columns, right-aligned numeric columns. */
export function table(header: readonly string[], rows: readonly (readonly string[])[], numeric: readonly boolean[] = []): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells.map((c, i) => (numeric[i] === true ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ').trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

export function indent(text: string, prefix = '  '): string {
  return text.split('\n').map((l) => (l === '' ? l : prefix + l)).join('\n');
}
