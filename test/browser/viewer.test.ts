import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runScenario } from '../../sim/harness/run.ts';
import { MemorySink } from '../../sim/world/trace.ts';
import pingpong from '../../scenarios/kernel/pingpong.ts';
import { T } from '../../viz/src/model/events.ts';
import { Replay } from '../../viz/src/model/replay.ts';
import { perfettoJson } from '../../viz/src/ui/export.ts';
import { kafkaStory } from '../viz/lib/synthetic-kafka.ts';
import { zookeeperStory } from '../viz/lib/synthetic-zookeeper.ts';
import { findScenario } from '../viz/lib/scenarios.ts';
import { chromiumMissing, reportMissingChromium } from './lib/browser.ts';
import { indexOf, kafkaFailoverFlow, press, violationFlow, zkLeaderCrashFlow } from './lib/flows.ts';
import { BASELINES, DIST, openTrace, REPO, settle, shot, slider, startHarness, TRACES, waitLoaded, type Harness } from './lib/harness.ts';
import { compareImages, decodePng } from './lib/png.ts';

// The replay viewer in a real headless Chromium: open a trace every way the page allows, play,
// seek, step, inspect, filter, follow links, export, and see that malformed traces get clear
// errors. Screenshots go to test-artifacts/screenshots; one is compared with a stored baseline.

const missing = chromiumMissing();

/** Baseline comparison: share of pixels allowed to differ by more than the channel tolerance. */
const BASELINE_MAX_DIFF = 0.02;

function runTrace(name: string, overrides: { seed: number; faultPhaseMs?: number } = { seed: 1 }): string {
  const sc = name === 'kernel-pingpong' ? pingpong : findScenario(name);
  if (sc === undefined) throw new Error(`no scenario ${name}`);
  const sink = new MemorySink();
  const scenario = overrides.faultPhaseMs !== undefined ? { ...sc, faultPhaseMs: overrides.faultPhaseMs } : sc;
  const faults = name === 'kernel-pingpong'
    ? [
      { atMs: 200, durationMs: 300, action: { kind: 'crash' as const, target: 'p1' } },
      { atMs: 300, durationMs: 300, action: { kind: 'partition' as const, groups: [['p0', 'p2'], ['p3', 'p4', 'p5', 'p6', 'p7']] } },
      { atMs: 400, durationMs: 100, action: { kind: 'pause' as const, target: 'p4' } },
    ]
    : undefined;
  runScenario(scenario, { seed: overrides.seed, trace: sink, ...(faults !== undefined ? { faults } : {}) });
  return sink.lines.join('\n') + '\n';
}

