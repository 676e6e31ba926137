// The page's model choice (issue 12, a model per request) against the scripted API: offered only when
// the server serves more than one model (GET /v1/models), the default sent as nothing, another model
// sent in the form's `model` field, and the other options following the chosen model.
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { JFK_WAV } from '../helpers/paths.ts';
import { HAS_CHROMIUM, screenshot, useBrowser } from './browser.ts';
import { startFakeApi, type FakeApi } from './fake-api.ts';

const languageCount = (page: Page) => page.locator('#opt-language option').count();

describe.skipIf(!HAS_CHROMIUM)('web page: model choice (scripted API)', () => {
  const browser = useBrowser();

  async function open(options: Parameters<typeof startFakeApi>[0]) {
    const api = await startFakeApi(options);
    browser.afterTest(() => api.close());
    const session = await browser.newPage();
    await session.page.goto(api.url);
    await session.page.click('#options summary');
    return { ...session, api };
  }
  async function send(page: Page, fake: FakeApi, n: number) {
    await page.setInputFiles('#file-input', JFK_WAV);
    await page.locator('#file-name', { hasText: 'jfk.wav' }).waitFor();
    await page.click('#submit-button');
    const task = await fake.created(n);
    await page.locator('#file-name', { hasText: 'No file chosen' }).waitFor();
    return task;
  }

  it('offers the served models, sends the chosen one, and the options follow it', async () => {
    const { page, api, consoleErrors } = await open({ ready: { model: { name: 'ggml-base.en.bin', multilingual: false } }, models: ['base.en', 'tiny', 'small.en-q5_1'] });
    await page.locator('#model-field[data-models="3"]').waitFor();
    expect(await page.locator('#model-field').isVisible()).toBe(true);
    expect(await page.locator('#model-hint').isVisible()).toBe(true);
    expect(await page.locator('#opt-model option').allInnerTexts()).toEqual(['base.en (default)', 'tiny', 'small.en-q5_1']);
    // The default (English-only) rules the options until another model is picked.
    await page.waitForFunction(() => document.querySelectorAll('#opt-language option').length === 2);
    expect(await page.locator('#task-field').isHidden()).toBe(true);
    // The default is sent as nothing, so WHISPER_MODEL decides.
    expect((await send(page, api, 1)).fields).not.toHaveProperty('model');

    // A multilingual model: every language and translation.
    await page.selectOption('#opt-model', 'tiny');
    expect(await languageCount(page)).toBeGreaterThan(90);
    expect(await page.locator('#task-field').isVisible()).toBe(true);
    await page.selectOption('#opt-language', 'de');
    await page.selectOption('#opt-task', 'translate');
    await screenshot(page, 'models-choice-multilingual');
    const fields = (await send(page, api, 2)).fields;
    expect(fields).toMatchObject({ model: 'tiny', language: 'de', task: 'translate' });

    // Another English-only model: English or detection again, translation hidden and reset.
    await page.selectOption('#opt-model', 'small.en-q5_1');
    expect(await languageCount(page)).toBe(2);
    expect(await page.locator('#task-field').isHidden()).toBe(true);
    const third = (await send(page, api, 3)).fields;
    expect(third.model).toBe('small.en-q5_1');
    expect(third).not.toHaveProperty('task');
    expect(third).not.toHaveProperty('language');
    expect(api.requests).toContain('GET /v1/models');
    expect(consoleErrors).toEqual([]);
  });

  it('keeps the choice hidden while one model is served, and sends no model', async () => {
    const { page, api } = await open({ ready: { model: { name: 'ggml-base.bin', multilingual: true } } });
    await page.locator('#model-field[data-models="1"]').waitFor({ state: 'attached' });
    expect(await page.locator('#model-field').isHidden()).toBe(true);
    expect(await page.locator('#model-hint').isHidden()).toBe(true);
    await screenshot(page, 'models-choice-single');
    expect((await send(page, api, 1)).fields).not.toHaveProperty('model');
  });
});
