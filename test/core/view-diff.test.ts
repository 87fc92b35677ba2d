import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { diffJson } from '../../sim/world/trace.ts';
import type { Json } from '../../sim/core/types.ts';
import { diffView, jsonTextLongerThan } from '../../sim/world/view-diff.ts';

// diffView must return exactly diffJson(prev, JSON.parse(JSON.stringify(next))) and that parsed tree
// (key order included), or null for values JSON.stringify treats specially: traced runs write its
// patches, and the trace bytes may not change.

const parse = (v: unknown): Json => JSON.parse(JSON.stringify(v)) as Json;

/** Same JSON text, and the same key order at every level. */
function expectSameTree(a: Json, b: Json): void {
  expect(JSON.stringify(a)).toBe(JSON.stringify(b));
  expect(a).toEqual(b);
}

function check(prev: Json, next: unknown): void {
  const d = diffView(prev, next);
  expect(d).not.toBeNull();
  const want = parse(next);
  expect(d!.ops).toEqual(diffJson(prev, want));
  expect(JSON.stringify(d!.ops)).toBe(JSON.stringify(diffJson(prev, want)));
  expectSameTree(d!.tree, want);
}

// Keys include names Object.prototype has ("constructor", "toString"): diffJson's `in` sees those.
const key = fc.constantFrom('a', 'b', 'c', 'leo', 'hw', '2', '10', 'constructor', 'toString');
const scalar = fc.oneof(
  fc.integer({ min: -3, max: 3 }),
  fc.constantFrom(0.5, -0, NaN, Infinity, -Infinity, null, true, false, '', 'x', 'y', '\ud800'),
);
const odd = fc.constantFrom(undefined, () => 1);
// Values as an actor's inspect() might build them: undefined and functions included (omitted or null).
const value: fc.Arbitrary<unknown> = fc.letrec<{ v: unknown }>((tie) => ({
  v: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    scalar,
    odd,
    fc.array(tie('v'), { maxLength: 4 }),
    fc.dictionary(key, tie('v'), { maxKeys: 5 }),
  ),
})).v;

/** A deep-frozen copy of a plain value (what a memoizing actor returns). */
function deepFreeze<T>(v: T): T {
  if (typeof v === 'object' && v !== null) {
    for (const x of Object.values(v)) deepFreeze(x);
    Object.freeze(v);
  }
  return v;
}

