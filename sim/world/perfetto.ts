import { UsageError } from '../core/invariant.ts';
import { TRACE_EVENT_TYPES, TRACE_FORMAT, TRACE_VERSION, type TraceHeader } from './trace.ts';
import type { Json } from '../core/types.ts';

// dsim trace (JSON Lines) -> Chrome trace-event JSON, which ui.perfetto.dev and chrome://tracing
// open. Pure and browser-safe: the CLI streams a file through it, the visualizer can call it on
// text it already holds.
//
// Mapping (format: "Trace Event Format", Google, docs.google.com/document/d/1CvAClvFfyA5R-PhYUmn5OOQtYMH4h6I0nSsKchNAySU):
//  - one process track per host (pid = host index + 1), one thread per simulated process
//    (tid = process index + 1), plus a "disk" thread per host; pid 0 is the world (global events)
//  - handling a message, a start, or a timer that does something: a complete slice ('X') on the
//    process's thread; the message's send -> deliver is a flow ('s' on the sender's slice, 'f' with
//    bp 'e' on the receiver's slice, id = the trace's message id)
//  - timers, notes, observations, drops, pauses, disk operations: thread instants ('i', s 't')
//  - crashes, power, partitions, heals, faults, violations, phases: global instants ('i', s 'g')
//  - state changes: the inspect() view or patch as args of the handler's slice
//  - client operations: asynchronous slices ('b'/'e', cat 'op', id = opId) on the client's thread
//
// Handling takes no simulated time, so a slice is drawn 1/512 us long. Several handlers of one
// process in the same microsecond are laid end to end on a 1/256 us grid: grid points are exact
// in binary floating point and map to distinct nanoseconds whether a viewer rounds or truncates.

export interface ChromeEvent {
  name: string;
  ph: 'X' | 'i' | 's' | 'f' | 'b' | 'e' | 'M';
  ts?: number;
  dur?: number;
  pid: number;
  tid: number;
  cat?: string;
  id?: number;
  bp?: 'e';
  s?: 'g' | 'p' | 't';
  args?: { [key: string]: Json };
}

export interface ChromeTrace {
  traceEvents: ChromeEvent[];
  metadata: { [key: string]: Json };
}

export const SUPPORTED_TRACE_VERSIONS: readonly number[] = [TRACE_VERSION];

const GRID_US = 1 / 256;
const SLICE_US = 1 / 512;
const WORLD_PID = 0;
const WORLD_TID = 0;
const KNOWN_TYPES = new Set<string>(TRACE_EVENT_TYPES);

type Line = { readonly seq: number; readonly t: number; readonly type: string; readonly [key: string]: Json };

/** Parses and checks the first line of a trace. Errors name the source and line 1. */
export function parseTraceHeader(text: string, source = 'trace'): TraceHeader {
  const where = `${source}:1`;
  if (text.trim() === '') throw new UsageError(`${where}: empty; a dsim trace starts with a header line`);
  let h: unknown;
  try {
    h = JSON.parse(text);
  } catch {
    throw new UsageError(`${where}: not a dsim trace (the first line is not JSON)`);
  }
  if (typeof h !== 'object' || h === null || Array.isArray(h) || (h as { format?: unknown }).format !== TRACE_FORMAT) {
    throw new UsageError(`${where}: not a dsim trace (the header has no "format": "${TRACE_FORMAT}")`);
  }
  const hdr = h as Partial<TraceHeader>;
  if (typeof hdr.version !== 'number' || !SUPPORTED_TRACE_VERSIONS.includes(hdr.version)) {
    throw new UsageError(`${where}: unsupported trace version ${JSON.stringify(hdr.version)} (this dsim reads version ${SUPPORTED_TRACE_VERSIONS.join(', ')})`);
  }
  if (!Array.isArray(hdr.hosts) || !Array.isArray(hdr.processes)) {
    throw new UsageError(`${where}: malformed header (hosts and processes must be arrays)`);
  }
  return h as TraceHeader;
}

interface Thread {
  readonly pid: number;
  readonly tid: number;
  /** Earliest free grid point for the next slice. */
  nextFreeUs: number;
  /** The slice of the current event (same seq), if one was opened. */
  slice: ChromeEvent | null;
  sliceSeq: number;
  /** What started the current event's handler when it has no slice yet (a timer). */
  cause: string;
  causeSeq: number;
}

/**
 * Streaming converter. Feed lines in order with push(); events come out through `emit` grouped per
 * world event, slices first (so the flows and instants of an event follow the slice they bind to).
 */
