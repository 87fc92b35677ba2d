import type { Json } from '../core/types.ts';

// The trace: JSON Lines. Line 1 is the header; every other line is one event object. Lines carry
// `seq` (the index of the world event during which the line was written; several lines may share
// it) and `t` (simulated microseconds). Tracing is optional: with no sink the world writes nothing
// and builds no line objects; the trace hash is computed from event identities either way (see
// world.ts), so a run hashes the same with tracing on and off.

export const TRACE_FORMAT = 'dsim-trace';
export const TRACE_VERSION = 1;

export interface TraceHeader {
  readonly format: typeof TRACE_FORMAT;
  readonly version: number;
  readonly dsimVersion: string;
  readonly scenario: string;
  readonly seed: number;
  readonly timeUnit: 'us';
  readonly config: { readonly [key: string]: Json };
  readonly hosts: readonly { readonly name: string; readonly rack: string }[];
  readonly processes: readonly { readonly name: string; readonly host: string; readonly system: string; readonly role: string }[];
  readonly faultScript: string;
  /** The run's --set overrides, when there are any (the viewer's "fork from here" command repeats them). */
  readonly overrides?: { readonly [key: string]: string };
  /** This run is a branch of the multiverse (dsim fork). */
  readonly fork?: { readonly atMs: number; readonly branch: number };
}

/**
 * Event line types. Fields beyond seq/t/type are per type:
 *  send      p, to, id, msg, bytes, mode ('stream' | 'datagram')
 *  deliver   p (receiver), from, id
 *  drop      p (intended receiver), from, id, reason
 *  dup       p, from, id (a datagram delivered twice; the copy gets a new id `dupOf`)
 *  timer     p, tag
 *  disk      host, p?, op, file, bytes?, detail?
 *  start     p, incarnation           (first boot and every restart)
 *  crash     p, reason
 *  pause     p, untilUs?, reason      / resume p
 *  power-off host / power-on host
 *  partition cuts: [[fromHost, toHost], ...], desc / heal desc
 *  fault     kind, desc               (any other fault: clog, slow disk, corruption, clock...)
 *  state     p, view (full inspect() view) or patch ([path, value][]; value absent = deleted)
 *  op        p, opId, phase ('invoke' | 'ok' | 'fail' | 'info'), f, key, value, error?
 *  obs       p, kind, data             (protocol observation fed to checkers)
 *  note      p, text                   (annotation: why something happened)
 *  violation checker, message
 *  phase     name ('faults' | 'heal' | 'quiesce' | 'end')
 *  end       traceHash, events, simulatedMs
 */
export type TraceEventType =
  | 'send' | 'deliver' | 'drop' | 'dup' | 'timer' | 'disk' | 'start' | 'crash' | 'pause' | 'resume'
  | 'power-off' | 'power-on' | 'partition' | 'heal' | 'fault' | 'state' | 'op' | 'obs' | 'note'
  | 'violation' | 'phase' | 'end';

export const TRACE_EVENT_TYPES: readonly TraceEventType[] = [
  'send', 'deliver', 'drop', 'dup', 'timer', 'disk', 'start', 'crash', 'pause', 'resume',
  'power-off', 'power-on', 'partition', 'heal', 'fault', 'state', 'op', 'obs', 'note',
  'violation', 'phase', 'end',
];

export interface TraceSink {
  write(line: string): void;
  close?(): void;
}

/** Collects lines in memory (tests, the browser, bench). */
export class MemorySink implements TraceSink {
  readonly lines: string[] = [];
  bytes = 0;
  write(line: string): void {
    this.lines.push(line);
    this.bytes += line.length + 1;
  }
}

/** Counts bytes and lines without keeping them (bench: trace cost without memory growth). */
export class CountingSink implements TraceSink {
  lines = 0;
  bytes = 0;
  write(line: string): void {
    this.lines++;
    this.bytes += line.length + 1;
  }
}

/**
 * How a message type appears in the trace. By default a message is written with JSON.stringify;
 * a system whose messages carry bytes (record batches, snapshots) registers a view that replaces
 * them with sizes or summaries. Registered at module load, keyed by message type.
 */
const messageViews = new Map<string, (msg: never) => Json>();

export function registerTraceView<M extends { readonly type: string }>(type: M['type'], view: (msg: M) => Json): void {
  messageViews.set(type, view as (msg: never) => Json);
}

/**
 * The JSON text of a message for the trace: its registered view, or the message itself through the
 * native serializer (no replacer: a replacer callback per key costs more than the rest of the
 * event). Messages that carry byte arrays must register a view.
 */
export function messageJson(msg: { readonly type: string }): string {
  const view = messageViews.get(msg.type);
  return view === undefined ? JSON.stringify(msg) : JSON.stringify(view(msg as never));
}

/** JSON.stringify replacer: byte arrays are written as their length, never as their content. */
export function traceReplacer(_key: string, value: unknown): unknown {
  if (value instanceof Uint8Array) return { bytes: value.length };
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Map) return Object.fromEntries(value);
  if (value instanceof Set) return [...value];
  return value;
}

export type PatchOp = readonly [path: readonly (string | number)[], value?: Json];

/**
 * A structural diff of two JSON views: the list of (path, new value) replacements that turns
 * `prev` into `next`. A missing value means the key was deleted. Arrays whose length changed are
 * replaced whole (inspect views keep arrays short; maps are objects).
 */
export function diffJson(prev: Json, next: Json, path: (string | number)[] = [], out: PatchOp[] = []): PatchOp[] {
  if (prev === next) return out;
  if (isObject(prev) && isObject(next)) {
    for (const k of Object.keys(next)) {
      if (!(k in prev)) out.push([[...path, k], next[k] as Json]);
      else diffJson(prev[k] as Json, next[k] as Json, [...path, k], out);
    }
    for (const k of Object.keys(prev)) if (!(k in next)) out.push([[...path, k]]);
    return out;
  }
  if (Array.isArray(prev) && Array.isArray(next) && prev.length === next.length) {
    for (let i = 0; i < next.length; i++) diffJson(prev[i] as Json, next[i] as Json, [...path, i], out);
    return out;
  }
  out.push([path.slice(), next]);
  return out;
}

/** Applies a patch produced by diffJson to `root` (mutating it) and returns the new root. */
export function applyPatch(root: Json, patch: readonly PatchOp[]): Json {
  let out: unknown = root;
  for (const op of patch) {
    const path = op[0];
    if (path.length === 0) {
      out = op[1];
      continue;
    }
    let node = out as Record<string | number, unknown>;
    for (let i = 0; i < path.length - 1; i++) node = node[path[i]!] as Record<string | number, unknown>;
    const last = path[path.length - 1]!;
    if (op.length === 1) delete node[last];
    else node[last] = op[1];
  }
  return out as Json;
}

function isObject(v: Json): v is { readonly [key: string]: Json } {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