describe.skipIf(missing !== null)('replay viewer in Chromium', () => {
  let hx: Harness;
  let page: Page;
  const traces: { [name: string]: { path: string; text: string } } = {};
  const serve = (name: string, text: string): { path: string; text: string } => {
    const t = { path: hx.serveTrace(name, text), text };
    traces[name] = t;
    return t;
  };

  beforeAll(async () => {
    hx = await startHarness();
    serve('kafka-failover.jsonl', kafkaStory('failover').text);
    serve('kafka-unclean.jsonl', kafkaStory('unclean').text);
    serve('zookeeper.jsonl', zookeeperStory().text);
    serve('pingpong.jsonl', runTrace('kernel-pingpong', { seed: 2, faultPhaseMs: 700 }));
    serve('pb-partition.jsonl', runTrace('kernel-pb-partition'));
    serve('real-zk-leader-election.jsonl', runTrace('zk-leader-election'));
    serve('real-kafka-leader-failover.jsonl', runTrace('kafka-leader-failover'));
    serve('real-kafka-unclean-election.jsonl', runTrace('kafka-unclean-election'));
    page = await hx.newPage();
  });

  afterAll(async () => {
    await hx?.close();
  });

  afterEach(() => {
    expect(hx.errors).toEqual([]);
  });

  it('vite build succeeds: an index page, a script bundle and the loading worker', () => {
    expect(existsSync(join(DIST, 'index.html'))).toBe(true);
    const html = readFileSync(join(DIST, 'index.html'), 'utf8');
    expect(html).toMatch(/<script type="module"[^>]+src="\.\/assets\/index-[\w-]+\.js"/);
    const assets = execFileSync('ls', [join(DIST, 'assets')], { encoding: 'utf8' });
    expect(assets).toMatch(/load-worker-[\w-]+\.js/);
  });

  it('welcome page: explains how to open a trace when none is given', async () => {
    await page.goto(`${hx.server.url}/`);
    await page.waitForSelector('[data-testid="welcome"]');
    expect(await page.textContent('.welcome-card h1')).toBe('Watch a simulated run, event by event');
    expect(await page.textContent('.howto code')).toContain('npx dsim viz');
    await shot(page, 'welcome');
  });

  describe('opening traces', () => {
    it('?trace=<url> loads the trace and shows what it is', async () => {
      await openTrace(page, hx.server.url, traces['kafka-failover.jsonl']!.path);
      const info = await page.textContent('[data-testid="trace-info"]');
      expect(info).toContain('synthetic-kafka-leader-failover');
      expect(info).toContain(`${indexOf(traces['kafka-failover.jsonl']!.text).count.toLocaleString('en-US')} events`);
      expect(await page.isVisible('[data-testid="viewer"]')).toBe(true);
      expect(await page.getAttribute('[role="tab"][aria-selected="true"]', 'data-tab')).toBe('kafka');
    });

    it('`dsim viz <trace>` serves the viewer and the trace and prints a URL that opens it', async () => {
      const child = spawn(process.execPath, [join(REPO, 'bin', 'dsim.mjs'), 'viz', join(TRACES, 'kafka-unclean.jsonl'), '--port', '0'], {
        cwd: REPO, env: { ...process.env, DSIM_VIZ_DIST: DIST }, stdio: ['ignore', 'pipe', 'pipe'],
      });
      try {
        const url = await new Promise<string>((ok, fail) => {
          let out = '';
          const timer = setTimeout(() => fail(new Error(`no URL printed; output: ${out}`)), 30_000);
          child.stdout.on('data', (d: Buffer) => {
            out += d.toString();
            const m = /Replay: (http:\/\/\S+)/.exec(out);
            if (m !== null) { clearTimeout(timer); ok(m[1]!); }
          });
          child.on('exit', (code) => fail(new Error(`dsim viz exited with ${code}: ${out}`)));
        });
        await page.goto(url);
        await waitLoaded(page);
        expect(await page.textContent('[data-testid="trace-info"]')).toContain('synthetic-kafka-unclean-election');
      } finally {
        child.kill('SIGTERM');
      }
    });

    it('the file picker opens a trace from disk', async () => {
      await page.goto(`${hx.server.url}/`);
      await page.setInputFiles('[data-testid="file-input"]', join(TRACES, 'zookeeper.jsonl'));
      await waitLoaded(page);
      expect(await page.textContent('[data-testid="trace-info"]')).toContain('synthetic-zookeeper-election');
      expect(await page.getAttribute('[role="tab"][aria-selected="true"]', 'data-tab')).toBe('zookeeper');
    });

    it('drag and drop opens a trace', async () => {
      await page.goto(`${hx.server.url}/`);
      const dt = await page.evaluateHandle((text) => {
        const d = new DataTransfer();
        d.items.add(new File([text], 'dropped.jsonl', { type: 'application/x-ndjson' }));
        return d;
      }, traces['pingpong.jsonl']!.text);
      await page.dispatchEvent('body', 'dragover', { dataTransfer: dt });
      await page.dispatchEvent('body', 'drop', { dataTransfer: dt });
      await waitLoaded(page);
      expect(await page.textContent('[data-testid="trace-info"]')).toContain('kernel-pingpong');
    });

    const bad: [string, (good: string) => string, RegExp][] = [
      ['a file that is not a trace', () => '<!doctype html><p>not found</p>\n', /^not a dsim trace: line 1 is not JSON$/],
      ['the wrong format', () => '{"format":"chrome-trace","version":1}\n', /^not a dsim trace: line 1 has format "chrome-trace" \(expected "dsim-trace"\)$/],
      ['a newer version', (g) => g.replace('"version":1', '"version":7'), /^unsupported trace version 7: this viewer reads version 1$/],
      ['a truncated last line', (g) => g.slice(0, g.length - 20), /^truncated trace: the last line \(line \d+\) is incomplete; the run or the copy was cut off$/],
      ['an unknown event type', (g) => g.replace('"type":"deliver"', '"type":"wormhole"'), /^line \d+: unknown event type "wormhole" \(known: send, deliver/],
    ];
    for (const [what, make, message] of bad) {
      it(`shows a clear in-page error for ${what}`, async () => {
        const name = `bad-${what.replace(/\W+/g, '-')}.jsonl`;
        const t = serve(name, make(traces['pingpong.jsonl']!.text));
        await openTrace(page, hx.server.url, t.path);
        expect(await page.isVisible('[data-testid="error"]')).toBe(true);
        expect(await page.textContent('[data-testid="error"] .error-msg')).toMatch(message);
        expect(await page.isVisible('[data-testid="viewer"]')).toBe(false);
      });
    }

    it('reports a missing trace URL', async () => {
      await openTrace(page, hx.server.url, '/traces/does-not-exist.jsonl');
      expect(await page.textContent('[data-testid="error"] .error-msg')).toBe('could not fetch /traces/does-not-exist.jsonl: HTTP 404 Not Found');
      await shot(page, 'error-missing');
    });

    it('never inserts trace content as HTML', async () => {
      const evil = '<img src=x onerror="window.__pwned=1"><b>bold</b>';
      const lines = traces['kafka-failover.jsonl']!.text.split('\n');
      lines.splice(3, 0, JSON.stringify({ seq: 0, t: 0, type: 'note', p: 'broker-1', text: evil }));
      const t = serve('evil.jsonl', lines.join('\n'));
      await openTrace(page, hx.server.url, t.path, '&e=2');
      await settle(page);
      const found = await page.evaluate(() => ({
        pwned: (window as unknown as { __pwned?: number }).__pwned ?? 0,
        imgs: document.querySelectorAll('img').length,
        bolds: document.querySelectorAll('.narration-list b').length,
        text: document.querySelector('[data-testid="narration"] .nar-text')?.textContent ?? '',
      }));
      expect(found).toEqual({ pwned: 0, imgs: 0, bolds: 0, text: evil });
    });
  });

  describe('Kafka leader failover', () => {
    it('synthetic trace: play, seek to the crash, and the inspector shows the new leader and the shrunk ISR', async () => {
      const r = await kafkaFailoverFlow(page, hx.server.url, traces['kafka-failover.jsonl']!.path, traces['kafka-failover.jsonl']!.text, 'kafka-failover-elected');
      expect(r).toMatchObject({ crashed: 'broker-1', partition: 'events-0', newLeader: 'broker-2', isr: '2,3' });
    });

    it('matches the stored baseline screenshot (pixel tolerance)', async () => {
      const path = join(BASELINES, 'kafka-failover-elected.png');
      const actual = decodePng(readFileSync(join(REPO, 'test-artifacts', 'screenshots', 'kafka-failover-elected.png')));
      if (process.env['DSIM_UPDATE_BASELINES'] === '1') writeFileSync(path, readFileSync(join(REPO, 'test-artifacts', 'screenshots', 'kafka-failover-elected.png')));
      expect(existsSync(path), `baseline ${path} (regenerate with DSIM_UPDATE_BASELINES=1)`).toBe(true);
      const baseline = decodePng(readFileSync(path));
      const cmp = compareImages(baseline, actual);
      expect(cmp.sameSize).toBe(true);
      expect(cmp.differentFraction).toBeLessThan(BASELINE_MAX_DIFF);
      // The comparison can fail: the same page a few events earlier (before the election) differs
      // by more than the tolerance.
      await page.evaluate(() => window.dsimViewer.seek(window.dsimViewer.app.cursor - 12));
      const earlier = decodePng(readFileSync(await shot(page, 'kafka-failover-before-election')));
      const other = compareImages(baseline, earlier);
      console.log(`baseline: ${(cmp.differentFraction * 100).toFixed(3)}% differ; 12 events earlier: ${(other.differentFraction * 100).toFixed(3)}%`);
      expect(other.differentFraction).toBeGreaterThan(BASELINE_MAX_DIFF);
    });

    it('real kafka-leader-failover scenario: the same flow', async () => {
      const t = traces['real-kafka-leader-failover.jsonl']!;
      const r = await kafkaFailoverFlow(page, hx.server.url, t.path, t.text, 'real-kafka-leader-failover');
      expect(r.newLeader).not.toBe(r.crashed);
      // "Fork from here": the dsim fork command for the cursor's time.
      await page.click('[data-testid="fork"]');
      const atMs = await page.evaluate(() => Math.floor(window.dsimViewer.app.timeUs / 1000));
      expect(await page.getAttribute('[data-testid="fork"]', 'title')).toBe(`npx dsim fork kafka-leader-failover --seed 1 --at ${atMs}ms --branches 1..100`);
    });
  });

  describe('ZooKeeper leader crash', () => {
    it('real zk-leader-election scenario: seek to the leader\'s crash and step until the inspector shows the new leader', async () => {
      const t = traces['real-zk-leader-election.jsonl']!;
      const r = await zkLeaderCrashFlow(page, hx.server.url, t.path, t.text, 'real-zk-leader-election');
      expect(r.leader).not.toBe(r.crashed);
    });
  });

  describe('jump to a violation', () => {
    it('synthetic unclean election: the button and V jump to the lost-writes violation', async () => {
      const t = traces['kafka-unclean.jsonl']!;
      const r = await violationFlow(page, hx.server.url, t.path, t.text, 'kafka-unclean-violation');
      expect(r.message).toMatch(/^events-0 offsets \d+–\d+ were acknowledged \(acks=1\) by broker-1/);
      const card = page.locator('[data-partition="events-0"]');
      expect(await card.getAttribute('data-leader')).toBe('broker-2');
      expect(await card.getAttribute('data-isr')).toBe('2');
    });

    it('synthetic unclean election: after the old leader restarts, its divergent batches are highlighted', async () => {
      const t = traces['kafka-unclean.jsonl']!;
      const ix = indexOf(t.text);
      const restart = ix.markers.find((m) => m.kind === 'restart')!.index;
      await openTrace(page, hx.server.url, t.path, `&e=${restart + 12}`);
      await settle(page);
      const divergent = await page.locator('[data-partition="events-0"] .batch[data-divergent]').count();
      expect(divergent).toBeGreaterThan(0);
      expect(await page.textContent('[data-partition="events-0"] .divergence')).toMatch(/broker-1 has offsets \d+–\d+ in epoch 1/);
      await shot(page, 'kafka-unclean-divergence');
    });

    it('real kernel-pb-partition run (faults and a linearizability violation): jump to the first violation', async () => {
      const t = traces['pb-partition.jsonl']!;
      await violationFlow(page, hx.server.url, t.path, t.text, 'kernel-pb-partition-violation');
    });

    it('real kafka-unclean-election scenario: jump to the violation', async () => {
      const t = traces['real-kafka-unclean-election.jsonl']!;
      await violationFlow(page, hx.server.url, t.path, t.text, 'real-kafka-unclean-election');
    });
  });

  describe('timeline and keyboard', () => {
    it('the scrubber is an ARIA slider: Home, End, arrows, Page keys and its value text', async () => {
      const t = traces['pingpong.jsonl']!;
      const n = indexOf(t.text).count;
      await openTrace(page, hx.server.url, t.path);
      const s = page.locator('[role="slider"]');
      expect(await s.getAttribute('aria-label')).toBe('Replay position');
      await s.focus();
      await press(page, 'End');
      expect(await slider(page)).toMatchObject({ now: n - 1, max: n - 1 });
      expect((await slider(page)).text).toMatch(new RegExp(`^t = 0\\.\\d{3} s, event ${n.toLocaleString('en-US')} of ${n.toLocaleString('en-US')}$`));
      await press(page, 'Home');
      expect((await slider(page)).now).toBe(0);
      await press(page, 'ArrowRight', 3);
      expect((await slider(page)).now).toBe(3);
      await press(page, 'ArrowLeft');
      expect((await slider(page)).now).toBe(2);
      await press(page, 'PageDown');
      expect((await slider(page)).now).toBe(2 + Math.round(n / 10));
      await press(page, 'Shift+ArrowRight');
      const ix = indexOf(t.text);
      expect((await slider(page)).now).toBe(ix.markers.find((m) => m.index > 2 + Math.round(n / 10))!.index);
    });

    it('dragging the scrubber seeks by time', async () => {
      const t = traces['pingpong.jsonl']!;
      const ix = indexOf(t.text);
      await openTrace(page, hx.server.url, t.path);
      const box = (await page.locator('.scrubber').boundingBox())!;
      await page.mouse.move(box.x + 20, box.y + box.height / 2);
      await page.mouse.down();
      await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2, { steps: 5 });
      await page.mouse.up();
      await settle(page);
      const now = (await slider(page)).now;
      const end = ix.t[ix.count - 1]!;
      // The middle of the scrubber is about half the simulated time (the bar has 12 px margins).
      expect(ix.t[now]! / end).toBeGreaterThan(0.4);
      expect(ix.t[now]! / end).toBeLessThan(0.6);
      await page.mouse.move(0, 0);
    });

    it('? opens the keyboard help and Escape closes it', async () => {
      await openTrace(page, hx.server.url, traces['pingpong.jsonl']!.path);
      await page.keyboard.press('?');
      await expect.poll(() => page.isVisible('[data-testid="help"]')).toBe(true);
      expect(await page.textContent('[data-testid="help"]')).toContain('play / pause');
      await shot(page, 'help');
      await page.keyboard.press('Escape');
      await expect.poll(() => page.isVisible('[data-testid="help"]')).toBe(false);
    });
  });

  describe('views', () => {
    it('topology: shows a partition as cut links and cut-off processes, a crash as down, and selects a process on click', async () => {
      const t = traces['pingpong.jsonl']!;
      const ix = indexOf(t.text);
      const part = ix.markers.find((m) => m.kind === 'partition')!.index;
      await openTrace(page, hx.server.url, t.path, `&e=${part + 1}`);
      await settle(page);
      const status = await page.$$eval('[data-testid="process-status"] li', (lis) => Object.fromEntries(lis.map((li) => [li.getAttribute('data-proc'), li.getAttribute('data-status')])));
      expect(status['p1']).toBe('down');
      expect(status['p0']).toBe('cut off');
      expect(status['p3']).toBe('cut off');
      await shot(page, 'pingpong-partition');
      // Click p0's circle: the Process inspector opens on it.
      const canvas = (await page.locator('.topo-canvas').boundingBox())!;
      const clicked = await page.evaluate(({ x, y, w, h }) => {
        // Scan the canvas for the pointer cursor over a process.
        for (let yy = 40; yy < h - 20; yy += 6) {
          for (let xx = 10; xx < w - 10; xx += 6) {
            const el = document.elementFromPoint(x + xx, y + yy);
            if (el === null || !el.classList.contains('topo-canvas')) continue;
            el.dispatchEvent(new PointerEvent('pointermove', { clientX: x + xx, clientY: y + yy, bubbles: true }));
            if ((el as HTMLElement).style.cursor === 'pointer') {
              el.dispatchEvent(new MouseEvent('click', { clientX: x + xx, clientY: y + yy, bubbles: true }));
              return true;
            }
          }
        }
        return false;
      }, { x: canvas.x, y: canvas.y, w: canvas.width, h: canvas.height });
      expect(clicked).toBe(true);
      await settle(page);
      expect(await page.getAttribute('[role="tab"][aria-selected="true"]', 'data-tab')).toBe('process');
      expect(await page.locator('.proc-detail').count()).toBe(1);
      expect(await page.locator('.tooltip:not([hidden])').count()).toBe(1);
    });

    it('generic inspector: the fields the last state change touched are highlighted', async () => {
      const t = traces['kafka-failover.jsonl']!;
      const ix = indexOf(t.text);
      const p2 = ix.procByName.get('broker-2')!;
      const stateEv = ix.stateEvents[p2]![5]!;
      await openTrace(page, hx.server.url, t.path, `&e=${stateEv}&sel=broker-2&tab=process`);
      await settle(page);
      expect(await page.getAttribute('.proc-detail', 'data-proc')).toBe('broker-2');
      expect(await page.textContent('.change-line')).toMatch(/^Changed at this event: /);
      expect(await page.locator('.json li.changed').count()).toBeGreaterThan(0);
      expect(await page.locator('[data-testid="changes"] tr').count()).toBeGreaterThan(0);
      await shot(page, 'process-inspector');
    });

    it('ZooKeeper inspector: peers, the leader, and the ephemeral node with its owner', async () => {
      const story = zookeeperStory();
      const ix = indexOf(story.text);
      const after = ix.narration[1]!; // zk-2 is leading in epoch 2
      await openTrace(page, hx.server.url, traces['zookeeper.jsonl']!.path, `&e=${after}`);
      await settle(page);
      expect(await page.textContent('[data-testid="zk-summary"]')).toBe('zk-2 is leading in epoch 2');
      expect(await page.getAttribute('tr[data-peer="zk-3"]', 'data-role')).toBe('down');
      expect(await page.textContent('[data-path="/app/lock-0000000001"] .zowner')).toBe(` ephemeral · session ${story.sessionId} (client-1)`);
      await shot(page, 'zookeeper-inspector');
    });

    it('space-time: clicking an event dot seeks to it', async () => {
      const t = traces['kafka-failover.jsonl']!;
      await openTrace(page, hx.server.url, t.path, '&e=600');
      await settle(page);
      const box = (await page.locator('.st-canvas').boundingBox())!;
      const moved = await page.evaluate(({ x, y, w, h }) => {
        for (let xx = w - 20; xx > 120; xx -= 2) {
          for (let yy = 10; yy < h - 20; yy += 2) {
            const c = document.querySelector('.st-canvas') as HTMLCanvasElement;
            c.dispatchEvent(new PointerEvent('pointermove', { clientX: x + xx, clientY: y + yy, bubbles: true }));
            if (c.style.cursor === 'pointer') {
              c.dispatchEvent(new MouseEvent('click', { clientX: x + xx, clientY: y + yy, bubbles: true }));
              return true;
            }
          }
        }
        return false;
      }, { x: box.x, y: box.y, w: box.width, h: box.height });
      expect(moved).toBe(true);
      await settle(page);
      const now = (await slider(page)).now;
      expect(now).toBeGreaterThan(600);
      expect(await page.getAttribute('.log-row.selected', 'data-index')).toBe(String(now));
    });
  });

  describe('event log and deep links', () => {
    it('filters by process and type, searches, jumps from a delivery to its send, and the URL keeps it all', async () => {
      const t = traces['kafka-failover.jsonl']!;
      const ix = indexOf(t.text);
      await openTrace(page, hx.server.url, t.path);
      await page.selectOption('[data-testid="filter-process"]', 'broker-3');
      await page.selectOption('[data-testid="filter-type"]', 'type:deliver');
      await settle(page);
      const wantDeliveries = [...Array(ix.count).keys()].filter((i) => ix.type[i] === T.deliver && ix.procs[ix.proc[i]!]!.name === 'broker-3').length;
      expect(await page.textContent('[data-testid="log-count"]')).toBe(`${wantDeliveries.toLocaleString('en-US')} of ${ix.count.toLocaleString('en-US')} events`);
      const first = page.locator('.log-row').first();
      const procs = await page.$$eval('.log-row .c-p', (els) => [...new Set(els.map((e) => e.textContent))]);
      expect(procs).toEqual(['broker-3']);
      // From a delivery to its send.
      const idx = Number(await first.getAttribute('data-index'));
      await first.locator('.rowlink').click();
      await settle(page);
      expect((await slider(page)).now).toBe(ix.origin[idx]);
      // Search (with the filters cleared).
      await page.click('text=clear filters');
      await page.fill('[data-testid="search"]', 'ISR shrank:');
      await expect.poll(async () => page.textContent('[data-testid="log-count"]')).toMatch(/^1 of /);
      await page.locator('.log-row').first().click();
      await settle(page);
      const sel = Number(await page.getAttribute('.log-row.selected', 'data-index'));
      expect(String(new Replay(ix).event(sel)['text'])).toContain('ISR shrank:');
      // The URL now holds the trace, the cursor, the selection and the filter; reopening it restores them.
      await page.click('.chip[data-broker="broker-2"]');
      await page.waitForTimeout(400);
      const url = page.url();
      expect(url).toContain('sel=broker-2');
      expect(url).toContain('tab=process');
      expect(url).toContain(`e=${sel}`);
      expect(url).toContain('q=ISR+shrank%3A');
      expect(url).toContain(`trace=${encodeURIComponent(t.path)}`);
      const other = await hx.newPage();
      await other.goto(url);
      await waitLoaded(other);
      await settle(other);
      expect((await slider(other)).now).toBe(sel);
      expect(await other.inputValue('[data-testid="search"]')).toBe('ISR shrank:');
      expect(await other.textContent('[data-testid="log-count"]')).toMatch(/^1 of /);
      expect(await other.getAttribute('.proc-detail', 'data-proc')).toBe('broker-2');
      await other.close();
    });
  });

  describe('export', () => {
    it('Export Perfetto JSON downloads the same bytes as `dsim export`', async () => {
      const t = traces['kafka-failover.jsonl']!;
      await openTrace(page, hx.server.url, t.path);
      const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid="export"]')]);
      expect(download.suggestedFilename()).toBe('kafka-failover.perfetto.json');
      const got = readFileSync((await download.path())!, 'utf8');
      const parsed = JSON.parse(got) as { traceEvents: unknown[]; metadata: { [k: string]: unknown } };
      expect(parsed.traceEvents.length).toBeGreaterThan(100);
      expect(parsed.metadata['dsim-scenario']).toBe('synthetic-kafka-leader-failover');
      const cli = join(REPO, 'bin', 'dsim.mjs');
      const out = join(TRACES, 'kafka-failover.cli.perfetto.json');
      if (existsSync(cli)) {
        execFileSync(process.execPath, [cli, 'export', join(TRACES, 'kafka-failover.jsonl'), '--format', 'perfetto', '-o', out], { cwd: REPO, stdio: 'pipe' });
        expect(got).toBe(readFileSync(out, 'utf8'));
      } else {
        expect(got).toBe(perfettoJson(new TextEncoder().encode(t.text), 'kafka-failover.jsonl'));
      }
    });
  });

  describe('playback', () => {
    it('Space plays and pauses; playing moves the cursor and animates messages in flight', async () => {
      const t = traces['pingpong.jsonl']!;
      await openTrace(page, hx.server.url, t.path);
      await page.selectOption('.speed', '1');
      await page.locator('.scrubber').focus();
      await page.keyboard.press('Space');
      await page.waitForTimeout(600);
      expect(await page.getAttribute('.tbtn.play', 'aria-label')).toBe('Pause (Space)');
      const a = (await slider(page)).now;
      await page.waitForTimeout(400);
      const b = (await slider(page)).now;
      expect(b).toBeGreaterThan(a);
      await shot(page, 'pingpong-playing');
      await page.keyboard.press('Space');
      await settle(page);
      expect(await page.getAttribute('.tbtn.play', 'aria-label')).toBe('Play (Space)');
    });
  });
});

it.runIf(missing !== null)(`browser tests: Chromium present (fails in CI without it; skips loudly elsewhere): ${missing ?? ''}`, () => {
  reportMissingChromium(missing!);
});
