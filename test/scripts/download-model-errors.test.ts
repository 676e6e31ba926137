// models:download says why a download failed (issue 13): DNS, refused connection, TLS, HTTP status, disk.
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/paths.ts';
import { tempDir } from '../helpers/temp-dir.ts';

const SCRIPT = path.join(ROOT, 'scripts/download-model.mjs');

function runScript(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [SCRIPT, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (b: Buffer) => (stderr += b));
    child.on('close', (code) => resolve({ code, stderr }));
  });
}
/** The last line the script printed: its one-line verdict. */
const verdict = (stderr: string) => stderr.trim().split('\n').at(-1) ?? '';

describe('download-model failure reasons', () => {
  let server: Server;
  let port: number;
  const dir = tempDir('models-err-');

  beforeAll(async () => {
    server = createServer((_req, res) => res.writeHead(404, 'Not Found').end('nope'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('names a DNS failure and the host', async () => {
    const r = await runScript(['silero-v6.2.0', '--dir', dir], { MODEL_BASE_URL: 'http://no-such-host.invalid/m' });
    expect(r.code).toBe(1);
    expect(verdict(r.stderr)).toMatch(/DNS: the name no-such-host\.invalid could not be resolved/);
    expect(r.stderr).not.toMatch(/fetch failed$/m);
  });

  it('names a refused connection and an HTTP status', async () => {
    // A port that was just free: nothing listens there.
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const free = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const refused = await runScript(['silero-v6.2.0', '--dir', dir], { MODEL_BASE_URL: `http://127.0.0.1:${free}/m` });
    expect(verdict(refused.stderr)).toContain(`connection refused by 127.0.0.1:${free}`);
    const missing = await runScript(['silero-v6.2.0', '--dir', dir], { MODEL_BASE_URL: `http://127.0.0.1:${port}/m` });
    expect(missing.code).toBe(1);
    expect(verdict(missing.stderr)).toMatch(/HTTP 404 Not Found \(the file is not at that address/);
  });

  it('names a TLS failure', async () => {
    // HTTPS to a plain-HTTP server: the handshake fails.
    const r = await runScript(['silero-v6.2.0', '--dir', dir], { MODEL_BASE_URL: `https://127.0.0.1:${port}/m` });
    expect(r.code).toBe(1);
    expect(verdict(r.stderr)).toMatch(/failed: TLS: /);
  });

  it('names a folder it cannot write to', async () => {
    const file = path.join(dir, 'a-file');
    writeFileSync(file, 'x');
    const r = await runScript(['silero-v6.2.0', '--dir', path.join(file, 'models')], { MODEL_BASE_URL: `http://127.0.0.1:${port}/m` });
    expect(r.code).toBe(1);
    expect(verdict(r.stderr)).toMatch(/disk: cannot use .*a-file\/models as the models folder/);
  });
});
