import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rawHttp, startFuzzServer, type FuzzServer } from '../fuzz/fuzz-server.ts';

let s: FuzzServer;
beforeAll(async () => {
  s = await startFuzzServer();
}, 30_000);
afterAll(async () => {
  await s?.close();
});

describe('an upload the client abandons', () => {
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
});
