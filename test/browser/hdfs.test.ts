import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runScenario } from '../../sim/harness/run.ts';
import { MemorySink } from '../../sim/world/trace.ts';
import { hdfsDeathTrace, type HdfsTrace } from '../viz/lib/hdfs-trace.ts';
import { findScenario } from '../viz/lib/scenarios.ts';
import { chromiumMissing, reportMissingChromium } from './lib/browser.ts';
import { indexOf } from './lib/flows.ts';
import { ARTIFACTS, openTrace, settle, shot, startHarness, type Harness } from './lib/harness.ts';

// The HDFS inspector in a real Chromium on a real HDFS trace (hdfs-datanode-death's cluster with a
// 60 s dead interval, test/viz/lib/hdfs-trace.ts): the tab opens on HDFS, files show their blocks
// and each block its replicas grouped by rack; after dn-1's dead declaration it is shown dead and
// its blocks under-replicated.

const missing = chromiumMissing();
const safemode = findScenario('hdfs-safemode');

/** Index of the last event at or before time t. */
function eventAt(text: string, tUs: number): number {
  const ix = indexOf(text);
  let i = 0;
  while (i + 1 < ix.count && ix.t[i + 1]! <= tUs) i++;
  return i;
}

describe.skipIf(missing !== null)('HDFS inspector in Chromium', () => {
  let hx: Harness;
  let page: Page;
  let trace: HdfsTrace;
  let path: string;
  let smText = '';
  let smPath = '';

  beforeAll(async () => {
    hx = await startHarness(join(ARTIFACTS, 'viz-dist-hdfs'));
    trace = hdfsDeathTrace();
    path = hx.serveTrace('real-hdfs-datanode-death.jsonl', trace.text);
    if (safemode !== undefined) {
      const sink = new MemorySink();
      runScenario(safemode, { seed: 1, trace: sink });
      smText = sink.lines.join('\n') + '\n';
      smPath = hx.serveTrace('real-hdfs-safemode.jsonl', smText);
    }
    page = await hx.newPage();
    await page.setViewportSize({ width: 1500, height: 1000 });
  });

  afterAll(async () => {
    await hx?.close();
  });

  afterEach(() => {
    expect(hx.errors).toEqual([]);
  });

  it('opens on the HDFS tab; before the crash every block has three live replicas on two racks', async () => {
    await openTrace(page, hx.server.url, path, `&e=${eventAt(trace.text, 19_000_000)}`);
    expect(await page.getAttribute('[role="tab"][aria-selected="true"]', 'data-tab')).toBe('hdfs');
    await settle(page);
    expect(await page.textContent('[data-testid="hdfs-summary"]')).toMatch(/^nn: safe mode off · \d+ files · \d+ blocks/);
    expect(await page.locator('[data-datanode]').count()).toBe(6);
    expect(await page.locator('[data-datanode][data-liveness="live"]').count()).toBe(6);
    const blocks = page.locator('[data-file] tr[data-block][data-health="ok"]');
    expect(await blocks.count()).toBeGreaterThan(0);
    const first = blocks.first();
    expect(await first.locator('[data-replica]').count()).toBe(3);
    expect(await first.locator('[data-rack]').count()).toBe(2);
    expect(await first.locator('[data-replica]').first().textContent()).toMatch(/^dn-\d FINALIZED/);
    await shot(page, 'hdfs-inspector-healthy');
  });

  it('after dn-1 is declared dead: dn-1 dead, its blocks under-replicated and highlighted, none listing dn-1', async () => {
    await openTrace(page, hx.server.url, path, `&e=${eventAt(trace.text, trace.deadAtUs)}&tab=hdfs`);
    await settle(page);
    expect(await page.getAttribute('[data-datanode="dn-1"]', 'data-liveness')).toBe('dead');
    expect(await page.getAttribute('[data-datanode="dn-1"]', 'data-up')).toBe('false');
    expect(await page.textContent('[data-testid="hdfs-summary"]')).toMatch(/\d+ under-replicated/);
    const under = page.locator('tr[data-block][data-health="under"]');
    expect(await under.count()).toBeGreaterThan(0);
    expect(await under.first().locator('[data-replica]').count()).toBe(2);
    expect(await under.first().locator('[data-replica="dn-1"]').count()).toBe(0);
    // Files with a problem come first, drawn in the warning colour.
    expect(await page.getAttribute('[data-file]', 'data-health')).toBe('under');
    const bg = await under.first().locator('td').first().evaluate((el) => getComputedStyle(el).backgroundColor);
    expect(bg).toBe('rgb(254, 243, 199)');
    expect(await page.textContent('[data-testid="hdfs-queues"]')).toContain('low-redundancy queues');
    await shot(page, 'hdfs-inspector-dead-datanode');
  });

  it.skipIf(safemode === undefined)('hdfs-safemode: after the NameNode restart the inspector shows it in safe mode, waiting for block reports', async () => {
    // The first NameNode view after its restart (the whole cluster went down at 60 s).
    const line = smText.split('\n').find((l) => l.includes('"status":"PENDING_THRESHOLD"'))!;
    await openTrace(page, hx.server.url, smPath, `&e=${eventAt(smText, (JSON.parse(line) as { t: number }).t)}&tab=hdfs`);
    await settle(page);
    expect(await page.getAttribute('[data-testid="hdfs-summary"]', 'data-safemode')).toBe('PENDING_THRESHOLD');
    expect(await page.textContent('[data-testid="hdfs-summary"]')).toMatch(/SAFE MODE PENDING_THRESHOLD \(\d+ of \d+ blocks safe\)/);
    await shot(page, 'hdfs-inspector-safemode');
  });
});

describe.skipIf(missing === null)('HDFS inspector in Chromium (skipped)', () => {
  it('Chromium is missing', () => {
    reportMissingChromium(missing!);
  });
});
