import './styles.css';
import { formatLink, parseLink, type LinkState } from './model/deeplink.ts';
import { fmtDuration, fmtInt } from './model/format.ts';
import type { TraceIndex } from './model/load.ts';
import { App } from './ui/app.ts';
import { systemViz } from './systems/index.ts';
import { h } from './ui/dom.ts';
import { EventLog } from './ui/eventlog.ts';
import { downloadPerfetto } from './ui/export.ts';
import { helpDialog } from './ui/help.ts';
import { Inspector } from './ui/inspector.ts';
import { LoadError, loadInWorker } from './ui/loader.ts';
import type { LoadRequest, LoadTimings } from './ui/load-protocol.ts';
import { Narration } from './ui/narration.ts';
import { SpaceTime } from './ui/spacetime.ts';
import { Timeline } from './ui/timeline.ts';
import { Topology } from './ui/topology.ts';

// The page: a header, a welcome screen with the ways to open a trace, and once a trace is loaded
// the timeline and the five views. Keyboard shortcuts, drag and drop, and the URL (deep links)
// are wired here.

const app = new App();
const root = document.getElementById('app')!;

// ---------------------------------------------------------------- header

const fileInput = h('input', { attrs: { type: 'file', accept: '.jsonl,.json,.txt,application/x-ndjson', hidden: true, 'data-testid': 'file-input' } });
const traceInfo = h('div', { class: 'trace-info', attrs: { 'data-testid': 'trace-info' } });
const exportBtn = h('button', { class: 'hbtn', text: 'Export Perfetto JSON', title: 'Download the trace as Chrome trace-event JSON for ui.perfetto.dev (same as `dsim export`)', attrs: { type: 'button', disabled: true, 'data-testid': 'export' } });
const copyBtn = h('button', { class: 'hbtn', text: 'Copy link', title: 'Copy a link to this exact moment', attrs: { type: 'button', disabled: true } });
const forkBtn = h('button', { class: 'hbtn', text: 'Fork from here', title: 'Copy the dsim fork command that branches this run at the cursor\'s time', attrs: { type: 'button', disabled: true, 'data-testid': 'fork' } });
const helpBtn = h('button', { class: 'hbtn round', text: '?', title: 'Keyboard shortcuts and how to read the views (?)', attrs: { type: 'button', 'aria-label': 'Help' } });
const header = h('header', { class: 'topbar' },
  h('div', { class: 'brand' }, h('span', { class: 'logo', attrs: { 'aria-hidden': 'true' } }), h('span', { text: 'dsim replay' })),
  traceInfo,
  h('div', { class: 'spacer' }),
  h('button', { class: 'hbtn', text: 'Open trace…', attrs: { type: 'button' }, on: { click: () => fileInput.click() } }),
  exportBtn, copyBtn, forkBtn, helpBtn, fileInput,
);
const warningsBar = h('div', { class: 'warnings', attrs: { hidden: true, role: 'status' } });

// ---------------------------------------------------------------- welcome, loading, errors

const errorBox = h('div', { class: 'error', attrs: { hidden: true, role: 'alert', 'data-testid': 'error' } });
const progressBar = h('div', { class: 'progress-bar' });
const progressText = h('div', { class: 'progress-text' });
const progress = h('div', { class: 'progress', attrs: { hidden: true, 'data-testid': 'progress' } }, progressText, h('div', { class: 'progress-track' }, progressBar));
const dropZone = h('div', { class: 'dropzone', attrs: { tabindex: 0, role: 'button', 'aria-label': 'Choose a trace file' }, on: { click: () => fileInput.click(), keydown: (e) => { if ((e as KeyboardEvent).key === 'Enter') fileInput.click(); } } },
  h('div', { class: 'dz-big', text: 'Drop a dsim trace here' }),
  h('div', { class: 'dz-small', text: 'or click to choose a .jsonl file' }));
