import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.ts';
import { createIdempotencyStore } from '../../src/db/idempotency-store.ts';
import type { DatabaseHandle } from '../../src/db/database.ts';
import { createTaskStore } from '../../src/db/task-store.ts';
import { createAddressPolicy } from '../../src/net/ip-policy.ts';
import { MAX_RETRY_DELAY_MS, retryDelayMs } from '../../src/webhooks/retry-delay.ts';
import { createWebhookDispatcher } from '../../src/webhooks/webhook-dispatcher.ts';
import { withWebhookOutbox } from '../../src/webhooks/webhook-outbox.ts';
import { sendWebhook } from '../../src/webhooks/webhook-sender.ts';
import { memoryDatabase, newTask } from '../db/store-fixtures.ts';
import { testEngines } from '../helpers/db-engines.ts';

describe('retryDelayMs', () => {
  it('doubles per failed attempt, keeps between half and all of it, and stops growing at an hour', () => {
    expect([1, 2, 3, 4].map((n) => retryDelayMs(n, 1000, () => 0))).toEqual([500, 1000, 2000, 4000]);
    expect([1, 2, 3, 4].map((n) => retryDelayMs(n, 1000, () => 1))).toEqual([1000, 2000, 4000, 8000]);
    expect(retryDelayMs(3, 1000, () => 0.5)).toBe(3000);
    expect(retryDelayMs(40, 1000, () => 1)).toBe(MAX_RETRY_DELAY_MS);
  });
});

