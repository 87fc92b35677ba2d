// What the prebuilt command (dist/cli, scripts/build-cli.mjs) was built from: the number of
// TypeScript sources under sim/ and scenarios/ and their newest modification time. bin/dsim.mjs
// uses the bundle only when both still match, so an edited, added or removed source sends the
// command back to the sources (through tsx) until the next build.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

export function sourceStamp(root) {
  let files = 0;
  let newestMs = 0;
  const walk = (dir) => {
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      if (e.name === 'node_modules' || e.name.startsWith('.')) continue;
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.ts') || e.name.endsWith('.mjs')) {
        files++;
        newestMs = Math.max(newestMs, statSync(p).mtimeMs);
      }
    }
  };
  walk(join(root, 'sim'));
  walk(join(root, 'scenarios'));
  return { files, newestMs };
}
