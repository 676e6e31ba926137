// A corpus of bad media against a real server (worker pool, random tiny.en model, ffmpeg): each
// file must end in a clear error, refused at upload with a 4xx or failed as a task with a decode
// code and all three error fields, and no file may hang the worker: a normal file still completes.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BAD_FILES, badFile, jfkAs, MEDIA_CACHE, type BadFile } from '../helpers/fixtures.ts';
import { JFK_WAV } from '../helpers/paths.ts';
import { startService, type TestService } from '../helpers/start-service.ts';

type Json = Record<string, any>;

/** Longest audio the server accepts here: the decompression bomb below decodes to far more. */
const MAX_AUDIO_SECONDS = 120;
/** A bad file must be answered (refused or failed) within this; far above what a decode error takes. */
const PER_FILE_MS = 90_000;

/** What a file may end in: codes at upload (4xx) and task error codes. */
const UNREADABLE = { upload: ['UNSUPPORTED_MEDIA', 'AUDIO_TOO_LONG'], task: ['AUDIO_DECODE_FAILED'] };
const NO_SOUND = { upload: ['EMPTY_FILE', 'NO_AUDIO'], task: ['NO_AUDIO'] };
type Outcome = typeof UNREADABLE;

/** Writes a crafted file once into the media cache (atomically, like the shared fixtures). */
function crafted(name: string, make: (out: string) => void): string {
  const file = path.join(MEDIA_CACHE, `abuse.${name}`);
  if (existsSync(file)) return file;
  mkdirSync(MEDIA_CACHE, { recursive: true });
  const tmp = path.join(MEDIA_CACHE, `tmp-${process.pid}-abuse.${name}`);
  make(tmp);
  renameSync(tmp, file);
  return file;
}

/** A 44-byte PCM WAV header with any field values, however absurd. */
function wavHeader(f: { channels: number; rate: number; bits: number; dataBytes: number }): Buffer {
  const h = Buffer.alloc(44);
  h.write('RIFF', 0, 'latin1');
  h.writeUInt32LE(Math.min(0xffffffff, 36 + f.dataBytes), 4);
  h.write('WAVEfmt ', 8, 'latin1');
  h.writeUInt32LE(16, 16);
  h.writeUInt16LE(1, 20);
  h.writeUInt16LE(f.channels, 22);
  h.writeUInt32LE(f.rate, 24);
  h.writeUInt32LE(Math.min(0xffffffff, f.rate * f.channels * (f.bits / 8)), 28);
  h.writeUInt16LE(Math.min(0xffff, f.channels * (f.bits / 8)), 32);
  h.writeUInt16LE(f.bits, 34);
  h.write('data', 36, 'latin1');
  h.writeUInt32LE(f.dataBytes, 40);
  return h;
}

/** jfk.m4a with its movie and track headers claiming 136 years and its sample table claiming 4 billion entries. */
function lyingMp4(out: string): void {
  const bytes = Buffer.from(readFileSync(jfkAs('m4a')));
  for (const box of ['mvhd', 'mdhd']) {
    const at = bytes.indexOf(box, 0, 'latin1');
    if (at < 0 || bytes[at + 4] !== 0) throw new Error(`${box} (version 0) not found in jfk.m4a`);
    bytes.writeUInt32BE(1, at + 16); // timescale 1: legal, and with the duration below, absurd
    bytes.writeUInt32BE(0xffffffff, at + 20);
  }
  const stsz = bytes.indexOf('stsz', 0, 'latin1');
  if (stsz < 0) throw new Error('stsz not found in jfk.m4a');
  bytes.writeUInt32BE(0xfffffff0, stsz + 12);
  writeFileSync(out, bytes);
}

/**
 * A decompression bomb: 30 minutes of a constant level (not silence) compress to about 350 KB of
 * FLAC, and the stream header's sample count is zeroed so nothing up front tells its length.
 */
function flacBomb(out: string): void {
  const tmp = `${out}.src.flac`;
  execFileSync('ffmpeg', ['-nostdin', '-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', 'aevalsrc=0.25:s=16000:d=1800',
    '-ac', '1', '-c:a', 'flac', tmp], { stdio: ['ignore', 'ignore', 'pipe'], timeout: 120_000 });
  const bytes = Buffer.from(readFileSync(tmp));
  rmSync(tmp, { force: true });
  // STREAMINFO starts at byte 8; its 36-bit total-samples field spans the low nibble of byte 21 and bytes 22-25.
  if (bytes.toString('latin1', 0, 4) !== 'fLaC') throw new Error('ffmpeg did not write a FLAC stream');
  bytes[21] = bytes[21]! & 0xf0;
  bytes.fill(0, 22, 26);
  writeFileSync(out, bytes);
}

interface Entry { name: string; file: () => string; uploadName: string; outcome: Outcome }

