import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { History, type Operation } from '../../sim/world/history.ts';
import { checkLinearizable, registerModel, type Model } from '../../sim/check/linearizability.ts';

// ---- history builders: times are microseconds; each op gets a fresh id ----

let nextOpId = 1;

function op(f: string, input: unknown, output: unknown, invokeUs: number, completeUs: number,
  extra: Partial<Pick<Operation, 'status' | 'key' | 'process'>> = {}): Operation {
  const status = extra.status ?? 'ok';
  return {
    opId: nextOpId++, process: extra.process ?? 'client', f, key: extra.key ?? null, input,
    output: status === 'ok' ? output : undefined, status, invokeUs,
    completeUs: status === 'info' ? Infinity : completeUs,
  };
}

const write = (value: unknown, invokeUs: number, completeUs: number, key: string | null = null) =>
  op('write', value, undefined, invokeUs, completeUs, { key });
const read = (value: unknown, invokeUs: number, completeUs: number, key: string | null = null) =>
  op('read', undefined, value, invokeUs, completeUs, { key });
const cas = (expected: unknown, next: unknown, invokeUs: number, completeUs: number) =>
  op('cas', [expected, next], undefined, invokeUs, completeUs);
const infoWrite = (value: unknown, invokeUs: number) => op('write', value, undefined, invokeUs, Infinity, { status: 'info' });
const failedWrite = (value: unknown, invokeUs: number, completeUs: number) =>
  op('write', value, undefined, invokeUs, completeUs, { status: 'fail' });

function verdict(ops: Operation[]): boolean | 'unknown' {
  return checkLinearizable(ops).valid;
}

describe('linearizability: accepts linearizable register histories', () => {
  it('accepts a sequential history that reads what was last written', () => {
    expect(verdict([read(null, 0, 5), write(1, 10, 20), read(1, 30, 40), write(2, 50, 60), read(2, 70, 80)])).toBe(true);
  });

  it('accepts a read concurrent with a write returning either the old or the new value', () => {
    for (const seen of [1, 2]) {
      expect(verdict([write(1, 0, 10), write(2, 20, 60), read(seen, 30, 40)])).toBe(true);
    }
  });

  it('accepts concurrent overlapping writes followed by a read of either one', () => {
    for (const seen of ['a', 'b']) {
      expect(verdict([write('a', 0, 100), write('b', 5, 90), read(seen, 110, 120), read(seen, 130, 140)])).toBe(true);
    }
  });

  it('accepts an info write that took effect, even long after its invoke', () => {
    expect(verdict([write(1, 0, 10), infoWrite(2, 20), read(1, 30, 40), read(2, 50, 60), read(2, 500, 600)])).toBe(true);
  });

  it('accepts an info write that never took effect', () => {
    expect(verdict([write(1, 0, 10), infoWrite(2, 20), read(1, 30, 40), read(1, 500, 600)])).toBe(true);
    // An info cas from a value the register never held cannot have taken effect at all.
    const impossibleCas = op('cas', [5, 6], undefined, 20, 0, { status: 'info' });
    expect(verdict([write(1, 0, 10), impossibleCas, read(1, 30, 40)])).toBe(true);
  });

  it('drops failed ops: a failed write certainly did not happen', () => {
    expect(verdict([failedWrite(9, 0, 10), read(null, 20, 30)])).toBe(true);
    expect(verdict([failedWrite(9, 0, 10), read(9, 20, 30)])).toBe(false);
  });

  it('accepts a successful cas from the expected value and rejects one from another value', () => {
    expect(verdict([write(1, 0, 10), cas(1, 2, 20, 30), read(2, 40, 50)])).toBe(true);
    expect(verdict([write(1, 0, 10), cas(3, 2, 20, 30)])).toBe(false);
  });

  it('ignores a read whose value is unknown', () => {
    expect(verdict([write(1, 0, 10), read(undefined, 20, 30), op('read', undefined, undefined, 40, 0, { status: 'info' })])).toBe(true);
  });

  it('treats ops touching at the same microsecond as concurrent', () => {
    expect(verdict([write(1, 0, 10), read(null, 10, 20)])).toBe(true);
    expect(verdict([write(1, 0, 10), read(null, 11, 20)])).toBe(false);
  });

  it('starts the register at the configured initial value', () => {
    expect(checkLinearizable([read(0, 0, 5)], registerModel({ initial: 0 })).valid).toBe(true);
    expect(checkLinearizable([read(null, 0, 5)], registerModel({ initial: 0 })).valid).toBe(false);
  });

  it('compares values structurally', () => {
    expect(verdict([write({ a: 1, b: [2] }, 0, 10), read({ b: [2], a: 1 }, 20, 30)])).toBe(true);
    expect(verdict([write(1, 0, 10), read('1', 20, 30)])).toBe(false);
  });

  it('checks a history recorded through History and pairOperations, timeouts included', () => {
    let nowUs = 0;
    const history = new History(() => 0, () => nowUs);
    const w = history.invoke('client-1', 'write', 'x', 1);
    nowUs = 10;
    history.complete(w, 'ok', undefined);
    const lost = history.invoke('client-2', 'write', 'x', 2); // never completes: info
    nowUs = 20;
    const r = history.invoke('client-1', 'read', 'x', undefined);
    nowUs = 30;
    history.complete(r, 'ok', 2);
    expect(history.isOpen(lost)).toBe(true);
    expect(checkLinearizable(history.operations())).toMatchObject({ valid: true, keys: [{ key: 'x', valid: true, ops: 3 }] });
  });
});

