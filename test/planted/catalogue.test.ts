import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { PLANTED } from './catalogue.ts';

// `npm run planted` plants each bug alone and runs its catching test (too slow for npm test: one
// vitest process per bug). What npm test checks: every patch still applies exactly once, and the
// named catching test exists, so the catalogue cannot rot into no-ops.

describe('planted-bug catalogue', () => {
  for (const b of PLANTED) {
    it(`${b.id}: every patch applies exactly once and its catching test exists`, () => {
      for (const p of b.patches) {
        const text = readFileSync(p.file, 'utf8');
        expect(text.split(p.find).length - 1, `${p.file}: ${p.find}`).toBe(1);
        expect(p.replace).not.toBe(p.find);
      }
      expect(readFileSync(b.test.file, 'utf8')).toContain(b.test.name);
    });
  }
  it('names each bug once', () => {
    expect(new Set(PLANTED.map((b) => b.id)).size).toBe(PLANTED.length);
  });
});