const fromFixtures: Entry[] = (Object.keys(BAD_FILES) as BadFile[]).map((kind) => ({
  name: kind,
  file: () => badFile(kind),
  uploadName: path.basename(badFile(kind)).replace(/^bad\./, ''),
  outcome: BAD_FILES[kind] === 'NO_AUDIO' ? NO_SOUND : UNREADABLE,
}));

const CORPUS: Entry[] = [
  ...fromFixtures,
  { name: 'text named .wav', file: () => badFile('text-as-mp3'), uploadName: 'notes.wav', outcome: UNREADABLE },
  { name: 'random bytes named .m4a', file: () => badFile('random-bytes'), uploadName: 'song.m4a', outcome: UNREADABLE },
  { name: 'truncated mp3 named .ogg', file: () => badFile('truncated-mp3'), uploadName: 'voice.ogg', outcome: UNREADABLE },
  {
    name: 'WAV header with 65535 channels at 4 GHz, 32 bytes of data',
    file: () => crafted('absurd-format.wav', (out) =>
      writeFileSync(out, Buffer.concat([wavHeader({ channels: 65535, rate: 0xffffffff, bits: 32, dataBytes: 32 }), Buffer.alloc(32, 7)]))),
    uploadName: 'absurd.wav', outcome: UNREADABLE,
  },
  {
    name: 'WAV header declaring 4 GB of 8-channel 192 kHz data, 1 KB present',
    file: () => crafted('huge-declared.wav', (out) =>
      writeFileSync(out, Buffer.concat([wavHeader({ channels: 8, rate: 192000, bits: 32, dataBytes: 0xfffffff0 }), Buffer.alloc(1024, 3)]))),
    uploadName: 'huge.wav', outcome: UNREADABLE,
  },
  { name: 'MP4 whose headers claim 136 years and 4 billion samples', file: () => crafted('lying.m4a', lyingMp4), uploadName: 'lying.m4a', outcome: UNREADABLE },
  { name: 'FLAC decompression bomb with no declared length', file: () => crafted('bomb.flac', flacBomb), uploadName: 'bomb.flac', outcome: UNREADABLE },
];

let t: TestService;
beforeAll(async () => {
  for (const entry of CORPUS) entry.file(); // make every fixture before the clock of any test starts
  t = await startService({ env: { MAX_AUDIO_SECONDS: String(MAX_AUDIO_SECONDS) } });
  const deadline = Date.now() + 90_000;
  while ((await fetch(`${t.url}/health/ready`)).status !== 200) {
    if (Date.now() > deadline) throw new Error('the worker never became ready');
    await new Promise((r) => setTimeout(r, 100));
  }
}, 240_000);
afterAll(async () => t?.close());

async function upload(file: string, name: string): Promise<{ status: number; body: Json }> {
  const form = new FormData();
  form.append('file', new Blob([new Uint8Array(readFileSync(file))]), name);
  const response = await fetch(`${t.url}/tasks`, { method: 'POST', body: form });
  return { status: response.status, body: (await response.json()) as Json };
}

async function finalProgress(id: string, timeoutMs: number): Promise<Json> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const progress = (await (await fetch(`${t.url}/tasks/${id}/progress`)).json()) as Json;
    if (progress.status !== 'queued' && progress.status !== 'processing') return progress;
    if (Date.now() > end) throw new Error(`task ${id} still ${progress.status} after ${timeoutMs} ms: the worker hangs`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('bad media corpus', () => {
  it.each(CORPUS.map((entry) => [entry.name, entry] as const))('ends %s in a clear error', async (_name, entry) => {
    const answer = await upload(entry.file(), entry.uploadName);
    if (answer.status !== 202) {
      expect(answer.status).toBeGreaterThanOrEqual(400);
      expect(answer.status).toBeLessThan(500);
      expect(entry.outcome.upload).toContain(answer.body.error?.code);
      expect(answer.body.error.message).toEqual(expect.any(String));
      return;
    }
    const final = await finalProgress(answer.body.identifier as string, PER_FILE_MS);
    expect(final.status).toBe('failed');
    expect(entry.outcome.task).toContain(final.error?.error_code);
    expect(final.error.user_message).toMatch(/\w/);
    expect(final.error.technical_detail).toMatch(/\w/);
  }, PER_FILE_MS + 30_000);

  it('still has a ready worker that completes a normal file afterwards', async () => {
    const ready = (await (await fetch(`${t.url}/health/ready`)).json()) as Json;
    expect(ready.checks.workers_ready).toBeGreaterThanOrEqual(1);
    const answer = await upload(JFK_WAV, 'jfk.wav');
    expect(answer.status).toBe(202);
    const final = await finalProgress(answer.body.identifier as string, 240_000);
    expect(final).toMatchObject({ status: 'completed', progress_percentage: 100, error: null });
  }, 300_000);
});
