/** A piece of audio handed to one whisper_full call, with its place in the whole input. */
export interface PcmChunk {
  pcm: Float32Array;
  /** First sample of this chunk in the whole input. */
  offset: number;
}

/** Input audio: one array, or a stream of arrays (16 kHz mono float32) of any length. */
export type PcmInput = Float32Array | AsyncIterable<Float32Array>;

async function* single(pcm: Float32Array): AsyncGenerator<Float32Array> {
  yield pcm;
}

/**
 * Regroups the input into chunks of at most `maxSamples`, so whisper.cpp's memory stays flat on
 * long files. A chunk is cut at the quietest 100 ms frame of its last `searchSamples` rather than
 * at a fixed sample, so that a word is rarely split between two whisper_full calls.
 */
export async function* chunkPcm(input: PcmInput, maxSamples: number, searchSamples: number, frame = 1600): AsyncGenerator<PcmChunk> {
  const source = input instanceof Float32Array ? single(input) : input;
  let pending: Float32Array[] = [];
  let pendingLength = 0;
  let offset = 0;
  for await (const piece of source) {
    if (piece.length === 0) continue;
    pending.push(piece);
    pendingLength += piece.length;
    // Strictly more than a chunk: a stream that ends exactly at maxSamples stays one chunk.
    while (pendingLength > maxSamples) {
      const joined = concat(pending, pendingLength);
      const cut = quietestCut(joined, maxSamples, searchSamples, frame);
      yield { pcm: joined.slice(0, cut), offset };
      offset += cut;
      pending = [joined.subarray(cut)];
      pendingLength = joined.length - cut;
    }
  }
  if (pendingLength > 0) yield { pcm: concat(pending, pendingLength), offset };
}

function concat(parts: Float32Array[], length: number): Float32Array {
  if (parts.length === 1 && parts[0]!.length === length) return parts[0]!;
  const out = new Float32Array(length);
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/** The sample index (≤ limit) that starts the quietest frame in [limit - search, limit]. */
export function quietestCut(pcm: Float32Array, limit: number, search: number, frame: number): number {
  const from = Math.max(frame, limit - search);
  let best = limit;
  let bestEnergy = Infinity;
  for (let end = limit; end >= from; end -= frame) {
    let energy = 0;
    for (let i = end - frame; i < end; i++) energy += pcm[i]! * pcm[i]!;
    if (energy < bestEnergy) {
      bestEnergy = energy;
      best = end - Math.floor(frame / 2);
    }
  }
  return Math.max(1, Math.min(limit, best));
}
