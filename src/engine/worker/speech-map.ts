/** A stretch of speech, in seconds of the original audio. */
export interface SpeechRegion {
  start: number;
  end: number;
}

/** The speech-only audio fed to whisper.cpp and the way back to original time. */
export interface SpeechAudio {
  pcm: Float32Array;
  /** Maps a time in `pcm` (seconds) to the original audio's time (seconds). */
  toOriginal(t: number): number;
}

interface Piece {
  proc: number; // start in the speech-only audio, samples
  orig: number; // start in the original audio, samples
  len: number;
}

/**
 * Concatenates the speech regions with `gapSec` of silence between them (so whisper.cpp sees a
 * pause where one was), remembering where each piece came from. Times inside a piece map back
 * exactly; times inside a gap are spread over the original pause.
 */
export function buildSpeechAudio(pcm: Float32Array, regions: SpeechRegion[], sampleRate: number, gapSec = 0.1): SpeechAudio {
  const gap = Math.round(gapSec * sampleRate);
  const pieces: Piece[] = [];
  let total = 0;
  for (const region of regions) {
    const orig = Math.max(0, Math.min(pcm.length, Math.round(region.start * sampleRate)));
    const end = Math.max(orig, Math.min(pcm.length, Math.round(region.end * sampleRate)));
    if (end === orig) continue;
    if (pieces.length > 0) total += gap;
    pieces.push({ proc: total, orig, len: end - orig });
    total += end - orig;
  }
  const out = new Float32Array(total);
  for (const p of pieces) out.set(pcm.subarray(p.orig, p.orig + p.len), p.proc);

  const toOriginal = (t: number): number => {
    if (pieces.length === 0) return t;
    const s = t * sampleRate;
    let i = pieces.length - 1;
    while (i > 0 && pieces[i]!.proc > s) i--;
    const p = pieces[i]!;
    if (s <= p.proc + p.len || i === pieces.length - 1) {
      // Inside the piece (or before the first / after the last one): a plain shift, clamped to it.
      const within = Math.max(0, Math.min(p.len, s - p.proc));
      return (p.orig + within) / sampleRate;
    }
    const next = pieces[i + 1]!;
    const pauseStart = p.orig + p.len;
    const frac = (s - (p.proc + p.len)) / Math.max(1, next.proc - (p.proc + p.len));
    return (pauseStart + frac * (next.orig - pauseStart)) / sampleRate;
  };
  return { pcm: out, toOriginal };
}