describe('linearizability: rejects violations with a counterexample', () => {
  it('rejects a stale read after a completed write and names the read', () => {
    const stale = read(1, 40, 50);
    const result = checkLinearizable([write(1, 0, 10), write(2, 20, 30), stale]);
    expect(result.valid).toBe(false);
    const counterexample = result.keys[0].counterexample ?? '';
    expect(counterexample).toContain(`#${stale.opId} client read → 1 @40..50us cannot be linearized`);
    expect(counterexample).toContain('longest linearizable prefix has 2 of 3 ops');
    expect(counterexample).toContain('register state is 2');
  });

  it('rejects a read of a value never written', () => {
    const result = checkLinearizable([write(1, 0, 10), read(7, 20, 30)]);
    expect(result.valid).toBe(false);
    expect(result.keys[0].counterexample).toMatch(/read → 7 .* cannot be linearized/);
  });

  it('rejects two reads that see a concurrent write in an order no linearization allows', () => {
    // The second read starts after the first returned the new value, yet sees the old one.
    const result = checkLinearizable([write(1, 0, 10), write(2, 20, 100), read(2, 30, 40), read(1, 50, 60)]);
    expect(result.valid).toBe(false);
    expect(result.keys[0].counterexample).toMatch(/read → 1 @50..60us cannot be linearized/);
  });

  it('rejects an info write observed before it was invoked', () => {
    expect(verdict([write(1, 0, 10), read(2, 20, 30), infoWrite(2, 40)])).toBe(false);
  });
});

describe('linearizability: bounds', () => {
  // 32 mutually concurrent writes, then two sequential reads of different values with no write in
  // between: impossible, but the search must try every (subset, last write) pair to learn that.
  function pathological(key: string | null): Operation[] {
    const writes = Array.from({ length: 32 }, (_, i) => write(i, 0, 100, key));
    return [...writes, read(0, 200, 210, key), read(1, 220, 230, key)];
  }

  it('says unknown, not pass or fail, when maxSteps is reached, and stops quickly', () => {
    const startMs = performance.now();
    const result = checkLinearizable(pathological(null), undefined, { maxSteps: 20_000 });
    expect(performance.now() - startMs).toBeLessThan(2_000);
    expect(result.valid).toBe('unknown');
    expect(result.keys[0]).toMatchObject({ valid: 'unknown', steps: 20_000, ops: 34, reason: 'maxSteps 20000 reached' });
  });

  it('says unknown when maxCacheEntries is reached', () => {
    const result = checkLinearizable(pathological(null), undefined, { maxCacheEntries: 1_000 });
    expect(result.keys[0]).toMatchObject({ valid: 'unknown', reason: 'maxCacheEntries 1000 reached' });
    expect(result.keys[0].steps).toBeLessThan(1_000_000);
  });

  it('a definite violation on one key outweighs unknown on another', () => {
    const result = checkLinearizable([...pathological('slow'), write(1, 0, 10, 'bad'), read(2, 20, 30, 'bad')], undefined, { maxSteps: 5_000 });
    expect(result.valid).toBe(false);
    expect(result.keys.map((k) => [k.key, k.valid])).toEqual([['bad', false], ['slow', 'unknown']]);
  });
});

