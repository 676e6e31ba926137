import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { Hono } from 'hono';
import { mediaRoutes, parseRange } from '../../src/http/tasks/media-routes.ts';
import { createWebRoutes, isPublicWebPath } from '../../src/http/web/web-routes.ts';
import { tempDir } from '../helpers/temp-dir.ts';

describe('createWebRoutes', () => {
  const dir = tempDir('wt-web-routes-');
  const dist = path.join(dir, 'dist');
  const media = path.join(dir, 'media.wav');
  const bytes = Buffer.from(Array.from({ length: 1000 }, (_, i) => i % 256));
  const tasks = new Map<string, { fileName: string; mediaPath: string | null }>();
  const app = new Hono();
  app.route('/', createWebRoutes({ webDist: dist }));
  app.route('/tasks', mediaRoutes({ tasks: { get: async (id) => tasks.get(id) } }));

  beforeAll(async () => {
    mkdirSync(path.join(dist, 'assets'), { recursive: true });
    writeFileSync(path.join(dist, 'index.html'), '<!doctype html><title>t</title>');
    writeFileSync(path.join(dist, 'assets/app-ABC123.js'), 'console.log(1)');
    writeFileSync(path.join(dist, 'assets/styles-ABC123.css'), 'body{}');
    writeFileSync(path.join(dir, 'secret.js'), 'secret');
    writeFileSync(media, bytes);
    tasks.set('t1', { fileName: 'talk.wav', mediaPath: media });
    tasks.set('gone', { fileName: 'old.mp3', mediaPath: null });
    tasks.set('lost', { fileName: 'lost.mp3', mediaPath: path.join(dir, 'missing.mp3') });
  });

  it('serves the page uncached, with a same-origin-only content policy', async () => {
    const res = await app.request('/');
    expect(res.status).toBe(200);
    expect(res.headers.get('Content-Type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('Cache-Control')).toBe('no-cache');
    expect(res.headers.get('Content-Security-Policy')).toContain("default-src 'self'");
    expect(await res.text()).toContain('<title>t</title>');
  });

  it('serves hashed assets with their content type and a long cache life', async () => {
    const js = await app.request('/assets/app-ABC123.js');
    expect(js.headers.get('Content-Type')).toBe('text/javascript; charset=utf-8');
    expect(js.headers.get('Cache-Control')).toContain('immutable');
    expect(await js.text()).toBe('console.log(1)');
    const css = await app.request('/assets/styles-ABC123.css');
    expect(css.headers.get('Content-Type')).toBe('text/css; charset=utf-8');
  });

  it('answers 404 for unknown assets and for names that try to leave the folder', async () => {
    expect((await app.request('/assets/nope-1.js')).status).toBe(404);
    expect((await app.request('/assets/..%2Fsecret.js')).status).toBe(404);
    expect((await app.request('/assets/%2e%2e%2f%2e%2e%2fsecret.js')).status).toBe(404);
    expect((await app.request('/assets/app-ABC123.exe')).status).toBe(404);
  });

  it('answers 503 with a hint when the page was never built', async () => {
    const bare = createWebRoutes({ webDist: path.join(dir, 'nowhere') });
    const res = await bare.request('/');
    expect(res.status).toBe(503);
    expect(await res.text()).toContain('build-web');
  });

  it('streams a task media whole, with its type and Accept-Ranges', async () => {
    const res = await app.request('/tasks/t1/media');
    expect(res.status).toBe(200);
    expect(res.headers.get('Content-Type')).toBe('audio/wav');
    expect(res.headers.get('Accept-Ranges')).toBe('bytes');
    expect(Buffer.from(await res.arrayBuffer()).equals(bytes)).toBe(true);
  });

  it('answers byte ranges with 206 and unsatisfiable ones with 416', async () => {
    const part = await app.request('/tasks/t1/media', { headers: { Range: 'bytes=10-19' } });
    expect(part.status).toBe(206);
    expect(part.headers.get('Content-Range')).toBe('bytes 10-19/1000');
    expect([...new Uint8Array(await part.arrayBuffer())]).toEqual([...bytes.subarray(10, 20)]);
    const tail = await app.request('/tasks/t1/media', { headers: { Range: 'bytes=-5' } });
    expect(tail.headers.get('Content-Range')).toBe('bytes 995-999/1000');
    const bad = await app.request('/tasks/t1/media', { headers: { Range: 'bytes=5000-' } });
    expect(bad.status).toBe(416);
    expect(bad.headers.get('Content-Range')).toBe('bytes */1000');
  });

  it('answers HEAD with the length and no body', async () => {
    const res = await app.request('/tasks/t1/media', { method: 'HEAD' });
    expect(res.status).toBe(200);
    expect(res.headers.get('Content-Length')).toBe('1000');
    expect(await res.text()).toBe('');
  });

  it('answers 404 for an unknown task and 410 once its media is deleted', async () => {
    expect((await app.request('/tasks/nope/media')).status).toBe(404);
    const gone = await app.request('/tasks/gone/media');
    expect(gone.status).toBe(410);
    expect(await gone.json()).toMatchObject({ error: { code: 'MEDIA_DELETED' } });
    expect((await app.request('/tasks/lost/media')).status).toBe(410);
    rmSync(path.join(dir, 'missing.mp3'), { force: true });
  });
});

describe('parseRange', () => {
  it('reads the single-range forms and leaves others to a whole response', async () => {
    expect(parseRange(undefined, 100)).toBeNull();
    expect(parseRange('bytes=0-', 100)).toEqual({ start: 0, end: 99 });
    expect(parseRange('bytes=50-500', 100)).toEqual({ start: 50, end: 99 });
    expect(parseRange('bytes=-10', 100)).toEqual({ start: 90, end: 99 });
    expect(parseRange('bytes=0-1,5-6', 100)).toBeNull();
    expect(parseRange('bytes=20-10', 100)).toBe('bad');
    expect(parseRange('bytes=0-0', 0)).toBe('bad');
  });
});

describe('isPublicWebPath', () => {
  it('opens only the page and its assets', async () => {
    expect(isPublicWebPath('/')).toBe(true);
    expect(isPublicWebPath('/assets/app-1.js')).toBe(true);
    expect(isPublicWebPath('/tasks')).toBe(false);
    expect(isPublicWebPath('/tasks/x/media')).toBe(false);
  });
});
