import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rawHttp, startFuzzServer, waitFor, WAV, type FuzzServer } from './fuzz-server.ts';

// Property-based abuse of every HTTP route against a loopback server with a fake engine. Each
// property is bounded in runs and time. Every answer must be below 500, the server must stay
// live, and the tasks made before must be unchanged (row and media file).

// FUZZ_RUNS=5000 (and a longer FUZZ_SECONDS) digs deeper by hand; the suite keeps to the bounded default.
const RUNS = Number(process.env.FUZZ_RUNS ?? 100);
const LIMITS = { numRuns: RUNS, interruptAfterTimeLimit: Number(process.env.FUZZ_SECONDS ?? 20) * 1000, markInterruptAsFailure: false } as const;
const TEST_MS = LIMITS.interruptAfterTimeLimit + 40_000;
let s: FuzzServer;
/** A request that gets no answer fails the run (the time limit alone would end it quietly). */
const answerWithin = () => AbortSignal.timeout(10_000);

beforeAll(async () => {
  s = await startFuzzServer();
}, 30_000);
afterAll(async () => {
  await s?.close();
});

/** Odd text: unicode, controls, traversal pieces, percent signs, very long. */
const oddText = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom('', '..', '../../etc/passwd', '..\\..\\win.ini', '%2e%2e%2f', '%00', '\u0000', '%', '%zz', '%c3%28', '\u202e', '😀', 'null', '-1', '1e309', ' '),
  fc.string({ unit: 'grapheme-ascii', minLength: 2000, maxLength: 9000 }),
);

const pathTemplates = [
  '/tasks', '/tasks/{id}', '/tasks/{id}/progress', '/tasks/{id}/result', '/tasks/{id}/cancel', '/tasks/{id}/media',
  '/v1/audio/transcriptions', '/v1/audio/translations', '/v1/models', '/v1/models/{id}', '/health/live', '/health/ready',
  '/metrics', '/openapi.json', '/docs', '/', '/assets/{id}', '/ws/tasks/{id}', '/{id}',
];

const headerValue = fc.oneof(fc.string({ unit: 'grapheme-ascii', maxLength: 100 }), fc.constantFrom(
  'multipart/form-data', 'multipart/form-data; boundary=', 'multipart/form-data; boundary="a b"', 'application/json', 'application/json; charset=latin1',
  'text/plain', 'bytes=0-', 'bytes=-1', 'bytes=5-1', 'bytes=0-1,2-3', 'bytes=999999999999999999999-', 'Bearer', 'Bearer ' + 'x'.repeat(5000), '*/*',
));
const headerName = fc.constantFrom('content-type', 'range', 'authorization', 'x-request-id', 'accept', 'x-forwarded-for', 'x-forwarded-proto', 'origin', 'upgrade', 'content-length');
const safeHeader = (v: string) => v.replace(/[^\x20-\x7e]/g, '').slice(0, 6000);

