import { open } from 'node:fs/promises';
import type { Config } from '../config.ts';
import { AppError } from './app-error.ts';

/** What the upload route needs to know about a stored file. */
export interface MediaInfo {
  durationSec: number | null;
}

/** Reads a stored upload; throws (any error) when the file is not audio or video. */
export type MediaProber = (filePath: string) => Promise<MediaInfo>;

/**
 * Rejects uploads that are not media (415) or are longer than MAX_AUDIO_SECONDS (413).
 * SEAM: src/audio's probeMedia(path) replaces sniffContainer below once it exists.
 */
export async function checkMedia(filePath: string, config: Config, probe: MediaProber = sniffContainer): Promise<MediaInfo> {
  let info: MediaInfo;
  try {
    info = await probe(filePath);
  } catch (error) {
    throw new AppError(415, 'UNSUPPORTED_MEDIA', 'The file is not audio or video that can be transcribed.', {
      reason: error instanceof Error ? error.message : String(error),
    });
  }
  if (info.durationSec !== null && info.durationSec > config.MAX_AUDIO_SECONDS) {
    throw new AppError(413, 'AUDIO_TOO_LONG', `The media is ${Math.round(info.durationSec)} s long; the limit is ${config.MAX_AUDIO_SECONDS} s.`, {
      duration_seconds: info.durationSec,
      max_seconds: config.MAX_AUDIO_SECONDS,
    });
  }
  return info;
}

/** Stand-in prober: recognises common audio/video containers by their first bytes; duration unknown. */
export async function sniffContainer(filePath: string): Promise<MediaInfo> {
  const handle = await open(filePath, 'r');
  const head = Buffer.alloc(16);
  try {
    await handle.read(head, 0, 16, 0);
  } finally {
    await handle.close();
  }
  const ascii = (from: number, to: number) => head.toString('latin1', from, to);
  const known =
    (ascii(0, 4) === 'RIFF' && ['WAVE', 'AVI '].includes(ascii(8, 12))) ||
    ['ID3', 'FLV'].includes(ascii(0, 3)) ||
    ['OggS', 'fLaC', 'caff', '#!AM', 'FORM'].includes(ascii(0, 4)) ||
    ascii(4, 8) === 'ftyp' ||
    head.readUInt32BE(0) === 0x1a45dfa3 || // EBML: webm, mkv
    head.readUInt32BE(0) === 0x3026b275 || // ASF: wma, wmv
    (head[0] === 0xff && (head[1]! & 0xe0) === 0xe0); // MPEG audio / ADTS frame sync
  if (!known) throw new Error('no known audio or video container signature in the first bytes');
  return { durationSec: null };
}
