import { TRACE_EVENT_TYPES } from '../../../sim/world/trace.ts';
import type { TraceIndex } from './load.ts';

// Event log filters and search. Filters read the columns; search scans the raw bytes with the
// native indexOf, so both stay fast on a million lines without parsing them.

export interface EventFilter {
  /** Process names; empty: every process. */
  readonly procs: readonly string[];
  /** Event types; empty: every type. */
  readonly types: readonly string[];
  /** A system name ("kafka", "zookeeper", ...), "world" for lines without a process, or "" for all. */
  readonly system: string;
  /** Case-insensitive text to find in the raw line. */
  readonly query: string;
}

export const NO_FILTER: EventFilter = { procs: [], types: [], system: '', query: '' };

export function isEmptyFilter(f: EventFilter): boolean {
  return f.procs.length === 0 && f.types.length === 0 && f.system === '' && f.query.trim() === '';
}

/** Named groups of types offered next to the single types. */
export const TYPE_GROUPS: { readonly [name: string]: readonly string[] } = {
  messages: ['send', 'deliver', 'drop', 'dup'],
  faults: ['crash', 'start', 'pause', 'resume', 'power-off', 'power-on', 'partition', 'heal', 'fault'],
  narration: ['note', 'violation'],
  state: ['state'],
  client: ['op'],
};

/** Marks lines containing `query` (ASCII case-insensitive). Returns one byte per event: 1 = match. */
export function searchMask(ix: TraceIndex, query: string): Uint8Array {
  const mask = new Uint8Array(ix.count);
  if (query === '' || ix.count === 0) return mask;
  const q = new TextEncoder().encode(query.toLowerCase());
  const bytes = ix.bytes;
  const first = q[0]!;
  const firstUpper = first >= 97 && first <= 122 ? first - 32 : first;
  let pos = ix.lineStart[0]!;
  const limit = ix.lineEnd[ix.count - 1]!;
  let nextA = bytes.indexOf(first, pos);
  let nextB = firstUpper !== first ? bytes.indexOf(firstUpper, pos) : -1;
  let line = 0;
  while (true) {
    let cand: number;
    if (nextA < 0 && nextB < 0) break;
    if (nextA < 0) cand = nextB;
    else if (nextB < 0) cand = nextA;
    else cand = Math.min(nextA, nextB);
    if (cand >= limit) break;
    let ok = cand + q.length <= bytes.length;
    for (let k = 1; ok && k < q.length; k++) {
      let b = bytes[cand + k]!;
      if (b >= 65 && b <= 90) b += 32;
      if (b !== q[k]) ok = false;
    }
    let from = cand + 1;
    if (ok) {
      line = lineOf(ix, cand, line);
      if (line >= 0) {
        mask[line] = 1;
        from = ix.lineEnd[line]! + 1;
      }
    }
    if (nextA >= 0 && nextA < from) nextA = bytes.indexOf(first, from);
    if (nextB >= 0 && nextB < from) nextB = bytes.indexOf(firstUpper, from);
  }
  return mask;
}

/** The event whose line contains byte `pos` (searching forward from `hint`), or -1. */
function lineOf(ix: TraceIndex, pos: number, hint: number): number {
  let lo = hint;
  let hi = ix.count;
  if (lo > 0 && ix.lineStart[lo]! > pos) lo = 0;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (ix.lineStart[mid]! <= pos) lo = mid + 1;
    else hi = mid;
  }
  const i = lo - 1;
  return i >= 0 && pos < ix.lineEnd[i]! ? i : -1;
}

/** The event indexes that pass the filter, in order. */
export function filterEvents(ix: TraceIndex, f: EventFilter): Int32Array {
  const procSet = new Set<number>();
  for (const name of f.procs) {
    const p = ix.procByName.get(name);
    if (p !== undefined) procSet.add(p);
  }
  const typeSet = new Set<number>();
  for (const t of f.types) {
    const i = TRACE_EVENT_TYPES.indexOf(t as (typeof TRACE_EVENT_TYPES)[number]);
    if (i >= 0) typeSet.add(i);
  }
  const sys = f.system;
  const procOk = new Uint8Array(ix.procs.length);
  ix.procs.forEach((pi, p) => {
    procOk[p] = (procSet.size === 0 || procSet.has(p)) && (sys === '' || pi.system === sys) ? 1 : 0;
  });
  const noProcOk = procSet.size === 0 && (sys === '' || sys === 'world');
  const mask = f.query.trim() !== '' ? searchMask(ix, f.query.trim()) : null;
  const out = new Int32Array(ix.count);
  let k = 0;
  for (let i = 0; i < ix.count; i++) {
    const p = ix.proc[i]!;
    if (p >= 0 ? procOk[p] === 0 : !noProcOk) continue;
    if (typeSet.size > 0 && !typeSet.has(ix.type[i]!)) continue;
    if (mask !== null && mask[i] === 0) continue;
    out[k++] = i;
  }
  return out.slice(0, k);
}

/** Position of event i in a filtered list: the first entry >= i (list.length if none). */
export function positionIn(list: Int32Array, i: number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (list[mid]! < i) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