describe('sendWebhook', () => {
  let server: http.Server;
  let url: string;
  let hits = 0;
  beforeEach(async () => {
    hits = 0;
    server = http.createServer((req, res) => {
      hits++;
      if (req.url === '/moved') return void res.writeHead(302, { location: '/hook' }).end();
      res.writeHead(204).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterEach(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('posts to an allowed address and reports a 2xx as delivered', async () => {
    const outcome = await sendWebhook(`${url}/hook`, '{}', { 'webhook-id': 'msg_1' }, { policy: createAddressPolicy(['127.0.0.1']), timeoutMs: 5000 });
    expect(outcome).toMatchObject({ ok: true, status: 204, error: null });
  });

  it('checks the policy again at delivery: a name that now resolves to loopback is refused without connecting', async () => {
    const port = new URL(url).port;
    const outcome = await sendWebhook(`http://hooks.example.com:${port}/hook`, '{}', {}, {
      policy: createAddressPolicy([]), timeoutMs: 5000, resolve: async () => [{ address: '127.0.0.1', family: 4 }],
    });
    expect(outcome.ok).toBe(false);
    expect(outcome.error).toMatch(/CALLBACK_URL_FORBIDDEN.*loopback/);
    expect(hits).toBe(0);
  });

  it('does not follow redirects', async () => {
    const outcome = await sendWebhook(`${url}/moved`, '{}', {}, { policy: createAddressPolicy(['127.0.0.1']), timeoutMs: 5000 });
    expect(outcome).toMatchObject({ ok: false, status: 302, error: 'HTTP 302' });
    expect(hits).toBe(1);
  });
});

describe.each(testEngines())('createIdempotencyStore on $name', ({ open }) => {
  let h: DatabaseHandle;
  beforeEach(async () => {
    h = await open();
    const tasks = createTaskStore(h);
    await tasks.insert(newTask('t1', '2030-01-01T00:00:00Z'));
    await tasks.insert(newTask('t2', '2030-01-01T00:00:00Z'));
  });
  afterEach(async () => h.close());

  it('forgets a key once its window has passed, keeps scopes apart, and drops keys of deleted tasks', async () => {
    let now = 1_000_000;
    const store = createIdempotencyStore(h, 60_000, () => now);
    await store.save('a', 'k', { fingerprint: 'f1', taskId: 't1' });
    await store.save('b', 'k', { fingerprint: 'f2', taskId: 't2' });
    expect(await store.find('a', 'k')).toEqual({ fingerprint: 'f1', taskId: 't1' });
    expect(await store.find('b', 'k')).toEqual({ fingerprint: 'f2', taskId: 't2' });
    now += 59_999;
    expect(await store.find('a', 'k')).toBeDefined();
    now += 1;
    expect(await store.find('a', 'k')).toBeUndefined();
    // A live record keeps its key: a second save (another node's duplicate) gets the holder back.
    expect(await store.save('c', 'k', { fingerprint: 'f3', taskId: 't1' })).toEqual({ fingerprint: 'f3', taskId: 't1' });
    expect(await store.save('c', 'k', { fingerprint: 'f4', taskId: 't2' })).toEqual({ fingerprint: 'f3', taskId: 't1' });
    expect(await store.find('c', 'k')).toEqual({ fingerprint: 'f3', taskId: 't1' });
    await createTaskStore(h).remove('t1');
    expect(await store.find('c', 'k')).toBeUndefined();
    await store.save('d', 'k', { fingerprint: 'f5', taskId: 't2' });
    now += 60_000; // expired, and not yet swept by a find: the next save takes the key over
    expect(await store.save('d', 'k', { fingerprint: 'f6', taskId: 't2' })).toEqual({ fingerprint: 'f6', taskId: 't2' });
  });
});

describe('webhook settings', () => {
  const secret = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;
  it('takes a whsec_ secret and refuses a malformed one, and WEBHOOK_URL without a secret', () => {
    expect(loadConfig({ WEBHOOK_SECRET: secret, WEBHOOK_URL: 'https://hooks.example.com/x' })).toMatchObject({
      WEBHOOK_SECRET: secret, WEBHOOK_RETRY_BASE_MS: 5000, WEBHOOK_MAX_ATTEMPTS: 10, WEBHOOK_TIMEOUT_MS: 10_000, IDEMPOTENCY_TTL_HOURS: 24,
    });
    expect(() => loadConfig({ WEBHOOK_SECRET: 'not-a-secret' })).toThrow(ConfigError);
    expect(() => loadConfig({ WEBHOOK_SECRET: `whsec_${Buffer.alloc(8).toString('base64')}` })).toThrow(/24 to 64/);
    expect(() => loadConfig({ WEBHOOK_URL: 'https://hooks.example.com/x' })).toThrow(/WEBHOOK_SECRET/);
    expect(() => loadConfig({ WEBHOOK_SECRET: secret, WEBHOOK_URL: 'ftp://x' })).toThrow(/WEBHOOK_URL/);
  });
});

describe('createWebhookDispatcher', () => {
  it('does not send a delivery again at once when its outcome cannot be written', async () => {
    const h = await memoryDatabase();
    const errors: string[] = [];
    let sends = 0;
    const dispatcher = createWebhookDispatcher({
      h, secret: `whsec_${Buffer.alloc(32, 3).toString('base64')}`, baseDelayMs: 10, maxAttempts: 3,
      send: async () => {
        sends++;
        return { ok: true, status: 200, error: null, durationMs: 1 };
      },
      logger: { debug() {}, info() {}, warn() {}, error: (_fields, message) => void errors.push(message) },
    });
    const store = withWebhookOutbox(createTaskStore(h), h, { globalUrl: 'https://hooks.example.com/x', onQueued: () => dispatcher.wake() });
    await h.db.schema.dropTable('webhook_attempts').execute(); // recording any attempt now fails; the delivery stays pending
    dispatcher.start();
    await store.insert(newTask('a', '2030-01-01T00:00:00Z'));
    await store.update('a', { status: 'failed' });
    await new Promise((r) => setTimeout(r, 300));
    expect(sends).toBe(1);
    expect(errors).toEqual(['webhook attempt failed unexpectedly; trying again later']);
    await dispatcher.stop();
    await h.close();
  });
});
