import type { Draft } from 'immer';
import { applyPatch, type PatchOp } from '../../../sim/world/trace.ts';
import type { Json } from '../../../sim/core/types.ts';
import { T, type TraceLine } from './events.ts';

// The reconstructed world at a cursor position: what every process looks like (its inspect() view,
// up or down, paused), which hosts have power, which links are cut. States are immutable (immer):
// keyframes share every process view that did not change between them.

export interface ProcState {
  /** Started at least once. */
  readonly started: boolean;
  /** Running (started and not crashed since). */
  readonly up: boolean;
  readonly paused: boolean;
  readonly incarnation: number;
  /** Its inspect() view as last traced; null while down. */
  readonly view: Json;
  /** Why it went down ('nemesis', 'power loss', 'stopped'...), while down. */
  readonly downReason: string | null;
}

export interface ReplayState {
  readonly procs: readonly ProcState[];
  /** Per host: has power. */
  readonly powered: readonly boolean[];
  /** Directed cut links between hosts, keyed `cutKey(fromHost, toHost)` (host indexes). */
  readonly cuts: { readonly [key: string]: true };
  /** The run phase: 'faults', 'quiesce', ... ('' before the first phase line). */
  readonly phase: string;
  /** Violations reported so far. */
  readonly violations: number;
}

/** Resolves names in event lines to indexes. */
export interface NameTable {
  proc(name: string): number;
  host(name: string): number;
}

export function cutKey(from: number, to: number): string {
  return `${from}>${to}`;
}

export function parseCutKey(key: string): [number, number] {
  const i = key.indexOf('>');
  return [Number(key.slice(0, i)), Number(key.slice(i + 1))];
}

export function initialState(processes: number, hosts: number): ReplayState {
  const procs: ProcState[] = [];
  for (let i = 0; i < processes; i++) procs.push({ started: false, up: false, paused: false, incarnation: 0, view: null, downReason: null });
  return { procs, powered: new Array<boolean>(hosts).fill(true), cuts: {}, phase: '', violations: 0 };
}

function cutsOf(ev: TraceLine, names: NameTable): [number, number][] {
  const cuts = ev['cuts'];
  const out: [number, number][] = [];
  if (!Array.isArray(cuts)) return out;
  for (const c of cuts as readonly Json[]) {
    if (Array.isArray(c) && typeof c[0] === 'string' && typeof c[1] === 'string') {
      const a = names.host(c[0]);
      const b = names.host(c[1]);
      if (a >= 0 && b >= 0) out.push([a, b]);
    }
  }
  return out;
}

/**
 * Applies one event line to a draft state (inside an immer producer). Only lines that change what
 * the viewer shows matter; sends, deliveries and timers change nothing here (messages in flight
 * are computed from the message index, see replay.ts).
 */
export function applyEvent(d: Draft<ReplayState>, ev: TraceLine, code: number, names: NameTable, copyValues = false): void {
  switch (code) {
    case T.state: {
      const p = names.proc(String(ev['p']));
      if (p < 0) return;
      const ps = d.procs[p]!;
      // Values taken from a line are copied when the line object is shared (the replay's line
      // cache): later patches in the same batch mutate what was inserted, and immer freezes it.
      if (ev['view'] !== undefined) ps.view = (copyValues ? cloneJson(ev['view']) : ev['view']) as Draft<Json>;
      else if (Array.isArray(ev['patch'])) {
        let patch = ev['patch'] as unknown as readonly PatchOp[];
        if (copyValues) patch = patch.map((op) => (op.length < 2 ? op : [op[0], cloneJson(op[1]!)] as const));
        ps.view = applyPatch(ps.view as Json, patch) as Draft<Json>;
      }
      return;
    }
    case T.start: {
      const p = names.proc(String(ev['p']));
      if (p < 0) return;
      const ps = d.procs[p]!;
      ps.started = true;
      ps.up = true;
      ps.paused = false;
      ps.incarnation = typeof ev['incarnation'] === 'number' ? ev['incarnation'] : ps.incarnation + 1;
      ps.view = null;
      ps.downReason = null;
      return;
    }
    case T.crash: {
      const p = names.proc(String(ev['p']));
      if (p < 0) return;
      const ps = d.procs[p]!;
      ps.up = false;
      ps.paused = false;
      ps.view = null;
      ps.downReason = typeof ev['reason'] === 'string' ? ev['reason'] : 'crash';
      return;
    }
    case T.pause:
    case T.resume: {
      const p = names.proc(String(ev['p']));
      if (p >= 0) d.procs[p]!.paused = code === T.pause;
      return;
    }
    case T.powerOff:
    case T.powerOn: {
      const h = names.host(String(ev['host']));
      if (h >= 0) d.powered[h] = code === T.powerOn;
      return;
    }
    case T.partition:
      for (const [a, b] of cutsOf(ev, names)) d.cuts[cutKey(a, b)] = true;
      return;
    case T.heal: {
      if (ev['cuts'] === undefined) {
        for (const k of Object.keys(d.cuts)) delete d.cuts[k];
        return;
      }
      for (const [a, b] of cutsOf(ev, names)) delete d.cuts[cutKey(a, b)];
      return;
    }
    case T.phase:
      d.phase = String(ev['name']);
      return;
    case T.violation:
      d.violations++;
      return;
    default:
      return;
  }
}

/** Whether an event of this type code can change the ReplayState (others are skipped on seek). */
export function changesState(code: number): boolean {
  return code === T.state || code === T.start || code === T.crash || code === T.pause || code === T.resume
    || code === T.powerOff || code === T.powerOn || code === T.partition || code === T.heal || code === T.phase
    || code === T.violation;
}

/** A deep copy of a JSON value. */
export function cloneJson(v: Json): Json {
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) return (v as readonly Json[]).map(cloneJson);
  const out: { [k: string]: Json } = {};
  for (const k of Object.keys(v)) out[k] = cloneJson((v as { readonly [k: string]: Json })[k]!);
  return out;
}
