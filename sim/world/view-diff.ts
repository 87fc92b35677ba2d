import type { PatchOp } from './trace.ts';
import type { Json } from '../core/types.ts';

// The state diff of a traced run without re-parsing: world.traceState used to diff the previous
// view against the new one as diffJson(JSON.parse(prevText), JSON.parse(text)), two parses of a
// kilobyte-sized broker view after every handler. diffView walks the previous view (kept as an
// owned JSON tree) against the actor's fresh inspect() object directly, and returns exactly what
// that expression returns, plus a new owned tree that shares every unchanged subtree with the old
// one. "Exactly" is the contract: the trace bytes must not change. So the walk applies JSON's
// rules itself (a property whose value is undefined, a function or a symbol is omitted; such an
// array element, NaN and +-Infinity become null) and gives up, returning null, on anything
// JSON.stringify would treat specially (toJSON, a non-plain object such as a Map or a Uint8Array,
// a bigint, a "__proto__" key): the caller then takes the parsing path.

export interface ViewDiff {
  /** diffJson(prev, JSON.parse(JSON.stringify(next))). */
  readonly ops: PatchOp[];
  /** JSON.parse(JSON.stringify(next)), with the unchanged subtrees of prev shared, not copied. */
  readonly tree: Json;
}

/** A value JSON.stringify omits from an object (and writes as null in an array). */
const OMITTED = Symbol('omitted');
type Norm = Json | typeof OMITTED;

class NotPlain extends Error {}
const NOT_PLAIN = new NotPlain('not plain JSON');

type Obj = { [key: string]: Json };

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Throws NOT_PLAIN for an object JSON.stringify would not write as its own enumerable keys. */
function checkPlainObject(v: object): void {
  const proto = Object.getPrototypeOf(v) as unknown;
  if (proto !== Object.prototype && proto !== null) throw NOT_PLAIN;
  if (typeof (v as { toJSON?: unknown }).toJSON === 'function') throw NOT_PLAIN;
}

/** A primitive as JSON.parse(JSON.stringify(v)) would give it back; OMITTED for undefined, functions, symbols. */
function primitive(v: unknown): Norm {
  switch (typeof v) {
    case 'string':
    case 'boolean':
      return v;
    case 'number':
      return Number.isFinite(v) ? (v === 0 ? 0 : v) : null;
    case 'undefined':
    case 'function':
    case 'symbol':
      return OMITTED;
    default:
      throw NOT_PLAIN; // bigint: JSON.stringify throws
  }
}

/**
 * Whether v is a deep-frozen tree of plain JSON (finite numbers, no omitted values): it can never
 * change, so the owned tree may hold it as is, and when the actor hands the same object again the
 * walk knows at once that nothing below it changed. Actors opt in by memoizing frozen sub-views.
 */
function adoptable(v: object): boolean {
  if (!Object.isFrozen(v)) return false;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) if (!adoptableValue(v[i])) return false;
    return true;
  }
  const proto = Object.getPrototypeOf(v) as unknown;
  if (proto !== Object.prototype && proto !== null) return false;
  for (const k of Object.keys(v)) {
    if (k === '__proto__' || k === 'toJSON' || !adoptableValue((v as Record<string, unknown>)[k])) return false;
  }
  return true;
}

function adoptableValue(x: unknown): boolean {
  switch (typeof x) {
    case 'string':
    case 'boolean':
      return true;
    case 'number':
      return Number.isFinite(x);
    case 'object':
      return x === null || adoptable(x);
    default:
      return false;
  }
}

/** An owned deep copy of v with JSON semantics (a deep-frozen plain subtree is adopted, not copied). */
function copy(v: unknown): Norm {
  if (typeof v !== 'object' || v === null) return v === null ? null : primitive(v);
  if (adoptable(v)) return v as Json;
  if (Array.isArray(v)) {
    const out: Json[] = new Array<Json>(v.length);
    for (let i = 0; i < v.length; i++) {
      const c = copy(v[i]);
      out[i] = c === OMITTED ? null : c;
    }
    return out;
  }
  checkPlainObject(v);
  const out: Obj = {};
  for (const k of Object.keys(v)) {
    if (k === '__proto__') throw NOT_PLAIN;
    const c = copy((v as Record<string, unknown>)[k]);
    if (c !== OMITTED) out[k] = c;
  }
  return out;
}

class Walker {
  readonly ops: PatchOp[] = [];
  private readonly path: (string | number)[] = [];
  /**
   * Set by compare() as it returns: whether every child of the object or array it compared is
   * adoptable (a normal scalar, or an object the walk adopted). Then the object itself is adoptable
   * if it is frozen: adoptability comes out of the walk bottom-up instead of a second traversal.
   */
  private kidsAdoptable = false;

  private push(value?: Json): void {
    this.ops.push(value === undefined ? [this.path.slice()] : [this.path.slice(), value]);
  }

  /**
   * diffJson(prev, parsed next) where `parsed next` is next through JSON, emitting the same ops in
   * the same order; returns the owned copy of next (prev itself when nothing differs, key order included).
   */
  walk(prev: Json, next: unknown): Json {
    // The owned tree only shares objects with views through adopted frozen subtrees: same object, same JSON.
    if (next === prev && typeof next === 'object' && next !== null) return prev;
    const c = this.compare(prev, next);
    return typeof next === 'object' && next !== null && this.kidsAdoptable && Object.isFrozen(next) ? next as Json : c;
  }

