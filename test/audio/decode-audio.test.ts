import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeAudio, SAMPLE_RATE, streamAudio } from '../../src/audio/decode-audio.ts';
import { TaskFailure } from '../../src/tasks/errors.ts';
import {
  BAD_FILES, JFK_FORMATS, JFK_SECONDS, jfkAs, jfkSamples, jfkWav, badFile, speechWav, WAV_VARIANT_NAMES, type BadFile,
} from '../helpers/fixtures.ts';
import { JFK_WAV } from '../helpers/paths.ts';
import { tempDir } from '../helpers/temp-dir.ts';

/** Normalised correlation at lag 0: 1 for the same waveform at any gain. */
function correlation(a: Float32Array, b: Float32Array): number {
  const n = Math.min(a.length, b.length);
  let ab = 0, aa = 0, bb = 0;
  for (let i = 0; i < n; i++) { ab += a[i]! * b[i]!; aa += a[i]! * a[i]!; bb += b[i]! * b[i]!; }
  return ab / Math.sqrt(aa * bb);
}
const rms = (x: Float32Array) => Math.sqrt(x.reduce((s, v) => s + v * v, 0) / x.length);

async function failureOf(promise: Promise<unknown>): Promise<TaskFailure> {
  const err = await promise.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(TaskFailure);
  return err as TaskFailure;
}

describe('decodeAudio', () => {
  const reference = jfkSamples();

  it.each(JFK_FORMATS)('decodes jfk as %s to about 11 s of 16 kHz mono speech', async (format) => {
    const pcm = await decodeAudio(jfkAs(format));
    expect(Math.abs(pcm.length / SAMPLE_RATE - JFK_SECONDS)).toBeLessThan(0.1);
    expect(rms(pcm)).toBeGreaterThan(0.05);
    // Lossy codecs change the waveform a little; a wrong rate, channel or offset would ruin this.
    expect(correlation(reference, pcm)).toBeGreaterThan(0.95);
  });

  it.each(WAV_VARIANT_NAMES)('decodes the %s WAV variant to the same waveform as jfk.wav', async (variant) => {
    const pcm = await decodeAudio(jfkWav(variant));
    // ADPCM pads its last block; PCM keeps every frame.
    expect(Math.abs(pcm.length - reference.length)).toBeLessThanOrEqual(variant === 'adpcm' ? 2048 : 2);
    expect(correlation(reference, pcm)).toBeGreaterThan(0.99);
  });

  it('returns samples equal to the 16-bit source for a 16 kHz mono WAV', async () => {
    const pcm = await decodeAudio(JFK_WAV);
    expect(pcm.length).toBe(reference.length);
    let maxDiff = 0;
    for (let i = 0; i < pcm.length; i++) maxDiff = Math.max(maxDiff, Math.abs(pcm[i]! - reference[i]!));
    expect(maxDiff).toBeLessThan(1e-6);
  });

  it('decodes espeak-ng speech at 22.05 kHz to its length at 16 kHz', async () => {
    const file = speechWav();
    const header = readFileSync(file);
    const dataBytes = header.readUInt32LE(header.indexOf('data', 12, 'latin1') + 4);
    const seconds = dataBytes / 2 / header.readUInt32LE(24);
    const pcm = await decodeAudio(file);
    expect(Math.abs(pcm.length / SAMPLE_RATE - seconds)).toBeLessThan(0.01);
    expect(rms(pcm)).toBeGreaterThan(0.01);
  });

  it.each(Object.keys(BAD_FILES) as BadFile[])('rejects the %s fixture with its error code', async (kind) => {
    const failure = await failureOf(decodeAudio(badFile(kind)));
    expect(failure.code).toBe(BAD_FILES[kind]);
    expect(failure.message.length).toBeGreaterThan(10);
    expect(failure.userMessage.length).toBeGreaterThan(10);
  });

  it('gives AUDIO_DECODE_FAILED for a file that does not exist', async () => {
    const failure = await failureOf(decodeAudio('/nonexistent/x.mp3'));
    expect(failure.code).toBe('AUDIO_DECODE_FAILED');
    expect(failure.message).toContain('ENOENT');
  });

  it('includes the ffmpeg complaint in the technical detail', async () => {
    const failure = await failureOf(decodeAudio(badFile('text-as-mp3')));
    expect(failure.message).toMatch(/mp3/i);
  });

  it('decodes very quiet speech instead of calling it silent', async () => {
    const dir = tempDir('quiet-');
    const original = readFileSync(JFK_WAV);
    const data = original.indexOf('data', 12, 'latin1') + 8;
    const quiet = Buffer.from(original);
    for (let at = data; at + 1 < quiet.length; at += 2) quiet.writeInt16LE(Math.round(quiet.readInt16LE(at) / 100), at); // -40 dB
    writeFileSync(path.join(dir, 'quiet.wav'), quiet);
    const pcm = await decodeAudio(path.join(dir, 'quiet.wav'));
    expect(correlation(reference, pcm)).toBeGreaterThan(0.99);
  });
});

describe('streamAudio', () => {
  it.each([['wav', JFK_WAV], ['mp3', null]] as const)('yields fixed-size chunks from %s that join into the whole decode', async (_name, file) => {
    const source = file ?? jfkAs('mp3');
    const whole = await decodeAudio(source);
    const chunks: Float32Array[] = [];
    for await (const chunk of streamAudio(source, { chunkSeconds: 2 })) chunks.push(chunk);
    expect(chunks.length).toBe(Math.ceil(whole.length / (2 * SAMPLE_RATE)));
    for (const chunk of chunks.slice(0, -1)) expect(chunk.length).toBe(2 * SAMPLE_RATE);
    const joined = new Float32Array(chunks.reduce((n, c) => n + c.length, 0));
    chunks.reduce((at, c) => (joined.set(c, at), at + c.length), 0);
    expect(joined.length).toBe(whole.length);
    expect(joined.every((v, i) => v === whole[i])).toBe(true);
  });

  it('stops and throws the abort reason when the signal fires', async () => {
    const controller = new AbortController();
    const reason = new Error('cancelled by test');
    const seen: number[] = [];
    const run = (async () => {
      for await (const chunk of streamAudio(jfkAs('flac'), { chunkSeconds: 1, signal: controller.signal })) {
        seen.push(chunk.length);
        controller.abort(reason);
      }
    })();
    await expect(run).rejects.toBe(reason);
    expect(seen.length).toBeLessThan(11);
  });
});
