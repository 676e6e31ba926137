import { existsSync, readdirSync, readFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { JFK_WAV } from '../helpers/paths.ts';
import { startMiniServer } from '../ws/mini-server.ts';

let server: Awaited<ReturnType<typeof startMiniServer>> | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** Streams a multipart upload of `total` file bytes in chunks (chunked encoding, so no length is declared up front). */
function slowUpload(url: string, total: number, chunk = 64 * 1024) {
  return new Promise<{ status: number; body: string; written: number }>((resolve, reject) => {
    const boundary = 'bench-boundary';
    const req = http.request(`${url}/tasks`, { method: 'POST', headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } });
    let written = 0;
    let answered = false;
    req.on('response', (res) => {
      answered = true;
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, written }));
    });
    req.on('error', (error) => (answered ? undefined : reject(error)));
    const wav = readFileSync(JFK_WAV);
    req.write(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.wav"\r\nContent-Type: audio/wav\r\n\r\n`);
    req.write(wav.subarray(0, 44));
    const pump = () => {
      if (answered) return req.destroy();
      if (written >= total) return req.end(`\r\n--${boundary}--\r\n`);
      written += chunk;
      req.write(Buffer.alloc(chunk, 1), () => setTimeout(pump, 1));
    };
    pump();
  });
}

describe('streaming upload', () => {
  it('answers 413 while the body is still arriving and removes the partial file', async () => {
    server = await startMiniServer({ MAX_UPLOAD_BYTES: String(1024 * 1024) });
    const total = 200 * 1024 * 1024;
    const res = await slowUpload(server.url, total);
    expect(res.status).toBe(413);
    expect(JSON.parse(res.body).error.code).toBe('UPLOAD_TOO_LARGE');
    expect(res.written).toBeLessThan(total / 4);
    const uploads = path.join(server.config.DATA_DIR, 'uploads');
    expect(existsSync(uploads) ? readdirSync(uploads) : []).toEqual([]);
    expect(await server.taskCount()).toBe(0);
  });

  it('refuses at once a body whose declared length is over the limit', async () => {
    server = await startMiniServer({ MAX_UPLOAD_BYTES: '1000' });
    const body = new FormData();
    body.append('file', new Blob([new Uint8Array(readFileSync(JFK_WAV))]), 'jfk.wav');
    const res = await fetch(`${server.url}/tasks`, { method: 'POST', body });
    expect(res.status).toBe(413);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('UPLOAD_TOO_LARGE');
  });

  it('accepts a real upload over HTTP and serves it back through the API', async () => {
    server = await startMiniServer();
    const body = new FormData();
    body.append('file', new Blob([new Uint8Array(readFileSync(JFK_WAV))]), 'jfk.wav');
    body.append('word_timestamps', '1');
    const res = await fetch(`${server.url}/tasks`, { method: 'POST', body });
    expect(res.status).toBe(202);
    const created = (await res.json()) as { identifier: string; links: { self: string } };
    expect(created.links.self).toBe(`/tasks/${created.identifier}`);
    const task = (await (await fetch(`${server.url}${created.links.self}`)).json()) as { params: { word_timestamps: boolean } };
    expect(task.params.word_timestamps).toBe(true);
  });
});
