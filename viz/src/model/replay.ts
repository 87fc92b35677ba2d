import { produce, type Draft } from 'immer';
import { TRACE_EVENT_TYPES } from '../../../sim/world/trace.ts';
import type { Json } from '../../../sim/core/types.ts';
import { T, type TraceLine } from './events.ts';
import type { Keyframe, TraceIndex } from './load.ts';
import { applyEvent, changesState, initialState, type NameTable, type ReplayState } from './state.ts';

// The replay engine: the reconstructed state after any event, from the nearest keyframe plus the
// state-changing lines after it. Stepping forward applies one line to the current state; stepping
// back or seeking far starts again from a keyframe. Lines are parsed lazily from the raw bytes and
// kept in a bounded cache.

/** How many parsed lines stay cached (the event log, the inspectors and seeks reuse them). */
export const LINE_CACHE_MAX = 20_000;

export class Replay {
  readonly ix: TraceIndex;
  private readonly decoder = new TextDecoder();
  private readonly cache = new Map<number, TraceLine>();
  private readonly names: NameTable;
  private current: { index: number; state: ReplayState };
  /** Counters for tests and the performance readout. */
  readonly stats = { parsed: 0, applied: 0, fromKeyframe: 0, forward: 0 };

  constructor(ix: TraceIndex) {
    this.ix = ix;
    this.names = { proc: (n) => ix.procByName.get(n) ?? -1, host: (n) => ix.hostByName.get(n) ?? -1 };
    this.current = { index: -1, state: ix.keyframes[0]?.state ?? initialState(ix.procs.length, ix.hosts.length) };
  }

  get count(): number {
    return this.ix.count;
  }

  /** The parsed line of event i. */
  event(i: number): TraceLine {
    const hit = this.cache.get(i);
    if (hit !== undefined) return hit;
    const ix = this.ix;
    if (i < 0 || i >= ix.count) throw new RangeError(`event ${i} is outside 0..${ix.count - 1}`);
    const text = this.decoder.decode(ix.bytes.subarray(ix.lineStart[i]!, ix.lineEnd[i]!));
    let ev: TraceLine;
    try {
      ev = JSON.parse(text) as TraceLine;
    } catch (e) {
      // The index read this line with the fast scanner, which does not check the whole line. Show
      // what is wrong with it instead of failing the page.
      ev = { seq: ix.seq[i]!, t: ix.t[i]!, type: TRACE_EVENT_TYPES[ix.type[i]!]!, unreadable: `line ${ix.lineNo[i]} is not valid JSON: ${e instanceof Error ? e.message : String(e)}` };
    }
    this.stats.parsed++;
    if (this.cache.size >= LINE_CACHE_MAX) {
      const oldest = this.cache.keys().next().value;
      if (oldest !== undefined) this.cache.delete(oldest);
    }
    this.cache.set(i, ev);
    return ev;
  }

  /** The raw text of event i's line (what the file says, for copy and search). */
  rawLine(i: number): string {
    return this.decoder.decode(this.ix.bytes.subarray(this.ix.lineStart[i]!, this.ix.lineEnd[i]!));
  }

  /** The keyframe with the largest index <= j. */
  keyframeAtOrBefore(j: number): Keyframe {
    const kfs = this.ix.keyframes;
    let k = Math.min(kfs.length - 1, Math.floor(j / this.ix.keyframeEvery));
    while (k > 0 && kfs[k]!.index > j) k--;
    while (k + 1 < kfs.length && kfs[k + 1]!.index <= j) k++;
    return kfs[k]!;
  }

  /**
   * The state after events 0..i (i = -1: before the first event). `remember` keeps it as the
   * current state, from which the next step forward continues (a side look, like the inspector
   * reading the state before a change, passes false).
   */
  stateAfter(i: number, remember = true): ReplayState {
    if (i >= this.ix.count) i = this.ix.count - 1;
    if (i < -1) i = -1;
    const cur = this.current;
    if (i === cur.index) return cur.state;
    const kf = this.keyframeAtOrBefore(i + 1);
    let fromIndex: number;
    let base: ReplayState;
    // Continue from the current state when it lies between the keyframe and the target.
    if (cur.index < i && cur.index + 1 >= kf.index) {
      fromIndex = cur.index + 1;
      base = cur.state;
      this.stats.forward++;
    } else {
      fromIndex = kf.index;
      base = kf.state;
      this.stats.fromKeyframe++;
    }
    const state = this.applyRange(base, fromIndex, i);
    if (remember) this.current = { index: i, state };
    return state;
  }

