import { NO_FILTER, type EventFilter } from '../model/filter.ts';
import type { TraceIndex } from '../model/load.ts';
import { Replay } from '../model/replay.ts';
import type { ReplayState } from '../model/state.ts';
import { SYSTEM_VIZ } from '../systems/index.ts';

// The viewer's state and the one place it changes. Views subscribe and re-render the aspects that
// changed, batched to one animation frame.

export type Aspect = 'trace' | 'cursor' | 'selection' | 'filter' | 'tab' | 'play' | 'layout';
/** An inspector tab: 'process', or the name of a system with a viewer module (viz/src/systems/). */
export type Tab = string;

/** Playback speed: simulated microseconds per real second, or events per real second. */
export interface Speed {
  readonly label: string;
  readonly usPerSec?: number;
  readonly eventsPerSec?: number;
}

export const SPEEDS: readonly Speed[] = [
  { label: '1 ms of sim / s', usPerSec: 1_000 },
  { label: '10 ms / s', usPerSec: 10_000 },
  { label: '100 ms / s', usPerSec: 100_000 },
  { label: '1 s / s (real time)', usPerSec: 1_000_000 },
  { label: '10 s / s', usPerSec: 10_000_000 },
  { label: '5 events / s', eventsPerSec: 5 },
  { label: '50 events / s', eventsPerSec: 50 },
  { label: '500 events / s', eventsPerSec: 500 },
  { label: '5,000 events / s', eventsPerSec: 5_000 },
];

export const DEFAULT_SPEED = 2;

export interface Metrics {
  /** From the request to the first full render of the loaded trace. */
  loadMs: number;
  /** Parts of it: fetching the file, indexing it (in the worker), and the page's own share. */
  downloadMs: number;
  indexMs: number;
  /** Time to rebuild the state for the last cursor move. */
  lastSeekMs: number;
  /** Time to draw every view after the last change. */
  lastRenderMs: number;
}

export class App {
  replay: Replay | null = null;
  traceName = '';
  traceUrl: string | null = null;
  /** Event index of the cursor: the state shown is the state after this event (-1: before the first). */
  cursor = -1;
  /** The time drawn by the animated views (>= the cursor's time while playing). */
  timeUs = 0;
  selectedProc = -1;
  selectedEvent = -1;
  tab: Tab = 'process';
  filter: EventFilter = NO_FILTER;
  playing = false;
  speed = DEFAULT_SPEED;
  readonly metrics: Metrics = { loadMs: 0, downloadMs: 0, indexMs: 0, lastSeekMs: 0, lastRenderMs: 0 };
  private readonly listeners: ((changed: ReadonlySet<Aspect>) => void)[] = [];
  private pending = new Set<Aspect>();
  private frame = 0;
  private stateCache: { cursor: number; state: ReplayState } | null = null;

  subscribe(fn: (changed: ReadonlySet<Aspect>) => void): void {
    this.listeners.push(fn);
  }

  /** Marks aspects changed; listeners run once on the next animation frame. */
  changed(...aspects: Aspect[]): void {
    for (const a of aspects) this.pending.add(a);
    if (this.frame !== 0) return;
    this.frame = requestAnimationFrame(() => this.flush());
  }

  /** Runs pending renders now (tests and the first paint). */
  flush(): void {
    if (this.frame !== 0) cancelAnimationFrame(this.frame);
    this.frame = 0;
    const changed = this.pending;
    this.pending = new Set();
    if (changed.size === 0) return;
    const t0 = performance.now();
    for (const fn of this.listeners) fn(changed);
    this.metrics.lastRenderMs = performance.now() - t0;
  }

  get ix(): TraceIndex | null {
    return this.replay?.ix ?? null;
  }

  get count(): number {
    return this.replay?.count ?? 0;
  }

