import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { isPublicPath } from '../../src/http/middleware/auth.ts';
import { openApiPath } from '../../src/http/openapi/openapi-document.ts';
import { ErrorBodySchema } from '../../src/contract/error-body.ts';
import { PollingSchema, ProgressSchema, TaskCreatedSchema, TaskDetailSchema, TaskListSchema } from '../../src/contract/task-json.ts';
import { TranscriptJsonSchema } from '../../src/contract/transcript-json.ts';
import { LiveSchema, ModelListSchema, OpenAiErrorSchema, ReadySchema } from '../../src/http/openapi/openapi-schemas.ts';
import { taskError } from '../../src/tasks/errors.ts';
import { fakeSegment } from '../helpers/fake-transcriber.ts';
import { pollUntil } from '../helpers/start-service.ts';
import { buildTestApp, wavForm, type TestApp } from './test-app.ts';

type Doc = { openapi: string; paths: Record<string, Record<string, any>>; components: any; security: unknown[] };
const METHODS = ['get', 'post', 'put', 'patch', 'delete'];

async function json(t: TestApp, path: string): Promise<any> {
  return (await t.app.request(path)).json();
}

async function documentOf(t: TestApp): Promise<Doc> {
  const res = await t.app.request('/openapi.json');
  expect(res.status).toBe(200);
  return (await res.json()) as Doc;
}

/** Parses a real answer with its documented schema, and finds no top-level field the schema leaves out. */
function conforms(schema: v.ObjectSchema<v.ObjectEntries, undefined>, body: unknown) {
  const result = v.safeParse(schema, body);
  expect(result.success, JSON.stringify(result.issues?.map((i) => [v.getDotPath(i), i.message]))).toBe(true);
  expect(Object.keys(body as object).filter((k) => !(k in schema.entries))).toEqual([]);
}

