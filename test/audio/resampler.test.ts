import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createResampler } from '../../src/audio/resampler.ts';

const sine = (freq: number, rate: number, seconds: number) =>
  Float32Array.from({ length: Math.round(rate * seconds) }, (_, i) => Math.sin((2 * Math.PI * freq * i) / rate));

function resampleAll(input: Float32Array, from: number, to: number, blockSizes: number[] = [input.length]): Float32Array {
  const r = createResampler(from, to);
  const parts: Float32Array[] = [];
  let at = 0;
  for (let b = 0; at < input.length; b++) {
    const size = blockSizes[b % blockSizes.length]!;
    parts.push(r.push(input.subarray(at, at + size)));
    at += size;
  }
  parts.push(r.flush());
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  parts.reduce((o, p) => (out.set(p, o), o + p.length), 0);
  return out;
}

/** Frequency from upward zero crossings, away from the edges. */
function measuredFrequency(x: Float32Array, rate: number): number {
  const from = Math.floor(rate * 0.1);
  const to = x.length - from;
  let crossings = 0;
  for (let i = from + 1; i < to; i++) if (x[i - 1]! < 0 && x[i]! >= 0) crossings++;
  return crossings / ((to - from) / rate);
}

const rms = (x: Float32Array, from = 0, to = x.length) => {
  let s = 0;
  for (let i = from; i < to; i++) s += x[i]! * x[i]!;
  return Math.sqrt(s / (to - from));
};

describe('createResampler', () => {
  it.each([[44_100, 440], [48_000, 1000], [8_000, 300], [22_050, 2500], [44_056, 700]])(
    'keeps a sine\'s frequency from %i Hz to 16 kHz (%i Hz tone)',
    (rate, freq) => {
      const out = resampleAll(sine(freq, rate, 2), rate, 16_000);
      expect(out.length).toBe(Math.ceil((2 * rate * 16_000) / rate));
      expect(Math.abs(measuredFrequency(out, 16_000) - freq)).toBeLessThan(2);
      // Same phase as the ideal sine at 16 kHz: no delay is introduced.
      const ideal = sine(freq, 16_000, 2);
      let err = 0;
      for (let i = 1600; i < out.length - 1600; i++) err = Math.max(err, Math.abs(out[i]! - ideal[i]!));
      expect(err).toBeLessThan(0.01);
    },
  );

  it('removes content above the new Nyquist frequency instead of aliasing it', () => {
    // 12 kHz at 48 kHz would fold to 4 kHz at 16 kHz without the low-pass filter.
    const out = resampleAll(sine(12_000, 48_000, 1), 48_000, 16_000);
    expect(rms(out, 800, out.length - 800)).toBeLessThan(0.003); // input RMS is 0.707: below -47 dB
  });

  it('keeps a constant signal constant', () => {
    const out = resampleAll(new Float32Array(44_100).fill(0.25), 44_100, 16_000);
    let maxDiff = 0;
    for (let i = 400; i < out.length - 400; i++) maxDiff = Math.max(maxDiff, Math.abs(out[i]! - 0.25));
    expect(maxDiff).toBeLessThan(1e-4);
  });

  it('passes samples through unchanged when the rates are equal', () => {
    const input = sine(440, 16_000, 0.5);
    expect(resampleAll(input, 16_000, 16_000)).toEqual(input);
  });

  it('gives the same output whatever block sizes the input arrives in', () => {
    const input = Float32Array.from({ length: 9_000 }, (_, i) => Math.sin(i * 0.05) * Math.cos(i * 0.0031));
    const reference = resampleAll(input, 44_100, 16_000);
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 3000 }), { minLength: 1, maxLength: 8 }), (sizes) => {
        const out = resampleAll(input, 44_100, 16_000, sizes);
        expect(out.length).toBe(reference.length);
        let maxDiff = 0;
        for (let i = 0; i < out.length; i++) maxDiff = Math.max(maxDiff, Math.abs(out[i]! - reference[i]!));
        expect(maxDiff).toBeLessThan(1e-6);
      }),
      { numRuns: 30 },
    );
  });
});
