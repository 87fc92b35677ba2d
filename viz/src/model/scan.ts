// A fast reader for the two most frequent trace lines, sends and deliveries (about 80% of a busy
// trace), in the exact shape the world writes them (sim/world/world.ts: seq, t, type, p first,
// then the type's fields in a fixed order). It reads the fields the index needs straight from the
// bytes, without building a string or calling JSON.parse; a line of any other shape (or with an
// escape in a name) is left to the full parser. The viewer parses a line again, in full, when it
// shows it.

export interface HotLine {
  seq: number;
  t: number;
  /** True for a send, false for a delivery. */
  send: boolean;
  p: number;
  /** `to` of a send, `from` of a delivery. */
  peer: number;
  id: number;
  /** Label id of a send's `msg.type`. */
  label: number;
}

const enc = new TextEncoder();
const SEQ = enc.encode('{"seq":');
const T_ = enc.encode(',"t":');
const TYPE = enc.encode(',"type":"');
const SEND = enc.encode('send"');
const DELIVER = enc.encode('deliver"');
const P = enc.encode(',"p":"');
const TO = enc.encode(',"to":"');
const FROM = enc.encode(',"from":"');
const ID = enc.encode(',"id":');
const MSG = enc.encode(',"msg":{"type":"');

/** Interns names read as bytes: one hash and compare per use, one string per distinct name. */
export class ByteNames {
  private readonly table = new Map<number, { readonly bytes: Uint8Array; readonly value: number }[]>();
  private readonly decoder = new TextDecoder();
  constructor(private readonly resolve: (name: string) => number) {}

  lookup(bytes: Uint8Array, a: number, b: number): number {
    let h = 0x811c9dc5;
    for (let i = a; i < b; i++) h = Math.imul(h ^ bytes[i]!, 0x01000193);
    let list = this.table.get(h);
    if (list !== undefined) {
      for (const e of list) {
        if (e.bytes.length !== b - a) continue;
        let same = true;
        for (let i = 0; i < e.bytes.length; i++) if (e.bytes[i] !== bytes[a + i]) { same = false; break; }
        if (same) return e.value;
      }
    } else this.table.set(h, (list = []));
    const value = this.resolve(this.decoder.decode(bytes.subarray(a, b)));
    list.push({ bytes: bytes.slice(a, b), value });
    return value;
  }
}

let pos = 0;

function lit(bytes: Uint8Array, l: Uint8Array): boolean {
  if (pos + l.length > bytes.length) return false;
  for (let k = 0; k < l.length; k++) if (bytes[pos + k] !== l[k]) return false;
  pos += l.length;
  return true;
}

function uint(bytes: Uint8Array, end: number): number {
  const start = pos;
  let v = 0;
  while (pos < end) {
    const c = bytes[pos]!;
    if (c < 48 || c > 57) break;
    v = v * 10 + (c - 48);
    pos++;
  }
  return pos === start || pos - start > 15 ? -1 : v;
}

/** The end of a string body (the closing quote), or -1 if it has an escape or no end. */
function strEnd(bytes: Uint8Array, end: number): number {
  for (let i = pos; i < end; i++) {
    const c = bytes[i]!;
    if (c === 34) return i; // '"'
    if (c === 92) return -1; // '\'
  }
  return -1;
}

/** Fills `out` and returns true when bytes [a, b) are a send or deliver line of the world's shape. */
export function scanHotLine(bytes: Uint8Array, a: number, b: number, out: HotLine, procs: ByteNames, labels: ByteNames): boolean {
  if (bytes[b - 1] !== 125) return false; // '}'
  pos = a;
  if (!lit(bytes, SEQ)) return false;
  const seq = uint(bytes, b);
  if (seq < 0 || !lit(bytes, T_)) return false;
  const t = uint(bytes, b);
  if (t < 0 || !lit(bytes, TYPE)) return false;
  const send = lit(bytes, SEND);
  if (!send && !lit(bytes, DELIVER)) return false;
  if (!lit(bytes, P)) return false;
  let e = strEnd(bytes, b);
  if (e < 0) return false;
  const pa = pos;
  const pb = e;
  pos = e + 1;
  if (!lit(bytes, send ? TO : FROM)) return false;
  e = strEnd(bytes, b);
  if (e < 0) return false;
  const qa = pos;
  const qb = e;
  pos = e + 1;
  if (!lit(bytes, ID)) return false;
  const id = uint(bytes, b);
  if (id < 0) return false;
  let label = 0;
  if (send) {
    if (!lit(bytes, MSG)) return false;
    e = strEnd(bytes, b);
    if (e < 0) return false;
    label = labels.lookup(bytes, pos, e);
  } else if (pos !== b - 1) return false;
  out.seq = seq;
  out.t = t;
  out.send = send;
  out.p = procs.lookup(bytes, pa, pb);
  out.peer = procs.lookup(bytes, qa, qb);
  out.id = id;
  out.label = label;
  return true;
}