  /** Applies the state-changing events in [from, to] to `base`. */
  private applyRange(base: ReplayState, from: number, to: number): ReplayState {
    const type = this.ix.type;
    let any = false;
    for (let j = from; j <= to; j++) if (changesState(type[j]!)) { any = true; break; }
    if (!any) return base;
    return produce(base, (d: Draft<ReplayState>) => {
      for (let j = from; j <= to; j++) {
        const code = type[j]!;
        if (!changesState(code)) continue;
        applyEvent(d, this.event(j), code, this.names, true);
        this.stats.applied++;
      }
    });
  }

  /** Message sends (and duplicate copies) still in flight after event i: sent at or before i, not yet delivered or dropped. */
  inflightAfter(i: number): number[] {
    const ix = this.ix;
    const kf = this.keyframeAtOrBefore(i + 1);
    const out: number[] = [];
    const alive = (s: number): boolean => {
      const e = ix.end[s]!;
      return e < 0 || e > i;
    };
    for (const s of kf.inflight) if (alive(s)) out.push(s);
    for (let j = kf.index; j <= i; j++) {
      const c = ix.type[j]!;
      if ((c === T.send || c === T.dup) && alive(j)) out.push(j);
    }
    return out;
  }

  /** The last event index with t <= tUs (-1 if none). */
  lastAtOrBefore(tUs: number): number {
    const t = this.ix.t;
    let lo = 0;
    let hi = this.ix.count;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (t[mid]! <= tUs) lo = mid + 1;
      else hi = mid;
    }
    return lo - 1;
  }

  /** The first event index with t >= tUs (count if none). */
  firstAtOrAfter(tUs: number): number {
    const t = this.ix.t;
    let lo = 0;
    let hi = this.ix.count;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (t[mid]! < tUs) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  get startUs(): number {
    return this.ix.count > 0 ? this.ix.t[0]! : 0;
  }

  get endUs(): number {
    return this.ix.count > 0 ? this.ix.t[this.ix.count - 1]! : 0;
  }

  /** The index of process p's last state line at or before event i (-1: none). */
  lastStateEventOf(p: number, i: number): number {
    const list = this.ix.stateEvents[p];
    if (list === undefined || list.length === 0) return -1;
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (list[mid]! <= i) lo = mid + 1;
      else hi = mid;
    }
    return lo > 0 ? list[lo - 1]! : -1;
  }

  /**
   * What the last state line of process p at or before event i changed: the paths it replaced
   * (a full view counts as a change of everything, path []).
   */
  lastChange(p: number, i: number): { index: number; paths: (string | number)[][] } | null {
    const j = this.lastStateEventOf(p, i);
    if (j < 0) return null;
    const ev = this.event(j);
    if (ev['view'] !== undefined) return { index: j, paths: [[]] };
    const patch = ev['patch'];
    const paths: (string | number)[][] = [];
    if (Array.isArray(patch)) {
      for (const op of patch as readonly Json[]) {
        if (Array.isArray(op) && Array.isArray(op[0])) paths.push((op[0] as readonly Json[]).map((x) => (typeof x === 'number' ? x : String(x))));
      }
    }
    return { index: j, paths };
  }

  /** What a state line changed, value by value: the path, the value before and after (undefined: absent). */
  changeDetail(p: number, j: number): { path: (string | number)[]; before: Json | undefined; after: Json | undefined }[] {
    const ch = this.lastChange(p, j);
    if (ch === null || ch.index !== j) return [];
    const before = this.stateAfter(j - 1, false).procs[p]?.view ?? null;
    const after = this.stateAfter(j, false).procs[p]?.view ?? null;
    return ch.paths.map((path) => ({ path, before: valueAt(before, path), after: valueAt(after, path) }));
  }

  /** The previous and next markers around event i (for Shift+arrow jumps). */
  markerAfter(i: number): number {
    for (const m of this.ix.markers) if (m.index > i) return m.index;
    return -1;
  }

  markerBefore(i: number): number {
    let best = -1;
    for (const m of this.ix.markers) {
      if (m.index >= i) break;
      best = m.index;
    }
    return best;
  }
}

/** The value at a path in a JSON value (undefined if absent). */
export function valueAt(v: Json | undefined, path: readonly (string | number)[]): Json | undefined {
  let cur: Json | undefined = v;
  for (const k of path) {
    if (cur === null || typeof cur !== 'object' || cur === undefined) return undefined;
    cur = Array.isArray(cur) ? (cur as readonly Json[])[Number(k)] : (cur as { readonly [key: string]: Json })[String(k)];
  }
  return cur;
}
