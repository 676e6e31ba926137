// The page against the real server with API_KEYS set. The engine is the scripted fake (the real
// one is exercised by web-page.test.ts): what is under test is the key flow through HTTP, the
// WebSocket ?token=, blob downloads and blob media, and task ownership.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFakeTranscriber, fakeSegment, type FakeTranscriber } from '../helpers/fake-transcriber.ts';
import { JFK_WAV } from '../helpers/paths.ts';
import { startService, type TestService } from '../helpers/start-service.ts';
import { HAS_CHROMIUM, screenshot, useBrowser } from './browser.ts';

const KEY = 'e2e-key-0123456789abcdef';
const OTHER_KEY = 'e2e-other-key-fedcba9876543210';

describe.skipIf(!HAS_CHROMIUM)('web page (real server with API keys)', () => {
  const browser = useBrowser();
  let t: TestService;
  let engine: FakeTranscriber;

  beforeAll(async () => {
    // Slow enough steps that the page is surely watching over its socket while the job runs.
    engine = createFakeTranscriber({ stepMs: 250, progress: [0, 20, 40, 60, 80, 100], segments: [0, 1, 2].map((i) => fakeSegment(i, ` line ${i}`)) });
    t = await startService({ engine, env: { API_KEYS: `${KEY},${OTHER_KEY}` } });
  }, 120_000);
  afterAll(async () => {
    await t?.close();
    await engine?.close();
  });

  it('asks for the key, then uploads, watches, downloads and plays with it; another key sees nothing', async () => {
    const { context, page, blocked } = await browser.newPage();
    await page.goto(t.url);
    await page.locator('#key-panel').waitFor();
    await page.fill('#key-input', KEY);
    await page.press('#key-input', 'Enter');
    await page.locator('#key-panel').waitFor({ state: 'hidden' });

    await page.setInputFiles('#file-input', JFK_WAV);
    await page.click('#submit-button');
    await page.locator('#connection', { hasText: 'Live updates connected' }).waitFor();
    const id = (await page.evaluate(() => new URLSearchParams(location.search).get('task')))!;
    await page.locator('#segments li', { hasText: 'line 1' }).waitFor();
    await page.locator('#progress[aria-valuetext="Complete, 100 percent"]').waitFor();

    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#downloads a:has-text("SRT")')]);
    expect(readFileSync(await download.path(), 'utf8').startsWith('1\n00:00:')).toBe(true);
    // <audio> cannot send the key: the media was fetched with it and handed over as a blob.
    await page.locator('#player').waitFor();
    expect(await page.locator('#audio').getAttribute('src')).toMatch(/^blob:/);
    await screenshot(page, 'keys-complete');
    expect(blocked).toEqual([]);

    // A reload keeps the key for the tab: no second prompt.
    await page.reload();
    await page.locator('#progress[aria-valuetext="Complete, 100 percent"]').waitFor();
    expect(await page.locator('#key-panel').isHidden()).toBe(true);
    await context.close();

    // Another key gets 404 for this task, as for an unknown id.
    const other = await browser.newPage();
    await other.page.goto(t.url);
    await other.page.evaluate((k) => sessionStorage.setItem('whisper-tasks.api-key', k), OTHER_KEY);
    const listed = other.page.waitForResponse((r) => r.url().includes('/tasks?limit=') && r.status() === 200);
    await other.page.goto(`${t.url}/?task=${id}`);
    await other.page.locator('#error-message', { hasText: 'does not exist' }).waitFor();
    expect(((await (await listed).json()) as { items: unknown[] }).items).toEqual([]);
    expect(await other.page.locator('#recent-list li').count()).toBe(0);
    await screenshot(other.page, 'keys-other-owner');
    await other.context.close();
    // The media route sits behind the same owner check.
    const media = (key: string) => fetch(`${t.url}/tasks/${id}/media`, { method: 'HEAD', headers: { Authorization: `Bearer ${key}` } });
    expect((await media(OTHER_KEY)).status).toBe(404);
    expect((await media(KEY)).status).toBe(200);
    expect((await fetch(`${t.url}/tasks/${id}/media`)).status).toBe(401);
  }, 120_000);
});
