/** A streaming sample-rate converter: push blocks in any sizes, then flush once at the end. */
export interface Resampler {
  push(input: Float32Array): Float32Array;
  flush(): Float32Array;
}

// Blackman-windowed sinc with this many zero crossings each side: about -70 dB stop band, which is
// far below what matters for speech recognition, at a cost JS handles in real time many times over.
const ZERO_CROSSINGS = 8;
// Pass band ends a little below the output Nyquist so the transition band does not alias.
const ROLLOFF = 0.92;
// Rates with a large rational ratio (e.g. 44056 Hz) get their phase rounded to this grid.
const MAX_PHASES = 4096;

const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));

/** Creates a windowed-sinc polyphase resampler from `inRate` to `outRate` (both whole Hz). */
export function createResampler(inRate: number, outRate: number): Resampler {
  if (inRate === outRate) return { push: (input) => input, flush: () => new Float32Array(0) };
  const g = gcd(inRate, outRate);
  const up = outRate / g; // output n sits at input position n * step / up
  const step = inRate / g;
  const phases = Math.min(up, MAX_PHASES);
  const cutoff = Math.min(1, outRate / inRate) * ROLLOFF; // as a fraction of the input Nyquist
  const half = Math.ceil(ZERO_CROSSINGS / cutoff);
  const taps = 2 * half;
  const coefs = buildFilter(phases, taps, half, cutoff);

  // buf holds input samples from absolute index bufStart; indices below 0 read as silence.
  let buf: Float32Array = new Float32Array(half);
  let bufStart = -half;
  let totalIn = 0;
  let n = 0; // next output index

  const produce = (limitOut: number): Float32Array => {
    // Locals, not closure variables, in the hot loop: V8 keeps them in registers.
    const src = buf;
    const origin = bufStart;
    const bufEnd = origin + src.length;
    const reachable = Math.ceil(((bufEnd - half) * up) / step) + 1;
    const out = new Float32Array(Math.max(0, Math.min(limitOut, reachable) - n));
    let count = 0;
    let k0 = n;
    while (k0 < limitOut && count < out.length) {
      const num = k0 * step;
      let i = Math.floor(num / up);
      let phase = phases === up ? num - i * up : Math.round(((num - i * up) * phases) / up);
      if (phase === phases) { phase = 0; i += 1; }
      if (i + half >= bufEnd) break;
      const base = i - half + 1 - origin;
      const row = phase * taps;
      let acc = 0;
      for (let k = 0; k < taps; k++) acc += coefs[row + k]! * src[base + k]!;
      out[count++] = acc;
      k0++;
    }
    n = k0;
    // Keep only the history the next output still needs.
    const keepFrom = Math.floor((n * step) / up) - half + 1;
    if (keepFrom > bufStart) {
      buf = buf.slice(Math.min(keepFrom - bufStart, buf.length));
      bufStart = keepFrom;
    }
    return out.subarray(0, count);
  };

  return {
    push(input) {
      const next = new Float32Array(buf.length + input.length);
      next.set(buf);
      next.set(input, buf.length);
      buf = next;
      totalIn += input.length;
      return produce(Number.POSITIVE_INFINITY);
    },
    flush() {
      const padded = new Float32Array(buf.length + half + 1);
      padded.set(buf);
      buf = padded;
      return produce(Math.ceil((totalIn * up) / step));
    },
  };
}

function buildFilter(phases: number, taps: number, half: number, cutoff: number): Float32Array {
  const coefs = new Float32Array(phases * taps);
  for (let p = 0; p < phases; p++) {
    let sum = 0;
    for (let k = 0; k < taps; k++) {
      const d = p / phases + half - 1 - k; // distance from the output position to input tap k
      const x = d / half;
      const window = Math.abs(x) >= 1 ? 0 : 0.42 + 0.5 * Math.cos(Math.PI * x) + 0.08 * Math.cos(2 * Math.PI * x);
      const arg = Math.PI * cutoff * d;
      const sinc = arg === 0 ? 1 : Math.sin(arg) / arg;
      const c = cutoff * sinc * window;
      coefs[p * taps + k] = c;
      sum += c;
    }
    // Unity gain at DC for every phase, so that a constant stays constant.
    for (let k = 0; k < taps; k++) coefs[p * taps + k] = coefs[p * taps + k]! / sum;
  }
  return coefs;
}
