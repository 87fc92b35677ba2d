import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { launch } from './lib/browser.ts';
import { buildViewer, DIST, REPO } from './lib/harness.ts';
import { startServer } from './lib/server.ts';

// Measures the viewer on a large trace in headless Chromium: load time (navigation to the first
// full render), seek time (random seeks, each rebuilding the state and redrawing every view),
// step time, and memory (JS heap, typed arrays, and the renderer processes' proportional set size). Prints a report;
// it asserts nothing (performance is measured, not tested).
//   npx tsx test/viz/gen-big-trace.ts && npx tsx test/browser/perf-1m.ts [trace]

const trace = process.argv[2] ?? join(REPO, 'test-artifacts', 'traces', 'big-1m.jsonl');
if (!existsSync(trace)) {
  console.error(`no trace at ${trace}: run npx tsx test/viz/gen-big-trace.ts first`);
  process.exit(2);
}

/**
 * Memory of this browser's renderer processes (the page and its worker), in MB: the proportional
 * set size (PSS), which splits pages shared between Chromium's processes instead of counting them
 * in each.
 */
function rendererPssMb(profile: string): number {
  const procs = readdirSync('/proc').filter((d) => /^\d+$/.test(d)).map((pid) => {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      return { pid: Number(pid), ppid, cmd: readFileSync(`/proc/${pid}/cmdline`, 'utf8'), status: readFileSync(`/proc/${pid}/status`, 'utf8') };
    } catch {
      return null;
    }
  }).filter((x) => x !== null);
  // This browser: the process started with our profile directory, and everything below it.
  const mine = new Set(procs.filter((p) => p.cmd.includes(profile) && !p.cmd.includes('--type=')).map((p) => p.pid));
  for (let grew = true; grew;) {
    grew = false;
    for (const p of procs) if (!mine.has(p.pid) && mine.has(p.ppid)) { mine.add(p.pid); grew = true; }
  }
  let kb = 0;
  for (const p of procs) {
    if (!mine.has(p.pid) || !p.cmd.includes('--type=renderer')) continue;
    try {
      const m = /^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${p.pid}/smaps_rollup`, 'utf8'));
      if (m !== null) kb += Number(m[1]);
    } catch {
      // the process ended
    }
  }
  return kb / 1024;
}

const median = (xs: number[]): number => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const p95 = (xs: number[]): number => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length * 0.95)]!;

await buildViewer();
const server = await startServer(DIST);
server.addFile('/big.jsonl', trace);
const session = await launch();
const page = await session.context.newPage();
const cdp = await session.context.newCDPSession(page);
await cdp.send('Performance.enable');
const bytes = Number(execFileSync('stat', ['-c', '%s', trace], { encoding: 'utf8' }).trim());
// The renderer's memory with the page open and no trace, to compare with.
await page.goto(`${server.url}/`);
await page.waitForSelector('[data-testid="welcome"]');
await cdp.send('HeapProfiler.collectGarbage');
await new Promise((ok) => setTimeout(ok, 1000));
const emptyRss = rendererPssMb(session.profile);
interface LoadRun { pageMs: number; loadMs: number; downloadMs: number; indexMs: number }
const loads: LoadRun[] = [];
let firstRss = 0;
let firstHeap = 0;
for (let run = 0; run < 3; run++) {
  // A fresh page each time, so one run's garbage does not slow the next.
  const p = run === 0 ? page : await session.context.newPage();
  await p.goto(`${server.url}/?trace=/big.jsonl`);
  await p.waitForFunction(() => window.dsimViewer?.ready() === true && window.dsimViewer.app.metrics.loadMs > 0, null, { timeout: 120_000, polling: 20 });
  const m = await p.evaluate(() => new Promise<LoadRun>((ok) => requestAnimationFrame(() => {
    const x = window.dsimViewer.app.metrics;
    ok({ pageMs: performance.now(), loadMs: x.loadMs, downloadMs: x.downloadMs, indexMs: x.indexMs });
  })));
  loads.push(m);
  if (run === 0) {
    await cdp.send('HeapProfiler.collectGarbage');
    await new Promise((ok) => setTimeout(ok, 1500));
    firstRss = rendererPssMb(session.profile);
    firstHeap = ((await cdp.send('Performance.getMetrics')).metrics.find((x) => x.name === 'JSHeapUsedSize')?.value ?? 0) / 1048576;
  } else await p.close();
}
const info = await page.evaluate(() => ({ count: window.dsimViewer.app.count, indexBytes: (() => {
  const ix = window.dsimViewer.app.replay!.ix;
  let n = ix.bytes.byteLength;
  for (const a of [ix.lineStart, ix.lineEnd, ix.lineNo, ix.t, ix.seq, ix.type, ix.proc, ix.peer, ix.host, ix.end, ix.origin, ix.label]) n += a.byteLength;
  for (const k of ix.keyframes) n += k.inflight.byteLength;
  return n;
})() }));
// Seeks: random positions across the trace, each a full rebuild and redraw.
const seekMs = await page.evaluate((n) => {
  const out: number[] = [];
  let x = 12345;
  for (let k = 0; k < 40; k++) {
    x = (x * 1103515245 + 12345) % 2147483648;
    out.push(window.dsimViewer.seek(x % n));
  }
  return out;
}, info.count);
const stateMs = await page.evaluate((n) => {
  const out: number[] = [];
  let x = 777;
  for (let k = 0; k < 200; k++) {
    x = (x * 1103515245 + 12345) % 2147483648;
    const t0 = performance.now();
    window.dsimViewer.app.replay!.stateAfter(x % n);
    out.push(performance.now() - t0);
  }
  return out;
}, info.count);
const stepMs = await page.evaluate(() => {
  const out: number[] = [];
  const app = window.dsimViewer.app;
  for (let k = 0; k < 40; k++) out.push(window.dsimViewer.seek(app.cursor + 1));
  for (let k = 0; k < 40; k++) out.push(window.dsimViewer.seek(app.cursor - 1));
  return out;
});
// Search over every line.
const searchMs = await page.evaluate(() => {
  const t0 = performance.now();
  window.dsimViewer.app.setFilter({ procs: [], types: [], system: '', query: 'Pong' });
  window.dsimViewer.app.flush();
  return performance.now() - t0;
});
console.log(JSON.stringify({
  trace, bytes, events: info.count,
  load: loads.map((x) => ({ navigationToFirstRenderMs: Math.round(x.pageMs), requestToRenderMs: Math.round(x.loadMs), downloadMs: Math.round(x.downloadMs), indexInWorkerMs: Math.round(x.indexMs) })),
  seekMs: { median: +median(seekMs).toFixed(1), p95: +p95(seekMs).toFixed(1), max: +Math.max(...seekMs).toFixed(1) },
  stateRebuildMs: { median: +median(stateMs).toFixed(2), p95: +p95(stateMs).toFixed(2), max: +Math.max(...stateMs).toFixed(2) },
  stepMs: { median: +median(stepMs).toFixed(1), p95: +p95(stepMs).toFixed(1) },
  searchAllLinesMs: Math.round(searchMs),
  memoryAfterLoad: { jsHeapMb: Math.round(firstHeap), typedArraysMb: Math.round(info.indexBytes / 1048576), renderersPssMb: Math.round(firstRss), renderersPssWithoutTraceMb: Math.round(emptyRss) },
}, null, 2));
await session.close();
await server.close();
