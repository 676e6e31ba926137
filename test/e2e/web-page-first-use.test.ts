// The page's new parts against the scripted API (issue 13): options that follow the model, word
// timestamps that say what the task will do, refusals on the form, the stage's own progress and the
// time left, result facts, copy, retry, paging and filtering, and speakers (diarization, issue 9).
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { JFK_WAV } from '../helpers/paths.ts';
import { HAS_CHROMIUM, screenshot, useBrowser } from './browser.ts';
import { startFakeApi, type FakeApi, type FakeTask } from './fake-api.ts';

const text = (page: Page, selector: string) => page.locator(selector).innerText();

describe.skipIf(!HAS_CHROMIUM)('web page: first use (scripted API)', () => {
  const browser = useBrowser();

  async function open(name: string, options: Parameters<typeof startFakeApi>[0] = {}) {
    const api = await startFakeApi(options);
    browser.afterTest(() => api.close());
    const session = await browser.newPage();
    await session.page.goto(api.url);
    return { ...session, api, shot: () => screenshot(session.page, name) };
  }
  async function choose(page: Page) {
    await page.setInputFiles('#file-input', JFK_WAV);
    await page.locator('#file-name', { hasText: 'jfk.wav' }).waitFor();
  }

  it('offers what an English-only model can do, and sends word timestamps as the box says', async () => {
    const { page, api, shot, consoleErrors } = await open('first-use-options-english');
    await page.click('#options summary');
    // English-only model: English or detection, no translation; no diarization models: the hint says how.
    await page.waitForFunction(() => document.querySelectorAll('#opt-language option').length === 2);
    expect(await page.locator('#opt-language option').allInnerTexts()).toEqual(['Detect automatically', 'English (en)']);
    expect(await page.locator('#task-field').isHidden()).toBe(true);
    expect(await page.locator('#opt-diarize').isDisabled()).toBe(true);
    expect(await text(page, '#speakers-hint')).toContain('npm run models:download -- diarization');
    // The box starts ticked, as the server's default is on, and the field is always sent.
    expect(await page.locator('#opt-words').isChecked()).toBe(true);
    await choose(page);
    await page.click('#submit-button');
    expect((await api.created(1)).fields.word_timestamps).toBe('true');
    await shot();
    await page.locator('#file-name', { hasText: 'No file chosen' }).waitFor();
    await page.uncheck('#opt-words');
    await choose(page);
    await page.click('#submit-button');
    expect((await api.created(2)).fields.word_timestamps).toBe('false');
    expect(consoleErrors).toEqual([]);
  });

  it('offers every language, translation, speakers and the further options of a multilingual model', async () => {
    const { page, api, shot } = await open('first-use-options-speakers', { ready: { model: { name: 'ggml-base.bin', multilingual: true }, diarization: { available: true } } });
    await page.click('#options summary');
    await page.waitForFunction(() => document.querySelectorAll('#opt-language option').length > 90);
    expect(await page.locator('#task-field').isVisible()).toBe(true);
    await page.selectOption('#opt-language', 'de');
    await page.selectOption('#opt-task', 'translate');
    expect(await page.locator('#opt-num-speakers').isDisabled()).toBe(true);
    await page.check('#opt-diarize');
    await page.fill('#opt-num-speakers', '3');
    await page.click('.more-options summary');
    await page.check('#opt-vad');
    await page.fill('#opt-prompt', 'Zoë, Łódź');
    await page.fill('#opt-temperature', '0.2');
    await shot();
    await choose(page);
    await page.click('#submit-button');
    expect((await api.created()).fields).toEqual({
      language: 'de', task: 'translate', word_timestamps: 'true', vad: 'true', initial_prompt: 'Zoë, Łódź', temperature: '0.2', diarize: 'true', num_speakers: '3',
    });
  });

  it('shows a refused request on the form and keeps the chosen file', async () => {
    const { page, api, shot } = await open('first-use-refused');
    api.refuseUploads({ status: 415, code: 'UNSUPPORTED_MEDIA', message: 'The file is not audio or video that can be transcribed.' });
    await choose(page);
    await page.click('#submit-button');
    await page.locator('#form-error', { hasText: 'not audio or video' }).waitFor();
    expect(await text(page, '#file-name')).toContain('jfk.wav');
    expect(await page.locator('#submit-button').isEnabled()).toBe(true);
    expect(await page.locator('#task-panel').isHidden()).toBe(true);
    await shot();
    api.refuseUploads(null);
    await page.click('#submit-button');
    await api.created();
    await page.locator('#form-error').waitFor({ state: 'hidden' });
    await page.locator('#task-panel').waitFor();
  });

  it('shows the stage, its own progress and the time left, then the result facts, speakers in colour and a copy button', async () => {
    const { page, api, shot, context } = await open('first-use-progress-result');
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: api.url });
    await choose(page);
    await page.click('#submit-button');
    const task = await api.created();
    await page.locator('#connection', { hasText: 'Live updates connected' }).waitFor();
    api.live(task.id, { stage_progress: 63, eta_seconds: 20 });
    api.progress(task.id, 'transcribing', 28);
    await page.locator('#stage-info', { hasText: 'Transcribing: 63 % of this step' }).waitFor();
    expect(await text(page, '#stage-info')).toContain('about 20 s left');
    expect(await page.locator('#progress').getAttribute('aria-valuenow')).toBe('28');
    await screenshot(page, 'first-use-progress-running');

    api.live(task.id, {});
    api.segment(task.id, { id: 0, start: 0, end: 2.5, text: ' And so my fellow Americans', speaker: 'SPEAKER_00' });
    api.segment(task.id, { id: 1, start: 2.5, end: 5, text: ' ask not', speaker: 'SPEAKER_01' });
    task.result = { language: 'en', duration: 11, model: 'ggml-base.en.bin', timings: { total_ms: 3200 }, speakers: [{ id: 'SPEAKER_00', speaking_time: 2.5 }, { id: 'SPEAKER_01', speaking_time: 2.5 }] };
    api.progress(task.id, 'complete', 100);
    await page.locator('#result-meta').waitFor();
    const facts = await text(page, '#result-meta');
    for (const fact of ['English (en)', '11.0 s', 'ggml-base.en.bin', '3.2 s']) expect(facts).toContain(fact);
    await page.locator('#speaker-list li', { hasText: 'SPEAKER_01' }).waitFor();
    const colours = await page.locator('#segments .segment-speaker').evaluateAll((els) => els.map((e) => getComputedStyle(e).color));
    expect(colours).toHaveLength(2);
    expect(colours[0]).not.toBe(colours[1]);
    await page.click('#copy-button');
    await page.locator('#copy-button', { hasText: 'Copied' }).waitFor();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe('SPEAKER_00: And so my fellow Americans\nSPEAKER_01: ask not');
    await shot();
  });

  it('tries a failed task again with the same file and options', async () => {
    const { page, api, shot } = await open('first-use-retry');
    await page.click('#options summary');
    await page.uncheck('#opt-words');
    await choose(page);
    await page.click('#submit-button');
    const task = await api.created();
    await page.locator('#connection', { hasText: 'Live updates connected' }).waitFor();
    api.fail(task.id, { error_code: 'WORKER_CRASHED', user_message: 'The transcription worker stopped unexpectedly.', technical_detail: 'SIGSEGV' });
    await page.locator('#retry-button').waitFor();
    await shot();
    await page.click('#retry-button');
    const again = await api.created(2);
    expect(again.fields).toEqual(task.fields);
    expect(again.fileName).toBe('jfk.wav');
    await page.waitForFunction((id) => location.search === `?task=${id}`, again.id);
  });

  it('pages through recent tasks and filters them by status', async () => {
    const { page, api, shot } = await open('first-use-recent');
    for (let i = 0; i < 12; i++) {
      const id = `seed-${i}`;
      const failed = i % 4 === 0;
      const seeded: FakeTask = {
        id, status: failed ? 'failed' : 'completed', stage: failed ? 'transcribing' : 'complete', percentage: failed ? 20 : 100, fileName: `talk-${i}.wav`,
        mediaPath: null, segments: [], error: failed ? { error_code: 'AUDIO_DECODE_FAILED', user_message: 'bad', technical_detail: '' } : null,
        queue: null, createdAt: new Date(Date.UTC(2026, 0, 1, 0, i)).toISOString(), fields: {}, live: {}, result: {},
      };
      api.tasks.set(id, seeded);
    }
    await page.click('#refresh-button');
    await page.locator('#recent-range', { hasText: '1–10 of 12' }).waitFor();
    expect(await page.locator('#recent-list li').count()).toBe(10);
    expect(await page.locator('#recent-list li').first().innerText()).toContain('talk-11.wav'); // newest first
    await page.click('#recent-next');
    await page.locator('#recent-range', { hasText: '11–12 of 12' }).waitFor();
    expect(await page.locator('#recent-next').isDisabled()).toBe(true);
    await page.selectOption('#recent-filter', 'failed');
    await page.locator('#recent-range', { hasText: '1–3 of 3' }).waitFor();
    expect(await page.locator('#recent-list li').allInnerTexts()).toEqual([expect.stringContaining('talk-8.wav'), expect.stringContaining('talk-4.wav'), expect.stringContaining('talk-0.wav')]);
    await shot();
  });
});
