const SAMPLE_RATE = 16_000;

/** Keeps a copy of PCM chunks as they stream past, so a later stage can reuse them without decoding twice. */
export interface PcmRecorder {
  /** Yields the source's chunks unchanged, copying each into the recording first. */
  tee(source: AsyncIterable<Float32Array>): AsyncIterable<Float32Array>;
  /** The recorded samples; the recorder lets go of them. */
  take(): Float32Array;
}

/**
 * Records into one buffer sized from the probed duration (plus a second of slack), so one hour
 * costs about 230 MB once instead of a list of chunks plus a concatenated copy. Grows by doubling
 * when the probe under-reported.
 */
export function createPcmRecorder(expectedSeconds: number): PcmRecorder {
  let buffer = new Float32Array(Math.ceil(Math.max(0, expectedSeconds) * SAMPLE_RATE) + SAMPLE_RATE);
  let length = 0;
  const append = (chunk: Float32Array) => {
    if (length + chunk.length > buffer.length) {
      const grown = new Float32Array(Math.max(buffer.length * 2, length + chunk.length));
      grown.set(buffer.subarray(0, length));
      buffer = grown;
    }
    buffer.set(chunk, length);
    length += chunk.length;
  };
  return {
    async *tee(source) {
      for await (const chunk of source) {
        append(chunk);
        yield chunk;
      }
    },
    take() {
      const samples = buffer.subarray(0, length);
      buffer = new Float32Array(0);
      length = 0;
      return samples;
    },
  };
}
