// Linearizability checker for a recorded client history against a sequential model.
//
// The search is Wing & Gong's ("Testing and verifying concurrent objects", JPDC 17, 1993) with
// Lowe's refinements ("Testing for linearizability", Concurrency and Computation 29(4), 2017), in
// the shape porcupine (github.com/anishathalye/porcupine) uses:
// - the history is a doubly linked list of call and return entries in time order;
// - just-in-time linearization: walking the list, an op is linearized at its call entry by lifting
//   its call and return out of the list; reaching a return entry means that op's deadline passed
//   unlinearized, so the search backtracks;
// - memoization: every (set of linearized ops, model state) pair reached is cached and never
//   explored twice.
// P-compositionality (Herlihy & Wing 1990, "locality"; Horn & Kroening, FORTE 2015): a history of
// independent registers is linearizable iff each key's sub-history is, so keys are checked apart.
//
// Operation semantics (Jepsen's): 'fail' certainly did not happen and is dropped; 'ok' took effect
// between invoke and complete; 'info' may have taken effect at any time after its invoke, or never.
// Ops whose times are equal (one completes at t, another is invoked at t) count as concurrent: the
// history does not say which came first, so the checker does not assume an order.
//
// Bounds: the search is exponential in the worst case, so it stops after `maxSteps` list visits or
// `maxCacheEntries` memo entries for a key and answers 'unknown' for that key. Both are counts, so
// the verdict is the same on every run and every machine.

import { invariant } from '../core/invariant.ts';
import type { Operation } from '../world/history.ts';
import { registerModel, valueKey, type Model } from './models.ts';

export { registerModel, valueKey, type Model, type RegisterModelOptions, type StepResult } from './models.ts';

export type Verdict = true | false | 'unknown';

export interface LinearizabilityBounds {
  /** Search steps (list entries visited) per key before the key's verdict is 'unknown'. */
  readonly maxSteps: number;
  /** Memo entries per key before the key's verdict is 'unknown'. Each holds ops/16 + state-key chars. */
  readonly maxCacheEntries: number;
}

export const DEFAULT_LINEARIZABILITY_BOUNDS: LinearizabilityBounds = {
  maxSteps: 5_000_000,
  maxCacheEntries: 250_000,
};

export interface KeyResult {
  readonly key: string | null;
  readonly valid: Verdict;
  /** Search steps spent on this key. */
  readonly steps: number;
  /** Ops searched: the key's ops less 'fail' ops and ops the model says impose nothing. */
  readonly ops: number;
  /** For an invalid key: the op that could not be linearized and the longest linearizable prefix. */
  readonly counterexample?: string;
  /** For an unknown key: which bound stopped the search. */
  readonly reason?: string;
}

export interface LinearizabilityResult {
  /** false if any key is invalid, else 'unknown' if any key is unknown, else true. */
  readonly valid: Verdict;
  /** One entry per key in the history: null first, then keys in code-unit order. */
  readonly keys: readonly KeyResult[];
}

/** Checks `ops` (from pairOperations) key by key against `model`, a register per key by default. */
export function checkLinearizable<S = unknown>(
  ops: readonly Operation[],
  model?: Model<S>,
  bounds: Partial<LinearizabilityBounds> = {},
): LinearizabilityResult {
  const limits: LinearizabilityBounds = { ...DEFAULT_LINEARIZABILITY_BOUNDS, ...bounds };
  invariant(limits.maxSteps >= 0 && limits.maxCacheEntries >= 0, 'linearizability: bounds must not be negative');
  const keys = [...groupByKey(ops)].map(([key, keyOps]) =>
    model === undefined ? checkKey(key, keyOps, registerModel(), limits) : checkKey(key, keyOps, model, limits));
  const valid: Verdict = keys.some((k) => k.valid === false) ? false : keys.some((k) => k.valid === 'unknown') ? 'unknown' : true;
  return { valid, keys };
}

function groupByKey(ops: readonly Operation[]): Map<string | null, Operation[]> {
  const byKey = new Map<string | null, Operation[]>();
  for (const op of ops) {
    const keyOps = byKey.get(op.key);
    if (keyOps === undefined) byKey.set(op.key, [op]);
    else keyOps.push(op);
  }
  const order = (a: string | null, b: string | null): number =>
    a === b ? 0 : a === null ? -1 : b === null ? 1 : a < b ? -1 : 1;
  return new Map([...byKey].sort(([a], [b]) => order(a, b)));
}

