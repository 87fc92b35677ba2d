import { expect } from 'vitest';
import type { Page } from 'playwright-core';
import { brokerIds, kafkaModel } from '../../../viz/src/model/kafka.ts';
import { zkModel } from '../../../viz/src/model/zookeeper.ts';
import { loadTrace, type TraceIndex } from '../../../viz/src/model/load.ts';
import { Replay } from '../../../viz/src/model/replay.ts';
import { T } from '../../../viz/src/model/events.ts';
import { openTrace, settle, shot, slider } from './harness.ts';

// The user flows the issue names, written once and run against every trace that has them: the
// synthetic Kafka stories now, the real kafka-leader-failover and kafka-unclean-election scenarios
// when they exist.

export function indexOf(text: string): TraceIndex {
  return loadTrace(new TextEncoder().encode(text));
}

/** Whether event i is a state line (only those change what the inspectors show). */
export function changesView(ix: TraceIndex, i: number): boolean {
  return ix.type[i] === T.state || ix.type[i] === T.crash || ix.type[i] === T.start;
}

/**
 * Steps forward with the → key, event by event, until the cursor reaches `target`, then lets the
 * page draw. The keys are dispatched in one go (drawing after each of thousands of steps would
 * take minutes); the state after the last step is what the page shows.
 */
export async function stepTo(page: Page, target: number): Promise<void> {
  const from = (await slider(page)).now;
  await page.evaluate((n) => {
    for (let k = 0; k < n; k++) document.dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowRight', bubbles: true }));
  }, target - from);
  await settle(page);
  expect((await slider(page)).now).toBe(target);
}

/** Press keys on the page (the viewer listens on the document). */
export async function press(page: Page, key: string, times = 1): Promise<void> {
  for (let k = 0; k < times; k++) await page.keyboard.press(key);
  await settle(page);
}

/** Plays for a moment with Space and pauses again; the cursor must have moved forward. */
export async function playAndPause(page: Page): Promise<void> {
  await page.locator('.scrubber').focus();
  await press(page, 'Home');
  const before = await slider(page);
  await page.keyboard.press('Space');
  await expect.poll(async () => (await page.getAttribute('.tbtn.play', 'aria-label')) ?? '').toBe('Pause (Space)');
  await expect.poll(async () => (await slider(page)).now, { timeout: 15_000 }).toBeGreaterThan(before.now);
  await page.keyboard.press('Space');
  await expect.poll(async () => (await page.getAttribute('.tbtn.play', 'aria-label')) ?? '').toBe('Play (Space)');
}

export interface FailoverResult {
  readonly crashIndex: number;
  readonly crashed: string;
  readonly partition: string;
  readonly newLeader: string;
  readonly isr: string;
  readonly screenshot: string;
}

/**
 * Opens a Kafka trace, plays, jumps marker by marker to the first broker crash, then steps event
 * by event until the Kafka inspector shows a new leader for a partition the crashed broker led,
 * with the crashed broker out of the ISR. Checks the page against the replay model at that event.
 */
export async function kafkaFailoverFlow(page: Page, baseUrl: string, tracePath: string, text: string, shotName: string): Promise<FailoverResult> {
  const ix = indexOf(text);
  const crash = ix.markers.find((m) => m.kind === 'crash' && ix.procs[ix.proc[m.index]!]?.system === 'kafka');
  expect(crash, 'the trace has a broker crash').toBeDefined();
  const crashIndex = crash!.index;
  const crashedProc = ix.proc[crashIndex]!;
  const crashed = ix.procs[crashedProc]!.name;
  const r = new Replay(ix);
  const ids = brokerIds(ix.procs, ix.keyframes.map((k) => k.state));
  const crashedId = ids.get(crashedProc)!;
  const led = kafkaModel(ix.procs, r.stateAfter(crashIndex - 1), ids).partitions.filter((p) => p.leader === crashedId).map((p) => p.key);
  expect(led.length, `${crashed} led a partition before it crashed`).toBeGreaterThan(0);

  await openTrace(page, baseUrl, tracePath);
  await playAndPause(page);
  // To the crash: Home, then Shift+→ from marker to marker.
  await press(page, 'Home');
  for (let k = 0; k < 200 && (await slider(page)).now < crashIndex; k++) await press(page, 'Shift+ArrowRight');
  expect((await slider(page)).now).toBe(crashIndex);
  expect(await page.getAttribute(`[data-testid="process-status"] [data-proc="${crashed}"]`, 'data-status')).toBe('down');
  // The first event at which the replay model shows the failover: a partition the crashed broker
  // led has another leader and an ISR without it.
  let target = -1;
  for (let i = crashIndex; i < ix.count && target < 0; i++) {
    if (!changesView(ix, i)) continue;
    const m = kafkaModel(ix.procs, r.stateAfter(i), ids);
    if (m.partitions.some((p) => led.includes(p.key) && p.leader !== null && p.leader !== crashedId && p.isr.length > 0 && !p.isr.includes(crashedId))) target = i;
  }
  expect(target, 'the replay model shows a new leader after the crash').toBeGreaterThan(crashIndex);
  await stepTo(page, target);
  const at = await slider(page);
  const card = page.locator('[data-partition]').filter({ has: page.locator('[data-testid="leader"]') });
  const cards = await card.evaluateAll((els) => els.map((e) => ({ key: (e as HTMLElement).dataset['partition']!, leader: (e as HTMLElement).dataset['leader']!, isr: (e as HTMLElement).dataset['isr']! })));
  const shown = cards.find((c) => led.includes(c.key) && c.leader !== crashed)!;
  // The page agrees with the replay model at the same event.
  const model = kafkaModel(ix.procs, r.stateAfter(at.now), ids).partitions.find((p) => p.key === shown.key)!;
  const leaderName = model.replicas.find((x) => x.isLeader)!.process;
  expect(shown.leader).toBe(leaderName);
  expect(shown.isr).toBe(model.isr.join(','));
  expect(model.isr).not.toContain(crashedId);
  expect(model.isr.length).toBeLessThan(model.replicas.length);
  // The crashed broker's row: down and out of the ISR.
  const row = page.locator(`[data-partition="${shown.key}"] tr[data-broker="${crashed}"]`);
  expect(await row.getAttribute('data-in-isr')).toBe('false');
  expect(await row.locator('td').nth(1).textContent()).toBe('down');
  const screenshot = await shot(page, shotName);
  return { crashIndex, crashed, partition: shown.key, newLeader: shown.leader, isr: shown.isr, screenshot };
}

