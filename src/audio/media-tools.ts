import path from 'node:path';

/** Paths of the ffmpeg tools: FFMPEG_PATH / FFPROBE_PATH override the ones on PATH. */
export interface MediaTools {
  ffmpeg: string;
  ffprobe: string;
}

/** Resolves the ffmpeg and ffprobe commands from the environment. */
export function mediaTools(env: Record<string, string | undefined> = process.env): MediaTools {
  return { ffmpeg: env.FFMPEG_PATH || 'ffmpeg', ffprobe: env.FFPROBE_PATH || 'ffprobe' };
}

// Demuxers for real audio/video files only. Playlist and concat demuxers (hls, concat, ...) are
// left out on purpose: an uploaded playlist must not make the server read other files or URLs.
const FORMATS = [
  'wav', 'w64', 'mp3', 'mov', 'matroska', 'ogg', 'flac', 'aac', 'aiff', 'asf', 'avi', 'amr', 'amrnb', 'amrwb',
  'ac3', 'eac3', 'caf', 'mpeg', 'mpegts', 'flv', 'au', 'wv', 'ape', 'dts', 'truehd', 'tta', 'voc', 'mpc', 'mpc8',
  'loas', 'dsf', 'gsm', 'mp4', 'webm', 'm4a', '3gp',
].join(',');

/** Input options shared by ffmpeg and ffprobe: local files only, media demuxers only. */
export function safeInputArgs(file: string): string[] {
  // `file:` stops a name like "http://x" or "-y" from being read as a URL or an option.
  return ['-protocol_whitelist', 'file', '-format_whitelist', FORMATS, '-i', `file:${path.resolve(file)}`];
}

/** Keeps the last `max` characters of a process's stderr: the useful part of ffmpeg's complaints. */
export function createTail(max = 4000): { add(chunk: Buffer | string): void; text(): string } {
  let tail = '';
  return {
    add(chunk) {
      tail = (tail + chunk.toString()).slice(-max);
    },
    text: () => tail.trim(),
  };
}