function checkKey<S>(key: string | null, all: readonly Operation[], model: Model<S>, bounds: LinearizabilityBounds): KeyResult {
  for (const op of all) checkShape(op);
  const ops = all.filter((op) => op.status !== 'fail' && model.imposesNothing?.(op) !== true);
  const outcome = new Search(ops, model, bounds).run();
  const base = { key, valid: outcome.valid, steps: outcome.steps, ops: ops.length };
  if (outcome.valid === false) return { ...base, counterexample: outcome.counterexample };
  if (outcome.valid === 'unknown') return { ...base, reason: outcome.reason };
  return base;
}

function checkShape(op: Operation): void {
  invariant(Number.isFinite(op.invokeUs), () => `linearizability: op #${op.opId} has invoke time ${op.invokeUs}`);
  if (op.status !== 'ok') return;
  invariant(Number.isFinite(op.completeUs) && op.completeUs >= op.invokeUs,
    () => `linearizability: ok op #${op.opId} completes at ${op.completeUs}, before or without its invoke at ${op.invokeUs}`);
}

type Outcome =
  | { readonly valid: true; readonly steps: number }
  | { readonly valid: false; readonly steps: number; readonly counterexample: string }
  | { readonly valid: 'unknown'; readonly steps: number; readonly reason: string };

interface Frame<S> {
  /** The call entry lifted out of the list. */
  readonly entry: number;
  /** The model state before that op. */
  readonly state: S;
}

/** The deepest point the search reached; becomes the counterexample if no linearization exists. */
interface Deepest<S> {
  readonly prefix: readonly number[];
  readonly state: S;
  /** The op whose return the search hit at this depth, i.e. the op that could not go next. */
  blocked: number;
}

class Search<S> {
  private readonly list: EntryList;
  private readonly linearized: Bitset;
  private readonly cache = new Set<string>();
  private readonly stack: Frame<S>[] = [];
  private state: S;
  private steps = 0;
  private deepest: Deepest<S>;

  constructor(private readonly ops: readonly Operation[], private readonly model: Model<S>, private readonly bounds: LinearizabilityBounds) {
    this.list = new EntryList(ops);
    this.linearized = new Bitset(ops.length);
    this.state = model.init();
    this.deepest = { prefix: [], state: this.state, blocked: -1 };
  }

  run(): Outcome {
    const list = this.list;
    let entry = list.first();
    for (;;) {
      if (entry === list.tail) return { valid: true, steps: this.steps };
      if (this.steps >= this.bounds.maxSteps) return this.unknown(`maxSteps ${this.bounds.maxSteps} reached`);
      this.steps++;
      const opIndex = list.opOf(entry);
      if (list.isCall(entry)) {
        const lifted = this.tryLinearize(entry, opIndex);
        if (lifted === 'cache full') return this.unknown(`maxCacheEntries ${this.bounds.maxCacheEntries} reached`);
        entry = lifted ? list.first() : list.next(entry);
        continue;
      }
      // Info returns sort after every ok return, so reaching one means every ok op is linearized;
      // the info ops still in the list are the ones that never took effect.
      if (this.ops[opIndex].status === 'info') return { valid: true, steps: this.steps };
      if (this.stack.length === this.deepest.prefix.length && this.deepest.blocked < 0) this.deepest.blocked = opIndex;
      const frame = this.stack.pop();
      if (frame === undefined) return { valid: false, steps: this.steps, counterexample: this.counterexample() };
      this.state = frame.state;
      this.linearized.clear(list.opOf(frame.entry));
      list.unlift(frame.entry);
      entry = list.next(frame.entry);
    }
  }

  /** Linearizes the op at call `entry` if the model allows it and the result is not memoized. */
  private tryLinearize(entry: number, opIndex: number): boolean | 'cache full' {
    const result = this.model.step(this.state, this.ops[opIndex]);
    if (!result.ok) return false;
    this.linearized.set(opIndex);
    // The bitset part has a fixed length per search, so the concatenation is unambiguous.
    const memoKey = this.linearized.key() + this.model.stateKey(result.next);
    if (this.cache.has(memoKey)) {
      this.linearized.clear(opIndex);
      return false;
    }
    if (this.cache.size >= this.bounds.maxCacheEntries) return 'cache full';
    this.cache.add(memoKey);
    this.stack.push({ entry, state: this.state });
    this.state = result.next;
    this.list.lift(entry);
    if (this.stack.length > this.deepest.prefix.length) {
      this.deepest = { prefix: this.stack.map((f) => this.list.opOf(f.entry)), state: this.state, blocked: -1 };
    }
    return true;
  }

  private unknown(reason: string): Outcome {
    return { valid: 'unknown', steps: this.steps, reason };
  }

