import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Webhook } from 'standardwebhooks';
import { afterEach, describe, expect, it } from 'vitest';
import type { WebhookPayload } from '../../src/webhooks/webhook-events.ts';
import { createFakeTranscriber } from '../helpers/fake-transcriber.ts';
import { JFK_WAV } from '../helpers/paths.ts';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';
import { accepted, startReceiver, type Receiver } from './receiver.ts';

const SECRET = `whsec_${randomBytes(32).toString('base64')}`;
const ENV = { WEBHOOK_SECRET: SECRET, URL_FETCH_ALLOW_HOSTS: '127.0.0.1', WEBHOOK_RETRY_BASE_MS: '20', WEBHOOK_TIMEOUT_MS: '400', WEBHOOK_MAX_ATTEMPTS: '5' };

async function submit(server: TestServer, fields: Record<string, string> = {}): Promise<Response> {
  const form = new FormData();
  form.append('file', new Blob([readFileSync(JFK_WAV)], { type: 'audio/wav' }), 'jfk.wav');
  for (const [name, value] of Object.entries(fields)) form.append(name, value);
  return fetch(`${server.url}/tasks`, { method: 'POST', body: form });
}

/** The metrics text once it matches `ready`: an outcome is recorded just after the receiver answered. */
async function metricsOnce(server: TestServer, ready: RegExp): Promise<string> {
  for (const end = Date.now() + 30_000; ; await new Promise((r) => setTimeout(r, 50))) {
    const text = await (await fetch(`${server.url}/metrics`)).text();
    if (ready.test(text) || Date.now() > end) return text;
  }
}

interface Delivery { id: string; event: string; status: string; attempts: number; last_status_code: number | null; log: Array<{ status_code: number | null; error: string | null }> }

