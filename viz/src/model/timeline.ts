import type { Json } from '../../../sim/core/types.ts';
import { T, type TraceLine } from './events.ts';

// What the timeline draws besides the events themselves: markers (faults, crashes, restarts,
// violations...) and bands (a process down or paused, a network fault in force), plus the indexes
// of the narration (annotations and violations). Built line by line while the trace loads.

export interface Marker {
  /** Event index. */
  readonly index: number;
  readonly kind: 'crash' | 'restart' | 'pause' | 'resume' | 'power-off' | 'power-on' | 'partition' | 'heal' | 'fault' | 'violation' | 'phase';
  readonly label: string;
}

/** An interval [from, to) of event indexes: a process down or paused, or a network fault active. */
export interface Band {
  readonly kind: 'down' | 'paused' | 'cut';
  /** Process index for down/paused; -1 for cut. */
  readonly proc: number;
  readonly from: number;
  /** Exclusive end: the event that ended it, or `count` if it lasted to the end. */
  readonly to: number;
  readonly label: string;
}

interface Open {
  readonly from: number;
  readonly label: string;
}

/** How a crash line reads on the timeline: a deliberate stop, an exit, or a crash. */
export function crashLabel(proc: string, reason: string): string {
  if (reason === 'stopped') return `${proc} stopped`;
  if (reason.startsWith('exit: ')) return `${proc} exited (${reason.slice(6)})`;
  return `${proc} crashed (${reason})`;
}

export class Timeline {
  readonly markers: Marker[] = [];
  readonly bands: Band[] = [];
  readonly narration: number[] = [];
  readonly violations: number[] = [];
  private readonly downSince = new Map<number, Open>();
  private readonly pausedSince = new Map<number, Open>();
  private readonly cutOpen: { from: number; label: string; keys: Set<string> }[] = [];

  /** Line `i` of type `code`, of process index `p` (-1: none). */
  add(i: number, code: number, ev: TraceLine, p: number): void {
    const who = String(ev['p']);
    switch (code) {
      case T.fault:
        this.markers.push({ index: i, kind: 'fault', label: `${String(ev['kind'])}: ${String(ev['desc'] ?? '')}` });
        return;
      case T.violation:
        this.violations.push(i);
        this.narration.push(i);
        this.markers.push({ index: i, kind: 'violation', label: `${String(ev['checker'])}: ${String(ev['message'] ?? '')}` });
        return;
      case T.note:
        this.narration.push(i);
        return;
      case T.start: {
        const inc = typeof ev['incarnation'] === 'number' ? ev['incarnation'] : 1;
        this.close(this.downSince, p, i, 'down');
        if (inc > 1) this.markers.push({ index: i, kind: 'restart', label: `${who} restarts (incarnation ${inc})` });
        return;
      }
      case T.crash: {
        const reason = String(ev['reason'] ?? 'crash');
        this.markers.push({ index: i, kind: 'crash', label: crashLabel(who, reason) });
        this.close(this.pausedSince, p, i, 'paused');
        if (p >= 0 && !this.downSince.has(p)) this.downSince.set(p, { from: i, label: `${who} down: ${reason}` });
        return;
      }
      case T.pause: {
        const label = `${who} paused: ${String(ev['reason'] ?? '')}`;
        this.markers.push({ index: i, kind: 'pause', label });
        if (p >= 0 && !this.pausedSince.has(p)) this.pausedSince.set(p, { from: i, label });
        return;
      }
      case T.resume:
        this.markers.push({ index: i, kind: 'resume', label: `${who} resumes` });
        this.close(this.pausedSince, p, i, 'paused');
        return;
      case T.powerOff:
        this.markers.push({ index: i, kind: 'power-off', label: `power off ${String(ev['host'])}` });
        return;
      case T.powerOn:
        this.markers.push({ index: i, kind: 'power-on', label: `power on ${String(ev['host'])}` });
        return;
      case T.partition: {
        const desc = String(ev['desc'] ?? 'partition');
        this.markers.push({ index: i, kind: 'partition', label: desc });
        const keys = new Set<string>();
        if (Array.isArray(ev['cuts'])) for (const c of ev['cuts'] as readonly Json[]) keys.add(JSON.stringify(c));
        this.cutOpen.push({ from: i, label: desc, keys });
        return;
      }
      case T.heal: {
        this.markers.push({ index: i, kind: 'heal', label: String(ev['desc'] ?? 'heal') });
        const healed = Array.isArray(ev['cuts']) ? new Set((ev['cuts'] as readonly Json[]).map((c) => JSON.stringify(c))) : null;
        for (let k = this.cutOpen.length - 1; k >= 0; k--) {
          const o = this.cutOpen[k]!;
          if (healed !== null) for (const key of healed) o.keys.delete(key);
          if (healed === null || o.keys.size === 0) {
            this.bands.push({ kind: 'cut', proc: -1, from: o.from, to: i, label: o.label });
            this.cutOpen.splice(k, 1);
          }
        }
        return;
      }
      case T.phase:
        this.markers.push({ index: i, kind: 'phase', label: `phase: ${String(ev['name'])}` });
        return;
      default:
        return;
    }
  }

  /** Ends what is still open at `count` (the end of the trace) and orders the bands. */
  finish(count: number): void {
    for (const [p, d] of this.downSince) this.bands.push({ kind: 'down', proc: p, from: d.from, to: count, label: d.label });
    for (const [p, d] of this.pausedSince) this.bands.push({ kind: 'paused', proc: p, from: d.from, to: count, label: d.label });
    for (const o of this.cutOpen) this.bands.push({ kind: 'cut', proc: -1, from: o.from, to: count, label: o.label });
    this.bands.sort((a, b) => a.from - b.from);
  }

  private close(open: Map<number, Open>, p: number, i: number, kind: 'down' | 'paused'): void {
    const o = open.get(p);
    if (o === undefined) return;
    this.bands.push({ kind, proc: p, from: o.from, to: i, label: o.label });
    open.delete(p);
  }
}
