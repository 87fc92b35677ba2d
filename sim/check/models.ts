// Sequential specifications the linearizability checker searches against. A model is a pure
// transition function over an immutable state: the checker keeps old states on its backtracking
// stack, so `step` must never mutate the state it is given.

import { invariant } from '../core/invariant.ts';
import type { Operation } from '../world/history.ts';

export interface StepResult<S> {
  /** False when the operation, with its recorded input and output, is impossible in the state. */
  readonly ok: boolean;
  /** The state after the operation (ignored when ok is false). */
  readonly next: S;
}

export interface Model<S> {
  /** Names the model in counterexamples, e.g. "register". */
  readonly name: string;
  init(): S;
  /** Applies `op` to `state` without mutating `state`. */
  step(state: S, op: Operation): StepResult<S>;
  /** Equal strings for equal states and only for them: the memo key, also printed in counterexamples. */
  stateKey(state: S): string;
  /**
   * True for operations that can neither change the state nor be refused by it (a read whose value
   * is unknown). The checker drops them before the search, which keeps them out of the memo.
   */
  imposesNothing?(op: Operation): boolean;
}

export interface RegisterModelOptions {
  /** The register's value before any write; null unless given. */
  readonly initial?: unknown;
}

/**
 * One read/write/compare-and-set register (Jepsen's cas-register), applied per key by the checker.
 * - read: input ignored; output is the value read. An undefined output (an info read, or an ok read
 *   whose value was not recorded) imposes nothing.
 * - write: input is the value written.
 * - cas: input is [expected, new]. An ok cas succeeded; a cas that found another value must be
 *   recorded as fail (it certainly did not happen), so the output of an ok cas is not consulted.
 * Values compare structurally (see valueKey): plain JSON-like data only.
 */
export function registerModel(options: RegisterModelOptions = {}): Model<unknown> {
  const initial = options.initial ?? null;
  return {
    name: 'register',
    init: () => initial,
    step(state, op) {
      switch (op.f) {
        case 'read':
          return { ok: op.output === undefined || valueKey(op.output) === valueKey(state), next: state };
        case 'write':
          return { ok: true, next: op.input };
        case 'cas': {
          const [expected, replacement] = casArguments(op);
          return valueKey(expected) === valueKey(state) ? { ok: true, next: replacement } : { ok: false, next: state };
        }
        default:
          invariant(false, `register model: op #${op.opId} has unknown f "${op.f}" (read, write or cas)`);
      }
    },
    stateKey: valueKey,
    imposesNothing: (op) => op.f === 'read' && op.output === undefined,
  };
}

function casArguments(op: Operation): readonly [unknown, unknown] {
  const input = op.input;
  invariant(Array.isArray(input) && input.length === 2, () => `register model: cas op #${op.opId} input must be [expected, new], got ${valueKey(input)}`);
  return [input[0], input[1]];
}

/**
 * A canonical string for a JSON-like value: equal strings exactly for structurally equal values
 * (object keys sorted, 1 and "1" distinct, -0 equal to 0). Used as register state key and for display.
 */
export function valueKey(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
      return String(value);
    case 'bigint':
      return `${value}n`;
    case 'boolean':
      return value ? 'true' : 'false';
    case 'undefined':
      return 'undefined';
    case 'object': {
      if (value === null) return 'null';
      if (Array.isArray(value)) return `[${value.map(valueKey).join(',')}]`;
      const fields = Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      return `{${fields.map(([k, v]) => `${JSON.stringify(k)}:${valueKey(v)}`).join(',')}}`;
    }
    default:
      invariant(false, `valueKey: cannot compare a ${typeof value} value`);
  }
}