describe('webhooks', () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  const start = async (env: Record<string, string>) => {
    const engine = createFakeTranscriber({ stepMs: 2 });
    const server = await startTestServer({ engine, env });
    cleanups.push(() => server.close());
    return server;
  };
  const receiver = async () => {
    const r = await startReceiver();
    cleanups.push(() => r.close());
    return r;
  };

  it('signs every event, retries refusals and timeouts with the same webhook-id, and keeps the stage order', async () => {
    const hook: Receiver = await receiver();
    // First attempt of each event: 500; the second attempt of the last event: no answer (timeout); then 200.
    hook.decide = (request, attempt) => {
      if (attempt === 1) return 500;
      return attempt === 2 && request.body.includes('"task.completed"') ? 'hang' : 200;
    };
    const server = await start(ENV);
    const response = await submit(server, { callback_url: hook.url });
    expect(response.status).toBe(202);
    const { identifier } = (await response.json()) as { identifier: string };
    await hook.waitFor((got) => accepted(got).some((a) => a.type === 'task.completed'));

    const verifier = new Webhook(SECRET);
    for (const request of hook.received) {
      expect(request.headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
      const payload = verifier.verify(request.body, request.headers) as WebhookPayload;
      expect(payload.data.id).toBe(identifier);
    }
    expect(() => new Webhook(`whsec_${randomBytes(32).toString('base64')}`).verify(hook.received[0]!.body, hook.received[0]!.headers)).toThrow();

    const events = accepted(hook.received);
    expect(events.map((e) => e.type)).toEqual(['task.progress', 'task.progress', 'task.completed']);
    const stages = events.map((e) => (JSON.parse(hook.received.find((r) => r.id === e.id)!.body) as WebhookPayload).data.stage);
    expect(stages).toEqual(['transcribing', 'aligning', 'complete']);
    // Every event was tried until it went through, always under its own id, before the next one was sent.
    const order = hook.received.map((r) => r.id);
    expect(order).toEqual([events[0]!.id, events[0]!.id, events[1]!.id, events[1]!.id, events[2]!.id, events[2]!.id, events[2]!.id]);
    expect(hook.received.map((r) => r.answer)).toEqual([500, 200, 500, 200, 500, 'hang', 200]);

    const log = (await (await fetch(`${server.url}/tasks/${identifier}/webhooks`)).json()) as { enabled: boolean; items: Delivery[] };
    expect(log.enabled).toBe(true);
    expect(log.items.map((d) => [d.event, d.status, d.attempts])).toEqual([['task.progress', 'delivered', 2], ['task.progress', 'delivered', 2], ['task.completed', 'delivered', 3]]);
    expect(log.items[2]!.log.map((a) => a.status_code)).toEqual([500, null, 200]);
    expect(log.items[2]!.log[1]!.error).toMatch(/timed out after 400 ms/);

    const redelivered = await fetch(`${server.url}/tasks/${identifier}/webhooks/${events[0]!.id}/redeliver`, { method: 'POST' });
    expect(redelivered.status).toBe(202);
    await hook.waitFor((got) => got.length === 8);
    expect(hook.received[7]!.id).toBe(events[0]!.id);
    expect((await fetch(`${server.url}/tasks/${identifier}/webhooks/msg_nope/redeliver`, { method: 'POST' })).status).toBe(404);

    const metrics = await metricsOnce(server, /whisper_webhook_deliveries_total\{outcome="delivered"\} 4/);
    expect(metrics).toMatch(/whisper_webhook_deliveries_total\{outcome="delivered"\} 4/);
    expect(metrics).toMatch(/whisper_webhook_deliveries_total\{outcome="retrying"\} 4/);
    expect(metrics).toMatch(/whisper_webhook_pending 0/);
  });

  it('sends every task to WEBHOOK_URL, gives up after WEBHOOK_MAX_ATTEMPTS and then goes on with the next event', async () => {
    const hook = await receiver();
    hook.decide = (request) => (request.body.includes('"transcribing"') ? 503 : 200);
    const server = await start({ ...ENV, WEBHOOK_URL: hook.url, WEBHOOK_MAX_ATTEMPTS: '2' });
    const { identifier } = (await (await submit(server)).json()) as { identifier: string };
    await hook.waitFor((got) => accepted(got).some((a) => a.type === 'task.completed'));
    const log = (await (await fetch(`${server.url}/tasks/${identifier}/webhooks`)).json()) as { items: Delivery[] };
    expect(log.items.map((d) => [d.event, d.status, d.attempts, d.last_status_code])).toEqual([
      ['task.progress', 'failed', 2, 503], ['task.progress', 'delivered', 1, 200], ['task.completed', 'delivered', 1, 200],
    ]);
    const metrics = await metricsOnce(server, /whisper_webhook_deliveries_total\{outcome="delivered"\} 2/);
    expect(metrics).toMatch(/whisper_webhook_deliveries_total\{outcome="failed"\} 1/);
  });

  it('refuses callback URLs that the URL-ingestion policy refuses, and callback_url while webhooks are off', async () => {
    const hook = await receiver();
    const strict = await start({ WEBHOOK_SECRET: SECRET });
    const forbidden = await submit(strict, { callback_url: hook.url });
    expect(forbidden.status).toBe(422);
    expect(((await forbidden.json()) as { error: { code: string; message: string } }).error).toMatchObject({ code: 'CALLBACK_URL_FORBIDDEN', message: expect.stringMatching(/loopback/) });
    const metadata = await submit(strict, { callback_url: 'http://169.254.169.254/latest' });
    expect(((await metadata.json()) as { error: { code: string } }).error.code).toBe('CALLBACK_URL_FORBIDDEN');
    const scheme = await submit(strict, { callback_url: 'ftp://example.com/x' });
    expect(scheme.status).toBe(400);
    expect(((await scheme.json()) as { error: { code: string } }).error.code).toBe('CALLBACK_URL_INVALID');
    const byUrl = await fetch(`${strict.url}/tasks`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ url: 'https://example.com/a.wav', callback_url: 'http://10.0.0.1/x' }),
    });
    expect(((await byUrl.json()) as { error: { code: string } }).error.code).toBe('CALLBACK_URL_FORBIDDEN');
    expect(((await (await fetch(`${strict.url}/tasks?limit=5`)).json()) as { total: number }).total).toBe(0);

    const off = await start({});
    const refused = await submit(off, { callback_url: 'https://example.com/hook' });
    expect(refused.status).toBe(422);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('WEBHOOKS_DISABLED');
    const plain = (await (await submit(off)).json()) as { identifier: string };
    expect(await (await fetch(`${off.url}/tasks/${plain.identifier}/webhooks`)).json()).toEqual({ enabled: false, items: [] });
    expect((await fetch(`${off.url}/tasks/nope/webhooks`)).status).toBe(404);
  });
});
