import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { ROOT } from '../helpers/paths.ts';

/** Debian's chromium, which .ci/run installs. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** False where no browser is installed: the e2e tests then report themselves skipped. */
export const HAS_CHROMIUM = existsSync(CHROMIUM);
/** Where screenshots go (git-ignored, kept by CI as artifacts). */
export const ARTIFACTS = path.join(ROOT, 'test-artifacts/e2e');

if (!HAS_CHROMIUM) console.warn(`e2e: no browser at ${CHROMIUM}; install Debian's chromium to run the browser tests`);

/** Builds web-dist/ if the page sources changed since the last build. */
export function ensureWebBuilt(): void {
  execFileSync(process.execPath, [path.join(ROOT, 'scripts/build-web.mjs'), '--if-stale'], { stdio: 'inherit' });
}

/** Headless Chromium; the host resolver maps every name except loopback to nothing, so no page can reach out. */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
      '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1',
    ],
  });
}

const isLoopback = (url: URL) => ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);

/** A page in a context of its own, with what it tried to reach off loopback and the errors it logged. */
export interface PageSession { context: BrowserContext; page: Page; blocked: string[]; consoleErrors: string[] }

/** A fresh context and page; every request that is not to loopback is aborted and recorded in `blocked`. */
export async function openPage(browser: Browser, viewport = { width: 1000, height: 900 }): Promise<PageSession> {
  const context = await browser.newContext({ viewport, acceptDownloads: true });
  const blocked: string[] = [];
  await context.route('**/*', (route) => {
    const url = new URL(route.request().url());
    if (url.protocol === 'data:' || url.protocol === 'blob:' || isLoopback(url)) return route.continue();
    blocked.push(url.href);
    return route.abort('blockedbyclient');
  });
  const page = await context.newPage();
  const consoleErrors: string[] = [];
  page.on('pageerror', (error) => consoleErrors.push(`pageerror: ${error.message}`));
  page.on('console', (msg) => { if (msg.type() === 'error') consoleErrors.push(msg.text()); });
  return { context, page, blocked, consoleErrors };
}

/** Saves a full-page screenshot as test-artifacts/e2e/<name>.png and returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const file = path.join(ARTIFACTS, `${name.replace(/[^\w.-]+/g, '-')}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/** What useBrowser() gives a test: fresh pages, and clean-ups run after the test. */
export interface BrowserFixture {
  /** A fresh context and page (see openPage), closed after the test. */
  newPage(viewport?: { width: number; height: number }): Promise<PageSession>;
  /** Runs `close` after the test, after its pages are closed. */
  afterTest(close: () => Promise<void> | void): void;
}

/**
 * Call inside a describe: builds the page if stale and launches Chromium before its tests, closes each
 * test's pages (then its afterTest clean-ups) after it, and the browser after the last.
 */
export function useBrowser(): BrowserFixture {
  let browser: Browser | undefined;
  const cleanups: Array<() => Promise<void> | void> = [];
  beforeAll(async () => {
    ensureWebBuilt();
    browser = await launchBrowser();
  }, 120_000);
  afterEach(async () => {
    for (const close of cleanups.splice(0).reverse()) await close();
  });
  afterAll(async () => {
    await browser?.close();
  });
  return {
    async newPage(viewport) {
      const session = await openPage(browser!, viewport);
      cleanups.push(() => session.context.close());
      return session;
    },
    afterTest: (close) => void cleanups.push(close),
  };
}
