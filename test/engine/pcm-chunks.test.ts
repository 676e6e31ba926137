import { describe, expect, it } from 'vitest';
import { chunkPcm, quietestCut, type PcmChunk } from '../../src/engine/worker/pcm-chunks.ts';

async function collect(input: Parameters<typeof chunkPcm>[0], max: number, search: number, frame = 10): Promise<PcmChunk[]> {
  const out: PcmChunk[] = [];
  for await (const chunk of chunkPcm(input, max, search, frame)) out.push(chunk);
  return out;
}

async function* pieces(pcm: Float32Array, size: number): AsyncGenerator<Float32Array> {
  for (let at = 0; at < pcm.length; at += size) yield pcm.slice(at, at + size);
}

describe('chunkPcm', () => {
  it('keeps input no longer than the limit in one chunk', async () => {
    const pcm = Float32Array.from({ length: 100 }, (_, i) => Math.sin(i));
    const chunks = await collect(pieces(pcm, 7), 100, 20);
    expect(chunks).toHaveLength(1);
    expect(chunks[0]!.offset).toBe(0);
    expect(Array.from(chunks[0]!.pcm)).toEqual(Array.from(pcm));
  });

  it('cuts long input into chunks within the limit that tile the input exactly', async () => {
    const pcm = Float32Array.from({ length: 1000 }, (_, i) => Math.sin(i / 3) * (i % 97 === 0 ? 0 : 1));
    const chunks = await collect(pieces(pcm, 33), 150, 40);
    let expected = 0;
    for (const c of chunks) {
      expect(c.offset).toBe(expected);
      expect(c.pcm.length).toBeGreaterThan(0);
      expect(c.pcm.length).toBeLessThanOrEqual(150);
      expect(Array.from(c.pcm)).toEqual(Array.from(pcm.subarray(c.offset, c.offset + c.pcm.length)));
      expected += c.pcm.length;
    }
    expect(expected).toBe(1000);
  });

  it('accepts one array as input', async () => {
    const chunks = await collect(new Float32Array(250).fill(0.5), 100, 20);
    expect(chunks.map((c) => c.pcm.length).reduce((a, b) => a + b)).toBe(250);
    expect(chunks.every((c) => c.pcm.length <= 100)).toBe(true);
  });
});

describe('quietestCut', () => {
  it('cuts inside the quietest frame of the search window', () => {
    const pcm = new Float32Array(200).fill(1);
    pcm.fill(0, 160, 170); // a pause in the last 50 samples
    const cut = quietestCut(pcm, 200, 50, 10);
    expect(cut).toBeGreaterThanOrEqual(160);
    expect(cut).toBeLessThanOrEqual(170);
  });

  it('never cuts past the limit', () => {
    expect(quietestCut(new Float32Array(300), 120, 40, 10)).toBeLessThanOrEqual(120);
  });
});
