import { UsageError } from '../core/invariant.ts';
import type { Json, ProcessId } from '../core/types.ts';
import { MS } from '../core/types.ts';
import type { World } from '../world/world.ts';
import { formatDuration, parseDuration } from './fault-kind.ts';

// Faults triggered by an event of the run instead of a time (issue 11 item 7). A time cannot hit a
// protocol moment on every seed ("crash the leader the moment a learner receives SNAP"); a trigger
// can. The predicate is over what the trace shows of one process:
//
//   when <process> receives <MessageType> ...     a message of that type is handed to the process
//   when <process> sends <MessageType> ...        the process sends one
//   when <process> observes <kind> ...            the process makes that observation
//   when <process> state <path> <op> <value> ...  its inspect() view crosses a value: <path> is
//                                                 dot-separated keys (array indexes are numbers),
//                                                 <op> one of >= > <= < == !=, <value> a number
//                                                 (or a word, for == and !=). It fires when the
//                                                 comparison turns true after one of the process's
//                                                 handlers (or is true after its first one)
//
// then optionally `after <duration>` (default: at once, as the next event at the same instant) and
// `every` (fire at each match; default: the first match only), then the fault as in a timed line:
//
//   when zk-2 receives SNAP crash leader()
//   when broker-2 state partitions.events-0.leo >= 20 after 5ms isolate broker-2 for 10s
//   when p0 observes restarted every pause p2 for 1s
//
// Triggers are armed from the start of the run and disarmed when the fault phase ends (with every
// other fault). They are deterministic: they watch the run's own events, in its own order.

export type CompareOp = '>=' | '>' | '<=' | '<' | '==' | '!=';
const OPS: readonly CompareOp[] = ['>=', '>', '<=', '<', '==', '!='];

export type TriggerEvent =
  | { readonly on: 'receives' | 'sends'; readonly process: string; readonly type: string }
  | { readonly on: 'observes'; readonly process: string; readonly kind: string }
  | { readonly on: 'state'; readonly process: string; readonly path: string; readonly op: CompareOp; readonly value: number | string };

export interface Trigger {
  readonly event: TriggerEvent;
  /** Delay from the event to the fault (0: the next event at the same instant). */
  readonly afterMs: number;
  /** Fire at every match (else at the first only). */
  readonly every: boolean;
}

const WORD = /^[A-Za-z0-9_.:-]+$/;

/**
 * Reads `<process> <predicate> [after <d>] [every]` from the words after `when`; returns the
 * trigger and the words left (the fault). A one-line UsageError naming `where` for anything else.
 */
export function parseTrigger(words: readonly string[], where: string): { trigger: Trigger; rest: string[] } {
  const usage = "when <process> receives|sends <type> | observes <kind> | state <path> <op> <value> [after <duration>] [every] <fault>";
  const bad = (why: string): never => {
    throw new UsageError(`${where}: ${why} (usage: ${usage})`);
  };
  const [process, on] = words;
  if (process === undefined || on === undefined) bad(`'when' needs a process and an event`);
  if (!WORD.test(process!)) bad(`'${process}' is not a process name`);
  let i = 2;
  const word = (what: string): string => {
    const w = words[i++];
    if (w === undefined || !WORD.test(w)) bad(`'when ${process} ${on}' needs ${what}${w !== undefined ? `, got '${w}'` : ''}`);
    return w!;
  };
  let event: TriggerEvent;
  if (on === 'receives' || on === 'sends') event = { on, process: process!, type: word('a message type') };
  else if (on === 'observes') event = { on, process: process!, kind: word('an observation kind') };
  else if (on === 'state') {
    const path = word('a state path');
    const op = words[i++];
    if (op === undefined || !(OPS as readonly string[]).includes(op)) bad(`'${op ?? ''}' is not a comparison (one of ${OPS.join(' ')})`);
    const raw = word('a value');
    const num = Number(raw);
    const value = raw !== '' && Number.isFinite(num) ? num : raw;
    if (typeof value === 'string' && op !== '==' && op !== '!=') bad(`'${op}' needs a number, got '${raw}'`);
    event = { on, process: process!, path, op: op as CompareOp, value };
  } else {
    return bad(`unknown event '${on}' (known: receives, sends, observes, state)`);
  }
  let afterMs = 0;
  let every = false;
  for (;;) {
    if (words[i] === 'after') {
      const d = words[i + 1];
      if (d === undefined) bad(`'after' needs a duration`);
      afterMs = parseDuration(d!, where);
      i += 2;
    } else if (words[i] === 'every') {
      every = true;
      i++;
    } else break;
  }
  if (i >= words.length) bad('no fault after the trigger');
  return { trigger: { event, afterMs, every }, rest: words.slice(i) };
}