describe('linearizability: P-compositionality', () => {
  it('reports a violation on its own key only', () => {
    const ops = [
      write(1, 0, 10, 'a'), write(1, 0, 10, 'b'), write(1, 0, 10, null),
      write(2, 20, 30, 'a'), write(2, 20, 30, 'b'), write(2, 20, 30, null),
      read(2, 40, 50, 'a'), read(1, 40, 50, 'b'), read(2, 40, 50, null),
    ];
    const result = checkLinearizable(ops);
    expect(result.valid).toBe(false);
    expect(result.keys.map((k) => [k.key, k.valid])).toEqual([[null, true], ['a', true], ['b', false]]);
    expect(result.keys[2].counterexample).toContain('read → 1 @40..50us');
    expect(result.keys[0].counterexample).toBeUndefined();
  });

  it('does not let one key\'s writes explain another key\'s reads', () => {
    expect(verdict([write(1, 0, 10, 'a'), read(1, 20, 30, 'b')])).toBe(false);
  });
});

describe('linearizability: pluggable models', () => {
  // A FIFO queue: enqueue input, dequeue output (null when empty). State is an immutable array.
  const queue: Model<readonly unknown[]> = {
    name: 'queue',
    init: () => [],
    step(state, o) {
      if (o.f === 'enqueue') return { ok: true, next: [...state, o.input] };
      const head = state.length === 0 ? null : state[0];
      return { ok: o.output === head, next: state.slice(1) };
    },
    stateKey: (state) => JSON.stringify(state),
  };

  it('checks a queue history with a custom model', () => {
    const enq = (v: number, t0: number, t1: number) => op('enqueue', v, undefined, t0, t1);
    const deq = (v: number | null, t0: number, t1: number) => op('dequeue', undefined, v, t0, t1);
    expect(checkLinearizable([enq(1, 0, 50), enq(2, 0, 50), deq(2, 60, 70), deq(1, 80, 90)], queue).valid).toBe(true);
    const fifoBroken = checkLinearizable([enq(1, 0, 10), enq(2, 20, 30), deq(2, 40, 50)], queue);
    expect(fifoBroken.valid).toBe(false);
    expect(fifoBroken.keys[0].counterexample).toContain('queue state is [1,2]');
  });
});

// ---- brute-force reference: every subset of info ops, every order respecting real time ----

type Register = number | null;

function applyRegister(state: Register, o: Operation): { ok: boolean; next: Register } {
  if (o.f === 'write') return { ok: true, next: o.input as Register };
  if (o.f === 'read') return { ok: o.output === undefined || o.output === state, next: state };
  const [expected, next] = o.input as [Register, Register];
  return { ok: expected === state, next };
}

function someOrderWorks(remaining: readonly Operation[], state: Register): boolean {
  if (remaining.length === 0) return true;
  return remaining.some((o, i) => {
    // o may go next only if no other remaining op completed before o was invoked.
    if (remaining.some((other) => other !== o && other.completeUs < o.invokeUs)) return false;
    const { ok, next } = applyRegister(state, o);
    return ok && someOrderWorks([...remaining.slice(0, i), ...remaining.slice(i + 1)], next);
  });
}

