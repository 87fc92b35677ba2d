import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

// The replay visualizer: a static app in viz/ built to viz/dist. `dsim viz <trace>` serves the
// build and the trace at /trace.jsonl; `npm run dev:viz` serves it from source.

const root = fileURLToPath(new URL('.', import.meta.url));
const repo = fileURLToPath(new URL('..', import.meta.url));

export default defineConfig({
  root,
  // Relative asset URLs: the build works wherever it is served from.
  base: './',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    chunkSizeWarningLimit: 1000,
  },
  worker: { format: 'es' },
  // The app imports the trace format from sim/ (browser-safe by design).
  server: { fs: { allow: [repo] } },
});
