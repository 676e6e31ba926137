import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ownerIdOf } from '../../src/auth/api-keys.ts';
import { isPublicPath } from '../../src/http/middleware/auth.ts';
import { JFK_WAV } from '../helpers/paths.ts';
import { connect, startMiniServer } from '../ws/mini-server.ts';
import { buildTestApp, type TestApp } from './test-app.ts';

const KEY_A = 'key-a-0123456789abcdef';
const KEY_B = 'key-b-0123456789abcdef';
const KEYS = { API_KEYS: `${KEY_A},${KEY_B}` };
const wav = readFileSync(JFK_WAV);
const bearer = (key: string) => ({ Authorization: `Bearer ${key}` });

function upload(name = 'jfk.wav') {
  const body = new FormData();
  body.append('file', new Blob([new Uint8Array(wav)]), name);
  return body;
}

/** Every route the app registered, with its parameters filled in. */
function concreteRoutes(t: TestApp, id: string) {
  return t.app.routes
    .filter((r) => r.method !== 'ALL' && !r.path.includes('*'))
    .map((r) => ({ method: r.method, path: r.path.replace(':id', id).replace(':name', 'app.js') }));
}

let mini: Awaited<ReturnType<typeof startMiniServer>> | undefined;
afterEach(async () => {
  await mini?.close();
  mini = undefined;
});

describe('API keys over HTTP', () => {
  it('answers 401 with WWW-Authenticate on every non-public route without a valid key', async () => {
    const t = await buildTestApp(KEYS, { start: false }); // the task stays queued: any change would show
    const task = { id: await t.submit({}, { headers: bearer(KEY_A) }) };
    const routes = concreteRoutes(t, task.id).filter((r) => !isPublicPath(r.path));
    expect(routes.length).toBeGreaterThan(10);
    for (const headers of [{}, bearer('wrong-key-0123456789'), { Authorization: `Basic ${KEY_A}` }, { Authorization: 'Bearer' }, { Authorization: `Bearer ${KEY_A} extra` }]) {
      for (const route of routes) {
        const res = await t.app.request(route.path, { method: route.method, headers });
        expect(res.status, `${route.method} ${route.path} ${JSON.stringify(headers)}`).toBe(401);
        expect(res.headers.get('www-authenticate')).toMatch(/^Bearer realm=/);
        const body = (await res.json()) as Record<string, any>;
        if (route.path.startsWith('/v1/')) expect(body.error).toMatchObject({ type: 'authentication_error', code: 'invalid_api_key' });
        else expect(body.error.code).toBe('UNAUTHORIZED');
      }
    }
    expect((await t.tasks.get(task.id))?.status).toBe('queued'); // nothing was cancelled or deleted
  });

  it('serves health, the page, its assets and the API description without a key', async () => {
    const t = await buildTestApp(KEYS);
    for (const p of ['/health/live', '/health/ready', '/openapi.json', '/docs', '/', '/assets/app.js']) {
      const res = await t.app.request(p);
      expect(res.status, p).not.toBe(401);
    }
  });

  it('lets a valid key through, and takes ?token= only on the WebSocket path', async () => {
    const t = await buildTestApp(KEYS);
    expect((await t.app.request('/tasks', { headers: bearer(KEY_A) })).status).toBe(200);
    expect((await t.app.request('/tasks', { headers: { Authorization: `bearer\t${KEY_B}` } })).status).toBe(200);
    expect((await t.app.request(`/tasks?token=${KEY_A}`)).status).toBe(401);
    expect((await t.app.request('/metrics', { headers: bearer(KEY_A) })).status).toBe(200);
  });

  it('refuses an upload without a key before storing any of it', async () => {
    const t = await buildTestApp(KEYS);
    const res = await t.app.request('/tasks', { method: 'POST', body: upload() });
    expect(res.status).toBe(401);
    const dir = path.join(t.config.DATA_DIR, 'uploads');
    expect(existsSync(dir) ? readdirSync(dir) : []).toEqual([]);
  });

  it('records the key owner id (never the key) and hides a task from every other key', async () => {
    const t = await buildTestApp(KEYS);
    const created = await t.app.request('/tasks', { method: 'POST', body: upload(), headers: bearer(KEY_A) });
    expect(created.status).toBe(202);
    const { identifier: id } = (await created.json()) as { identifier: string };
    const record = (await t.tasks.get(id))!;
    expect(record.owner).toBe(ownerIdOf(KEY_A));
    expect(JSON.stringify(record)).not.toContain(KEY_A);
    (await t.jobOf(id)).succeed();
    await t.settled(id, 'completed');

    for (const [method, p] of [['GET', `/tasks/${id}`], ['GET', `/tasks/${id}/progress`], ['GET', `/tasks/${id}/result`], ['GET', `/tasks/${id}/media`], ['POST', `/tasks/${id}/cancel`], ['DELETE', `/tasks/${id}`]]) {
      const other = await t.app.request(p!, { method, headers: bearer(KEY_B) });
      expect(other.status, `${method} ${p}`).toBe(404);
      const unknown = await t.app.request(p!.replace(id, '00000000-0000-4000-8000-000000000000'), { method, headers: bearer(KEY_B) });
      expect(unknown.status).toBe(404);
    }
    expect((await t.tasks.get(id))?.status).toBe('completed');
    const listB = (await (await t.app.request('/tasks', { headers: bearer(KEY_B) })).json()) as { items: unknown[]; total: number };
    expect(listB).toMatchObject({ items: [], total: 0 });
    const listA = (await (await t.app.request('/tasks', { headers: bearer(KEY_A) })).json()) as { items: Array<{ identifier: string }> };
    expect(listA.items.map((i) => i.identifier)).toEqual([id]);
    expect((await t.app.request(`/tasks/${id}/result`, { headers: bearer(KEY_A) })).status).toBe(200);
    expect((await t.app.request(`/tasks/${id}`, { method: 'DELETE', headers: bearer(KEY_A) })).status).toBe(204);
  });

  it('gives tasks made through the OpenAI routes to the calling key as well', async () => {
    const t = await buildTestApp(KEYS);
    const body = new FormData();
    body.append('file', new Blob([new Uint8Array(wav)]), 'jfk.wav');
    body.append('model', 'whisper-1');
    const pending = t.app.request('/v1/audio/transcriptions', { method: 'POST', body, headers: bearer(KEY_B) });
    const [job] = await t.engine.waitForJobs(1);
    const task = await t.tasks.get(job!.job.taskId);
    expect(task?.owner).toBe(ownerIdOf(KEY_B));
    job!.succeed();
    expect((await pending).status).toBe(200);
    expect((await t.app.request(`/tasks/${task!.id}`, { headers: bearer(KEY_A) })).status).toBe(404);
  });

  it('with no keys: everything is open, tasks have no owner, and start-up warns once', async () => {
    const t = await buildTestApp();
    const created = await t.app.request('/tasks', { method: 'POST', body: upload() });
    expect(created.status).toBe(202);
    const { identifier } = (await created.json()) as { identifier: string };
    expect((await t.tasks.get(identifier))?.owner).toBeNull();
    expect((await t.app.request(`/tasks/${identifier}`)).status).toBe(200);
    const warnings = t.logger.lines.filter((l) => l.level === 'warn' && /API_KEYS is not set/.test(String(l.args[1])));
    expect(warnings).toHaveLength(1);
  });

  it('warns louder when open and listening beyond loopback', async () => {
    const t = await buildTestApp({ HOST: '0.0.0.0' });
    const warning = t.logger.lines.find((l) => l.level === 'warn' && /API_KEYS/.test(String(l.args[1])));
    expect(String(warning?.args[1])).toMatch(/0\.0\.0\.0.*anyone/);
  });
});

