import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';

// Debian's Chromium driven by playwright-core. Playwright never downloads a browser here: the tests
// use /usr/bin/chromium (installed by `.ci/run`, or `apt-get install chromium`).

export const CHROMIUM = process.env['DSIM_CHROMIUM'] ?? '/usr/bin/chromium';

export function chromiumMissing(): string | null {
  return existsSync(CHROMIUM) ? null : `${CHROMIUM} is not installed (apt-get install chromium)`;
}

/** CI sets CI=true: there a missing Chromium is a failure, not a reason to skip. */
export function inCi(): boolean {
  const ci = process.env['CI'];
  return ci !== undefined && ci !== '' && ci !== 'false' && ci !== '0';
}

/**
 * The stand-in test that runs when Chromium is missing: it fails in CI (the browser tests must run
 * there), and locally it passes with a loud message saying that the browser tests did not run.
 */
export function reportMissingChromium(missing: string): void {
  if (inCi()) throw new Error(`CI=${process.env['CI'] ?? ''} but ${missing}: the browser tests must run in CI`);
  console.warn(`\n*** BROWSER TESTS SKIPPED: ${missing}. They run (and must pass) in CI. ***\n`);
}

export interface Session {
  readonly context: BrowserContext;
  /** The profile directory: it names this browser's processes (for memory readings). */
  readonly profile: string;
  close(): Promise<void>;
}

/**
 * A headless Chromium with a fresh profile directory (Playwright takes it as the persistent
 * context's user data dir), a fixed viewport and scale, English locale and UTC.
 */
export async function launch(viewport = { width: 1440, height: 900 }): Promise<Session> {
  const profile = mkdtempSync(join(tmpdir(), 'dsim-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
      '--font-render-hinting=none', '--force-color-profile=srgb',
    ],
    viewport,
    deviceScaleFactor: 1,
    locale: 'en-US',
    timezoneId: 'UTC',
  });
  return {
    context,
    profile,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
