import { describe, expect, it } from 'vitest';
import { createPcmRecorder } from '../../src/engine/worker/pcm-recorder.ts';

async function* chunks(sizes: number[]): AsyncIterable<Float32Array> {
  let n = 0;
  for (const size of sizes) yield Float32Array.from({ length: size }, () => n++);
}

describe('createPcmRecorder', () => {
  it('passes chunks through unchanged and records all of them, growing past an under-reported duration', async () => {
    const recorder = createPcmRecorder(0.0001); // room for one second plus a sample
    const seen: number[] = [];
    for await (const chunk of recorder.tee(chunks([10_000, 10_000, 5]))) seen.push(chunk.length);
    expect(seen).toEqual([10_000, 10_000, 5]);
    const samples = recorder.take();
    expect(samples.length).toBe(20_005);
    expect(samples.every((v, i) => v === i)).toBe(true);
    expect(recorder.take().length).toBe(0); // let go after take()
  });
});