  open(ix: TraceIndex, name: string, url: string | null): void {
    this.replay = new Replay(ix);
    this.traceName = name;
    this.traceUrl = url;
    this.stateCache = null;
    this.playing = false;
    this.selectedProc = -1;
    this.selectedEvent = -1;
    this.filter = NO_FILTER;
    const systems = new Set(ix.procs.map((p) => p.system));
    this.tab = SYSTEM_VIZ.find((s) => systems.has(s.system))?.system ?? 'process';
    this.cursor = -1;
    this.timeUs = this.replay.startUs;
    this.changed('trace', 'cursor', 'selection', 'filter', 'tab', 'play', 'layout');
  }

  /** The reconstructed state at the cursor. */
  state(): ReplayState | null {
    const r = this.replay;
    if (r === null) return null;
    if (this.stateCache !== null && this.stateCache.cursor === this.cursor) return this.stateCache.state;
    const t0 = performance.now();
    const state = r.stateAfter(this.cursor);
    this.metrics.lastSeekMs = performance.now() - t0;
    this.stateCache = { cursor: this.cursor, state };
    return state;
  }

  /** Moves the cursor to event i (clamped). `timeUs` defaults to the event's own time. */
  seek(i: number, timeUs?: number): void {
    const r = this.replay;
    if (r === null) return;
    const n = r.count;
    const next = Math.max(-1, Math.min(n - 1, Math.round(i)));
    const t = timeUs ?? (next >= 0 ? r.ix.t[next]! : r.startUs);
    if (next === this.cursor && t === this.timeUs) return;
    this.cursor = next;
    this.timeUs = t;
    this.changed('cursor');
  }

  step(delta: number): void {
    this.pause();
    this.seek(this.cursor + delta);
  }

  /** Seeks to the last event at or before a simulated time, keeping that time for the animated views. */
  seekTime(tUs: number): void {
    const r = this.replay;
    if (r === null) return;
    const clamped = Math.max(r.startUs, Math.min(r.endUs, tUs));
    this.seek(r.lastAtOrBefore(clamped), clamped);
  }

  selectProc(p: number): void {
    if (p === this.selectedProc) return;
    this.selectedProc = p;
    this.changed('selection');
  }

  selectEvent(i: number): void {
    this.selectedEvent = i;
    this.changed('selection');
  }

  setTab(tab: Tab): void {
    if (tab === this.tab) return;
    this.tab = tab;
    this.changed('tab');
  }

  setFilter(f: EventFilter): void {
    this.filter = f;
    this.changed('filter');
  }

  play(): void {
    if (this.replay === null || this.playing) return;
    if (this.cursor >= this.count - 1) this.seek(-1);
    this.playing = true;
    this.changed('play');
  }

  pause(): void {
    if (!this.playing) return;
    this.playing = false;
    this.changed('play');
  }

  toggle(): void {
    if (this.playing) this.pause();
    else this.play();
  }

  setSpeed(i: number): void {
    this.speed = Math.max(0, Math.min(SPEEDS.length - 1, i));
    this.changed('play');
  }

  /** Advances playback by `dtMs` of real time. Returns false when the end is reached. */
  advance(dtMs: number): boolean {
    const r = this.replay;
    if (r === null || !this.playing) return false;
    const sp = SPEEDS[this.speed]!;
    if (sp.eventsPerSec !== undefined) {
      this.playAccum += (dtMs / 1000) * sp.eventsPerSec;
      const steps = Math.floor(this.playAccum);
      if (steps > 0) {
        this.playAccum -= steps;
        this.seek(this.cursor + steps);
      }
    } else {
      const t = Math.min(r.endUs, this.timeUs + (dtMs / 1000) * (sp.usPerSec ?? 0));
      this.seek(r.lastAtOrBefore(t), t);
    }
    if (this.cursor >= r.count - 1) {
      this.pause();
      return false;
    }
    return true;
  }

  private playAccum = 0;

  jumpToFirstViolation(): void {
    const ix = this.ix;
    if (ix === null || ix.violations.length === 0) return;
    this.pause();
    const v = ix.violations[0]!;
    this.seek(v);
    this.selectEvent(v);
  }
}