export class PerfettoExporter {
  private lineNo = 0;
  private header: TraceHeader | null = null;
  private readonly threads = new Map<string, Thread>();
  private readonly hostPid = new Map<string, number>();
  private readonly diskTid = new Map<string, number>();
  private readonly inFlight = new Map<number, string>();
  private readonly ops = new Map<number, { name: string; pid: number; tid: number }>();
  private group: ChromeEvent[] = [];
  private groupSlices: ChromeEvent[] = [];
  private groupSeq = -1;
  private nextTid = 1;
  private lastT = 0;
  events = 0;

  constructor(readonly source = 'trace') {}

  get traceHeader(): TraceHeader | null {
    return this.header;
  }

  /** Feeds one line. `unterminated`: it is the file's last line and has no newline (maybe cut off). */
  push(text: string, emit: (e: ChromeEvent) => void, unterminated = false): void {
    this.lineNo++;
    if (this.header === null) {
      if (unterminated && !isJson(text)) throw this.error('truncated header line (the file ends mid-line)');
      this.header = parseTraceHeader(text, this.source);
      this.start(emit);
      return;
    }
    if (text.trim() === '') return;
    let v: unknown;
    try {
      v = JSON.parse(text);
    } catch {
      throw this.error(unterminated ? 'truncated last line (the file ends mid-line: was the run interrupted?)' : 'not valid JSON');
    }
    if (typeof v !== 'object' || v === null || Array.isArray(v)) throw this.error('an event line must be a JSON object');
    const line = v as Line;
    if (typeof line.type !== 'string') throw this.error('event without a "type"');
    if (!KNOWN_TYPES.has(line.type)) throw this.error(`unknown event type '${line.type}'`);
    if (typeof line.seq !== 'number' || typeof line.t !== 'number') throw this.error(`event '${line.type}' without numeric "seq" and "t"`);
    if (line.t < this.lastT) throw this.error(`time goes backwards (${line.t} us after ${this.lastT} us)`);
    this.lastT = line.t;
    if (line.seq !== this.groupSeq) {
      this.flush(emit);
      this.groupSeq = line.seq;
    }
    this.convert(line);
  }

  /** Ends the stream; a trace with no header is an error. */
  finish(emit: (e: ChromeEvent) => void): void {
    if (this.header === null) throw new UsageError(`${this.source}: empty file; a dsim trace starts with a header line`);
    this.flush(emit);
  }

  private error(msg: string): UsageError {
    return new UsageError(`${this.source}:${this.lineNo}: ${msg}`);
  }

  private start(emit: (e: ChromeEvent) => void): void {
    const h = this.header!;
    const meta = (name: string, pid: number, tid: number, args: { [key: string]: Json }): void => {
      this.events++;
      emit({ name, ph: 'M', pid, tid, args });
    };
    meta('process_name', WORLD_PID, WORLD_TID, { name: `world: ${h.scenario} seed ${h.seed}` });
    meta('process_sort_index', WORLD_PID, WORLD_TID, { sort_index: 0 });
    meta('thread_name', WORLD_PID, WORLD_TID, { name: 'faults, phases, violations' });
    h.hosts.forEach((host, i) => {
      const pid = i + 1;
      this.hostPid.set(host.name, pid);
      meta('process_name', pid, WORLD_TID, { name: host.name });
      meta('process_labels', pid, WORLD_TID, { labels: host.rack });
      meta('process_sort_index', pid, WORLD_TID, { sort_index: pid });
    });
    for (const p of h.processes) {
      const pid = this.pidOfHost(p.host, emit);
      const tid = this.nextTid++;
      this.threads.set(p.name, { pid, tid, nextFreeUs: 0, slice: null, sliceSeq: -1, cause: '', causeSeq: -1 });
      meta('thread_name', pid, tid, { name: `${p.name} (${p.role})` });
      meta('thread_sort_index', pid, tid, { sort_index: tid });
    }
    for (const host of h.hosts) {
      const tid = this.nextTid++;
      this.diskTid.set(host.name, tid);
      meta('thread_name', this.hostPid.get(host.name)!, tid, { name: 'disk' });
      meta('thread_sort_index', this.hostPid.get(host.name)!, tid, { sort_index: 1_000_000 + tid });
    }
  }

  private pidOfHost(host: string, emit?: (e: ChromeEvent) => void): number {
    let pid = this.hostPid.get(host);
    if (pid === undefined) {
      pid = this.hostPid.size + 1;
      this.hostPid.set(host, pid);
      if (emit !== undefined) {
        this.events++;
        emit({ name: 'process_name', ph: 'M', pid, tid: WORLD_TID, args: { name: host } });
      }
    }
    return pid;
  }

