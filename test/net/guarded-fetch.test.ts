import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchToFile, type GuardedFetchOptions } from '../../src/net/guarded-fetch.ts';
import { createAddressPolicy } from '../../src/net/ip-policy.ts';
import { UrlFetchError } from '../../src/net/url-fetch-error.ts';

const MEDIA = Buffer.alloc(1000, 7);
let server: Server;
let base: string;
let port: number;
let dir: string;
let counter = 0;

function handler(req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) {
  const url = new URL(req.url ?? '/', 'http://x');
  const hop = /^\/hop\/(\d+)$/.exec(url.pathname);
  if (url.pathname === '/media.wav') {
    res.writeHead(200, { 'content-type': 'audio/wav', 'content-length': MEDIA.length });
    return res.end(MEDIA);
  }
  if (url.pathname === '/named') {
    res.writeHead(200, { 'content-type': 'audio/mpeg', 'content-disposition': `attachment; filename*=UTF-8''caf%C3%A9.mp3` });
    return res.end(MEDIA);
  }
  if (hop) {
    const n = Number(hop[1]);
    res.writeHead(302, { location: n === 0 ? '/media.wav' : `/hop/${n - 1}` });
    return res.end();
  }
  if (url.pathname === '/to-metadata') {
    res.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data/' });
    return res.end();
  }
  if (url.pathname === '/to-ipv6-loopback') {
    res.writeHead(301, { location: `http://[::1]:${port}/media.wav` });
    return res.end();
  }
  if (url.pathname === '/to-file') {
    res.writeHead(307, { location: 'file:///etc/passwd' });
    return res.end();
  }
  if (url.pathname === '/host') return res.end(req.headers.host ?? '');
  if (url.pathname === '/big-declared') {
    res.writeHead(200, { 'content-length': 10_000 });
    return res.end(Buffer.alloc(10_000));
  }
  if (url.pathname === '/big-chunked') {
    res.writeHead(200, { 'content-type': 'audio/wav' });
    let sent = 0;
    const timer = setInterval(() => {
      res.write(Buffer.alloc(1000, 1));
      if ((sent += 1000) >= 5000) {
        clearInterval(timer);
        res.end();
      }
    }, 5);
    return;
  }
  if (url.pathname === '/slow') {
    res.writeHead(200, { 'content-type': 'audio/wav' });
    res.write(Buffer.alloc(100)); // and then nothing more
    return;
  }
  res.writeHead(404).end('no');
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'guarded-fetch-'));
  server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
  base = `http://127.0.0.1:${port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

const dest = () => path.join(dir, `file-${++counter}`);
const options = (over: Partial<GuardedFetchOptions> = {}): GuardedFetchOptions => ({
  policy: createAddressPolicy(['127.0.0.1/32']),
  maxBytes: 4000,
  timeoutMs: 5000,
  ...over,
});

async function failure(work: Promise<unknown>): Promise<UrlFetchError> {
  const error = await work.then(() => null, (e: unknown) => e);
  expect(error).toBeInstanceOf(UrlFetchError);
  return error as UrlFetchError;
}

describe('fetchToFile', () => {
  it('does download media from an allowed address to the file', async () => {
    const file = dest();
    const got = await fetchToFile(`${base}/media.wav`, file, options());
    expect(got).toMatchObject({ path: file, bytes: 1000, contentType: 'audio/wav', fileName: 'media.wav' });
    expect(readFileSync(file).equals(MEDIA)).toBe(true);
  });

  it('does take the file name from Content-Disposition', async () => {
    expect((await fetchToFile(`${base}/named`, dest(), options())).fileName).toBe('café.mp3');
  });

  it('does refuse loopback when the allow-list does not name it', async () => {
    const error = await failure(fetchToFile(`${base}/media.wav`, dest(), options({ policy: createAddressPolicy() })));
    expect(error.code).toBe('URL_FORBIDDEN');
    expect(error.status).toBe(403);
    const byName = await failure(fetchToFile(`http://localhost:${port}/media.wav`, dest(), options({ policy: createAddressPolicy() })));
    expect(byName.code).toBe('URL_FORBIDDEN');
  });

  it('does refuse a redirect to the metadata address with URL_FORBIDDEN, before connecting', async () => {
    const file = dest();
    const error = await failure(fetchToFile(`${base}/to-metadata`, file, options()));
    expect(error.code).toBe('URL_FORBIDDEN');
    expect(error.message).toContain('metadata');
    expect(existsSync(file)).toBe(false);
  });

  it('does re-check redirects: IPv6 loopback is refused although 127.0.0.1 is allowed', async () => {
    expect((await failure(fetchToFile(`${base}/to-ipv6-loopback`, dest(), options()))).code).toBe('URL_FORBIDDEN');
  });

  it('does refuse schemes other than http and https, also through a redirect', async () => {
    expect((await failure(fetchToFile('ftp://127.0.0.1/x.wav', dest(), options()))).code).toBe('URL_FORBIDDEN');
    expect((await failure(fetchToFile('file:///etc/passwd', dest(), options()))).code).toBe('URL_FORBIDDEN');
    expect((await failure(fetchToFile(`${base}/to-file`, dest(), options()))).code).toBe('URL_FORBIDDEN');
  });

  it('does follow 5 redirects and refuses a sixth', async () => {
    expect((await fetchToFile(`${base}/hop/4`, dest(), options())).bytes).toBe(1000);
    const error = await failure(fetchToFile(`${base}/hop/5`, dest(), options()));
    expect(error.code).toBe('URL_FETCH_FAILED');
    expect(error.message).toContain('more than 5');
  });

  it('does connect to the address it checked and sends the original Host header', async () => {
    const asked: string[] = [];
    const resolve = async (host: string) => {
      asked.push(host);
      return [{ address: '127.0.0.1', family: 4 }];
    };
    const file = dest();
    await fetchToFile(`http://media.example:${port}/host`, file, options({ resolve }));
    expect(readFileSync(file, 'utf8')).toBe(`media.example:${port}`);
    expect(asked).toEqual(['media.example']);
  });

  it('does refuse a name when any of its addresses is forbidden', async () => {
    const resolve = async () => [{ address: '127.0.0.1', family: 4 }, { address: '10.0.0.8', family: 4 }];
    const error = await failure(fetchToFile(`http://mixed.example:${port}/media.wav`, dest(), options({ resolve })));
    expect(error.code).toBe('URL_FORBIDDEN');
    expect(error.message).toContain('10.0.0.8');
  });

  it('does refuse a declared size over the limit at once', async () => {
    const error = await failure(fetchToFile(`${base}/big-declared`, dest(), options()));
    expect([error.code, error.status]).toEqual(['UPLOAD_TOO_LARGE', 413]);
  });

  it('does stop a body that grows past the limit while streaming and removes the partial file', async () => {
    const file = dest();
    const error = await failure(fetchToFile(`${base}/big-chunked`, file, options({ maxBytes: 2500 })));
    expect(error.code).toBe('UPLOAD_TOO_LARGE');
    expect(existsSync(file)).toBe(false);
  });

  it('does time out a body that stalls and removes the partial file', async () => {
    const file = dest();
    const error = await failure(fetchToFile(`${base}/slow`, file, options({ timeoutMs: 300 })));
    expect([error.code, error.status]).toEqual(['URL_TIMEOUT', 504]);
    expect(existsSync(file)).toBe(false);
  });

  it('does report an HTTP error status and an unresolvable name as URL_FETCH_FAILED', async () => {
    expect((await failure(fetchToFile(`${base}/missing`, dest(), options()))).message).toContain('404');
    const resolve = async () => Promise.reject(new Error('ENOTFOUND'));
    expect((await failure(fetchToFile('http://nowhere.invalid/x', dest(), options({ resolve })))).code).toBe('URL_FETCH_FAILED');
  });
});
