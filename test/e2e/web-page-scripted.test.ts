import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { JFK_WAV } from '../helpers/paths.ts';
import { HAS_CHROMIUM, screenshot, useBrowser } from './browser.ts';
import { startFakeApi, type FakeApi } from './fake-api.ts';

// The page against a scripted API: states the real engine reaches only by chance (a long queue,
// refused sockets, API keys) are placed here on purpose. web-page.test.ts runs the real server.

const text = (page: Page, selector: string) => page.locator(selector).innerText();
const valueNow = (page: Page) => page.locator('#progress').getAttribute('aria-valuenow');

/** Keeps every aria-valuetext the bar shows in window.valueTexts, so passing states can be checked. */
async function recordValueTexts(page: Page) {
  await page.evaluate(() => {
    const bar = document.getElementById('progress')!;
    const seen: string[] = [];
    (window as unknown as { valueTexts: string[] }).valueTexts = seen;
    new MutationObserver(() => seen.push(bar.getAttribute('aria-valuetext') ?? '')).observe(bar, { attributes: true, attributeFilter: ['aria-valuetext'] });
  });
}

describe.skipIf(!HAS_CHROMIUM)('web page (scripted API)', () => {
  const browser = useBrowser();

  async function open(name: string, options: Parameters<typeof startFakeApi>[0] = {}, viewport?: { width: number; height: number }) {
    const api = await startFakeApi(options);
    browser.afterTest(() => api.close());
    const session = await browser.newPage(viewport);
    return { ...session, api, shot: () => screenshot(session.page, name) };
  }

  async function upload(page: Page, file = JFK_WAV) {
    await page.setInputFiles('#file-input', file);
    await page.click('#submit-button');
  }

  it('shows queue place, live progress, segments and then the transcript with downloads', async () => {
    const { page, api, blocked, consoleErrors, shot } = await open('scripted-live-progress');
    // Subscribed before the page loads: a subscription made just before the key press can lose the race.
    const chooserShown = page.waitForEvent('filechooser', { timeout: 60_000 });
    await page.goto(api.url);
    await recordValueTexts(page);
    // Keyboard only: skip link, then the file button.
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('pick-button');
    await page.keyboard.press('Enter');
    const chooser = await chooserShown;
    await chooser.setFiles(JFK_WAV);
    await page.locator('#file-name', { hasText: 'jfk.wav' }).waitFor();
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('submit-button');
    await page.keyboard.press('Enter');
    const task = await api.created();
    // The browser measured the upload itself (XMLHttpRequest progress) before the server's stages.
    await page.waitForFunction(() => (window as unknown as { valueTexts: string[] }).valueTexts.includes('Uploading, 100 percent'));
    await page.waitForFunction((id) => location.search === `?task=${id}`, task.id);

    api.progress(task.id, 'queued', 0, { position: 3, eta_seconds: 95 });
    await page.locator('#queue-info', { hasText: 'Position 3 in the queue' }).waitFor();
    expect(await text(page, '#queue-info')).toContain('about 2 min');

    api.progress(task.id, 'transcribing', 42);
    await page.locator('#progress[aria-valuenow="42"]').waitFor();
    expect(await page.locator('#progress').getAttribute('aria-valuetext')).toBe('Transcribing, 42 percent');
    expect(await page.locator('#queue-info').isHidden()).toBe(true);
    api.segment(task.id, { id: 0, start: 0, end: 2.5, text: ' And so my fellow Americans', speaker: 'SPEAKER_00' });
    await page.locator('#segments li', { hasText: 'my fellow Americans' }).waitFor();

    // A lower step must not move the bar back; the segment after it shows it was processed.
    api.progress(task.id, 'transcribing', 30);
    api.segment(task.id, { id: 1, start: 2.5, end: 4, text: ' ask not' });
    await page.locator('#segments li', { hasText: 'ask not' }).waitFor();
    expect(await valueNow(page)).toBe('42');
    api.progress(task.id, 'complete', 100);
    await page.locator('#progress[aria-valuenow="100"]').waitFor();
    await page.locator('#downloads a', { hasText: 'SRT' }).waitFor();
    expect(await text(page, '#segments')).toContain('SPEAKER_00:');
    expect(await text(page, '#segments')).toContain('0:00.0 – 0:02.5');
    const hrefs = await page.locator('#downloads a').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
    expect(hrefs).toEqual(['text', 'srt', 'vtt', 'json'].map((f) => `/tasks/${task.id}/result?format=${f}&download=1`));
    // The media is still on the server, so segments are buttons that play it.
    await page.locator('#player').waitFor();
    expect(await page.locator('#audio').getAttribute('src')).toBe(`/tasks/${task.id}/media`);
    await page.locator('#recent-list li', { hasText: 'jfk.wav' }).waitFor();
    await shot();
    expect(blocked).toEqual([]);
    expect(consoleErrors).toEqual([]);
  });

  it('polls while the socket is refused and reconnects once it is allowed again', async () => {
    const { page, api, shot } = await open('scripted-polling-fallback', { refuseSockets: true });
    await page.goto(api.url);
    // Drop a file on the drop zone, as from a file manager.
    const transfer = await page.evaluateHandle(() => {
      const dt = new DataTransfer();
      dt.items.add(new File([new Uint8Array(64)], 'dropped.wav', { type: 'audio/wav' }));
      return dt;
    });
    await page.dispatchEvent('#drop-zone', 'drop', { dataTransfer: transfer });
    await page.locator('#file-name', { hasText: 'dropped.wav' }).waitFor();
    await page.click('#submit-button');
    const task = await api.created();
    await page.locator('#connection', { hasText: /reconnecting/i }).waitFor();
    // The page already read the task; only polling can bring this step now.
    api.progress(task.id, 'transcribing', 55);
    await page.locator('#progress[aria-valuenow="55"]').waitFor();
    expect(api.requests).toContain(`GET /tasks/${task.id}/progress`);

    api.setRefuseSockets(false);
    await page.locator('#connection', { hasText: 'Live updates connected' }).waitFor({ timeout: 30_000 });
    // The server has dropped the media by now: the player falls back to the file this page uploaded.
    task.mediaPath = null;
    api.progress(task.id, 'complete', 100);
    await page.locator('#progress[aria-valuenow="100"]').waitFor();
    await page.locator('#player').waitFor();
    expect(await page.locator('#audio').getAttribute('src')).toMatch(/^blob:/);
    await shot();
  });

  it('cancels the watched task from its panel', async () => {
    const { page, api, shot } = await open('scripted-cancel');
    await page.goto(api.url);
    await upload(page);
    const task = await api.created();
    await page.locator('#connection', { hasText: 'Live updates connected' }).waitFor();
    await page.click('#cancel-button');
    await page.locator('#error-message', { hasText: 'The task was cancelled.' }).waitFor();
    expect(api.requests).toContain(`POST /tasks/${task.id}/cancel`);
    expect(await page.locator('#cancel-button').isHidden()).toBe(true);
    expect(await page.locator('#progress-label').innerText()).toBe('Cancelled');
    await page.locator('#recent-list li', { hasText: 'Cancelled' }).waitFor();
    await shot();
  });

  it('asks for the API key once, keeps it for the tab and sends it on HTTP and the socket', async () => {
    const { page, api, shot } = await open('scripted-api-key', { apiKey: 'sesame-123' });
    await page.goto(api.url);
    await page.locator('#key-panel').waitFor();
    await page.fill('#key-input', 'wrong');
    await page.press('#key-input', 'Enter');
    await page.locator('#key-hint', { hasText: 'not accepted' }).waitFor();
    await page.fill('#key-input', 'sesame-123');
    await page.press('#key-input', 'Enter');
    await page.locator('#key-panel').waitFor({ state: 'hidden' });
    expect(await page.evaluate(() => sessionStorage.getItem('whisper-tasks.api-key'))).toBe('sesame-123');

    await upload(page);
    const task = await api.created();
    await page.locator('#connection', { hasText: 'Live updates connected' }).waitFor();
    api.progress(task.id, 'transcribing', 70);
    await page.locator('#progress[aria-valuenow="70"]').waitFor();
    api.segment(task.id, { id: 0, start: 0, end: 1, text: ' ask not' });
    api.progress(task.id, 'complete', 100);
    await page.locator('#downloads a', { hasText: 'SRT' }).waitFor();
    // Links cannot carry the key: the page fetches the file and saves it from a blob.
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#downloads a:has-text("SRT")')]);
    expect(download.suggestedFilename()).toBe('jfk.srt');

    await page.reload();
    await page.locator('#progress[aria-valuenow="100"]').waitFor();
    expect(await page.locator('#key-panel').isHidden()).toBe(true);
    await shot();
  });

  it('resumes /?task=<id>, shows a failure with its detail behind a toggle, and lists tasks with delete', async () => {
    const { page, api, shot } = await open('scripted-failure-phone', {}, { width: 390, height: 844 });
    page.on('dialog', (d) => void d.accept());
    await page.goto(api.url);
    await upload(page);
    const task = await api.created();
    await page.goto(`${api.url}/?task=${task.id}`);
    await page.locator('#connection', { hasText: 'Live updates connected' }).waitFor();
    api.fail(task.id, { error_code: 'AUDIO_DECODE_FAILED', user_message: 'The file could not be read as audio.', technical_detail: 'ffmpeg: invalid data found' });
    await page.locator('#error-message', { hasText: 'could not be read as audio' }).waitFor();
    expect(await page.locator('#error-detail').isVisible()).toBe(false);
    await page.click('#error-details summary');
    expect(await text(page, '#error-detail')).toContain('ffmpeg: invalid data found');
    await page.locator('#recent-list li', { hasText: 'Failed' }).waitFor();
    await shot();
    await page.click('#recent-list li button:has-text("Delete")');
    await page.locator('#recent-empty').waitFor();
    expect(api.tasks.size).toBe(0);
    expect(await page.locator('#task-panel').isHidden()).toBe(true);
  });
});