describe('OpenAPI document', () => {
  it('documents every route the app registers, and nothing it does not', async () => {
    const t = await buildTestApp();
    const doc = await documentOf(t);
    const registered = new Set(
      t.app.routes.filter((r) => r.method !== 'ALL' && !r.path.includes('*')).map((r) => `${r.method.toLowerCase()} ${openApiPath(r.path)}`),
    );
    expect(registered.size).toBeGreaterThan(15);
    const documented = new Set(Object.entries(doc.paths).flatMap(([p, item]) => Object.keys(item).filter((m) => METHODS.includes(m)).map((m) => `${m} ${p}`)));
    expect([...registered].filter((r) => !documented.has(r))).toEqual([]);
    expect([...documented].filter((d) => !registered.has(d))).toEqual([]);
  });

  it('is OpenAPI 3.1 with declared path parameters, unique operation ids and bearer security off only where no key is asked', async () => {
    const doc = await documentOf(await buildTestApp());
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.components.securitySchemes.bearerAuth).toMatchObject({ type: 'http', scheme: 'bearer' });
    const ids = new Set<string>();
    for (const [p, item] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(item)) {
        expect(Object.keys(op.responses).length, `${method} ${p}`).toBeGreaterThan(0);
        expect(ids.has(op.operationId)).toBe(false);
        ids.add(op.operationId);
        const inPath = [...p.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
        expect(op.parameters.filter((x: any) => x.in === 'path').map((x: any) => x.name)).toEqual(inPath);
        const publicPath = isPublicPath(p.replace(/\{\w+\}/g, 'x'));
        expect(op.security === undefined ? 'key' : 'public', `${method} ${p}`).toBe(publicPath ? 'public' : 'key');
        if (!publicPath) expect(op.responses['401'], `${method} ${p}`).toBeDefined();
      }
    }
  });

  it('carries the request schemas from the route code', async () => {
    const doc = await documentOf(await buildTestApp());
    const create = doc.paths['/tasks']!.post;
    const multipart = create.requestBody.content['multipart/form-data'].schema;
    expect(multipart.required).toEqual(['file']);
    expect(Object.keys(multipart.properties)).toEqual(expect.arrayContaining(['file', 'language', 'task', 'word_timestamps', 'temperature']));
    expect(create.requestBody.content['application/json'].schema.required).toEqual(['url']);
    const list = doc.paths['/tasks']!.get.parameters.map((x: any) => x.name);
    expect(list).toEqual(['limit', 'offset', 'status']);
    const format = doc.paths['/tasks/{id}/result']!.get.parameters.find((x: any) => x.name === 'format');
    expect(format.schema.enum).toEqual(['json', 'verbose_json', 'text', 'srt', 'vtt', 'tsv']);
    // queue: {position, eta_seconds} while waiting, null otherwise (as TaskDetailSchema says).
    const queue = doc.paths['/tasks/{id}']!.get.responses['200'].content['application/json'].schema.properties.queue;
    expect(queue.anyOf).toEqual([
      expect.objectContaining({ type: 'object', required: ['position', 'eta_seconds'], properties: expect.objectContaining({ position: expect.objectContaining({ type: 'integer' }) }) }),
      { type: 'null' },
    ]);
    expect(create.responses['429'].headers['Retry-After']).toMatchObject({ description: expect.stringMatching(/seconds/i), schema: { type: 'string' } });
  });

  it('describes the answers the server really gives, for tasks queued, processing, completed, failed and cancelled', async () => {
    const t = await buildTestApp();
    const created = await (await t.app.request('/tasks', { method: 'POST', body: wavForm() })).json();
    conforms(TaskCreatedSchema, created);
    const running = (created as { identifier: string }).identifier;
    const [failing, cancelled] = [await t.submit(), await t.submit()];
    const job = await t.jobOf(running);
    // One worker: the later two wait in the queue, with their position.
    const queued = await json(t, `/tasks/${failing}`);
    expect(queued).toMatchObject({ status: 'queued', queue: { position: 1 } });
    conforms(TaskDetailSchema, queued);
    conforms(PollingSchema, await json(t, `/tasks/${failing}/progress`));
    job.started(11);
    job.progress(40);
    job.segment(fakeSegment(0, ' hi'));
    const processing = await pollUntil(() => json(t, `/tasks/${running}`), (d) => d.status === 'processing' && d.partial_segments.length === 1, 10_000);
    conforms(TaskDetailSchema, processing);
    conforms(PollingSchema, await json(t, `/tasks/${running}/progress`));
    job.succeed();
    await t.settled(running, 'completed');
    const completed = await json(t, `/tasks/${running}`);
    expect(completed.result.text).toBe(' hi');
    conforms(TaskDetailSchema, completed);
    conforms(PollingSchema, await json(t, `/tasks/${running}/progress`));
    conforms(TranscriptJsonSchema, await json(t, `/tasks/${running}/result`));
    (await t.jobOf(failing)).fail(taskError('AUDIO_DECODE_FAILED', 'fake: bad frames'));
    await t.settled(failing, 'failed');
    expect((await (await t.app.request(`/tasks/${cancelled}/cancel`, { method: 'POST' })).json()).status).toBe('cancelled');
    for (const [id, status] of [[failing, 'failed'], [cancelled, 'cancelled']] as const) {
      const detail = await json(t, `/tasks/${id}`);
      expect([detail.status, detail.error.error_code]).toEqual([status, status === 'failed' ? 'AUDIO_DECODE_FAILED' : 'CANCELLED']);
      conforms(TaskDetailSchema, detail);
      conforms(PollingSchema, await json(t, `/tasks/${id}/progress`));
    }
    const list = await json(t, '/tasks');
    expect(list.items.map((i: { status: string }) => i.status).sort()).toEqual(['cancelled', 'completed', 'failed']);
    conforms(TaskListSchema, list);
    conforms(LiveSchema, await json(t, '/health/live'));
    conforms(ReadySchema, await json(t, '/health/ready'));
    conforms(ModelListSchema, await json(t, '/v1/models'));
    conforms(ErrorBodySchema, await json(t, '/tasks/unknown'));
    conforms(OpenAiErrorSchema, await json(t, '/v1/models/unknown'));
  });
});

describe('GET /docs', () => {
  it('renders every operation in one self-contained page', async () => {
    const t = await buildTestApp({ API_KEYS: 'docs-key-0123456789abc' });
    const doc = await documentOf(t);
    const res = await t.app.request('/docs');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(res.headers.get('content-security-policy')).toMatch(/default-src 'none'/);
    const html = await res.text();
    for (const [p, item] of Object.entries(doc.paths)) {
      for (const method of Object.keys(item)) expect(html).toContain(`id="${method}-${p}"`);
    }
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//i);
    expect(html).toContain('&lt;key&gt;'); // descriptions are escaped, not injected
  });
});
