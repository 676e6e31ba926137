import { probeMedia } from '../../audio/probe-media.ts';
import type { Config } from '../../config.ts';
import { AppError } from '../app-error.ts';
import { publicDetail } from '../../contract/public-detail.ts';

/** What the upload route needs to know about a stored file. */
export interface MediaInfo {
  /** False when the file is media without an audio stream (a silent video). */
  hasAudio: boolean;
  durationSec: number | null;
  /** Why the file is not media; empty when it is. */
  detail: string;
  container: string | null;
}

/** Reads a stored upload; throws when the file cannot be read at all. */
export type MediaProber = (filePath: string) => Promise<MediaInfo>;

/** Rejects uploads that are not media (415), have no audio (422) or are longer than MAX_AUDIO_SECONDS (413). */
export async function checkMedia(filePath: string, config: Config, probe: MediaProber = probeMedia, fileName?: string): Promise<MediaInfo> {
  let info: MediaInfo;
  try {
    info = await probe(filePath);
  } catch (error) {
    throw notMedia(error instanceof Error ? error.message : String(error), fileName);
  }
  if (info.container === null) throw notMedia(info.detail || 'no audio or video container recognised', fileName);
  if (!info.hasAudio) {
    throw new AppError(422, 'NO_AUDIO', 'The file has no audio track to transcribe.', { container: info.container });
  }
  if (info.durationSec !== null && info.durationSec > config.MAX_AUDIO_SECONDS) {
    throw new AppError(413, 'AUDIO_TOO_LONG', `The media is ${Math.round(info.durationSec)} s long; the limit is ${config.MAX_AUDIO_SECONDS} s.`, {
      duration_seconds: info.durationSec,
      max_seconds: config.MAX_AUDIO_SECONDS,
    });
  }
  return info;
}

// The client sees a short cause under its own file name; the log keeps the probe's whole output.
function notMedia(reason: string, fileName: string | undefined): AppError {
  const error = new AppError(415, 'UNSUPPORTED_MEDIA', 'The file is not audio or video that can be transcribed.', { reason: publicDetail(reason, fileName) });
  error.logDetail = reason;
  return error;
}
