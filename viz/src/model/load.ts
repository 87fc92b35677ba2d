import { produce, type Draft } from 'immer';
import { TRACE_EVENT_TYPES, TRACE_FORMAT, TRACE_VERSION, type TraceHeader } from '../../../sim/world/trace.ts';
import type { Json } from '../../../sim/core/types.ts';
import { T, TYPE_CODE, isRecord, msgType, type TraceLine } from './events.ts';
import { Column, MessageIds } from './columns.ts';
import { ByteNames, scanHotLine, type HotLine } from './scan.ts';
import { applyEvent, changesState, initialState, type NameTable, type ReplayState } from './state.ts';
import { Timeline, type Band, type Marker } from './timeline.ts';

export type { Band, Marker } from './timeline.ts';

// Loading a trace: validate it line by line and build a compact index. Every line is parsed once
// here; afterwards only the columns below stay in memory next to the raw bytes, and a line is
// parsed again only when the viewer needs its fields (event log rows, inspectors, seeking).
// Keyframes of the reconstructed state every `keyframeEvery` events make seeking cost at most that
// many state-changing lines.

export class TraceFormatError extends Error {
  override readonly name = 'TraceFormatError';
  /** 1-based line number in the file, or null for a problem with the whole file. */
  readonly line: number | null;
  constructor(message: string, line: number | null) {
    super(message);
    this.line = line;
  }
}

export interface Keyframe {
  /** State after applying events [0, index). */
  readonly index: number;
  readonly state: ReplayState;
  /** Send (or dup) event indexes whose message is still in flight before event `index`. */
  readonly inflight: Int32Array;
}

export interface ProcInfo {
  readonly name: string;
  readonly host: number;
  readonly system: string;
  readonly role: string;
  /** Not listed in the header: first seen in an event line. */
  readonly undeclared: boolean;
}

export interface HostInfo {
  readonly name: string;
  readonly rack: string;
}

export interface TraceIndex {
  readonly header: TraceHeader;
  readonly bytes: Uint8Array;
  /** Number of event lines (the header is not an event). */
  readonly count: number;
  /** Byte range of event i's line. */
  readonly lineStart: Float64Array;
  readonly lineEnd: Float64Array;
  /** 1-based file line number of event i is lineNo[i] (blank lines are skipped). */
  readonly lineNo: Uint32Array;
  readonly t: Float64Array;
  readonly seq: Float64Array;
  /** Type code: index in TRACE_EVENT_TYPES. */
  readonly type: Uint8Array;
  /** Process index of the line's `p` (-1: none). */
  readonly proc: Int32Array;
  /** The other process: `to` of a send, `from` of a deliver/drop/dup (-1: none). */
  readonly peer: Int32Array;
  /** Host index the event happened on (-1: none). */
  readonly host: Int32Array;
  /** send/dup: index of the deliver or drop that ended it (-1: still in flight at the end). */
  readonly end: Int32Array;
  /** deliver/drop: index of the send (or dup) it ends; dup: index of the original send (-1: unknown). */
  readonly origin: Int32Array;
  /** A short label per event: message type, timer tag, op function, obs kind, fault kind, checker. */
  readonly label: Uint16Array;
  readonly labels: readonly string[];
  readonly procs: readonly ProcInfo[];
  readonly hosts: readonly HostInfo[];
  readonly procByName: ReadonlyMap<string, number>;
  readonly hostByName: ReadonlyMap<string, number>;
  readonly keyframeEvery: number;
  readonly keyframes: readonly Keyframe[];
  readonly markers: readonly Marker[];
  readonly bands: readonly Band[];
  /** Event indexes of the narration: notes (annotations) and violations, in order. */
  readonly narration: Int32Array;
  readonly violations: Int32Array;
  /** Per process: the indexes of its state lines (for "what changed last"). */
  readonly stateEvents: readonly Int32Array[];
  /** Problems that do not stop the replay. */
  readonly warnings: readonly string[];
  /** Fields of the `end` line, if the run finished. */
  readonly endInfo: { readonly traceHash: string; readonly events: number; readonly simulatedMs: number } | null;
}

export interface LoadOptions {
  readonly keyframeEvery?: number;
  /** Called every `progressEvery` lines with (bytes read, total bytes). */
  readonly onProgress?: (done: number, total: number) => void;
  readonly progressEvery?: number;
  /** Read send and deliver lines with the fast scanner (default true; tests compare both paths). */
  readonly fastScan?: boolean;
}