const welcome = h('main', { class: 'welcome', attrs: { 'data-testid': 'welcome' } },
  h('div', { class: 'welcome-card' },
    h('h1', { text: 'Watch a simulated run, event by event' }),
    h('p', { text: 'dsim records every message, timer, disk write, fault and state change of a deterministic run. Open its trace to scrub through it, step event by event, and see why each thing happened.' }),
    dropZone,
    progress,
    errorBox,
    h('div', { class: 'howto' },
      h('h2', { text: 'Make a trace' }),
      h('pre', null, h('code', { text: 'npx dsim run kafka-leader-failover --trace traces/failover.jsonl\nnpx dsim viz traces/failover.jsonl' })),
      h('p', { class: 'muted' }, 'dsim viz serves this page with the trace and prints the link. A trace on the web opens with ', h('code', { text: '?trace=https://…/run.jsonl' }), '.'),
    ),
  ),
);

// ---------------------------------------------------------------- the views

const timeline = new Timeline(app);
const topology = new Topology(app);
const spacetime = new SpaceTime(app);
const inspector = new Inspector(app);
const eventlog = new EventLog(app);
const narration = new Narration(app);
const viewer = h('main', { class: 'viewer', attrs: { hidden: true, 'data-testid': 'viewer' } },
  timeline.el,
  h('div', { class: 'grid-main' }, topology.el, spacetime.el, inspector.el, eventlog.el, narration.el),
);

let dialog: HTMLDialogElement | null = null;
function toggleHelp(): void {
  if (dialog !== null && dialog.open) {
    dialog.close();
    return;
  }
  dialog ??= helpDialog(() => { if (dialog?.open === true) dialog.close(); });
  if (dialog.parentElement === null) document.body.appendChild(dialog);
  dialog.showModal();
}
helpBtn.addEventListener('click', toggleHelp);

root.append(header, warningsBar, welcome, viewer);

// ---------------------------------------------------------------- loading

let pendingLink: LinkState | null = null;

function showError(message: string, line: number | null): void {
  progress.hidden = true;
  errorBox.hidden = false;
  errorBox.replaceChildren(
    h('div', { class: 'error-title', text: line !== null ? `Cannot open this trace (line ${fmtInt(line)})` : 'Cannot open this trace' }),
    h('div', { class: 'error-msg', text: message }),
  );
  welcome.hidden = false;
  viewer.hidden = true;
}

function setProgress(phase: 'download' | 'index', done: number, total: number): void {
  progress.hidden = false;
  const frac = total > 0 ? Math.min(1, done / total) : 0;
  progressBar.style.width = `${(frac * 100).toFixed(1)}%`;
  progressText.textContent = phase === 'download'
    ? `Downloading… ${(done / 1e6).toFixed(1)} MB${total > 0 ? ` of ${(total / 1e6).toFixed(1)} MB` : ''}`
    : `Reading events… ${(frac * 100).toFixed(0)}%`;
}

async function open(req: LoadRequest, name: string, url: string | null): Promise<void> {
  app.pause();
  errorBox.hidden = true;
  welcome.hidden = false;
  viewer.hidden = true;
  setProgress(req.kind === 'url' ? 'download' : 'index', 0, 0);
  const t0 = performance.now();
  let ix: TraceIndex;
  let timings: LoadTimings;
  try {
    ({ index: ix, timings } = await loadInWorker(req, setProgress));
  } catch (e) {
    showError(e instanceof Error ? e.message : String(e), e instanceof LoadError ? e.line : null);
    return;
  }
  progress.hidden = true;
  welcome.hidden = true;
  viewer.hidden = false;
  app.open(ix, name, url);
  showTrace(ix);
  const link = pendingLink;
  pendingLink = null;
  if (link !== null) applyLink(link);
  else app.seek(0);
  app.flush();
  app.metrics.loadMs = performance.now() - t0;
  app.metrics.downloadMs = timings.downloadMs;
  app.metrics.indexMs = timings.indexMs;
}