describe('diffView', () => {
  it('equals diffJson against the parsed view, for random views', () => {
    fc.assert(fc.property(value, value, (a, b) => {
      if (a === undefined || typeof a === 'function') return;
      if (b === undefined || typeof b === 'function') return;
      check(parse(a), b);
    }), { numRuns: 10000 });
  });

  it('equals diffJson when the new view is a small edit of the old one', () => {
    fc.assert(fc.property(fc.dictionary(key, value, { minKeys: 1, maxKeys: 6 }), key, value, (base, k, v) => {
      const prev = parse(base);
      const next = { ...(parse(base) as { [k: string]: Json }), [k]: v };
      check(prev, next);
      // The same view with its keys in reverse order: same values, different text.
      const reversed: { [k: string]: unknown } = {};
      for (const kk of Object.keys(next).reverse()) reversed[kk] = next[kk];
      check(prev, reversed);
    }), { numRuns: 1000 });
  });

  it('chains: the returned tree is a correct base for the next diff', () => {
    fc.assert(fc.property(fc.array(value, { minLength: 2, maxLength: 6 }), (views) => {
      let tree = parse({ v: views[0] });
      for (const v of views.slice(1)) {
        const d = diffView(tree, { v });
        expect(d).not.toBeNull();
        expect(d!.ops).toEqual(diffJson(tree, parse({ v })));
        tree = d!.tree;
      }
    }), { numRuns: 500 });
  });

  it('adopts deep-frozen subtrees and finds them unchanged by identity', () => {
    const log = deepFreeze({ from: 3, batches: [[3, 1, 1], [4, 1, 2]] });
    const first = diffView(parse({ leo: 5, log: { from: 0, batches: [] } }), { leo: 5, log })!;
    expect((first.tree as { log: unknown }).log).toBe(log);
    const second = diffView(first.tree, { leo: 6, log })!;
    expect(second.ops).toEqual([[['leo'], 6]]);
    expect((second.tree as { log: unknown }).log).toBe(log);
    // A changed frozen subtree is compared element by element, as diffJson would.
    const log2 = deepFreeze({ from: 4, batches: [[4, 1, 2], [5, 2, 1]] });
    const third = diffView(second.tree, { leo: 6, log: log2 })!;
    expect(third.ops).toEqual(diffJson(second.tree, parse({ leo: 6, log: log2 })));
    expect(third.ops.length).toBe(6);
  });

  it('adopts a changed frozen parent whose children are adopted or plain, found by the walk itself', () => {
    const log = deepFreeze({ from: 3, batches: [[3, 1, 1]] });
    const part1 = Object.freeze({ leo: 4, hw: 3, log });
    const first = diffView(parse({ p: { leo: 4, hw: 3, log: { from: 0, batches: [] } } }), { p: part1 })!;
    expect((first.tree as { p: unknown }).p).toBe(part1);
    // The partition changed (a new frozen object): compared field by field, then adopted as a whole.
    const part2 = Object.freeze({ leo: 5, hw: 3, log });
    const second = diffView(first.tree, { p: part2 })!;
    expect(second.ops).toEqual([[['p', 'leo'], 5]]);
    expect((second.tree as { p: unknown }).p).toBe(part2);
    // A frozen parent with a mutable child, an omitted value or a toJSON key is not adopted.
    for (const bad of [Object.freeze({ leo: 5, hw: 3, log: { from: 3, batches: [] } }), Object.freeze({ leo: 5, hw: 3, log, gone: undefined }), Object.freeze({ leo: 5, hw: 3, log, toJSON: 1 })]) {
      const d = diffView(second.tree, { p: bad })!;
      expect((d.tree as { p: unknown }).p).not.toBe(bad);
      expect(d.ops).toEqual(diffJson(second.tree, parse({ p: bad })));
    }
  });

  it('does not adopt a frozen subtree JSON would rewrite, nor one holding a mutable part', () => {
    const withNaN = deepFreeze({ x: NaN });
    const d = diffView(parse({}), { a: withNaN })!;
    expect((d.tree as { a: unknown }).a).not.toBe(withNaN);
    expectSameTree(d.tree, parse({ a: withNaN }));
    const inner = [1, 2];
    const shallow = Object.freeze({ inner });
    const e = diffView(parse({}), { a: shallow })!;
    inner.push(3);
    expect(JSON.stringify(e.tree)).toBe('{"a":{"inner":[1,2]}}');
  });

  it('gives up (null) on what JSON.stringify treats specially', () => {
    expect(diffView(parse({}), { m: new Map([[1, 2]]) })).toBeNull();
    expect(diffView(parse({}), { b: new Uint8Array(2) })).toBeNull();
    expect(diffView(parse({}), { d: { toJSON: () => 1 } })).toBeNull();
    expect(diffView(parse({}), { n: 1n })).toBeNull();
    expect(diffView(parse({}), JSON.parse('{"__proto__": 1}'))).toBeNull();
    expect(diffView(parse({}), undefined)).toBeNull();
  });
});

describe('jsonTextLongerThan', () => {
  it('is true only when the JSON text is longer than the limit, and for views well above it', () => {
    fc.assert(fc.property(value, fc.integer({ min: 0, max: 200 }), (v, limit) => {
      if (v === undefined || typeof v === 'function') return;
      const tree = parse(v);
      const len = JSON.stringify(tree).length;
      if (jsonTextLongerThan(tree, limit)) expect(len).toBeGreaterThan(limit);
    }), { numRuns: 3000 });
    const view = parse({ partitions: Object.fromEntries([0, 1, 2, 3].map((i) => [`events-${i}`, { leader: 1, leaderEpoch: 2, isr: [1, 2], leo: 100, hw: 99 }])) });
    expect(jsonTextLongerThan(view, 200)).toBe(true);
    expect(jsonTextLongerThan(view, JSON.stringify(view).length)).toBe(false);
  });
});