export const DEFAULT_KEYFRAME_EVERY = 1024;
/** Files above this size are refused with a clear message instead of exhausting memory. */
export const MAX_TRACE_BYTES = 1_500_000_000;
const MAX_LABELS = 65_535;

function validateHeader(v: unknown): TraceHeader {
  if (!isRecord(v as Json)) throw new TraceFormatError('not a dsim trace: line 1 is not a JSON object (a dsim trace starts with a header line)', 1);
  const h = v as { [k: string]: Json };
  if (h['format'] !== TRACE_FORMAT) {
    const got = typeof h['format'] === 'string' ? `format "${h['format']}"` : 'no "format" field';
    throw new TraceFormatError(`not a dsim trace: line 1 has ${got} (expected "${TRACE_FORMAT}")`, 1);
  }
  if (h['version'] !== TRACE_VERSION) {
    throw new TraceFormatError(`unsupported trace version ${JSON.stringify(h['version'])}: this viewer reads version ${TRACE_VERSION}`, 1);
  }
  if (!Array.isArray(h['hosts']) || !Array.isArray(h['processes'])) {
    throw new TraceFormatError('malformed header: "hosts" and "processes" must be arrays', 1);
  }
  return v as TraceHeader;
}

function parseLineJson(text: string, lineNo: number, isLast: boolean, endsWithNewline: boolean): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    if (isLast && !endsWithNewline) {
      throw new TraceFormatError(`truncated trace: the last line (line ${lineNo}) is incomplete; the run or the copy was cut off`, lineNo);
    }
    const why = e instanceof Error ? e.message : String(e);
    throw new TraceFormatError(`line ${lineNo} is not valid JSON: ${why}`, lineNo);
  }
}