describe('API keys on the WebSocket', () => {
  it('refuses the upgrade with 401 without a valid key, by header or ?token=', async () => {
    mini = await startMiniServer(KEYS);
    const task = { id: await mini.submit({}, { headers: bearer(KEY_A) }) };
    await expect(connect(mini.wsUrl(task.id))).rejects.toThrow(/401/);
    await expect(connect(`${mini.wsUrl(task.id)}?token=wrong-0123456789abcdef`)).rejects.toThrow(/401/);
    await expect(connect(mini.wsUrl(task.id), { headers: bearer('wrong-0123456789abcdef') })).rejects.toThrow(/401/);
    expect(mini.registry.count()).toBe(0);

    const byHeader = await connect(mini.wsUrl(task.id), { headers: bearer(KEY_A) });
    expect(await byHeader.next((f) => f.type === 'progress')).toMatchObject({ task_id: task.id });
    const byToken = await connect(`${mini.wsUrl(task.id)}?token=${encodeURIComponent(KEY_A)}`);
    expect(await byToken.next((f) => f.type === 'progress')).toMatchObject({ task_id: task.id });
    byHeader.ws.close();
    byToken.ws.close();
  });

  it("closes another key's task with 4404, exactly like an unknown id", async () => {
    mini = await startMiniServer(KEYS);
    const task = { id: await mini.submit({}, { headers: bearer(KEY_A) }) };
    const other = await connect(`${mini.wsUrl(task.id)}?token=${KEY_B}`);
    const unknown = await connect(`${mini.wsUrl('00000000-0000-4000-8000-000000000000')}?token=${KEY_B}`);
    const [a, b] = await Promise.all([other.closed, unknown.closed]);
    expect(a).toEqual(b);
    expect(a.code).toBe(4404);
    expect(other.frames[0]).toMatchObject({ type: 'error', error_code: 'TASK_NOT_FOUND' });
    expect(JSON.stringify(other.frames)).not.toContain('queued');
  });
});
