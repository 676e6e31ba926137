import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createNodeWebSocket } from '@hono/node-ws';
import { Hono } from 'hono';
import type { WebSocket } from 'ws';
import { mediaRoutes } from '../../src/http/tasks/media-routes.ts';
import { createWebRoutes, isPublicWebPath } from '../../src/http/web/web-routes.ts';
import { serveFetch } from '../helpers/start-service.ts';

/** A task in the fake: just what the page reads. */
export interface FakeTask {
  id: string;
  status: 'queued' | 'processing' | 'completed' | 'failed' | 'cancelled';
  stage: string;
  percentage: number;
  fileName: string;
  mediaPath: string | null;
  segments: { id: number; start: number; end: number; text: string; speaker?: string }[];
  error: { error_code: string; user_message: string; technical_detail: string } | null;
  queue: { position: number; eta_seconds: number } | null;
  createdAt: string;
  /** The form fields the page sent with the file. */
  fields: Record<string, string>;
  /** Live extras on progress frames and polling (stage_progress, eta_seconds). */
  live: { stage_progress?: number; eta_seconds?: number };
  /** Extra result fields (language, duration, model, timings, speakers, turns). */
  result: Record<string, unknown>;
}

/** What GET /health/ready says about the model and speaker labelling. */
export interface FakeReady {
  model: { name: string; multilingual: boolean } | null;
  diarization?: { available: boolean };
}

/**
 * A scripted stand-in for the API, driven by the test: the page talks to it exactly as to the real
 * server (same paths, bodies and frames), so a test can place the page in states that the real engine
 * reaches only by chance: a long queue, a refused socket, an API key.
 */
