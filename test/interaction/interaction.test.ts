import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runScriptFile } from './lib/run-script.ts';

// Every test/interaction/<system>/*.txt script runs as one test: its printed output must equal the
// stored one. REWRITE=1 npx vitest run test/interaction rewrites the files with what the run printed.

const root = import.meta.dirname;
const scripts = readdirSync(root, { withFileTypes: true })
  .filter((e) => e.isDirectory() && e.name !== 'lib')
  .flatMap((e) => readdirSync(join(root, e.name)).filter((f) => f.endsWith('.txt')).sort().map((f) => join(root, e.name, f)));

describe('interaction scripts', () => {
  it('finds the scripts', () => {
    expect(scripts.length).toBeGreaterThan(0);
  });
  for (const file of scripts) {
    it(relative(root, file), () => {
      const r = runScriptFile(file);
      expect(r.actual).toBe(r.expected);
    }, 60_000);
  }
});
