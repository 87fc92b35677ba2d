import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { build } from 'vite';
import { launch, type Session } from './browser.ts';
import { startServer, type StaticServer } from './server.ts';

// Shared setup of the browser tests: build the viewer into test-artifacts/viz-dist, serve it with
// the test traces, and drive a headless Chromium.

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const ARTIFACTS = join(REPO, 'test-artifacts');
export const SHOTS = join(ARTIFACTS, 'screenshots');
export const TRACES = join(ARTIFACTS, 'traces');
export const DIST = join(ARTIFACTS, 'viz-dist');
export const BASELINES = join(REPO, 'test', 'browser', 'baselines');

export async function buildViewer(outDir = DIST): Promise<void> {
  await build({
    configFile: join(REPO, 'viz', 'vite.config.ts'),
    logLevel: 'warn',
    build: { outDir, emptyOutDir: true },
  });
}

export interface Harness {
  readonly server: StaticServer;
  /** Uncaught errors and console errors of every page opened through newPage(). */
  readonly errors: string[];
  readonly session: Session;
  /** Writes a trace under test-artifacts/traces and serves it at /traces/<name>. Returns its URL path. */
  serveTrace(name: string, text: string): string;
  newPage(): Promise<Page>;
  close(): Promise<void>;
}

/** `dist`: where the viewer is built (test files running in parallel build into their own folders). */
export async function startHarness(dist = DIST): Promise<Harness> {
  mkdirSync(SHOTS, { recursive: true });
  mkdirSync(TRACES, { recursive: true });
  await buildViewer(dist);
  const server = await startServer(dist);
  const session = await launch();
  const errors: string[] = [];
  return {
    server,
    session,
    errors,
    serveTrace(name, text) {
      const file = join(TRACES, name);
      writeFileSync(file, text);
      server.addFile(`/traces/${name}`, file);
      return `/traces/${name}`;
    },
    async newPage() {
      const page = await session.context.newPage();
      page.on('pageerror', (e) => { errors.push(`page error: ${e.message}`); });
      page.on('console', (m) => { if (m.type() === 'error' && !m.text().includes('404')) errors.push(`console error: ${m.text()}`); });
      return page;
    },
    async close() {
      await session.close();
      await server.close();
    },
  };
}

/** Opens the viewer on a served trace and waits until it is loaded (or shows an error). */
export async function openTrace(page: Page, baseUrl: string, tracePath: string, extra = ''): Promise<void> {
  await page.goto(`${baseUrl}/?trace=${encodeURIComponent(tracePath)}${extra}`);
  await waitLoaded(page);
}

export async function waitLoaded(page: Page): Promise<void> {
  await page.waitForFunction(
    () => window.dsimViewer?.ready() === true || document.querySelector('[data-testid="error"]:not([hidden])') !== null,
    null,
    { timeout: 60_000 },
  );
  await page.mouse.move(0, 0);
}

export interface SliderState {
  readonly now: number;
  readonly max: number;
  readonly text: string;
}

export async function slider(page: Page): Promise<SliderState> {
  return page.evaluate(() => {
    const s = document.querySelector('[role="slider"]')!;
    return { now: Number(s.getAttribute('aria-valuenow')), max: Number(s.getAttribute('aria-valuemax')), text: s.getAttribute('aria-valuetext') ?? '' };
  });
}

/** Settles pending renders (one animation frame) before reading the DOM or taking a screenshot. */
export async function settle(page: Page): Promise<void> {
  await page.evaluate(() => new Promise<void>((ok) => requestAnimationFrame(() => requestAnimationFrame(() => ok()))));
}

export async function shot(page: Page, name: string): Promise<string> {
  await settle(page);
  const path = join(SHOTS, `${name}.png`);
  await page.screenshot({ path });
  return path;
}

export function exists(path: string): boolean {
  return existsSync(path);
}