  private compare(prev: Json, next: unknown): Json {
    if (typeof next !== 'object' || next === null) {
      const v = next === null ? null : primitive(next);
      const n = v === OMITTED ? null : v; // only reached for array elements and the root
      if (prev !== n) this.push(n);
      return prev === n ? prev : n;
    }
    if (Array.isArray(next)) {
      if (!Array.isArray(prev) || prev.length !== next.length) {
        const c = copy(next) as Json;
        this.push(c);
        this.kidsAdoptable = c === next; // copy() adopts next as a whole when it can
        return c;
      }
      let out: Json[] | null = null;
      let kids = true;
      for (let i = 0; i < next.length; i++) {
        const p = prev[i] as Json;
        const x: unknown = next[i];
        if (x === p && isScalar(x)) {
          if (out !== null) out.push(p);
          continue;
        }
        this.path.push(i);
        const c = this.walk(p, next[i]);
        this.path.pop();
        if (c !== x) kids = false;
        if (out === null && c !== p) out = prev.slice(0, i);
        if (out !== null) out.push(c);
      }
      this.kidsAdoptable = kids;
      return out ?? prev;
    }
    checkPlainObject(next);
    if (!isObj(prev)) {
      const c = copy(next) as Json;
      this.push(c);
      this.kidsAdoptable = c === next;
      return c;
    }
    const src = next as Record<string, unknown>;
    const keys = Object.keys(src);
    const kept: string[] = [];
    const values: Json[] = [];
    let same = true;
    // As adoptable() requires: no "toJSON" key, nothing omitted, every child adoptable.
    let kids = true;
    for (const k of keys) {
      if (k === '__proto__') throw NOT_PLAIN;
      if (k === 'toJSON') kids = false;
      const raw = src[k];
      const old = prev[k];
      if (isScalar(raw) && raw === old) {
        kept.push(k);
        values.push(old); // not raw: -0 === 0, and the tree holds what JSON.parse would
        continue;
      }
      if (typeof raw !== 'object' && primitive(raw) === OMITTED) {
        kids = false;
        continue;
      }
      kept.push(k);
      this.path.push(k);
      let c: Json;
      if (!(k in prev)) {
        c = copy(raw) as Json;
        this.push(c);
        same = false;
      } else {
        const p = prev[k] as Json;
        c = this.walk(p, raw);
        if (c !== p) same = false;
      }
      this.path.pop();
      if (c !== raw) kids = false;
      values.push(c);
    }
    this.kidsAdoptable = kids;
    // Deleted keys, in the previous view's key order; `in` on the parsed next object (inherited
    // names included), as diffJson does.
    const prevKeys = Object.keys(prev);
    let deleted = false;
    for (const k of prevKeys) {
      if (!hasKept(kept, k) && !(k in Object.prototype)) {
        this.path.push(k);
        this.push();
        this.path.pop();
        deleted = true;
      }
    }
    if (same && !deleted && prevKeys.length === kept.length) {
      let order = true;
      for (let i = 0; i < kept.length && order; i++) order = kept[i] === prevKeys[i];
      if (order) return prev;
    }
    const out: Obj = {};
    for (let i = 0; i < kept.length; i++) out[kept[i]!] = values[i]!;
    return out;
  }
}

/** A string, boolean, number or null: equal to a parsed value with === means unchanged (-0 === 0 too). */
function isScalar(v: unknown): v is string | number | boolean | null {
  const t = typeof v;
  return t === 'number' || t === 'string' || t === 'boolean' || v === null;
}

function hasKept(kept: readonly string[], k: string): boolean {
  for (let i = 0; i < kept.length; i++) if (kept[i] === k) return true;
  return false;
}

/**
 * diffJson(prev, JSON.parse(JSON.stringify(next))) and that parsed tree, without the text round
 * trip; null when next holds something JSON.stringify treats specially (see the file comment).
 * `prev` must be plain parsed JSON and is never modified; the returned tree shares parts of it.
 */
export function diffView(prev: Json, next: unknown): ViewDiff | null {
  if (next === undefined || typeof next === 'function' || typeof next === 'symbol') return null;
  const w = new Walker();
  try {
    const tree = w.walk(prev, next);
    return { ops: w.ops, tree };
  } catch (e) {
    if (e === NOT_PLAIN) return null;
    throw e;
  }
}

/**
 * Whether JSON.stringify(tree) is certainly longer than `limit` characters, from a lower bound on
 * its length (every number counted as one character, strings without their escapes), computed
 * only until it passes the limit. False means "not certain": the caller stringifies to know.
 * `tree` must be parsed JSON (as diffView returns), so nothing in it is omitted.
 */
export function jsonTextLongerThan(tree: Json, limit: number): boolean {
  return lowerBound(tree, limit, 0) > limit;
}

function lowerBound(v: Json, limit: number, acc: number): number {
  if (v === null) return acc + 4;
  switch (typeof v) {
    case 'string':
      return acc + v.length + 2;
    case 'number':
      return acc + 1;
    case 'boolean':
      return acc + 4;
    default:
      break;
  }
  if (Array.isArray(v)) {
    acc += v.length > 0 ? v.length + 1 : 2; // brackets and commas
    for (let i = 0; i < v.length && acc <= limit; i++) acc = lowerBound(v[i] as Json, limit, acc);
    return acc;
  }
  const o = v as { readonly [key: string]: Json };
  const keys = Object.keys(o);
  acc += keys.length > 0 ? keys.length + 1 : 2; // braces and commas
  for (let i = 0; i < keys.length && acc <= limit; i++) {
    const k = keys[i]!;
    acc = lowerBound(o[k]!, limit, acc + k.length + 3); // quotes and colon
  }
  return acc;
}