/** Validates and indexes a trace file. Throws TraceFormatError with a message fit for the page. */
export function loadTrace(bytes: Uint8Array, opts: LoadOptions = {}): TraceIndex {
  if (bytes.length === 0) throw new TraceFormatError('empty file: a dsim trace starts with a header line', null);
  if (bytes.length > MAX_TRACE_BYTES) throw new TraceFormatError(`trace too large (${bytes.length} bytes; the viewer reads up to ${MAX_TRACE_BYTES})`, null);
  const keyframeEvery = Math.max(16, opts.keyframeEvery ?? DEFAULT_KEYFRAME_EVERY);
  const decoder = new TextDecoder('utf-8', { fatal: false });
  const whole = decoder.decode(bytes);
  // With ASCII-only content (the usual case) string offsets equal byte offsets: slice the decoded
  // text instead of decoding each line again.
  const ascii = whole.length === bytes.length;
  const lineText = (a: number, b: number): string => (ascii ? whole.slice(a, b) : decoder.decode(bytes.subarray(a, b)));
  const endsWithNewline = bytes[bytes.length - 1] === 10;

  // ---- header
  let pos = 0;
  let nl = bytes.indexOf(10, pos);
  let headerEnd = nl < 0 ? bytes.length : nl;
  const headerText = lineText(0, headerEnd > 0 && bytes[headerEnd - 1] === 13 ? headerEnd - 1 : headerEnd);
  let headerJson: unknown;
  try {
    headerJson = JSON.parse(headerText);
  } catch {
    if (nl < 0) throw new TraceFormatError('not a dsim trace: line 1 is not JSON (or the file was cut off inside the header)', 1);
    throw new TraceFormatError('not a dsim trace: line 1 is not JSON', 1);
  }
  const header = validateHeader(headerJson);
  pos = nl < 0 ? bytes.length : nl + 1;

  // ---- name tables
  const hosts: HostInfo[] = [];
  const hostByName = new Map<string, number>();
  for (const h of header.hosts) {
    hostByName.set(h.name, hosts.length);
    hosts.push({ name: h.name, rack: typeof h.rack === 'string' ? h.rack : '/default-rack' });
  }
  const procs: ProcInfo[] = [];
  const procByName = new Map<string, number>();
  const warnings: string[] = [];
  for (const p of header.processes) {
    let host = hostByName.get(p.host);
    if (host === undefined) {
      host = hosts.length;
      hostByName.set(p.host, host);
      hosts.push({ name: p.host, rack: '/default-rack' });
      warnings.push(`process ${p.name} runs on host ${p.host}, which the header does not list`);
    }
    procByName.set(p.name, procs.length);
    procs.push({ name: p.name, host, system: p.system, role: p.role, undeclared: false });
  }
  const undeclaredProcs: string[] = [];
  const names: NameTable = {
    proc: (n) => procByName.get(n) ?? -1,
    host: (n) => hostByName.get(n) ?? -1,
  };
  const procOf = (n: Json | undefined): number => {
    if (typeof n !== 'string' || n === '-') return -1;
    const known = procByName.get(n);
    if (known !== undefined) return known;
    // A process added after the header was written: keep it, with an unknown host.
    let host = hostByName.get('?');
    if (host === undefined) {
      host = hosts.length;
      hostByName.set('?', host);
      hosts.push({ name: '?', rack: '?' });
    }
    const idx = procs.length;
    procByName.set(n, idx);
    procs.push({ name: n, host, system: '?', role: '?', undeclared: true });
    undeclaredProcs.push(n);
    return idx;
  };
  const hostOf = (n: Json | undefined): number => (typeof n === 'string' ? hostByName.get(n) ?? -1 : -1);

  // ---- columns (sized from an estimate, grown by doubling)
  const estimate = Math.max(1024, Math.ceil(bytes.length / 90));
  const cStart = new Column(new Float64Array(estimate), (n) => new Float64Array(n));
  const cEnd = new Column(new Float64Array(estimate), (n) => new Float64Array(n));
  const cLineNo = new Column(new Uint32Array(estimate), (n) => new Uint32Array(n));
  const cT = new Column(new Float64Array(estimate), (n) => new Float64Array(n));
  const cSeq = new Column(new Float64Array(estimate), (n) => new Float64Array(n));
  const cType = new Column(new Uint8Array(estimate), (n) => new Uint8Array(n));
  const cProc = new Column(new Int32Array(estimate), (n) => new Int32Array(n));
  const cPeer = new Column(new Int32Array(estimate), (n) => new Int32Array(n));
  const cHost = new Column(new Int32Array(estimate), (n) => new Int32Array(n));
  const cEndIx = new Column(new Int32Array(estimate), (n) => new Int32Array(n));
  const cOrigin = new Column(new Int32Array(estimate), (n) => new Int32Array(n));
  const cLabel = new Column(new Uint16Array(estimate), (n) => new Uint16Array(n));
  const columns = [cStart, cEnd, cLineNo, cT, cSeq, cType, cProc, cPeer, cHost, cEndIx, cOrigin, cLabel];
  let capacity = estimate;
  const labels: string[] = [''];
  const labelIds = new Map<string, number>([['', 0]]);
  const labelOf = (s: string): number => {
    let id = labelIds.get(s);
    if (id === undefined) {
      if (labels.length >= MAX_LABELS) return 0;
      id = labels.length;
      labels.push(s);
      labelIds.set(s, id);
    }
    return id;
  };

  const ids = new MessageIds();
  /** Sends (and duplicate copies) that were in flight at the last keyframe or sent since. */
  let openSends: number[] = [];
  const timeline = new Timeline();
  const stateEvents: number[][] = [];
  let endInfo: TraceIndex['endInfo'] = null;

  // ---- keyframes: the state is advanced inside one immer producer per keyframe interval
  const keyframes: Keyframe[] = [];
  let state = initialState(procs.length, hosts.length);
  let pending: { ev: TraceLine; code: number }[] = [];
  const flush = (index: number): void => {
    if (pending.length > 0) {
      const batch = pending;
      state = produce(state, (d: Draft<ReplayState>) => {
        growProcs(d, procs.length, hosts.length);
        for (const { ev, code } of batch) applyEvent(d, ev, code, names);
      });
      pending = [];
    }
    if (state.procs.length < procs.length || state.powered.length < hosts.length) {
      state = produce(state, (d: Draft<ReplayState>) => growProcs(d, procs.length, hosts.length));
    }
    // Still in flight: no delivery or drop seen yet.
    const endCol = cEndIx.data;
    openSends = openSends.filter((x) => endCol[x]! < 0);
    keyframes.push({ index, state, inflight: Int32Array.from(openSends) });
  };

  const fast = opts.fastScan !== false;
  const hot: HotLine = { seq: 0, t: 0, send: false, p: -1, peer: -1, id: 0, label: 0 };
  const procNames = new ByteNames((n) => procOf(n));
  const labelNames = new ByteNames((n) => labelOf(n));
  let i = 0;
  let lastT = 0;
  let fileLine = 1;
  const progressEvery = opts.progressEvery ?? 50_000;
  while (pos < bytes.length) {
    nl = bytes.indexOf(10, pos);
    const lineEndRaw = nl < 0 ? bytes.length : nl;
    const next = nl < 0 ? bytes.length : nl + 1;
    fileLine++;
    let e = lineEndRaw;
    if (e > pos && bytes[e - 1] === 13) e--;
    if (e === pos) {
      pos = next;
      continue; // blank line
    }
    const isLast = next >= bytes.length;
    // Sends and deliveries of the usual shape are read from the bytes (see scan.ts); the last line
    // is always parsed in full, so a cut-off file is reported as truncated.
    if (fast && !isLast && scanHotLine(bytes, pos, e, hot, procNames, labelNames)) {
      if (hot.t < lastT) throw new TraceFormatError(`line ${fileLine}: time goes backwards (${hot.t} us after ${lastT} us)`, fileLine);
      lastT = hot.t;
      if (i % keyframeEvery === 0) flush(i);
      if (i >= capacity) {
        capacity *= 2;
        for (const col of columns) col.ensure(capacity);
      }
      const p = hot.p;
      cStart.data[i] = pos;
      cEnd.data[i] = e;
      cLineNo.data[i] = fileLine;
      cT.data[i] = hot.t;
      cSeq.data[i] = hot.seq;
      cProc.data[i] = p;
      cPeer.data[i] = hot.peer;
      cHost.data[i] = p >= 0 ? procs[p]!.host : -1;
      cEndIx.data[i] = -1;
      cOrigin.data[i] = -1;
      if (hot.send) {
        cType.data[i] = T.send;
        cLabel.data[i] = hot.label;
        ids.set(hot.id, i);
        openSends.push(i);
      } else {
        cType.data[i] = T.deliver;
        const s0 = ids.take(hot.id);
        cLabel.data[i] = 0;
        if (s0 >= 0) {
          cOrigin.data[i] = s0;
          cEndIx.data[s0] = i;
          cLabel.data[i] = cLabel.data[s0]!;
        }
      }
      i++;
      pos = next;
      if (opts.onProgress !== undefined && i % progressEvery === 0) opts.onProgress(pos, bytes.length);
      continue;
    }
    const text = lineText(pos, e);
    const v = parseLineJson(text, fileLine, isLast, endsWithNewline);
    if (!isRecord(v as Json)) throw new TraceFormatError(`line ${fileLine}: expected a JSON object, got ${JSON.stringify(v).slice(0, 40)}`, fileLine);
    const ev = v as TraceLine;
    const code = TYPE_CODE.get(ev.type as string);
    if (code === undefined) {
      throw new TraceFormatError(`line ${fileLine}: unknown event type ${JSON.stringify(ev.type)} (known: ${TRACE_EVENT_TYPES.join(', ')})`, fileLine);
    }
    if (typeof ev.t !== 'number' || !Number.isFinite(ev.t)) throw new TraceFormatError(`line ${fileLine}: "${ev.type}" line has no numeric "t" (simulated time in microseconds)`, fileLine);
    if (typeof ev.seq !== 'number' || !Number.isFinite(ev.seq)) throw new TraceFormatError(`line ${fileLine}: "${ev.type}" line has no numeric "seq"`, fileLine);
    if (ev.t < lastT) throw new TraceFormatError(`line ${fileLine}: time goes backwards (${ev.t} us after ${lastT} us)`, fileLine);
    lastT = ev.t;

    if (i % keyframeEvery === 0) flush(i);
    if (i >= capacity) {
      capacity *= 2;
      for (const col of columns) col.ensure(capacity);
    }
    cStart.data[i] = pos;
    cEnd.data[i] = e;
    cLineNo.data[i] = fileLine;
    cT.data[i] = ev.t;
    cSeq.data[i] = ev.seq;
    cType.data[i] = code;
    const p = procOf(ev['p']);
    cProc.data[i] = p;
    cPeer.data[i] = -1;
    cEndIx.data[i] = -1;
    cOrigin.data[i] = -1;
    cHost.data[i] = p >= 0 ? procs[p]!.host : hostOf(ev['host']);
    let label = 0;

    switch (code) {
      case T.send: {
        cPeer.data[i] = procOf(ev['to']);
        label = labelOf(msgType(ev));
        if (typeof ev['id'] === 'number') {
          ids.set(ev['id'], i);
          openSends.push(i);
        }
        break;
      }
      case T.deliver:
      case T.drop: {
        cPeer.data[i] = procOf(ev['from']);
        const s = typeof ev['id'] === 'number' ? ids.take(ev['id']) : -1;
        if (s >= 0) {
          cOrigin.data[i] = s;
          cEndIx.data[s] = i;
          label = cLabel.data[s]!;
        }
        if (code === T.drop) label = labelOf(typeof ev['reason'] === 'string' ? ev['reason'] : 'drop');
        break;
      }
      case T.dup: {
        cPeer.data[i] = procOf(ev['from']);
        const s = typeof ev['dupOf'] === 'number' ? ids.peek(ev['dupOf']) : -1;
        if (s >= 0) {
          cOrigin.data[i] = s;
          label = cLabel.data[s]!;
        }
        if (typeof ev['id'] === 'number') {
          ids.set(ev['id'], i);
          openSends.push(i);
        }
        break;
      }
      case T.timer:
        label = labelOf(typeof ev['tag'] === 'string' ? ev['tag'] : isRecord(ev['tag']) && typeof ev['tag']['type'] === 'string' ? ev['tag']['type'] : 'timer');
        break;
      case T.disk:
        label = labelOf(typeof ev['op'] === 'string' ? ev['op'] : 'disk');
        break;
      case T.op:
        label = labelOf(typeof ev['f'] === 'string' ? ev['f'] : 'op');
        break;
      case T.obs:
        label = labelOf(typeof ev['kind'] === 'string' ? ev['kind'] : 'obs');
        break;
      case T.fault:
        label = labelOf(typeof ev['kind'] === 'string' ? ev['kind'] : 'fault');
        break;
      case T.violation:
        label = labelOf(typeof ev['checker'] === 'string' ? ev['checker'] : 'violation');
        break;
      case T.state:
        if (p >= 0) {
          while (stateEvents.length <= p) stateEvents.push([]);
          stateEvents[p]!.push(i);
        }
        break;
      case T.end:
        if (typeof ev['traceHash'] === 'string' && typeof ev['events'] === 'number' && typeof ev['simulatedMs'] === 'number') {
          endInfo = { traceHash: ev['traceHash'], events: ev['events'], simulatedMs: ev['simulatedMs'] };
        }
        break;
      default:
        break;
    }
    cLabel.data[i] = label;
    timeline.add(i, code, ev, p);
    if (changesState(code)) pending.push({ ev, code });
    i++;
    pos = next;
    if (opts.onProgress !== undefined && i % progressEvery === 0) opts.onProgress(pos, bytes.length);
  }
  const count = i;
  if (count === 0) warnings.push('the trace has a header but no events');
  // A final keyframe at `count` (the end state) keeps seeking to the last event cheap.
  flush(count);
  timeline.finish(count);
  if (endInfo === null && count > 0) warnings.push('the trace has no "end" line: the run did not finish (or the file was cut at a line boundary)');
  if (undeclaredProcs.length > 0) warnings.push(`processes missing from the header: ${undeclaredProcs.slice(0, 5).join(', ')}${undeclaredProcs.length > 5 ? '…' : ''}`);
  opts.onProgress?.(bytes.length, bytes.length);

  return {
    header,
    bytes,
    count,
    lineStart: cStart.trim(count),
    lineEnd: cEnd.trim(count),
    lineNo: cLineNo.trim(count),
    t: cT.trim(count),
    seq: cSeq.trim(count),
    type: cType.trim(count),
    proc: cProc.trim(count),
    peer: cPeer.trim(count),
    host: cHost.trim(count),
    end: cEndIx.trim(count),
    origin: cOrigin.trim(count),
    label: cLabel.trim(count),
    labels,
    procs,
    hosts,
    procByName,
    hostByName,
    keyframeEvery,
    keyframes,
    markers: timeline.markers,
    bands: timeline.bands,
    narration: Int32Array.from(timeline.narration),
    violations: Int32Array.from(timeline.violations),
    stateEvents: procs.map((_, p) => Int32Array.from(stateEvents[p] ?? [])),
    warnings,
    endInfo,
  };
}

/** Adds slots for processes or hosts that appeared after the header. */
function growProcs(d: Draft<ReplayState>, processes: number, hosts = 0): void {
  while (d.procs.length < processes) d.procs.push({ started: false, up: false, paused: false, incarnation: 0, view: null, downReason: null });
  while (d.powered.length < hosts) d.powered.push(true);
}

/** The buffers of an index that can be transferred to another thread. */
export function transferables(ix: TraceIndex): ArrayBuffer[] {
  const out = new Set<ArrayBuffer>();
  const add = (a: { buffer: ArrayBufferLike }): void => {
    if (a.buffer instanceof ArrayBuffer) out.add(a.buffer);
  };
  for (const a of [ix.bytes, ix.lineStart, ix.lineEnd, ix.lineNo, ix.t, ix.seq, ix.type, ix.proc, ix.peer, ix.host, ix.end, ix.origin, ix.label, ix.narration, ix.violations]) add(a);
  for (const a of ix.stateEvents) add(a);
  for (const k of ix.keyframes) add(k.inflight);
  return [...out];
}