function bruteForceLinearizable(ops: readonly Operation[]): boolean {
  const happened = ops.filter((o) => o.status === 'ok');
  const maybe = ops.filter((o) => o.status === 'info');
  for (let mask = 0; mask < 1 << maybe.length; mask++) {
    const chosen = maybe.filter((_, i) => (mask & (1 << i)) !== 0);
    if (someOrderWorks([...happened, ...chosen], null)) return true;
  }
  return false;
}

// ---- generator: a real execution (each op takes effect at a point inside its interval), then
// some ops turned into info (taking effect or not) or fail, and some read outputs perturbed ----

const plannedOp = fc.record({
  f: fc.constantFrom('read', 'write', 'cas'),
  a: fc.integer({ min: 0, max: 2 }),
  b: fc.integer({ min: 0, max: 2 }),
  invokeUs: fc.integer({ min: 0, max: 12 }),
  durationUs: fc.integer({ min: 0, max: 8 }),
  pointPercent: fc.integer({ min: 0, max: 100 }),
  fate: fc.constantFrom('ok', 'ok', 'ok', 'ok', 'info-applied', 'info-lost', 'fail'),
  perturbedRead: fc.oneof({ arbitrary: fc.constant(null), weight: 2 }, { arbitrary: fc.integer({ min: 0, max: 3 }), weight: 1 }),
});

type PlannedOp = typeof plannedOp extends fc.Arbitrary<infer T> ? T : never;

function realize(plan: readonly PlannedOp[], key: string | null): Operation[] {
  const pointUs = plan.map((p) => p.invokeUs + (p.durationUs * p.pointPercent) / 100);
  const order = plan.map((_, i) => i).sort((i, j) => pointUs[i] - pointUs[j] || i - j);
  const outcome = new Map<number, Operation>();
  let state: Register = null;
  for (const i of order) {
    const p = plan[i];
    const input = p.f === 'write' ? p.a : p.f === 'cas' ? [p.a, p.b] : undefined;
    const applied = p.fate === 'ok' || p.fate === 'info-applied';
    let output: unknown;
    let status: Operation['status'] = p.fate === 'ok' ? 'ok' : p.fate === 'fail' ? 'fail' : 'info';
    if (applied && p.f === 'read') output = p.perturbedRead ?? state;
    if (applied && p.f === 'write') state = p.a;
    if (applied && p.f === 'cas') {
      if (state === p.a) state = p.b;
      else if (status === 'ok') status = 'fail'; // a cas that found another value reports fail
    }
    outcome.set(i, op(p.f, input, output, p.invokeUs, p.invokeUs + p.durationUs, { status, key, process: `c${i}` }));
  }
  return plan.map((_, i) => outcome.get(i) as Operation);
}

describe('linearizability: agrees with a brute-force reference', () => {
  it('property: on histories of <= 7 ops the verdict equals the brute-force verdict', () => {
    const seen = { valid: 0, invalid: 0 };
    fc.assert(
      fc.property(fc.array(plannedOp, { minLength: 1, maxLength: 7 }), (plan) => {
        const ops = realize(plan, null);
        const expected = bruteForceLinearizable(ops);
        seen[expected ? 'valid' : 'invalid']++;
        expect(checkLinearizable(ops).valid).toBe(expected);
      }),
      { numRuns: 1_000, seed: 20240601 },
    );
    expect(seen.valid).toBeGreaterThan(100);
    expect(seen.invalid).toBeGreaterThan(100);
  });

  it('property: a multi-key verdict is the conjunction of per-key brute-force verdicts', () => {
    fc.assert(
      fc.property(fc.array(plannedOp, { maxLength: 5 }), fc.array(plannedOp, { maxLength: 5 }), (planA, planB) => {
        const a = realize(planA, 'a');
        const b = realize(planB, 'b');
        const result = checkLinearizable([...a, ...b].sort((x, y) => x.invokeUs - y.invokeUs));
        const expected = new Map([['a', bruteForceLinearizable(a)], ['b', bruteForceLinearizable(b)]]);
        for (const k of result.keys) expect(k.valid).toBe(expected.get(k.key as string));
        expect(result.valid).toBe([...expected.values()].every(Boolean));
      }),
      { numRuns: 300, seed: 7 },
    );
  });
});
