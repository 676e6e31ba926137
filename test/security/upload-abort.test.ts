import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { rawHttp, startFuzzServer, WAV, type FuzzServer } from '../fuzz/fuzz-server.ts';

let s: FuzzServer;
beforeAll(async () => {
  s = await startFuzzServer();
}, 30_000);
afterAll(async () => {
  await s?.close();
});

describe('uploads that go wrong', () => {
  it('leaves no unhandled rejection (which would stop the process) and no partial upload', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => void unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      for (let i = 0; i < 20; i++) {
        // The body stops short of its Content-Length and the connection ends: the request is aborted mid-upload.
        const head = `POST /tasks HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=b\r\nContent-Length: ${1000 + i}\r\n\r\n`;
        await rawHttp(s.port, `${head}--b\r\nContent-Disposition: form-data; name="file"; filename="a.wav"\r\n\r\nRIFF`);
      }
      await new Promise((r) => setTimeout(r, 300));
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
    expect(unhandled).toEqual([]);
    await s.assertIntact();
    const listed = (await (await fetch(`${s.test.url}/tasks`)).json()) as { total: number };
    expect(listed.total).toBe(2);
  });

  it.each([
    ['a part with no headers', '--a\r\n\r\n'],
    ['an unknown field', '--a\r\nContent-Disposition: form-data; name="nope"\r\n\r\nx\r\n'],
    ['a field sent twice', '--a\r\nContent-Disposition: form-data; name="task"\r\n\r\ntranscribe\r\n--a\r\nContent-Disposition: form-data; name="task"\r\n\r\ntranscribe\r\n'],
  ])('answers 400 at once, leaving no file behind, when %s comes before the file', async (_what, first) => {
    const uploads = path.join(s.test.dataDir, 'uploads');
    const before = new Set(existsSync(uploads) ? readdirSync(uploads) : []);
    const body = Buffer.concat([
      Buffer.from(`${first}--a\r\nContent-Disposition: form-data; name="language"\r\n\r\nen\r\n`),
      Buffer.from('--a\r\nContent-Disposition: form-data; name="file"; filename="x.wav"\r\nContent-Type: audio/wav\r\n\r\n'),
      WAV,
      Buffer.from('\r\n--a--\r\n'),
    ]);
    // Before the fix, busboy's events after the error opened a file that never ended, and the answer never came.
    const res = await fetch(`${s.test.url}/tasks`, {
      method: 'POST', body, headers: { 'Content-Type': 'multipart/form-data; boundary=a' }, signal: AbortSignal.timeout(5000),
    });
    expect(res.status).toBe(400);
    await res.arrayBuffer();
    await new Promise((r) => setTimeout(r, 100));
    expect(readdirSync(uploads).filter((d) => !before.has(d))).toEqual([]);
    await s.assertIntact();
  });
});
