import type { Json } from '../../../sim/core/types.ts';
import { TRACE_EVENT_TYPES, type TraceEventType } from '../../../sim/world/trace.ts';

// The viewer's reading of trace event lines. sim/world/trace.ts defines the format; these types name
// the fields each line type carries so the UI reads them without casts scattered everywhere.

export interface TraceLine {
  readonly seq: number;
  readonly t: number;
  readonly type: TraceEventType;
  readonly [field: string]: Json | undefined;
}

/** Event type code: the index in TRACE_EVENT_TYPES (stored in a Uint8Array column). */
export const TYPE_CODE: ReadonlyMap<string, number> = new Map(TRACE_EVENT_TYPES.map((t, i) => [t, i]));

export function typeCode(t: TraceEventType): number {
  return TYPE_CODE.get(t)!;
}

export const T = {
  send: typeCode('send'),
  deliver: typeCode('deliver'),
  drop: typeCode('drop'),
  dup: typeCode('dup'),
  timer: typeCode('timer'),
  disk: typeCode('disk'),
  start: typeCode('start'),
  crash: typeCode('crash'),
  pause: typeCode('pause'),
  resume: typeCode('resume'),
  powerOff: typeCode('power-off'),
  powerOn: typeCode('power-on'),
  partition: typeCode('partition'),
  heal: typeCode('heal'),
  fault: typeCode('fault'),
  state: typeCode('state'),
  op: typeCode('op'),
  obs: typeCode('obs'),
  note: typeCode('note'),
  violation: typeCode('violation'),
  phase: typeCode('phase'),
  end: typeCode('end'),
} as const;

export function str(v: Json | undefined): string {
  return typeof v === 'string' ? v : v === undefined || v === null ? '' : JSON.stringify(v);
}

export function num(v: Json | undefined): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

export function isRecord(v: Json | undefined): v is { readonly [key: string]: Json } {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The message type of a send line (`msg.type`), or ''. */
export function msgType(ev: TraceLine): string {
  const m = ev['msg'];
  return isRecord(m) && typeof m['type'] === 'string' ? m['type'] : '';
}

const MAX_SUMMARY = 160;

function clip(s: string, n = MAX_SUMMARY): string {
  return s.length > n ? `${s.slice(0, n - 1)}…` : s;
}

/** Compact JSON of a message body without its `type` (the type is shown separately). */
function msgBody(m: Json | undefined): string {
  if (!isRecord(m)) return '';
  const rest: { [k: string]: Json } = {};
  for (const [k, v] of Object.entries(m)) if (k !== 'type') rest[k] = v;
  const s = JSON.stringify(rest);
  return s === '{}' ? '' : s;
}

/** Describes a state patch in words: "role=leader, isr=[1,2] (+3 more)". */
export function describePatch(patch: Json | undefined): string {
  if (!Array.isArray(patch)) return '';
  const parts: string[] = [];
  for (const op of patch as readonly Json[]) {
    if (!Array.isArray(op)) continue;
    const path = op[0];
    const p = Array.isArray(path) ? path.map(String).join('.') : '?';
    parts.push(op.length < 2 ? `-${p}` : `${p}=${clip(JSON.stringify(op[1]), 40)}`);
    if (parts.length === 4) break;
  }
  const more = (patch as readonly Json[]).length - parts.length;
  return parts.join(', ') + (more > 0 ? ` (+${more} more)` : '');
}

/** One line of text for the event log. Plain text: the UI inserts it with textContent. */
export function summarize(ev: TraceLine): string {
  if (typeof ev['unreadable'] === 'string') return ev['unreadable'];
  switch (ev.type) {
    case 'send': {
      const body = msgBody(ev['msg']);
      return clip(`→ ${str(ev['to'])}  ${msgType(ev)}${body !== '' ? ` ${body}` : ''}  (${str(ev['bytes'])} B${ev['mode'] === 'datagram' ? ', datagram' : ''})`);
    }
    case 'deliver':
      return `← ${str(ev['from'])}  msg #${str(ev['id'])}`;
    case 'drop':
      return `✕ from ${str(ev['from'])}  msg #${str(ev['id'])}: ${str(ev['reason'])}`;
    case 'dup':
      return `duplicate from ${str(ev['from'])}: #${str(ev['id'])} copies #${str(ev['dupOf'])}`;
    case 'timer':
      return clip(`timer ${str(ev['tag'])}`);
    case 'disk':
      return clip(`${str(ev['op'])} ${str(ev['file'])}${ev['bytes'] !== undefined ? ` ${str(ev['bytes'])} B` : ''}${ev['detail'] !== undefined ? ` (${str(ev['detail'])})` : ''}`);
    case 'start':
      return Number(ev['incarnation']) > 1 ? `restart (incarnation ${str(ev['incarnation'])})` : 'start';
    case 'crash':
      return `crash: ${str(ev['reason'])}`;
    case 'pause':
      return `pause: ${str(ev['reason'])}`;
    case 'resume':
      return 'resume';
    case 'power-off':
      return `power off ${str(ev['host'])}`;
    case 'power-on':
      return `power on ${str(ev['host'])}`;
    case 'partition':
      return clip(`partition: ${str(ev['desc'])}`);
    case 'heal':
      return clip(`heal: ${str(ev['desc'])}`);
    case 'fault':
      return clip(`${str(ev['kind'])}: ${str(ev['desc'])}`);
    case 'state':
      return ev['view'] !== undefined ? clip(`view ${JSON.stringify(ev['view'])}`) : clip(describePatch(ev['patch']));
    case 'op': {
      const err = ev['error'] !== undefined ? ` (${str(ev['error'])})` : '';
      return clip(`${str(ev['phase'])} ${str(ev['f'])} ${ev['key'] !== null && ev['key'] !== undefined ? `${str(ev['key'])} ` : ''}${JSON.stringify(ev['value'] ?? null)}${err}`);
    }
    case 'obs':
      return clip(`${str(ev['kind'])} ${JSON.stringify(ev['data'] ?? null)}`);
    case 'note':
      return clip(str(ev['text']), 400);
    case 'violation':
      return clip(`${str(ev['checker'])}: ${str(ev['message'])}`, 400);
    case 'phase':
      return `phase: ${str(ev['name'])}`;
    case 'end':
      return `end of run: ${str(ev['events'])} events, ${str(ev['simulatedMs'])} ms simulated, trace hash ${str(ev['traceHash'])}`;
  }
}
