import { describe, expect, it } from 'vitest';
import { buildSpeechAudio } from '../../src/engine/worker/speech-map.ts';

describe('buildSpeechAudio', () => {
  const rate = 100;
  const pcm = Float32Array.from({ length: 1000 }, (_, i) => i);

  it('concatenates the regions with a silent gap between them', () => {
    const speech = buildSpeechAudio(pcm, [{ start: 1, end: 2 }, { start: 5, end: 6 }], rate, 0.1);
    expect(speech.pcm.length).toBe(100 + 10 + 100);
    expect(speech.pcm[0]).toBe(100);
    expect(speech.pcm[99]).toBe(199);
    expect(Array.from(speech.pcm.subarray(100, 110))).toEqual(new Array(10).fill(0));
    expect(speech.pcm[110]).toBe(500);
  });

  it('maps times back to the original timeline, spreading gaps over the pause', () => {
    const speech = buildSpeechAudio(pcm, [{ start: 1, end: 2 }, { start: 5, end: 6 }], rate, 0.1);
    expect(speech.toOriginal(0)).toBeCloseTo(1);
    expect(speech.toOriginal(0.5)).toBeCloseTo(1.5);
    expect(speech.toOriginal(1.05)).toBeCloseTo(3.5); // halfway through the gap = halfway through the pause
    expect(speech.toOriginal(1.1)).toBeCloseTo(5);
    expect(speech.toOriginal(1.6)).toBeCloseTo(5.5);
    expect(speech.toOriginal(9)).toBeCloseTo(6); // past the end: clamped to the last region
  });

  it('is monotonic', () => {
    const speech = buildSpeechAudio(pcm, [{ start: 0.5, end: 1 }, { start: 3, end: 3.2 }, { start: 7, end: 9.99 }], rate);
    let last = -1;
    for (let t = 0; t <= speech.pcm.length / rate + 1; t += 0.01) {
      const o = speech.toOriginal(t);
      expect(o).toBeGreaterThanOrEqual(last);
      last = o;
    }
  });

  it('gives empty audio when there is no speech', () => {
    expect(buildSpeechAudio(pcm, [], rate).pcm.length).toBe(0);
  });
});
