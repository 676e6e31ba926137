import { chmodSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeAudio } from '../../src/audio/decode-audio.ts';
import { ffmpegPcm } from '../../src/audio/ffmpeg-source.ts';
import { TaskFailure } from '../../src/tasks/errors.ts';
import { jfkAs } from '../helpers/fixtures.ts';
import { tempDir } from '../helpers/temp-dir.ts';

/** A stand-in for ffmpeg/ffprobe that prints a line on stderr and then hangs. */
function hangingTool(): string {
  const file = path.join(tempDir('hang-'), 'tool.sh');
  writeFileSync(file, '#!/bin/sh\necho "stuck on purpose" >&2\nexec sleep 30\n');
  chmodSync(file, 0o755);
  return file;
}

async function collect(it: AsyncIterable<Float32Array>): Promise<number> {
  let n = 0;
  for await (const block of it) n += block.length;
  return n;
}

describe('ffmpegPcm', () => {
  it('streams a file as 16 kHz float32 blocks', async () => {
    const samples = await collect(ffmpegPcm(jfkAs('ogg'), { ffmpeg: 'ffmpeg', stallTimeoutMs: 30_000 }));
    expect(Math.abs(samples - 176_000)).toBeLessThan(1600);
  });

  it('kills an ffmpeg that stops producing output and says so', async () => {
    const started = Date.now();
    const err = await collect(ffmpegPcm(jfkAs('ogg'), { ffmpeg: hangingTool(), stallTimeoutMs: 300 })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TaskFailure);
    expect((err as TaskFailure).code).toBe('AUDIO_DECODE_FAILED');
    expect((err as TaskFailure).message).toMatch(/no output for 300 ms.*stuck on purpose/s);
    expect(Date.now() - started).toBeLessThan(20_000); // far below the 30 s the stand-in sleeps
  });

  it('reports a missing ffmpeg binary with a hint', async () => {
    const err = await collect(ffmpegPcm(jfkAs('ogg'), { ffmpeg: '/nonexistent/ffmpeg', stallTimeoutMs: 5000 })).catch((e: unknown) => e);
    expect((err as TaskFailure).code).toBe('AUDIO_DECODE_FAILED');
    expect((err as TaskFailure).message).toContain('FFMPEG_PATH');
  });

  it('fails as truncated when far less audio comes out than the container declares', async () => {
    const err = await collect(ffmpegPcm(jfkAs('ogg'), { ffmpeg: 'ffmpeg', stallTimeoutMs: 30_000, declaredSec: 30 })).catch((e: unknown) => e);
    expect((err as TaskFailure).code).toBe('AUDIO_DECODE_FAILED');
    expect((err as TaskFailure).message).toMatch(/truncated/);
  });
});

describe('decodeAudio with a hanging ffprobe', () => {
  it('gives up after the probe time limit', async () => {
    const tool = hangingTool();
    const err = await decodeAudio(jfkAs('mp3'), { tools: { ffmpeg: tool, ffprobe: tool }, probeTimeoutMs: 300 }).catch((e: unknown) => e);
    expect((err as TaskFailure).code).toBe('AUDIO_DECODE_FAILED');
    expect((err as TaskFailure).message).toMatch(/ffprobe did not finish within 300 ms/);
  });
});
