import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createMediaReader } from '../../src/engine/worker/media-reader.ts';
import { JFK_MP3, requireFile } from '../helpers/paths.ts';
import { tempDir } from '../helpers/temp-dir.ts';

/** Drains a PCM stream; returns its seconds of 16 kHz audio. */
async function seconds(pcm: AsyncIterable<Float32Array>): Promise<number> {
  let samples = 0;
  for await (const chunk of pcm) samples += chunk.length;
  return samples / 16_000;
}

describe('createMediaReader', () => {
  let calls: string;
  const saved = process.env.FFPROBE_PATH;
  const ffprobeRuns = () => readFileSync(calls, 'utf8').split('\n').filter(Boolean).length;

  beforeEach(() => {
    // An ffprobe that counts its runs, then does the real work.
    const dir = tempDir('media-reader-');
    calls = path.join(dir, 'calls');
    writeFileSync(calls, '');
    const wrapper = path.join(dir, 'ffprobe');
    writeFileSync(wrapper, `#!/bin/sh\necho run >> '${calls}'\nexec ffprobe "$@"\n`);
    chmodSync(wrapper, 0o755);
    process.env.FFPROBE_PATH = wrapper;
  });
  afterEach(() => {
    if (saved === undefined) delete process.env.FFPROBE_PATH;
    else process.env.FFPROBE_PATH = saved;
  });

  it('decodes with the probe the worker made for the duration instead of running ffprobe again', async () => {
    const media = createMediaReader({ chunkSeconds: 30 });
    const signal = new AbortController().signal;
    const duration = await media.duration(requireFile(JFK_MP3), signal);
    expect(duration).toBeGreaterThan(10.9);
    expect(await seconds(media.pcm(JFK_MP3, signal))).toBeGreaterThan(10.9);
    expect(ffprobeRuns()).toBe(1);
  });

  it('probes in the decoder when the duration came with the job', async () => {
    const media = createMediaReader({ chunkSeconds: 30 });
    expect(await seconds(media.pcm(requireFile(JFK_MP3), new AbortController().signal))).toBeGreaterThan(10.9);
    expect(ffprobeRuns()).toBe(1); // the decoder still checks the stream and its declared length
  });
});
