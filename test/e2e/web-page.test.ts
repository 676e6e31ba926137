// The page in headless Chromium against the real server: worker pool, random-weight tiny.en model,
// SQLite, WebSocket. Transcriptions are slow on small machines, so each test makes as few as it can.
import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { taskError } from '../../src/tasks/errors.ts';
import { badFile, longWav } from '../helpers/fixtures.ts';
import { JFK_WAV } from '../helpers/paths.ts';
import { startService, type TestService } from '../helpers/start-service.ts';
import { HAS_CHROMIUM, screenshot, useBrowser } from './browser.ts';

const SLOW = 240_000;
const LONG = { timeout: 180_000 };

/** Records every value an attribute or text takes, into window.seen[key], so passing states can be checked. */
async function record(page: Page, key: string, selector: string, attribute?: string): Promise<void> {
  await page.evaluate(({ key, selector, attribute }) => {
    const el = document.querySelector(selector)!;
    const w = window as unknown as { seen?: Record<string, string[]> };
    const seen = ((w.seen ??= {})[key] = [] as string[]);
    const read = () => (attribute ? el.getAttribute(attribute) : el.textContent) ?? '';
    new MutationObserver(() => { if (seen.at(-1) !== read()) seen.push(read()); })
      .observe(el, { attributes: true, childList: true, characterData: true, subtree: true });
  }, { key, selector, attribute });
}
const seen = (page: Page, key: string) => page.evaluate((k) => (window as unknown as { seen: Record<string, string[]> }).seen[k]!, key);
const taskIdOf = (page: Page) => page.evaluate(() => new URLSearchParams(location.search).get('task'));

describe.skipIf(!HAS_CHROMIUM)('web page (real server)', () => {
  const browser = useBrowser();
  let t: TestService;

  beforeAll(async () => {
    t = await startService();
    const deadline = Date.now() + 90_000;
    while ((await fetch(`${t.url}/health/ready`)).status !== 200) {
      if (Date.now() > deadline) throw new Error('the worker never became ready');
      await new Promise((r) => setTimeout(r, 100));
    }
  }, 120_000);
  afterAll(async () => {
    await t?.close();
  });

  async function open(file: string) {
    const session = await browser.newPage();
    await session.page.goto(t.url);
    await record(session.page, 'bar', '#progress', 'aria-valuetext');
    await record(session.page, 'connection', '#connection');
    await session.page.setInputFiles('#file-input', file);
    await session.page.click('#submit-button');
    return session;
  }

  it('uploads jfk.wav, shows the bar reach 100 with segments, downloads the SRT and plays from a segment', async () => {
    const { page, blocked, consoleErrors } = await open(JFK_WAV);
    await page.locator('#progress[aria-valuetext="Complete, 100 percent"]').waitFor(LONG);
    await page.locator('#downloads a', { hasText: 'SRT' }).waitFor();
    const bar = await seen(page, 'bar');
    expect(bar).toContain('Uploading, 100 percent');
    expect(bar.some((v) => /^Transcribing, \d+ percent$/.test(v))).toBe(true);
    expect(bar.at(-1)).toBe('Complete, 100 percent');
    const segments = page.locator('#segments li');
    expect(await segments.count()).toBeGreaterThan(0);

    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#downloads a:has-text("SRT")')]);
    const srt = readFileSync(await download.path(), 'utf8');
    expect(srt.startsWith('1\n00:00:')).toBe(true);
    expect(download.suggestedFilename()).toMatch(/\.srt$/);

    // The server still has the media: a click seeks the player to the segment (needs Range support).
    const last = page.locator('#segments li button').last();
    const start = Number(await last.getAttribute('data-start'));
    await last.click();
    await page.waitForFunction((s) => Math.abs((document.getElementById('audio') as HTMLAudioElement).currentTime - s) < 0.5, start);
    expect(await page.locator('#audio').getAttribute('src')).toBe(`/tasks/${await taskIdOf(page)}/media`);
    await screenshot(page, 'real-upload-complete');
    expect(blocked).toEqual([]);
    expect(consoleErrors).toEqual([]);
  }, SLOW);

  it('recovers when the server drops the socket: reconnects, then completes', async () => {
    // A long blocker keeps the single worker busy, so the page's task is surely unfinished at the kill.
    const body = new FormData();
    body.append('file', new Blob([new Uint8Array(readFileSync(longWav(30)))]), 'blocker.wav');
    const blocker = (await (await fetch(`${t.url}/tasks`, { method: 'POST', body })).json()) as { identifier: string };
    const { page } = await open(JFK_WAV);
    await page.locator('#connection', { hasText: 'Live updates connected' }).waitFor(LONG);
    const id = (await taskIdOf(page))!;
    await page.locator('#queue-info', { hasText: /Position \d+ in the queue/ }).waitFor();
    expect(t.server.registry.count(id)).toBe(1);

    t.server.registry.closeAll(1011, 'dropped by the test', id);
    await page.locator('#connection', { hasText: 'Connection lost' }).waitFor();
    await page.locator('#connection', { hasText: 'Live updates connected' }).waitFor(LONG);
    expect(t.server.registry.count(id)).toBe(1);
    await fetch(`${t.url}/tasks/${blocker.identifier}/cancel`, { method: 'POST' });

    await page.locator('#progress[aria-valuetext="Complete, 100 percent"]').waitFor(LONG);
    await page.locator('#segments li').first().waitFor();
    const connection = await seen(page, 'connection');
    const lost = connection.findIndex((c) => c.startsWith('Connection lost'));
    expect(lost).toBeGreaterThan(0);
    expect(connection.slice(lost)).toContain('Live updates connected.');
    await screenshot(page, 'real-socket-recovered');
  }, SLOW);

  it('shows the user message of a corrupt upload, with the technical detail behind a toggle', async () => {
    const { page } = await open(badFile('truncated-wav'));
    await page.locator('#error-box').waitFor(LONG);
    expect(await page.locator('#error-message').innerText()).toBe(taskError('AUDIO_DECODE_FAILED', '').userMessage);
    expect(await page.locator('#error-detail').isVisible()).toBe(false);
    await page.click('#error-details summary');
    expect(await page.locator('#error-detail').innerText()).toMatch(/^AUDIO_DECODE_FAILED: .+/);
    await page.locator('#recent-list li', { hasText: 'Failed' }).first().waitFor();
    await screenshot(page, 'real-corrupt-upload');
  }, SLOW);
});
