#!/usr/bin/env node
// The dsim command. Runs the prebuilt bundle (dist/cli, built by scripts/build-cli.mjs at npm
// install) when it is fresh, else the TypeScript sources directly through tsx's loader, so `npx
// dsim ...` works in a checkout either way. A TypeScript file on the command line (a scenario
// outside the tree) needs the loader, so it always runs from the sources; DSIM_PREBUILT=0 forces the
// sources, DSIM_PREBUILT=1 the bundle (an error if it is missing or stale). See sim/cli/main.ts.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sourceStamp } from './stamp.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const argv = process.argv.slice(2);

function bundleState() {
  let built;
  try {
    built = JSON.parse(readFileSync(join(root, 'dist', 'cli', 'build.json'), 'utf8'));
  } catch {
    return 'missing';
  }
  const now = sourceStamp(root);
  return now.files === built.files && now.newestMs <= built.newestMs ? 'fresh' : 'stale';
}

const mode = process.env.DSIM_PREBUILT;
let code = null;
if (mode !== '0' && !argv.some((a) => /\.[cm]?ts$/.test(a))) {
  const state = bundleState();
  if (state === 'fresh') {
    const bundle = await import('../dist/cli/dsim.mjs');
    code = await bundle.main(argv);
    // The bundle met a scenario file it does not hold (named inside a results file): run the sources.
    if (code === bundle.NEEDS_SOURCE_EXIT) {
      code = null;
      delete globalThis.__dsimPrebuilt;
      delete globalThis.__dsimNeedsSource;
    }
  } else if (mode === '1') {
    process.stderr.write(`dsim: error: DSIM_PREBUILT=1 but the prebuilt command is ${state}; run npm run build:cli\n`);
    process.exit(2);
  }
}
if (code === null) {
  const { register } = await import('tsx/esm/api');
  register();
  const { main } = await import('../sim/cli/main.ts');
  code = await main(argv);
}
// Let stdout drain instead of process.exit(); a command that keeps serving (viz) never returns.
process.exitCode = code;
