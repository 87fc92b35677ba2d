import { NO_FILTER, type EventFilter } from './filter.ts';

// Deep links: the URL holds the trace, the cursor, the selection, the inspector tab and the event
// log filters, so a link to a moment of a run can be shared. Plain query parameters:
//   ?trace=/trace.jsonl&e=10233&sel=broker-2&tab=kafka&fp=broker-1,broker-2&ft=send,deliver&fs=kafka&q=ISR

export interface LinkState {
  readonly trace: string | null;
  /** Event index of the cursor (0-based). */
  readonly cursor: number | null;
  /** Selected process name. */
  readonly selected: string | null;
  /** Selected event index (event log). */
  readonly event: number | null;
  readonly tab: string | null;
  readonly filter: EventFilter;
}

function list(v: string | null): string[] {
  return v === null || v === '' ? [] : v.split(',').map((x) => x.trim()).filter((x) => x !== '');
}

function int(v: string | null): number | null {
  if (v === null || !/^\d+$/.test(v)) return null;
  return Number(v);
}

export function parseLink(search: string): LinkState {
  const q = new URLSearchParams(search);
  return {
    trace: q.get('trace'),
    cursor: int(q.get('e')),
    selected: q.get('sel'),
    event: int(q.get('ev')),
    tab: q.get('tab'),
    filter: { procs: list(q.get('fp')), types: list(q.get('ft')), system: q.get('fs') ?? '', query: q.get('q') ?? '' },
  };
}

export function formatLink(s: LinkState): string {
  const q = new URLSearchParams();
  if (s.trace !== null) q.set('trace', s.trace);
  if (s.cursor !== null) q.set('e', String(s.cursor));
  if (s.selected !== null) q.set('sel', s.selected);
  if (s.event !== null) q.set('ev', String(s.event));
  if (s.tab !== null) q.set('tab', s.tab);
  const f = s.filter ?? NO_FILTER;
  if (f.procs.length > 0) q.set('fp', f.procs.join(','));
  if (f.types.length > 0) q.set('ft', f.types.join(','));
  if (f.system !== '') q.set('fs', f.system);
  if (f.query !== '') q.set('q', f.query);
  const text = q.toString();
  return text === '' ? '' : `?${text}`;
}