export function formatTrigger(t: Trigger): string {
  const e = t.event;
  const pred = e.on === 'state' ? `state ${e.path} ${e.op} ${e.value}` : e.on === 'observes' ? `observes ${e.kind}` : `${e.on} ${e.type}`;
  return `when ${e.process} ${pred}${t.afterMs > 0 ? ` after ${formatDuration(t.afterMs)}` : ''}${t.every ? ' every' : ''}`;
}

/** Checks the trigger against the world before the run: its process exists. */
export function validateTrigger(world: World, t: Trigger, where: string): void {
  if (!world.hasProcess(t.event.process)) throw new UsageError(`${where}: no process named '${t.event.process}' (a trigger watches a process)`);
}

/** The value at a dot-separated path of a JSON view, or undefined. */
export function valueAt(view: Json, path: string): Json | undefined {
  let cur: Json | undefined = view;
  for (const key of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = Array.isArray(cur) ? cur[Number(key)] : (cur as { readonly [k: string]: Json })[key];
  }
  return cur;
}

function compare(v: Json | undefined, op: CompareOp, value: number | string): boolean {
  if (typeof value === 'string' || typeof v !== 'number') {
    const s = v === undefined ? undefined : typeof v === 'string' ? v : JSON.stringify(v);
    return op === '==' ? s === String(value) : op === '!=' ? s !== String(value) : false;
  }
  switch (op) {
    case '>=': return v >= value;
    case '>': return v > value;
    case '<=': return v <= value;
    case '<': return v < value;
    case '==': return v === value;
    case '!=': return v !== value;
  }
}

/** Which worlds still have their triggers armed (the end of the fault phase disarms them). */
const armed = new WeakMap<World, { active: boolean }>();

/**
 * Arms a trigger: at each match (the first only, unless `every`) `fire` runs as a new event
 * afterMs later, while the world's triggers are armed.
 */
export function armTrigger(world: World, t: Trigger, fire: () => void): void {
  let state = armed.get(world);
  if (state === undefined) armed.set(world, (state = { active: true }));
  const flag = state;
  const e = t.event;
  const pid: ProcessId = world.pid(e.process);
  let done = false;
  let wasTrue = false;
  const match = (): void => {
    if (done || !flag.active) return;
    if (!t.every) done = true;
    if (world.tracing) world.annotate(pid, `${formatTrigger(t)}: fires${t.afterMs > 0 ? `, the fault follows in ${formatDuration(t.afterMs)}` : ''}`);
    world.schedule(world.nowUs + t.afterMs * MS, () => {
      if (flag.active) fire();
    });
  };
  if (e.on === 'state') {
    world.addTap({
      handled: (p) => {
        if (p !== pid || done || !flag.active) return;
        const now = compare(valueAt(world.inspect(pid), e.path), e.op, e.value);
        if (now && !wasTrue) match();
        wasTrue = now;
      },
    });
  } else if (e.on === 'observes') {
    world.addTap({ observed: (p, kind) => { if (p === pid && kind === e.kind) match(); } });
  } else {
    world.addTap({ message: (dir, p, _peer, type) => { if (p === pid && dir === e.on && type === e.type) match(); } });
  }
}

/** Disarms every trigger of this world (the end of the fault phase). */
export function disarmTriggers(world: World): void {
  const state = armed.get(world);
  if (state !== undefined) state.active = false;
}
