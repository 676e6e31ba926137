import { stat } from 'node:fs/promises';
import * as v from 'valibot';
import { TaskFailure } from '../tasks/errors.ts';
import { mediaTools, safeInputArgs, type MediaTools } from './media-tools.ts';
import { runTool } from './run-tool.ts';
import { readWavHeader } from './wav-header.ts';

/** What a media file holds, as far as the service cares. */
export interface MediaProbe {
  /** The file has at least one audio stream. */
  hasAudio: boolean;
  /** Length in seconds, when the container states it (or it could be estimated). */
  durationSec: number | null;
  /** Demuxer name, e.g. "wav", "mp3", "mov,mp4,m4a,3gp,3g2,mj2"; null when the file is not media at all. */
  container: string | null;
  /** Codec of the first audio stream, e.g. "pcm_s16le", "aac", "opus". */
  codec: string | null;
  /** ffprobe guessed the duration from the bit rate, so it may be off (no truncation check then). */
  durationEstimated: boolean;
  /** Why the file is not media, from ffprobe; empty otherwise. */
  detail: string;
}

/** Options for probeMedia. */
export interface ProbeOptions {
  timeoutMs?: number;
  tools?: MediaTools;
  signal?: AbortSignal;
}

const FfprobeOutput = v.object({
  streams: v.optional(v.array(v.object({ codec_type: v.optional(v.string()), codec_name: v.optional(v.string()), duration: v.optional(v.string()) })), []),
  format: v.optional(v.object({ format_name: v.optional(v.string()), duration: v.optional(v.string()) })),
});

const seconds = (s: string | undefined): number | null => {
  const n = Number(s);
  return s !== undefined && Number.isFinite(n) && n >= 0 ? n : null;
};

/** Probes a file: WAV headers are read directly, anything else goes through ffprobe (with a time limit). */
export async function probeMedia(file: string, opts: ProbeOptions = {}): Promise<MediaProbe> {
  try {
    await stat(file);
  } catch (err) {
    throw new TaskFailure('AUDIO_DECODE_FAILED', `cannot read ${file}: ${err instanceof Error ? err.message : String(err)}`);
  }
  const wav = await readWavHeader(file).catch((err: unknown) => {
    // A broken WAV header may still be readable by ffprobe; let it have the last word.
    if (err instanceof TaskFailure) return { kind: 'not-wav' as const };
    throw err;
  });
  if (wav.kind === 'pcm') {
    const { info } = wav;
    const durationSec = Math.floor(info.dataBytes / info.blockAlign) / info.sampleRate;
    return { hasAudio: true, durationSec, container: 'wav', codec: info.codec, durationEstimated: false, detail: '' };
  }
  return ffprobe(file, opts);
}

async function ffprobe(file: string, opts: ProbeOptions): Promise<MediaProbe> {
  const tools = opts.tools ?? mediaTools();
  const timeoutMs = opts.timeoutMs ?? 15_000;
  const args = ['-v', 'warning', '-print_format', 'json', '-show_entries', 'format=format_name,duration:stream=codec_type,codec_name,duration', ...safeInputArgs(file)];
  const run = await runTool(tools.ffprobe, args, timeoutMs, opts.signal).catch((err: unknown) => {
    const hint = (err as NodeJS.ErrnoException).code === 'ENOENT' ? ' (install ffmpeg or set FFPROBE_PATH)' : '';
    throw new TaskFailure('AUDIO_DECODE_FAILED', `cannot run ${tools.ffprobe}: ${err instanceof Error ? err.message : String(err)}${hint}`);
  });
  opts.signal?.throwIfAborted();
  if (run.timedOut) throw new TaskFailure('AUDIO_DECODE_FAILED', `ffprobe did not finish within ${timeoutMs} ms. ${run.stderr}`.trim());
  const notMedia = (detail: string): MediaProbe => ({ hasAudio: false, durationSec: null, container: null, codec: null, durationEstimated: false, detail });
  if (run.code !== 0) return notMedia(run.stderr || `ffprobe exit ${run.code}`);
  let json: unknown;
  try {
    json = JSON.parse(run.stdout);
  } catch {
    return notMedia(`ffprobe printed no JSON: ${run.stderr}`);
  }
  const parsed = v.safeParse(FfprobeOutput, json);
  if (!parsed.success || !parsed.output.format?.format_name) return notMedia(run.stderr || 'ffprobe found no container');
  const { streams, format } = parsed.output;
  const audio = streams.find((s) => s.codec_type === 'audio');
  return {
    hasAudio: audio !== undefined,
    durationSec: seconds(format.duration) ?? seconds(audio?.duration),
    container: format.format_name ?? null,
    codec: audio?.codec_name ?? null,
    durationEstimated: /Estimating duration from bitrate/i.test(run.stderr),
    detail: '',
  };
}
