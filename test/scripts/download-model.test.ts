import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, SHARED_MODELS, SILERO_VAD } from '../helpers/paths.ts';
import { tempDir } from '../helpers/temp-dir.ts';

const SCRIPT = path.join(ROOT, 'scripts/download-model.mjs');

/** Runs the script to completion and returns its exit status and output. */
function runScript(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [SCRIPT, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => (stdout += b));
    child.stderr.on('data', (b: Buffer) => (stderr += b));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('download-model script', () => {
  // The shared Silero file is byte-identical to the published ggml-silero-v6.2.0.bin, so its real hash must match.
  const silero = readFileSync(SILERO_VAD);
  // The shared segmentation model is the published int8 export; the embedding model has no stand-in with its hash.
  const segmentation = readFileSync(path.join(SHARED_MODELS, 'pyannote-segmentation-3.0.int8.onnx'));
  let server: Server;
  let base: string;
  const requests: string[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      requests.push(req.url ?? '');
      if (req.url === '/good/ggml-silero-v6.2.0.bin') {
        res.writeHead(200, { 'content-length': silero.length });
        res.end(silero);
      } else if (req.url === '/good/model.int8.onnx') {
        res.writeHead(200, { 'content-length': segmentation.length });
        res.end(segmentation);
      } else if (req.url === '/good/wespeaker_en_voxceleb_resnet34_LM.onnx') {
        res.writeHead(200, { 'content-length': 1000 });
        res.end(Buffer.alloc(1000, 1)); // not the published file: must be refused
      } else if (req.url === '/renamed/ggml-small.en-q5_1.bin') {
        res.writeHead(200, { 'content-length': silero.length });
        res.end(silero);
      } else if (req.url === '/bad/ggml-silero-v6.2.0.bin') {
        const tampered = Buffer.from(silero);
        tampered[1000] = (tampered[1000]! + 1) & 0xff;
        res.writeHead(200, { 'content-length': tampered.length });
        res.end(tampered);
      } else {
        res.writeHead(404).end('not found');
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('downloads a known model, checks its sha256 and prints where it went', async () => {
    const dir = tempDir('models-');
    const r = await runScript(['silero-v6.2.0', '--dir', dir], { MODEL_BASE_URL: `${base}/good` });
    expect(r.code).toBe(0);
    const dest = path.join(dir, 'ggml-silero-v6.2.0.bin');
    expect(r.stdout.trim()).toBe(dest);
    expect(readFileSync(dest).equals(silero)).toBe(true);
    expect(r.stderr).toMatch(/100%/);
    expect(readdirSync(dir)).toEqual(['ggml-silero-v6.2.0.bin']);
  });

  it('fetches the diarization bundle file by file, keeping the verified ones and refusing a mismatch', async () => {
    const dir = tempDir('models-');
    const r = await runScript(['diarization', '--dir', dir], { MODEL_BASE_URL: `${base}/good` });
    expect(r.code).toBe(1);
    expect(readFileSync(path.join(dir, 'pyannote-segmentation-3.0.int8.onnx')).equals(segmentation)).toBe(true);
    expect(r.stderr).toMatch(/saved .*pyannote-segmentation-3\.0\.int8\.onnx \(sha256 verified\)/);
    expect(r.stderr.trim().split('\n').at(-1)).toMatch(/^download-model: checksum mismatch for wespeaker_en_voxceleb_resnet34_LM\.onnx: expected e9848563/);
    expect(readdirSync(dir)).toEqual(['pyannote-segmentation-3.0.int8.onnx']);
  });

  it('accepts the file name and defaults to DATA_DIR/models', async () => {
    const dataDir = tempDir('data-');
    const r = await runScript(['ggml-silero-v6.2.0.bin'], { MODEL_BASE_URL: `${base}/good`, DATA_DIR: dataDir });
    expect(r.code).toBe(0);
    expect(existsSync(path.join(dataDir, 'models/ggml-silero-v6.2.0.bin'))).toBe(true);
  });

  it('deletes the file and fails with one line when the checksum does not match', async () => {
    const dir = tempDir('models-');
    const r = await runScript(['silero-v6.2.0', '--dir', dir], { MODEL_BASE_URL: `${base}/bad` });
    expect(r.code).toBe(1);
    const last = r.stderr.trim().split('\n').at(-1)!;
    expect(last).toMatch(/^download-model: checksum mismatch for ggml-silero-v6\.2\.0\.bin/);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('fails with the HTTP status when the server has no such file', async () => {
    const dir = tempDir('models-');
    const r = await runScript(['tiny.en', '--dir', dir], { MODEL_BASE_URL: `${base}/missing` });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/download-model: download of .*ggml-tiny\.en\.bin failed: HTTP 404/);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('refuses an unknown name without touching the network and lists the known ones', async () => {
    const before = requests.length;
    const r = await runScript(['large-v9'], { MODEL_BASE_URL: base });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown model "large-v9"; known models: tiny\.en, tiny, base\.en, base/);
    expect(requests.length).toBe(before);
  });

  it('knows the published ggml family and checks each file against its own pinned hash', async () => {
    const help = await runScript(['--help']);
    expect(help.code).toBe(0);
    const family = ['small', 'medium', 'large-v3', 'large-v3-turbo', 'small.en', 'medium.en', 'tiny-q5_1', 'tiny.en-q5_1',
      'tiny-q8_0', 'base-q5_1', 'base.en-q5_1', 'base-q8_0', 'small-q5_1', 'small.en-q5_1', 'small-q8_0', 'medium-q5_0',
      'medium.en-q5_0', 'medium-q8_0', 'large-v3-q5_0', 'large-v3-turbo-q5_0', 'large-v3-turbo-q8_0'];
    const listed = /\(NAME: (.*)\)/.exec(help.stderr)?.[1]?.split(', ') ?? [];
    for (const name of family) expect(listed).toContain(name);
    // The server has no large-v3-turbo-q5_0 but answers 404; the request shows the right file name was asked for.
    const dir = tempDir('models-');
    const before = requests.length;
    const missing = await runScript(['ggml-large-v3-turbo-q5_0.bin', '--dir', dir], { MODEL_BASE_URL: `${base}/missing` });
    expect(missing.code).toBe(1);
    expect(requests.slice(before)).toEqual(['/missing/ggml-large-v3-turbo-q5_0.bin']);
    // Silero's bytes served under a family name must be refused against that name's hash (from the LFS records).
    const wrong = await runScript(['small.en-q5_1', '--dir', dir], { MODEL_BASE_URL: `${base}/renamed` });
    expect(wrong.code).toBe(1);
    expect(wrong.stderr.trim().split('\n').at(-1)).toBe(
      'download-model: checksum mismatch for ggml-small.en-q5_1.bin: expected bfdff4894dcb76bbf647d56263ea2a96645423f1669176f4844a1bf8e478ad30, '
      + 'got 2aa269b785eeb53a82983a20501ddf7c1d9c48e33ab63a41391ac6c9f7fb6987; the file was deleted');
    expect(readdirSync(dir)).toEqual([]);
  });

  it('asks for a name when given none', async () => {
    const r = await runScript([]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/usage: npm run models:download/);
  });
});