/** Opens a trace with a violation and jumps to it with the button (and with V). */
export async function violationFlow(page: Page, baseUrl: string, tracePath: string, text: string, shotName: string): Promise<{ index: number; message: string; screenshot: string }> {
  const ix = indexOf(text);
  expect(ix.violations.length, 'the trace has a violation').toBeGreaterThan(0);
  const v = ix.violations[0]!;
  const r = new Replay(ix);
  const message = String(r.event(v)['message']);
  await openTrace(page, baseUrl, tracePath);
  const btn = page.locator('.tbtn.viol');
  expect(await btn.isDisabled()).toBe(false);
  expect(await btn.textContent()).toMatch(/Jump to first violation/);
  await btn.click();
  await settle(page);
  const s = await slider(page);
  expect(s.now).toBe(v);
  expect(s.text).toMatch(new RegExp(`^t = \\d+\\.\\d{3} s, event ${(v + 1).toLocaleString('en-US')} of ${ix.count.toLocaleString('en-US')}$`));
  // The narration shows the violation as the current entry, and the event log selects its line.
  const current = page.locator('[data-testid="narration"] li.current');
  expect(await current.getAttribute('class')).toContain('violation');
  expect(await current.locator('.nar-text').textContent()).toBe(message);
  expect(await page.getAttribute('.log-row.selected', 'data-index')).toBe(String(v));
  // Back to the start, then the V key.
  await page.locator('.scrubber').focus();
  await press(page, 'Home');
  expect((await slider(page)).now).toBe(0);
  await press(page, 'v');
  expect((await slider(page)).now).toBe(v);
  const screenshot = await shot(page, shotName);
  return { index: v, message, screenshot };
}

/**
 * Opens a ZooKeeper trace, jumps marker by marker to the first crash of the peer that was leading,
 * then steps until the ZooKeeper inspector names a new leader. Checks the page against the replay
 * model at that event.
 */
export async function zkLeaderCrashFlow(page: Page, baseUrl: string, tracePath: string, text: string, shotName: string): Promise<{ crashed: string; leader: string }> {
  const ix = indexOf(text);
  const r = new Replay(ix);
  const crash = ix.markers.find((m) => {
    if (m.kind !== 'crash') return false;
    const p = ix.proc[m.index]!;
    return zkModel(ix.procs, r.stateAfter(m.index - 1)).peers.some((x) => x.procIndex === p && x.role === 'leading');
  });
  expect(crash, 'the trace has a crash of the leading peer').toBeDefined();
  const crashed = ix.procs[ix.proc[crash!.index]!]!.name;
  await openTrace(page, baseUrl, tracePath, '&tab=zookeeper');
  await page.locator('.scrubber').focus();
  await press(page, 'Home');
  for (let k = 0; k < 500 && (await slider(page)).now < crash!.index; k++) await press(page, 'Shift+ArrowRight');
  expect((await slider(page)).now).toBe(crash!.index);
  expect(await page.getAttribute(`tr[data-peer="${crashed}"]`, 'data-role')).toBe('down');
  let target = -1;
  for (let i = crash!.index; i < ix.count && target < 0; i++) {
    if (!changesView(ix, i)) continue;
    const leaders = zkModel(ix.procs, r.stateAfter(i)).peers.filter((p) => p.up && p.role === 'leading');
    if (leaders.length === 1 && leaders[0]!.name !== crashed) target = i;
  }
  expect(target, 'the replay model shows a new leader after the crash').toBeGreaterThan(crash!.index);
  await stepTo(page, target);
  const at = (await slider(page)).now;
  const model = zkModel(ix.procs, r.stateAfter(at));
  const leaders = model.peers.filter((p) => p.up && p.role === 'leading');
  expect(leaders.length).toBe(1);
  expect(await page.textContent('[data-testid="zk-summary"]')).toBe(`${leaders[0]!.name} is leading in epoch ${leaders[0]!.currentEpoch}`);
  for (const p of model.peers) expect(await page.getAttribute(`tr[data-peer="${p.name}"]`, 'data-role')).toBe(p.role);
  await shot(page, shotName);
  return { crashed, leader: leaders[0]!.name };
}