function showTrace(ix: TraceIndex): void {
  const hd = ix.header;
  const span = ix.count > 0 ? ix.t[ix.count - 1]! - ix.t[0]! : 0;
  traceInfo.replaceChildren(
    h('span', { class: 'ti-scenario', text: hd.scenario }),
    h('span', { class: 'ti-item', text: `seed ${hd.seed}` }),
    h('span', { class: 'ti-item', text: `${fmtInt(ix.count)} events` }),
    h('span', { class: 'ti-item', text: `${fmtDuration(span)} simulated` }),
    h('span', { class: 'ti-item', text: `${ix.procs.length} processes on ${ix.hosts.length} hosts` }),
  );
  if (ix.endInfo !== null) traceInfo.appendChild(h('span', { class: 'ti-item mono', title: 'trace hash: identifies this run', text: `#${ix.endInfo.traceHash}` }));
  traceInfo.title = app.traceName;
  exportBtn.disabled = false;
  copyBtn.disabled = false;
  forkBtn.disabled = false;
  document.title = `${hd.scenario} · dsim replay`;
  warningsBar.hidden = ix.warnings.length === 0;
  warningsBar.replaceChildren(...ix.warnings.map((w) => h('div', { text: `⚠ ${w}` })));
}

function openUrl(url: string): void {
  const name = url.split('/').pop() ?? url;
  void open({ kind: 'url', url }, name, url);
}

async function openFile(file: File): Promise<void> {
  const buf = await file.arrayBuffer();
  history.replaceState(null, '', location.pathname);
  await open({ kind: 'bytes', bytes: buf, name: file.name }, file.name, null);
}

fileInput.addEventListener('change', () => {
  const f = fileInput.files?.[0];
  if (f !== undefined) void openFile(f);
  fileInput.value = '';
});

document.addEventListener('dragover', (e) => {
  e.preventDefault();
  document.body.classList.add('dragging');
});
document.addEventListener('dragleave', (e) => {
  if (e.relatedTarget === null) document.body.classList.remove('dragging');
});
document.addEventListener('drop', (e) => {
  e.preventDefault();
  document.body.classList.remove('dragging');
  const f = e.dataTransfer?.files[0];
  if (f !== undefined) void openFile(f);
});

exportBtn.addEventListener('click', () => {
  const ix = app.ix;
  if (ix === null) return;
  try {
    downloadPerfetto(ix.bytes, app.traceName);
  } catch (e) {
    alert(`Export failed: ${e instanceof Error ? e.message : String(e)}`);
  }
});

