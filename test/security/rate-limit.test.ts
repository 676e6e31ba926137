import { describe, expect, it } from 'vitest';
import { ownerIdOf } from '../../src/auth/api-keys.ts';
import { createRateLimiter } from '../../src/http/middleware/rate-limit.ts';
import { buildTestApp, type TestApp } from '../http/test-app.ts';

const KEY_A = 'key-a-0123456789abcdef';
const KEY_B = 'key-b-0123456789abcdef';

describe('createRateLimiter', () => {
  it('allows a burst of perMinute, then refuses with the seconds until the next token', () => {
    let now = 0;
    const limiter = createRateLimiter(6, () => now); // one token every 10 s
    for (let i = 0; i < 6; i++) expect(limiter.take('a').ok).toBe(true);
    expect(limiter.take('a')).toEqual({ ok: false, retryAfterSeconds: 10 });
    now += 4_000;
    expect(limiter.take('a')).toEqual({ ok: false, retryAfterSeconds: 6 });
    now += 6_000;
    expect(limiter.take('a').ok).toBe(true);
    expect(limiter.take('a').ok).toBe(false);
    expect(limiter.take('b').ok).toBe(true); // buckets are per client
  });

  it('is off at 0', () => {
    const limiter = createRateLimiter(0);
    for (let i = 0; i < 1000; i++) expect(limiter.take('a').ok).toBe(true);
    expect(limiter.size()).toBe(0);
  });

  it('forgets refilled buckets, so memory follows active clients', () => {
    let now = 0;
    const limiter = createRateLimiter(60, () => now);
    for (let i = 0; i < 500; i++) limiter.take(`client-${i}`);
    expect(limiter.size()).toBe(500);
    now += 61_000;
    limiter.take('late');
    expect(limiter.size()).toBe(1);
  });

  it('never holds more than its cap of buckets, dropping the least recently used', () => {
    let now = 0;
    const limiter = createRateLimiter(1, () => now);
    for (let i = 0; i < 10_050; i++) {
      now += 1; // too little time for any bucket to refill
      limiter.take(`client-${i}`);
    }
    expect(limiter.size()).toBeLessThanOrEqual(10_000);
    expect(limiter.take('client-10049').ok).toBe(false); // the recent ones are still remembered
  });
});

describe('rate limit middleware', () => {
  const env = (ip: string, forwarded?: string) => ({ incoming: { socket: { remoteAddress: ip }, headers: {} } as never, forwarded });
  const post = (t: TestApp, path: string, headers: Record<string, string> = {}, ip = '10.0.0.1') =>
    t.app.request(path, { method: 'POST', headers }, env(ip));

  it('answers 429 RATE_LIMITED with Retry-After once a key has used its tokens; other keys and reads go on', async () => {
    const t = await buildTestApp({ API_KEYS: `${KEY_A},${KEY_B}`, RATE_LIMIT_PER_MINUTE: '3' });
    const auth = (key: string) => ({ Authorization: `Bearer ${key}` });
    const task = { id: await t.submit({}, { headers: auth(KEY_A) }) }; // the first of KEY_A's three
    expect((await t.tasks.get(task.id))?.owner).toBe(ownerIdOf(KEY_A));
    const statuses = [];
    for (let i = 0; i < 2; i++) statuses.push((await post(t, '/tasks/nope/cancel', auth(KEY_A))).status);
    expect(statuses).toEqual([404, 404]);
    const limited = await post(t, '/tasks/nope/cancel', auth(KEY_A));
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(((await limited.json()) as any).error).toMatchObject({ code: 'RATE_LIMITED', details: { limit_per_minute: 3 } });
    // Another key from the same address has its own bucket; reads are never limited.
    expect((await post(t, '/tasks/nope/cancel', auth(KEY_B))).status).toBe(404);
    expect((await t.app.request(`/tasks/${task.id}`, { headers: auth(KEY_A) })).status).toBe(200);
    const v1 = await post(t, '/v1/audio/transcriptions', auth(KEY_A));
    expect(v1.status).toBe(429);
    expect(((await v1.json()) as any).error).toMatchObject({ type: 'rate_limit_error', code: 'rate_limit_exceeded' });
  });

  it('counts per address when keys are off, trusting X-Forwarded-For only behind TRUST_PROXY', async () => {
    const direct = await buildTestApp({ RATE_LIMIT_PER_MINUTE: '1' });
    expect((await post(direct, '/tasks/x/cancel', {}, '10.0.0.1')).status).toBe(404);
    // A forged header changes nothing without TRUST_PROXY.
    expect((await post(direct, '/tasks/x/cancel', { 'X-Forwarded-For': '1.2.3.4' }, '10.0.0.1')).status).toBe(429);
    expect((await post(direct, '/tasks/x/cancel', {}, '10.0.0.2')).status).toBe(404);

    const proxied = await buildTestApp({ RATE_LIMIT_PER_MINUTE: '1', TRUST_PROXY: 'true' });
    const via = (chain: string) => post(proxied, '/tasks/x/cancel', { 'X-Forwarded-For': chain }, '10.9.9.9');
    expect((await via('203.0.113.5')).status).toBe(404);
    expect((await via('203.0.113.6')).status).toBe(404);
    // What the client put first is not trusted; the entry the proxy appended is.
    expect((await via('198.51.100.1, 203.0.113.5')).status).toBe(429);
  });

  it('slows down key guessing: failed attempts spend the address\'s tokens', async () => {
    const t = await buildTestApp({ API_KEYS: KEY_A, RATE_LIMIT_PER_MINUTE: '2' });
    const guess = () => t.app.request('/tasks', { headers: { Authorization: 'Bearer guess-0123456789abcdef' } }, env('10.0.0.7'));
    expect((await guess()).status).toBe(401);
    expect((await guess()).status).toBe(401);
    expect((await guess()).status).toBe(429);
    // The right key still works from elsewhere.
    expect((await t.app.request('/tasks', { headers: { Authorization: `Bearer ${KEY_A}` } }, env('10.0.0.8'))).status).toBe(200);
  });

  it('is off with RATE_LIMIT_PER_MINUTE=0', async () => {
    const t = await buildTestApp({ RATE_LIMIT_PER_MINUTE: '0' });
    for (let i = 0; i < 200; i++) expect((await post(t, '/tasks/x/cancel')).status).toBe(404);
  });
});