export async function startFakeApi(options: { apiKey?: string; refuseSockets?: boolean; ready?: FakeReady; models?: string[] } = {}) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'wt-e2e-fake-'));
  const tasks = new Map<string, FakeTask>();
  const sockets = new Map<string, Set<WebSocket>>();
  let refuseSockets = options.refuseSockets ?? false;
  let ready: FakeReady = options.ready ?? { model: { name: 'ggml-base.en.bin', multilingual: false } };
  let refusal: { status: number; code: string; message: string } | null = null;
  let counter = 0;
  const app = new Hono();
  const { upgradeWebSocket, injectWebSocket } = createNodeWebSocket({ app });
  const requests: string[] = [];

  const progressBody = (t: FakeTask) => ({ identifier: t.id, status: t.status, progress_percentage: t.percentage, progress_stage: t.stage, error: t.error, ...t.live });
  const params = (f: Record<string, string>) => ({
    language: f.language ?? 'auto', task: f.task ?? 'transcribe', vad: f.vad === 'true', word_timestamps: f.word_timestamps !== 'false',
    diarize: f.diarize === 'true', num_speakers: f.num_speakers ? Number(f.num_speakers) : null, initial_prompt: f.initial_prompt ?? null,
    temperature: f.temperature ? Number(f.temperature) : 0,
  });
  const detail = (t: FakeTask) => ({ ...progressBody(t), file_name: t.fileName, created_at: t.createdAt, queue: t.queue, params: params(t.fields) });
  const frameOf = (t: FakeTask) => t.error
    ? { type: 'error', task_id: t.id, ...t.error, timestamp: new Date().toISOString() }
    : { type: 'progress', task_id: t.id, stage: t.stage, percentage: t.percentage, message: '', timestamp: new Date().toISOString(), ...(t.queue && { queue_position: t.queue.position, eta_seconds: t.queue.eta_seconds }), ...t.live };
  const broadcast = (id: string, frame: object) => { for (const s of sockets.get(id) ?? []) s.send(JSON.stringify(frame)); };
  const need = (id: string) => {
    const t = tasks.get(id);
    if (!t) throw new Error(`fake: no task ${id}`);
    return t;
  };

  app.use('*', async (c, next) => {
    const url = new URL(c.req.url);
    requests.push(`${c.req.method} ${url.pathname}${url.search}`);
    if (!options.apiKey || isPublicWebPath(url.pathname)) return next();
    const given = c.req.header('Authorization')?.replace(/^Bearer /, '') ?? url.searchParams.get('token');
    if (given !== options.apiKey) return c.json({ error: { code: 'UNAUTHORIZED', message: 'A valid API key is required.', details: null } }, 401);
    return next();
  });
  app.route('/', createWebRoutes({}));
  app.route('/tasks', mediaRoutes({ tasks: { get: async (id) => tasks.get(id) } }));
  app.get('/health/ready', (c) => c.json({ status: 'ready', model: ready.model, ...(ready.diarization && { diarization: ready.diarization }) }));
  // GET /v1/models as the server lists it: whisper-1 (the default), then the default by name, then the others.
  app.get('/v1/models', (c) => {
    const ids = options.models ?? (ready.model ? [ready.model.name.replace(/^ggml-/, '').replace(/\.bin$/, '')] : []);
    return c.json({ object: 'list', data: ['whisper-1', ...ids].map((id) => ({ id, object: 'model', created: 0, owned_by: 'whisper.cpp' })) });
  });
  app.post('/tasks', async (c) => {
    const body = await c.req.parseBody();
    if (refusal) return c.json({ error: { code: refusal.code, message: refusal.message, details: null } }, refusal.status as 415);
    const file = body.file;
    if (!(file instanceof File)) return c.json({ error: { code: 'MISSING_FILE', message: 'Send the media in the field "file".', details: null } }, 400);
    const id = `fake-${++counter}`;
    const mediaPath = path.join(dir, `${id}${path.extname(file.name)}`);
    writeFileSync(mediaPath, Buffer.from(await file.arrayBuffer()));
    const fields = Object.fromEntries(Object.entries(body).flatMap(([k, val]) => (typeof val === 'string' ? [[k, val]] : [])));
    tasks.set(id, { id, status: 'queued', stage: 'queued', percentage: 0, fileName: file.name, mediaPath, segments: [], error: null, queue: null, createdAt: new Date(Date.now() + counter).toISOString(), fields, live: {}, result: {} });
    return c.json({ identifier: id, status: 'queued', links: {} }, 202);
  });
  app.get('/tasks', (c) => {
    const status = c.req.query('status');
    const limit = Number(c.req.query('limit') ?? 20);
    const offset = Number(c.req.query('offset') ?? 0);
    const all = [...tasks.values()].reverse().filter((t) => !status || t.status === status); // newest first, as the server lists
    return c.json({ items: all.slice(offset, offset + limit).map(detail), total: all.length, limit, offset });
  });
  app.get('/tasks/:id', (c) => (tasks.has(c.req.param('id')) ? c.json(detail(need(c.req.param('id')))) : c.json({ error: { code: 'TASK_NOT_FOUND', message: 'no such task' } }, 404)));
  app.get('/tasks/:id/progress', (c) => (tasks.has(c.req.param('id')) ? c.json(progressBody(need(c.req.param('id')))) : c.json({ error: { code: 'TASK_NOT_FOUND', message: 'no such task' } }, 404)));
  app.get('/tasks/:id/result', (c) => {
    const t = need(c.req.param('id'));
    if (c.req.query('format') === 'srt') return c.text(t.segments.map((s, i) => `${i + 1}\n00:00:0${s.start},000 --> 00:00:0${s.end},000\n${s.text.trim()}\n`).join('\n'));
    return c.json({ text: t.segments.map((s) => s.text).join(''), segments: t.segments, ...t.result });
  });
  app.post('/tasks/:id/cancel', (c) => {
    const t = need(c.req.param('id'));
    Object.assign(t, { status: 'cancelled', error: { error_code: 'CANCELLED', user_message: 'The task was cancelled.', technical_detail: 'fake' } });
    broadcast(t.id, frameOf(t));
    return c.json(progressBody(t));
  });
  app.delete('/tasks/:id', (c) => (tasks.delete(c.req.param('id')) ? c.body(null, 204) : c.json({ error: { code: 'TASK_NOT_FOUND' } }, 404)));
  app.get('/ws/tasks/:id', upgradeWebSocket((c) => ({
    onOpen(_e, ws) {
      const raw = ws.raw as WebSocket;
      const id = c.req.param('id') ?? '';
      if (refuseSockets) return raw.terminate();
      const set = sockets.get(id) ?? new Set<WebSocket>();
      sockets.set(id, set.add(raw));
      raw.once('close', () => set.delete(raw));
      if (tasks.has(id)) raw.send(JSON.stringify(frameOf(need(id))));
    },
    onMessage(e, ws) { if (String(e.data).includes('"ping"')) ws.send(JSON.stringify({ type: 'pong' })); },
  })));

  const listening = await serveFetch(app.fetch);
  injectWebSocket(listening.server);

  return {
    url: listening.url,
    tasks,
    requests,
    /** Waits until a task has been created by the page, and returns it. */
    async created(n = 1): Promise<FakeTask> {
      while (tasks.size < n) await new Promise((r) => setTimeout(r, 20));
      return [...tasks.values()][n - 1]!;
    },
    /** Moves a task forward and tells its sockets, as the bus bridge would. */
    progress(id: string, stage: string, percentage: number, queue: FakeTask['queue'] = null) {
      Object.assign(need(id), { stage, percentage, queue, status: stage === 'queued' ? 'queued' : stage === 'complete' ? 'completed' : 'processing' });
      broadcast(id, frameOf(need(id)));
    },
    segment(id: string, segment: FakeTask['segments'][number]) {
      need(id).segments.push(segment);
      broadcast(id, { type: 'segment', task_id: id, segment, timestamp: new Date().toISOString() });
    },
    /** Sets the live extras of a task (sent with its next progress frame and polls). */
    live(id: string, live: FakeTask['live']) { need(id).live = live; },
    /** Makes POST /tasks refuse the next uploads (null: accept again). */
    refuseUploads(value: typeof refusal) { refusal = value; },
    setReady(value: FakeReady) { ready = value; },
    fail(id: string, error: NonNullable<FakeTask['error']>) {
      Object.assign(need(id), { status: 'failed', error });
      broadcast(id, frameOf(need(id)));
    },
    socketCount: (id: string) => sockets.get(id)?.size ?? 0,
    /** Drops every socket from the server side without a close handshake. */
    killSockets() { for (const set of sockets.values()) for (const s of set) s.terminate(); },
    setRefuseSockets(value: boolean) { refuseSockets = value; },
    close: () => {
      for (const set of sockets.values()) for (const s of set) s.terminate();
      rmSync(dir, { recursive: true, force: true }); // the uploaded media
      return listening.close();
    },
  };
}

/** The fake's handle. */
export type FakeApi = Awaited<ReturnType<typeof startFakeApi>>;