/** `dsim fork` at the cursor's time (whole milliseconds), with the run's --set overrides. */
function forkCommand(): string | null {
  const ix = app.ix;
  if (ix === null) return null;
  const hd = ix.header;
  const q = (s: string): string => (/^[A-Za-z0-9_./:=,@%+-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);
  const sets = Object.entries(hd.overrides ?? {}).flatMap(([k, v]) => ['--set', q(`${k}=${v}`)]);
  const atMs = Math.floor(app.timeUs / 1000);
  return ['npx', 'dsim', 'fork', q(hd.scenario), '--seed', String(hd.seed), '--at', `${atMs}ms`, '--branches', '1..100', ...sets].join(' ');
}

forkBtn.addEventListener('click', () => {
  const cmd = forkCommand();
  if (cmd === null) return;
  forkBtn.title = cmd;
  void navigator.clipboard?.writeText(cmd).then(() => {
    forkBtn.textContent = 'Fork command copied';
    setTimeout(() => { forkBtn.textContent = 'Fork from here'; }, 1500);
  });
});

copyBtn.addEventListener('click', () => {
  void navigator.clipboard?.writeText(location.href).then(() => {
    copyBtn.textContent = 'Copied';
    setTimeout(() => { copyBtn.textContent = 'Copy link'; }, 1200);
  });
});

// ---------------------------------------------------------------- deep links

function applyLink(link: LinkState): void {
  const ix = app.ix;
  if (ix === null) return;
  app.setFilter(link.filter);
  if (link.tab !== null && (link.tab === 'process' || systemViz(link.tab) !== undefined)) app.setTab(link.tab);
  if (link.selected !== null) {
    const p = ix.procByName.get(link.selected);
    if (p !== undefined) app.selectProc(p);
  }
  if (link.event !== null && link.event < ix.count) app.selectEvent(link.event);
  app.seek(link.cursor ?? 0);
}

let linkTimer = 0;
app.subscribe((changed) => {
  if (!changed.has('cursor') && !changed.has('selection') && !changed.has('filter') && !changed.has('tab')) return;
  window.clearTimeout(linkTimer);
  linkTimer = window.setTimeout(() => {
    const ix = app.ix;
    if (ix === null) return;
    const link = formatLink({
      trace: app.traceUrl,
      cursor: Math.max(0, app.cursor),
      selected: app.selectedProc >= 0 ? ix.procs[app.selectedProc]!.name : null,
      event: app.selectedEvent >= 0 ? app.selectedEvent : null,
      tab: app.tab,
      filter: app.filter,
    });
    history.replaceState(null, '', `${location.pathname}${link}`);
  }, app.playing ? 500 : 150);
});

// ---------------------------------------------------------------- keyboard

document.addEventListener('keydown', (e) => {
  const t = e.target as HTMLElement | null;
  const typing = t !== null && (t.tagName === 'INPUT' || t.tagName === 'SELECT' || t.tagName === 'TEXTAREA' || t.isContentEditable);
  if (e.key === '?' && !typing) {
    e.preventDefault();
    toggleHelp();
    return;
  }
  if (typing || app.replay === null || e.ctrlKey || e.metaKey || e.altKey) return;
  if (dialog?.open === true) return;
  const n = app.count;
  let handled = true;
  switch (e.key) {
    case ' ':
      if (t !== null && t.tagName === 'BUTTON') { handled = false; break; }
      app.toggle();
      break;
    case 'ArrowRight':
      if (e.shiftKey) timeline.jumpMarker(1);
      else app.step(1);
      break;
    case 'ArrowLeft':
      if (e.shiftKey) timeline.jumpMarker(-1);
      else app.step(-1);
      break;
    case 'ArrowUp':
      if (t === null || !t.classList.contains('scrubber')) { handled = false; break; }
      app.step(1);
      break;
    case 'ArrowDown':
      if (t === null || !t.classList.contains('scrubber')) { handled = false; break; }
      app.step(-1);
      break;
    case 'PageDown':
      app.pause();
      app.seek(app.cursor + Math.max(1, Math.round(n / 10)));
      break;
    case 'PageUp':
      app.pause();
      app.seek(app.cursor - Math.max(1, Math.round(n / 10)));
      break;
    case 'Home':
      app.pause();
      app.seek(0);
      break;
    case 'End':
      app.pause();
      app.seek(n - 1);
      break;
    case 'v':
    case 'V':
      app.jumpToFirstViolation();
      break;
    case '/':
      (document.querySelector('[data-testid="search"]') as HTMLInputElement | null)?.focus();
      break;
    default:
      handled = false;
  }
  if (handled) e.preventDefault();
});

// ---------------------------------------------------------------- playback

let lastFrame = 0;
function tick(now: number): void {
  const dt = lastFrame === 0 ? 16 : Math.min(100, now - lastFrame);
  lastFrame = now;
  if (app.playing && app.advance(dt)) requestAnimationFrame(tick);
  else lastFrame = 0;
}
app.subscribe((changed) => {
  if (changed.has('play') && app.playing && lastFrame === 0) requestAnimationFrame(tick);
});

window.addEventListener('resize', () => app.changed('layout'));

// ---------------------------------------------------------------- start

/** A small hook for the browser tests and the performance measurement. */
declare global {
  interface Window {
    dsimViewer: {
      readonly app: App;
      ready(): boolean;
      seek(i: number): number;
    };
  }
}
window.dsimViewer = {
  app,
  ready: () => app.replay !== null,
  /** Seeks and draws synchronously; returns the milliseconds it took. */
  seek: (i: number) => {
    const t0 = performance.now();
    app.pause();
    app.seek(i);
    app.flush();
    return performance.now() - t0;
  },
};

const initial = parseLink(location.search);
if (initial.trace !== null && initial.trace !== '') {
  pendingLink = initial;
  openUrl(initial.trace);
}
