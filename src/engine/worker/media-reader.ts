import { streamAudio } from '../../audio/decode-audio.ts';
import { probeMedia, type MediaProbe } from '../../audio/probe-media.ts';
import type { MediaReader } from './worker-session.ts';

/** How the worker's media reader decodes. */
export interface MediaReaderOptions {
  /** Seconds of 16 kHz mono each decoded chunk holds. */
  chunkSeconds: number;
  /** Decoding fails past this much audio (undefined: no limit). */
  maxSeconds?: number;
}

/**
 * The worker's MediaReader over ffprobe and ffmpeg. A file is probed at most once in the worker:
 * when the session had to ask for the duration (the intake knew none), the decoder reuses that
 * probe instead of running ffprobe again before ffmpeg.
 */
export function createMediaReader(options: MediaReaderOptions): MediaReader {
  let last: { file: string; probe: MediaProbe } | null = null;
  return {
    async duration(file, signal) {
      const probe = await probeMedia(file, { signal });
      last = { file, probe };
      return probe.durationSec;
    },
    pcm(file, signal) {
      const probe = last?.file === file ? last.probe : undefined;
      last = null; // one task's probe; the file may change before a later task reads it
      return streamAudio(file, { chunkSeconds: options.chunkSeconds, maxSeconds: options.maxSeconds, signal, probe });
    },
  };
}
