// Builds the prebuilt dsim command: sim/cli bundled with esbuild into dist/cli/, with every
// scenario under scenarios/ as a lazily loaded chunk. bin/dsim.mjs runs the bundle when it is
// fresh (dist/cli/build.json records the sources it was built from) and falls back to running the
// TypeScript sources through tsx otherwise, so a stale bundle is never used.
//
// Why: through tsx every start transforms ~300 TypeScript modules (a cold `dsim run` spent most of
// its time there; issue 16 item 3). Run by `npm install` (the prepare script) and `npm run build:cli`.
// --if-possible (the prepare script): without esbuild (an install without dev dependencies) say so
// and exit 0; bin/dsim.mjs then runs the sources.
const ifPossible = process.argv.includes('--if-possible');
let build;
try {
  ({ build } = await import('esbuild'));
} catch (e) {
  if (!ifPossible) throw e;
  console.log('dsim: esbuild is not installed; the dsim command will run from the TypeScript sources');
  process.exit(0);
}
import { mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sourceStamp } from '../bin/stamp.mjs';

// --root DIR builds DIR's sources into DIR/dist/cli (the test builds a scratch copy that way).
const rootArg = process.argv.indexOf('--root');
const root = rootArg > 0 ? resolve(process.argv[rootArg + 1]) : resolve(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'dist', 'cli');

/** Scenario modules as sim/cli/scenarios.ts finds them: scenarios/<system>/**.ts outside lib/. */
function scenarioFiles(dir = join(root, 'scenarios'), depth = 0, acc = []) {
  for (const e of readdirSync(dir).sort()) {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) {
      if (e === 'lib' || e === 'node_modules' || e.startsWith('.')) continue;
      scenarioFiles(p, depth + 1, acc);
    } else if (depth >= 1 && e.endsWith('.ts') && !e.endsWith('.d.ts') && !e.endsWith('.test.ts')) {
      acc.push(p);
    }
  }
  return acc;
}

const posix = (p) => p.split(sep).join('/');

// A virtual module: repository-relative scenario path -> loader. The bundle's entries hand it to
// sim/cli/scenarios.ts (importScenario) through globalThis.__dsimPrebuilt.
const registry = {
  name: 'dsim-scenarios',
  setup(b) {
    b.onResolve({ filter: /^dsim:scenarios$/ }, () => ({ path: 'scenarios', namespace: 'dsim' }));
    b.onResolve({ filter: /^dsim:entry-(main|worker)$/ }, (a) => ({ path: a.path.slice('dsim:entry-'.length), namespace: 'dsim' }));
    b.onLoad({ filter: /.*/, namespace: 'dsim' }, (a) => {
      if (a.path === 'scenarios') {
        const lines = scenarioFiles().map((f) => `  [${JSON.stringify(posix(relative(root, f)))}, () => import(${JSON.stringify(posix(f))})],`);
        return { contents: `export const modules = new Map([\n${lines.join('\n')}\n]);\n`, resolveDir: root, loader: 'js' };
      }
      if (a.path === 'main') {
        return { contents: `import { modules } from 'dsim:scenarios';\nglobalThis.__dsimPrebuilt = modules;\nexport { main, NEEDS_SOURCE_EXIT } from './sim/cli/main.ts';\n`, resolveDir: root, loader: 'js' };
      }
      return { contents: `import { modules } from 'dsim:scenarios';\nglobalThis.__dsimPrebuilt = modules;\nawait import('./sim/cli/sweep-worker.ts');\n`, resolveDir: root, loader: 'js' };
    });
  },
};

const t0 = performance.now();
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
// The stamp is taken before building: a source saved during the build makes the bundle stale.
const stamp = sourceStamp(root);
await build({
  entryPoints: { dsim: 'dsim:entry-main', worker: 'dsim:entry-worker' },
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  outdir: out,
  outExtension: { '.js': '.mjs' },
  // Chunks sit next to the entries: sim/cli/scenarios.ts finds the repository two folders up from
  // its own module (import.meta.url), and sweep-engine.ts finds ./worker.mjs beside itself.
  chunkNames: '[name]-[hash]',
  packages: 'external',
  sourcemap: 'linked',
  logLevel: 'warning',
  plugins: [registry],
});
writeFileSync(join(out, 'build.json'), JSON.stringify({ ...stamp, builtMs: Math.round(performance.now() - t0) }) + '\n');
console.log(`dsim: built ${relative(process.cwd(), out) || '.'} (${stamp.files} sources) in ${Math.round(performance.now() - t0)} ms`);