describe('HTTP fuzzing', () => {
  it('gives no 5xx for any method, path, id, query and headers on every route', async () => {
    const request = fc.record({
      method: fc.constantFrom('GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'),
      template: fc.constantFrom(...pathTemplates),
      id: oddText,
      query: fc.array(fc.tuple(oddText, oddText), { maxLength: 6 }),
      headers: fc.array(fc.tuple(headerName, headerValue), { maxLength: 5 }),
      body: fc.option(fc.oneof(fc.string({ maxLength: 200 }), fc.uint8Array({ maxLength: 2000 })), { nil: undefined }),
    });
    await fc.assert(fc.asyncProperty(request, async (r) => {
      // Protected tasks are only ever read, never cancelled or deleted: that would be a change, not corruption.
      const id = r.method === 'GET' && r.id === '' ? s.protectedIds[0]! : r.id;
      const path = r.template.replace('{id}', encodeURIComponent(id));
      const qs = new URLSearchParams(r.query).toString();
      const headers = new Headers();
      for (const [name, value] of r.headers) if (name !== 'content-length' && name !== 'upgrade') headers.set(name, safeHeader(value));
      const withBody = r.body !== undefined && !['GET', 'HEAD'].includes(r.method);
      const res = await fetch(`${s.test.url}${path}${qs ? `?${qs}` : ''}`, {
        method: r.method, headers, signal: answerWithin(), body: withBody ? (typeof r.body === 'string' ? r.body : new Uint8Array(r.body!)) : undefined,
      });
      await res.arrayBuffer();
      // Readiness says 503 by design here: the fake engine has no ready worker once the fixtures exist.
      const expected = r.template === '/health/ready' ? [200, 404, 405, 503] : [];
      if (!expected.includes(res.status)) expect(res.status, `${r.method} ${path}?${qs}`).toBeLessThan(500);
    }), LIMITS);
    await s.assertIntact();
  }, TEST_MS);

  it('reads the protected tasks with any query and Range without 5xx', async () => {
    const read = fc.record({
      which: fc.nat({ max: 1 }),
      view: fc.constantFrom('', '/progress', '/result', '/media'),
      query: fc.dictionary(fc.constantFrom('format', 'download', 'max_line_chars', 'max_lines', 'limit', 'x'), oddText, { maxKeys: 4 }),
      range: fc.option(headerValue, { nil: undefined }),
    });
    await fc.assert(fc.asyncProperty(read, async (r) => {
      const id = s.protectedIds[r.which]!;
      const headers: Record<string, string> = r.range === undefined ? {} : { Range: safeHeader(r.range) };
      const res = await fetch(`${s.test.url}/tasks/${id}${r.view}?${new URLSearchParams(r.query)}`, { headers, signal: answerWithin() });
      await res.arrayBuffer();
      expect(res.status).toBeLessThan(500);
    }), LIMITS);
    await s.assertIntact();
  }, TEST_MS);

  it('gives no 5xx for any JSON (or not-JSON) body on POST /tasks', async () => {
    const url = fc.oneof(
      fc.string({ maxLength: 300 }).filter((u) => !/^\s*https?:/i.test(u)),
      fc.constantFrom('http://127.0.0.1:1/a.wav', 'http://[::1]/x', 'http://169.254.169.254/latest', 'http://10.0.0.1/', 'file:///etc/passwd', 'ftp://x/y', 'http://', 'https://user:pass@localhost/'),
    );
    const body = fc.oneof(
      fc.jsonValue().map((v) => JSON.stringify(v)),
      fc.record({ url, language: fc.option(oddText), temperature: fc.option(fc.oneof(fc.double(), fc.string())), word_timestamps: fc.option(fc.jsonValue()) }, { requiredKeys: [] }).map((v) => JSON.stringify(v)),
      fc.string({ unit: 'binary', maxLength: 300 }),
      fc.constant('{"url":"' + 'a'.repeat(70_000) + '"}'),
    );
    const type = fc.constantFrom('application/json', 'application/json; charset=utf-8', 'application/vnd.x+json', 'APPLICATION/JSON');
    await fc.assert(fc.asyncProperty(body, type, async (b, t) => {
      const res = await fetch(`${s.test.url}/tasks`, { method: 'POST', body: b, headers: { 'Content-Type': t }, signal: answerWithin() });
      await res.arrayBuffer();
      expect(res.status).toBeLessThan(500);
      expect(res.status).not.toBe(202);
    }), LIMITS);
    await s.assertIntact();
  }, TEST_MS);

  it('gives no 5xx for malformed multipart: odd boundaries, duplicate and huge fields, bad encodings, odd file names', async () => {
    // Mostly well-formed, so that runs get past the parser into the field, file and media checks.
    const boundary = fc.oneof(
      { weight: 3, arbitrary: fc.stringMatching(/^[A-Za-z0-9]{1,70}$/) },
      { weight: 1, arbitrary: fc.oneof(fc.constantFrom('x', 'a'.repeat(70), "'()+_,-./:=?", 'with space', '--', 'ümlaut'), fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 70 })) },
    );
    const knownField = fc.constantFrom('language', 'task', 'temperature', 'word_timestamps', 'vad', 'min_speakers', 'initial_prompt', 'file', 'timestamp_granularities[]', 'response_format', 'model');
    const fieldValue = fc.oneof(fc.constantFrom('en', 'auto', 'translate', '0.5', 'true', '1', 'json', 'verbose_json', 'word'), oddText, fc.uint8Array({ maxLength: 64 }).map((b) => Buffer.from(b).toString('latin1')));
    const part = fc.oneof(
      { weight: 3, arbitrary: fc.record({ kind: fc.constant('field' as const), name: knownField, value: fieldValue }) },
      { weight: 1, arbitrary: fc.record({ kind: fc.constant('field' as const), name: oddText, value: fieldValue }) },
      { weight: 3, arbitrary: fc.record({ kind: fc.constant('file' as const), name: fc.constantFrom('file', 'file', 'File', ''), filename: oddText, content: fc.constantFrom('wav', 'wav', 'junk', 'empty') }) },
      { weight: 1, arbitrary: fc.record({ kind: fc.constant('raw' as const), text: fc.string({ unit: 'binary', maxLength: 200 }) }) },
    );
    const multipart = fc.record({
      boundary,
      declared: fc.oneof({ weight: 6, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: boundary }),
      parts: fc.array(part, { maxLength: 5 }),
      ending: fc.constantFrom('close', 'close', 'close', 'missing', 'garbage'),
      eol: fc.constantFrom('\r\n', '\r\n', '\n'),
      huge: fc.oneof({ weight: 7, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
    });
    await fc.assert(fc.asyncProperty(multipart, fc.constantFrom('/tasks', '/v1/audio/transcriptions'), async (m, route) => {
      const { eol } = m;
      const chunks: Buffer[] = [];
      for (const p of m.parts) {
        chunks.push(Buffer.from(`--${m.boundary}${eol}`, 'latin1'));
        if (p.kind === 'raw') chunks.push(Buffer.from(p.text, 'latin1'));
        else if (p.kind === 'field') {
          const name = m.huge ? 'n'.repeat(20_000) : p.name;
          chunks.push(Buffer.from(`Content-Disposition: form-data; name="${name}"${eol}${eol}${p.value}`, 'latin1'));
        } else {
          chunks.push(Buffer.from(`Content-Disposition: form-data; name="${p.name}"; filename="${p.filename}"; filename*=UTF-8''${encodeURIComponent(p.filename)}${eol}Content-Type: audio/wav${eol}${eol}`, 'utf8'));
          chunks.push(p.content === 'wav' ? WAV : p.content === 'junk' ? Buffer.from('not audio at all') : Buffer.alloc(0));
        }
        chunks.push(Buffer.from(eol, 'latin1'));
      }
      if (m.ending === 'close') chunks.push(Buffer.from(`--${m.boundary}--${eol}`, 'latin1'));
      if (m.ending === 'garbage') chunks.push(Buffer.from(`--${m.boundary}-x\u0000`, 'latin1'));
      const declared = m.declared ?? m.boundary;
      // A valid /v1 request is answered when its task ends, and nothing runs on this server: the
      // client gives up after a while, which must cancel the task it left behind.
      const v1 = route.startsWith('/v1/');
      const before = new Set((await s.test.server.tasks.list({ limit: 100_000, offset: 0 })).items.map((t) => t.id));
      const res = await fetch(`${s.test.url}${route}`, {
        method: 'POST',
        signal: AbortSignal.timeout(v1 ? 3000 : 10_000),
        body: Buffer.concat(chunks),
        headers: { 'Content-Type': `multipart/form-data; boundary=${/[\s'()]/.test(declared) ? `"${declared.replace(/"/g, '')}"` : declared}` },
      }).catch((error: unknown) => {
        if (!v1 || (error as Error).name !== 'TimeoutError') throw error;
        return null;
      });
      if (res === null) {
        const left = (await s.test.server.tasks.list({ limit: 100_000, offset: 0 })).items.filter((t) => !before.has(t.id));
        // None when the client gave up before the upload was even checked (a slow machine).
        expect(left.length).toBeLessThanOrEqual(1);
        if (left[0]) await waitFor(async () => (await s.test.server.tasks.get(left[0]!.id))?.status === 'cancelled');
        return;
      }
      const text = await res.text();
      expect(res.status, text.slice(0, 300)).toBeLessThan(500);
      if (res.status === 202 && route === '/tasks') {
        const { file_name: name } = JSON.parse(text) as { file_name: string };
        expect(name).not.toMatch(/[\\/\u0000-\u001f]/);
        expect(name.startsWith('.')).toBe(false);
      }
    }), LIMITS);
    await s.assertIntact();
  }, TEST_MS);

  it('gives no 5xx for raw requests with bad encodings, odd methods and broken framing', async () => {
    const line = fc.record({
      method: fc.constantFrom('GET', 'POST', 'DELETE', 'BREW', 'get', 'CONNECT'),
      path: fc.oneof(
        fc.constantFrom('/tasks/%', '/tasks/%zz', '/tasks/%c3%28', '/tasks/%00', '/assets/../../package.json', '/assets/..%2f..%2fpackage.json', '//tasks', '/tasks/a/../../..', '*', 'http://evil/tasks', '/tasks?token=%', '/ws/tasks/%ff?token=%ff'),
        fc.string({ unit: 'grapheme-ascii', maxLength: 300 }).map((p) => `/${p.replace(/[\s]/g, '')}`),
      ),
      header: fc.oneof(fc.constant(''), fc.string({ unit: 'binary-ascii', maxLength: 200 }).map((h) => `X-Odd: ${h.replace(/[\r\n]/g, '')}\r\n`), fc.constantFrom('Content-Length: -1\r\n', 'Content-Length: 5\r\nContent-Length: 6\r\n', 'Transfer-Encoding: chunked\r\n', 'Content-Type: multipart/form-data; boundary=x\r\nContent-Length: 10\r\n')),
      body: fc.string({ unit: 'binary-ascii', maxLength: 100 }),
    });
    await fc.assert(fc.asyncProperty(line, async (l) => {
      const status = await rawHttp(s.port, Buffer.from(`${l.method} ${l.path} HTTP/1.1\r\nHost: x\r\n${l.header}Connection: close\r\n\r\n${l.body}`, 'latin1'));
      expect(status).toBeLessThan(500);
    }), LIMITS);
    await s.assertIntact();
  }, TEST_MS);
});