  /** The thread of a process; a process missing from the header gets a thread on the world track. */
  private thread(name: string): Thread {
    let th = this.threads.get(name);
    if (th === undefined) {
      const tid = this.nextTid++;
      th = { pid: WORLD_PID, tid, nextFreeUs: 0, slice: null, sliceSeq: -1, cause: '', causeSeq: -1 };
      this.threads.set(name, th);
      this.group.push({ name: 'thread_name', ph: 'M', pid: WORLD_PID, tid, args: { name } });
    }
    return th;
  }

  /** The slice of the current event on this thread, opened on first use. */
  private slice(th: Thread, line: Line, name: string, args?: { [key: string]: Json }): ChromeEvent {
    if (th.slice !== null && th.sliceSeq === line.seq) return th.slice;
    const ts = Math.max(line.t, th.nextFreeUs);
    th.nextFreeUs = ts + GRID_US;
    const ev: ChromeEvent = { name, ph: 'X', ts, dur: SLICE_US, pid: th.pid, tid: th.tid, cat: 'handler', args: args ?? {} };
    th.slice = ev;
    th.sliceSeq = line.seq;
    this.groupSlices.push(ev);
    return ev;
  }

  /** The slice a send or state line belongs to: the current handler's, or one named after its cause. */
  private handlerSlice(th: Thread, line: Line): ChromeEvent {
    if (th.slice !== null && th.sliceSeq === line.seq) return th.slice;
    return this.slice(th, line, th.causeSeq === line.seq ? th.cause : 'handler');
  }

  private instant(th: { pid: number; tid: number }, line: Line, name: string, args: { [key: string]: Json }, scope: 'g' | 't' = 't'): void {
    this.group.push({ name, ph: 'i', s: scope, ts: line.t, pid: th.pid, tid: th.tid, cat: line.type, args });
  }

  private global(line: Line, name: string, args: { [key: string]: Json }): void {
    this.instant({ pid: WORLD_PID, tid: WORLD_TID, }, line, name, args, 'g');
  }

