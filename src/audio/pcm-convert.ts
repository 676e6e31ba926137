import type { WavInfo } from './wav-header.ts';

/** Converts whole frames of interleaved WAV samples to mono float32 in [-1, 1] (channels averaged). */
export function framesToMono(bytes: Uint8Array, info: Pick<WavInfo, 'encoding' | 'bytesPerSample' | 'channels' | 'blockAlign'>): Float32Array {
  const { channels, blockAlign, bytesPerSample: bps } = info;
  const frames = Math.floor(bytes.length / blockAlign);
  const out = new Float32Array(frames);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const read = sampleReader(view, info.encoding, bps);
  const scale = 1 / channels;
  for (let f = 0; f < frames; f++) {
    const base = f * blockAlign;
    let sum = 0;
    for (let c = 0; c < channels; c++) sum += read(base + c * bps);
    const v = sum * scale;
    out[f] = Number.isFinite(v) ? v : 0; // corrupt float files can hold NaN or Inf; whisper.cpp must not see them
  }
  return out;
}

// One closure per format, so that the per-sample loop has no branch on the format.
function sampleReader(view: DataView, encoding: 'int' | 'float', bps: number): (at: number) => number {
  if (encoding === 'float') return bps === 8 ? (at) => view.getFloat64(at, true) : (at) => view.getFloat32(at, true);
  switch (bps) {
    case 1:
      return (at) => (view.getUint8(at) - 128) / 128; // 8-bit WAV is unsigned
    case 2:
      return (at) => view.getInt16(at, true) / 32768;
    case 3:
      return (at) => ((view.getUint8(at) | (view.getUint8(at + 1) << 8) | (view.getInt8(at + 2) << 16)) / 8388608);
    default:
      return (at) => view.getInt32(at, true) / 2147483648;
  }
}
