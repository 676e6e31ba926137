import { describe, expect, it } from 'vitest';
import { SAMPLE_RATE, streamAudio } from '../../src/audio/decode-audio.ts';
import { ffmpegPcm } from '../../src/audio/ffmpeg-source.ts';
import { longWav } from '../helpers/fixtures.ts';

const HOUR = 3600;
// Decoding one hour whole takes 230 MB for the float32 output alone; streaming must stay far below.
const WHOLE_FILE_BYTES = HOUR * SAMPLE_RATE * 4;

/** Consumes an iterable, dropping each block, and reports sample count, block count and peak RSS growth. */
async function drain(blocks: AsyncIterable<Float32Array>): Promise<{ samples: number; blocks: number; growth: number }> {
  const base = process.memoryUsage().rss;
  let peak = base;
  let samples = 0;
  let count = 0;
  for await (const block of blocks) {
    samples += block.length;
    count++;
    peak = Math.max(peak, process.memoryUsage().rss);
  }
  return { samples, blocks: count, growth: peak - base };
}

describe('streaming a one-hour file', () => {
  const file = longWav(HOUR);

  it('streams a WAV in fixed chunks without holding the file', async () => {
    const r = await drain(streamAudio(file, { chunkSeconds: 60 }));
    expect(r.samples).toBe(HOUR * SAMPLE_RATE);
    expect(r.blocks).toBe(60);
    expect(r.growth).toBeLessThan(WHOLE_FILE_BYTES * 0.5);
  });

  it('streams through ffmpeg without holding the file', async () => {
    const r = await drain(ffmpegPcm(file, { ffmpeg: 'ffmpeg', stallTimeoutMs: 60_000 }));
    expect(r.samples).toBe(HOUR * SAMPLE_RATE);
    expect(r.growth).toBeLessThan(WHOLE_FILE_BYTES * 0.5);
  });
});