  private convert(line: Line): void {
    const p = typeof line['p'] === 'string' ? line['p'] : null;
    const rest = (): { [key: string]: Json } => {
      const out: { [key: string]: Json } = {};
      for (const [k, v] of Object.entries(line)) if (k !== 'seq' && k !== 't' && k !== 'type' && v !== undefined) out[k] = v;
      out['seq'] = line.seq;
      return out;
    };
    switch (line.type) {
      case 'send': {
        const th = this.thread(p ?? '-');
        const msg = line['msg'];
        const type = typeof msg === 'object' && msg !== null && !Array.isArray(msg) && typeof (msg as { type?: Json }).type === 'string'
          ? (msg as { type: string }).type : 'message';
        const id = Number(line['id']);
        this.inFlight.set(id, type);
        const sl = this.handlerSlice(th, line);
        this.group.push({ name: type, ph: 's', ts: sl.ts!, pid: th.pid, tid: th.tid, cat: 'msg', id });
        return;
      }
      case 'deliver': {
        const th = this.thread(p ?? '-');
        const id = Number(line['id']);
        const type = this.inFlight.get(id) ?? 'message';
        this.inFlight.delete(id);
        const sl = this.slice(th, line, `${type} from ${String(line['from'])}`, { from: line['from'] ?? null, id });
        this.group.push({ name: type, ph: 'f', bp: 'e', ts: sl.ts!, pid: th.pid, tid: th.tid, cat: 'msg', id });
        return;
      }
      case 'dup': {
        // A duplicated datagram: the copy gets its own id; draw its flow from the original sender.
        const id = Number(line['id']);
        const type = this.inFlight.get(Number(line['dupOf'])) ?? 'message';
        this.inFlight.set(id, type);
        const from = this.thread(String(line['from']));
        this.group.push({ name: type, ph: 's', ts: line.t, pid: from.pid, tid: from.tid, cat: 'msg', id });
        this.instant(this.thread(p ?? '-'), line, `duplicate ${type}`, rest());
        return;
      }
      case 'drop': {
        const id = Number(line['id']);
        const type = this.inFlight.get(id) ?? 'message';
        this.inFlight.delete(id);
        this.instant(this.thread(p ?? '-'), line, `drop ${type}: ${String(line['reason'])}`, rest());
        return;
      }
      case 'timer': {
        const th = this.thread(p ?? '-');
        const tag = JSON.stringify(line['tag'] ?? null);
        th.cause = `timer ${tag}`;
        th.causeSeq = line.seq;
        this.instant(th, line, `timer ${tag}`, rest());
        return;
      }
      case 'start': {
        const th = this.thread(p ?? '-');
        this.slice(th, line, `start (incarnation ${String(line['incarnation'])})`);
        return;
      }
      case 'state': {
        const th = this.thread(p ?? '-');
        const sl = this.handlerSlice(th, line);
        if (line['view'] !== undefined) sl.args!['view'] = line['view'];
        if (line['patch'] !== undefined) sl.args!['patch'] = line['patch'];
        return;
      }
      case 'crash':
        this.instant(this.thread(p ?? '-'), line, `crash: ${String(line['reason'])}`, rest());
        this.global(line, `crash ${p ?? '?'} (${String(line['reason'])})`, rest());
        return;
      case 'pause':
        this.instant(this.thread(p ?? '-'), line, `pause: ${String(line['reason'] ?? '')}`, rest());
        return;
      case 'resume':
        this.instant(this.thread(p ?? '-'), line, 'resume', rest());
        return;
      case 'disk': {
        const host = String(line['host'] ?? '');
        const pid = this.pidOfHost(host);
        let tid = this.diskTid.get(host);
        if (tid === undefined) {
          tid = this.nextTid++;
          this.diskTid.set(host, tid);
          this.group.push({ name: 'thread_name', ph: 'M', pid, tid, args: { name: 'disk' } });
        }
        this.instant({ pid, tid }, line, `${String(line['op'])} ${String(line['file'] ?? '')}`.trim(), rest());
        return;
      }
      case 'op': {
        const th = this.thread(p ?? '-');
        const opId = Number(line['opId']);
        if (line['phase'] === 'invoke') {
          const key = line['key'];
          const name = `${String(line['f'])}${key !== null && key !== undefined ? ` ${String(key)}` : ''}`;
          this.ops.set(opId, { name, pid: th.pid, tid: th.tid });
          this.group.push({ name, ph: 'b', ts: line.t, pid: th.pid, tid: th.tid, cat: 'op', id: opId, args: rest() });
        } else {
          const op = this.ops.get(opId);
          if (op === undefined) return this.instant(th, line, `op ${opId} ${String(line['phase'])}`, rest());
          this.ops.delete(opId);
          this.group.push({ name: op.name, ph: 'e', ts: line.t, pid: op.pid, tid: op.tid, cat: 'op', id: opId, args: rest() });
        }
        return;
      }
      case 'obs':
        this.instant(this.thread(p ?? '-'), line, `obs ${String(line['kind'])}`, rest());
        return;
      case 'note':
        if (p === null || p === '-') this.global(line, String(line['text']), rest());
        else this.instant(this.thread(p), line, String(line['text']), rest());
        return;
      case 'violation':
        this.global(line, `VIOLATION ${String(line['checker'])}: ${String(line['message'])}`, rest());
        return;
      case 'power-off': case 'power-on':
        this.global(line, `${line.type} ${String(line['host'])}`, rest());
        return;
      case 'partition': case 'heal': case 'fault':
        this.global(line, `${line.type}: ${String(line['desc'] ?? line['kind'] ?? '')}`, rest());
        return;
      case 'phase':
        this.global(line, `phase: ${String(line['name'])}`, rest());
        return;
      case 'end':
        this.global(line, `end (trace hash ${String(line['traceHash'])})`, rest());
        return;
    }
  }

  private flush(emit: (e: ChromeEvent) => void): void {
    for (const e of this.groupSlices) emit(e);
    for (const e of this.group) emit(e);
    this.events += this.groupSlices.length + this.group.length;
    this.groupSlices = [];
    this.group = [];
  }
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/** Converts a whole trace held in memory (the visualizer's path). */
export function traceToPerfetto(text: string, source = 'trace'): ChromeTrace {
  const ex = new PerfettoExporter(source);
  const events: ChromeEvent[] = [];
  const emit = (e: ChromeEvent): void => { events.push(e); };
  const lines = text.split('\n');
  const terminated = text.endsWith('\n');
  const last = terminated ? lines.length - 1 : lines.length;
  for (let i = 0; i < last; i++) ex.push(lines[i]!.replace(/\r$/, ''), emit, !terminated && i === last - 1);
  ex.finish(emit);
  return { traceEvents: events, metadata: perfettoMetadata(ex.traceHeader!) };
}

/** The "metadata" object of the exported file. */
export function perfettoMetadata(h: TraceHeader): { [key: string]: Json } {
  return { 'dsim-scenario': h.scenario, 'dsim-seed': h.seed, 'dsim-version': h.dsimVersion, 'dsim-trace-version': h.version };
}
