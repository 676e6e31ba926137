import { stat } from 'node:fs/promises';
import { TaskFailure } from '../tasks/errors.ts';
import { ffmpegPcm } from './ffmpeg-source.ts';
import { mediaTools, type MediaTools } from './media-tools.ts';
import { probeMedia, type MediaProbe } from './probe-media.ts';
import { readWavHeader } from './wav-header.ts';
import { wavPcm } from './wav-source.ts';

/** Every decoded sample is at this rate, mono, float32 in [-1, 1]: what whisper.cpp wants. */
export const SAMPLE_RATE = 16_000;
/** Peak level below which input counts as completely silent (about -70 dBFS). */
export const SILENCE_PEAK = 3e-4;

/** Options for streamAudio and decodeAudio. */
export interface DecodeOptions {
  /** Longest chunk streamAudio yields, in seconds (default 600: whisper.cpp gets 10-minute pieces). */
  chunkSeconds?: number;
  /** ffmpeg is killed when it makes no progress for this long while we wait (default 60 s). */
  stallTimeoutMs?: number;
  /** Time limit of the ffprobe run that precedes an ffmpeg decode (default 15 s). */
  probeTimeoutMs?: number;
  /** Aborting stops reading and kills ffmpeg; the iteration then throws the signal's reason. */
  signal?: AbortSignal;
  /** Decoding stops with AUDIO_DECODE_FAILED past this many seconds of audio (a tiny file may decode to hours). */
  maxSeconds?: number;
  tools?: MediaTools;
  /** This file's probe when the caller already made one: the decoder then runs no ffprobe of its own. */
  probe?: MediaProbe;
}

/**
 * Decodes any supported file to 16 kHz mono float32, yielding chunks of exactly `chunkSeconds`
 * (the last may be shorter) without ever holding the whole file. Throws TaskFailure:
 * AUDIO_DECODE_FAILED for unreadable, corrupt or truncated input; NO_AUDIO for empty, silent or
 * audio-less input. Silence is only known at the end, so a silent file longer than one chunk
 * yields its chunks before NO_AUDIO is thrown.
 */
export async function* streamAudio(file: string, opts: DecodeOptions = {}): AsyncGenerator<Float32Array> {
  const chunkSamples = Math.max(1, Math.round((opts.chunkSeconds ?? 600) * SAMPLE_RATE));
  let chunk = new Float32Array(chunkSamples);
  let filled = 0;
  let total = 0;
  let peak = 0;
  const maxSamples = opts.maxSeconds ? opts.maxSeconds * SAMPLE_RATE : Infinity;
  for await (const block of openSource(file, opts)) {
    for (let i = 0; i < block.length; i++) {
      const a = Math.abs(block[i]!);
      if (a > peak) peak = a;
    }
    total += block.length;
    if (total > maxSamples) throw tooLong(file, opts.maxSeconds!);
    let at = 0;
    while (at < block.length) {
      const n = Math.min(chunkSamples - filled, block.length - at);
      chunk.set(block.subarray(at, at + n), filled);
      filled += n;
      at += n;
      if (filled === chunkSamples) {
        yield chunk;
        chunk = new Float32Array(chunkSamples);
        filled = 0;
      }
    }
  }
  if (total === 0) throw new TaskFailure('NO_AUDIO', `${file}: the audio stream holds no samples`);
  if (peak < SILENCE_PEAK) throw new TaskFailure('NO_AUDIO', `${file}: completely silent (peak level ${(20 * Math.log10(peak || 1e-12)).toFixed(1)} dBFS)`);
  if (filled > 0) yield chunk.subarray(0, filled);
}

// Headers can understate or omit the length (a FLAC without a sample count, a raw stream), so the
// upload check cannot catch every long file: the decoder enforces the limit on what it actually produced.
function tooLong(file: string, maxSeconds: number): TaskFailure {
  return new TaskFailure('AUDIO_DECODE_FAILED', `${file} decodes to more than ${maxSeconds} s of audio (MAX_AUDIO_SECONDS); decoding stopped`,
    `The audio is longer than this server accepts (${maxSeconds} seconds), although the file did not declare its length.`);
}

/** Decodes a whole file to one 16 kHz mono float32 array (short files; use streamAudio for long ones). */
export async function decodeAudio(file: string, opts: Omit<DecodeOptions, 'chunkSeconds'> = {}): Promise<Float32Array> {
  const parts: Float32Array[] = [];
  let total = 0;
  for await (const part of streamAudio(file, { ...opts, chunkSeconds: 60 })) {
    parts.push(part);
    total += part.length;
  }
  if (parts.length === 1) return parts[0]!;
  const out = new Float32Array(total);
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

// WAV is read in-process; everything else (and WAV codecs we do not handle) goes through ffmpeg.
async function* openSource(file: string, opts: DecodeOptions): AsyncGenerator<Float32Array> {
  let size: number;
  try {
    size = (await stat(file)).size;
  } catch (err) {
    throw new TaskFailure('AUDIO_DECODE_FAILED', `cannot read ${file}: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (size === 0) throw new TaskFailure('NO_AUDIO', `${file} is empty (0 bytes)`);
  const wav = await readWavHeader(file);
  if (wav.kind === 'pcm') {
    if (wav.info.truncated) throw new TaskFailure('AUDIO_DECODE_FAILED', `${file}: the WAV header declares more sample data than the file holds; it looks truncated`);
    yield* wavPcm(file, wav.info, opts.signal);
    return;
  }
  const tools = opts.tools ?? mediaTools();
  const probe = opts.probe ?? await probeMedia(file, { tools, timeoutMs: opts.probeTimeoutMs, signal: opts.signal });
  if (probe.container === null) throw new TaskFailure('AUDIO_DECODE_FAILED', `${file} is not a media file ffmpeg can read: ${probe.detail}`);
  if (!probe.hasAudio) throw new TaskFailure('NO_AUDIO', `${file} (${probe.container}) has no audio stream`);
  const declaredSec = probe.durationEstimated || probe.durationSec === null ? undefined : probe.durationSec;
  yield* ffmpegPcm(file, { ffmpeg: tools.ffmpeg, stallTimeoutMs: opts.stallTimeoutMs ?? 60_000, signal: opts.signal, declaredSec });
}