  private counterexample(): string {
    const { prefix, state, blocked } = this.deepest;
    invariant(blocked >= 0, 'linearizability: search failed without reaching a blocked op');
    const shownMax = 5;
    const shown = prefix.slice(-shownMax).map((i) => describeOp(this.ops[i]));
    const elided = prefix.length > shownMax ? `..., ` : '';
    return `${describeOp(this.ops[blocked])} cannot be linearized: the longest linearizable prefix has ` +
      `${prefix.length} of ${this.ops.length} ops [${elided}${shown.join(', ')}], after which the ${this.model.name} ` +
      `state is ${this.model.stateKey(state)} and no pending op order lets this op take effect before it completed`;
  }
}

/** "#7 client-2 read → 1 @30..40us", "#3 client-1 write 2 (info) @20..∞us". */
export function describeOp(op: Operation): string {
  const input = op.input === undefined ? '' : ` ${valueKey(op.input)}`;
  const output = op.status === 'ok' && op.output !== undefined ? ` → ${valueKey(op.output)}` : '';
  const status = op.status === 'ok' ? '' : ` (${op.status})`;
  const completeUs = op.status === 'info' ? '∞' : String(op.completeUs);
  return `#${op.opId} ${op.process} ${op.f}${input}${output}${status} @${op.invokeUs}..${completeUs}us`;
}

/**
 * Call and return entries of the ops in time order, as a doubly linked list over arrays with a head
 * and a tail sentinel. lift/unlift are Knuth's dancing links: unlift must undo the latest lift.
 */
class EntryList {
  readonly head = 0;
  readonly tail: number;
  private readonly nextOf: Int32Array;
  private readonly prevOf: Int32Array;
  /** Entry -> op index; calls are flagged in `call`. */
  private readonly op: Int32Array;
  private readonly call: Uint8Array;
  /** Call entry -> its return entry. */
  private readonly match: Int32Array;

  constructor(ops: readonly Operation[]) {
    // Info ops may take effect any time after their invoke: their return is at infinity.
    const events = ops.flatMap((op, i) => [
      { i, call: true, timeUs: op.invokeUs },
      { i, call: false, timeUs: op.status === 'info' ? Infinity : op.completeUs },
    ]);
    // At equal times calls go first, so ops that touch at a point in time are concurrent.
    events.sort((a, b) => (a.timeUs === b.timeUs ? 0 : a.timeUs < b.timeUs ? -1 : 1) || Number(b.call) - Number(a.call) || a.i - b.i);
    const size = events.length + 2;
    this.tail = size - 1;
    this.nextOf = new Int32Array(size);
    this.prevOf = new Int32Array(size);
    this.op = new Int32Array(size).fill(-1);
    this.call = new Uint8Array(size);
    this.match = new Int32Array(size).fill(-1);
    const callEntry = new Int32Array(ops.length);
    for (let e = 0; e < size; e++) {
      this.nextOf[e] = e + 1;
      this.prevOf[e] = e - 1;
    }
    events.forEach((ev, k) => {
      const e = k + 1;
      this.op[e] = ev.i;
      this.call[e] = ev.call ? 1 : 0;
      if (ev.call) callEntry[ev.i] = e;
      else this.match[callEntry[ev.i]] = e;
    });
  }

  first(): number {
    return this.nextOf[this.head];
  }

  next(entry: number): number {
    return this.nextOf[entry];
  }

  opOf(entry: number): number {
    return this.op[entry];
  }

  isCall(entry: number): boolean {
    return this.call[entry] === 1;
  }

  /** Removes a call entry and its return entry. */
  lift(callEntry: number): void {
    this.unlink(callEntry);
    this.unlink(this.match[callEntry]);
  }

  /** Puts back the call entry (and its return) removed by the latest lift. */
  unlift(callEntry: number): void {
    this.relink(this.match[callEntry]);
    this.relink(callEntry);
  }

  private unlink(e: number): void {
    this.nextOf[this.prevOf[e]] = this.nextOf[e];
    this.prevOf[this.nextOf[e]] = this.prevOf[e];
  }

  private relink(e: number): void {
    this.nextOf[this.prevOf[e]] = e;
    this.prevOf[this.nextOf[e]] = e;
  }
}

/** The set of linearized ops; key() is its memo string (16 bits per char). */
class Bitset {
  private readonly words: Uint16Array;

  constructor(size: number) {
    this.words = new Uint16Array(Math.ceil(size / 16));
  }

  set(i: number): void {
    this.words[i >>> 4] |= 1 << (i & 15);
  }

  clear(i: number): void {
    this.words[i >>> 4] &= ~(1 << (i & 15));
  }

  key(): string {
    let s = '';
    for (const w of this.words) s += String.fromCharCode(w);
    return s;
  }
}
