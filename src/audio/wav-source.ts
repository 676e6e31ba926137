import { createReadStream } from 'node:fs';
import { TaskFailure } from '../tasks/errors.ts';
import { framesToMono } from './pcm-convert.ts';
import { createResampler } from './resampler.ts';
import type { WavInfo } from './wav-header.ts';

const SAMPLE_RATE = 16_000;
// About 5 s of 48 kHz stereo 16-bit per read: big enough to be fast, small enough to keep memory flat.
const READ_BYTES = 1 << 20;

/** Streams a parsed WAV file's samples as 16 kHz mono float32 blocks, decoded in-process. */
export async function* wavPcm(file: string, info: WavInfo, signal?: AbortSignal): AsyncGenerator<Float32Array> {
  const resampler = createResampler(info.sampleRate, SAMPLE_RATE);
  if (info.dataBytes <= 0) return;
  const stream = createReadStream(file, { start: info.dataOffset, end: info.dataOffset + info.dataBytes - 1, highWaterMark: READ_BYTES });
  let carry: Buffer = Buffer.alloc(0);
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      signal?.throwIfAborted();
      const bytes = carry.length > 0 ? Buffer.concat([carry, chunk]) : chunk;
      // A read can end inside a frame; the partial frame waits for the next read.
      const whole = bytes.length - (bytes.length % info.blockAlign);
      carry = Buffer.from(bytes.subarray(whole));
      const out = resampler.push(framesToMono(bytes.subarray(0, whole), info));
      if (out.length > 0) yield out;
    }
  } catch (err) {
    if (err instanceof TaskFailure || signal?.aborted) throw err;
    throw new TaskFailure('AUDIO_DECODE_FAILED', `reading ${file}: ${err instanceof Error ? err.message : String(err)}`);
  } finally {
    stream.destroy();
  }
  const tail = resampler.flush();
  if (tail.length > 0) yield tail;
}
