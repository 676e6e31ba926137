import { spawn } from 'node:child_process';
import { TaskFailure } from '../tasks/errors.ts';
import { createTail, safeInputArgs } from './media-tools.ts';

/** Options for streaming PCM out of ffmpeg. */
export interface FfmpegSourceOptions {
  ffmpeg: string;
  /** ffmpeg is killed when it produces nothing for this long while we are waiting on it. */
  stallTimeoutMs: number;
  signal?: AbortSignal | undefined;
  /** The duration the container declares, when reliable: decoding much less means the file is truncated. */
  declaredSec?: number | undefined;
}

const SAMPLE_RATE = 16_000;
// ffmpeg's own words for "the input has no audio stream to map".
const NO_AUDIO_STREAM = /matches no streams|does not contain any stream|Output file #0 does not contain/i;

/** Streams a media file's first audio track through ffmpeg as 16 kHz mono float32 blocks. */
export async function* ffmpegPcm(file: string, opts: FfmpegSourceOptions): AsyncGenerator<Float32Array> {
  const args = [
    '-nostdin', '-hide_banner', '-loglevel', 'error', ...safeInputArgs(file),
    '-map', '0:a:0', '-vn', '-sn', '-dn', '-ac', '1', '-ar', String(SAMPLE_RATE), '-c:a', 'pcm_f32le', '-f', 'f32le', 'pipe:1',
  ];
  const child = spawn(opts.ffmpeg, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const stderr = createTail();
  child.stderr.on('data', (b: Buffer) => stderr.add(b));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; error?: Error }>((resolve) => {
    child.on('error', (error) => resolve({ code: null, signal: null, error }));
    child.on('close', (code, signal) => resolve({ code, signal }));
  });
  let stalled = false;
  const kill = () => { if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL'); };
  opts.signal?.addEventListener('abort', kill, { once: true });

  const chunks = child.stdout[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  let carry = Buffer.alloc(0);
  let samples = 0;
  try {
    for (;;) {
      opts.signal?.throwIfAborted();
      // The clock runs only while we wait on ffmpeg: a slow consumer must not count as a stall.
      let timer: NodeJS.Timeout | undefined;
      const stall = new Promise<'stall'>((resolve) => {
        timer = setTimeout(() => resolve('stall'), opts.stallTimeoutMs);
      });
      const pending = chunks.next();
      const next = await Promise.race([pending, stall]).finally(() => clearTimeout(timer));
      if (next === 'stall') {
        // The read still pending may reject once the pipe is torn down; the stall is what we report.
        pending.catch(() => undefined);
        stalled = true;
        kill();
        break;
      }
      if (next.done) break;
      const bytes = carry.length > 0 ? Buffer.concat([carry, next.value]) : next.value;
      const whole = bytes.length - (bytes.length % 4);
      // Copy into an aligned buffer: the pipe's Buffer may start at any byte offset.
      const aligned = new Uint8Array(whole);
      aligned.set(bytes.subarray(0, whole));
      carry = Buffer.from(bytes.subarray(whole));
      samples += whole / 4;
      if (whole > 0) yield new Float32Array(aligned.buffer);
    }
    const end = await exited;
    opts.signal?.throwIfAborted();
    if (end.error) {
      const hint = (end.error as NodeJS.ErrnoException).code === 'ENOENT' ? ' (install ffmpeg or set FFMPEG_PATH)' : '';
      throw new TaskFailure('AUDIO_DECODE_FAILED', `cannot run ${opts.ffmpeg}: ${end.error.message}${hint}`);
    }
    if (stalled) throw new TaskFailure('AUDIO_DECODE_FAILED', `ffmpeg produced no output for ${opts.stallTimeoutMs} ms and was killed. ${stderr.text()}`.trim());
    if (end.code !== 0) {
      const detail = stderr.text() || `exit ${end.code ?? end.signal}`;
      throw new TaskFailure(NO_AUDIO_STREAM.test(detail) ? 'NO_AUDIO' : 'AUDIO_DECODE_FAILED', `ffmpeg failed (exit ${end.code ?? end.signal}): ${detail}`);
    }
    const decodedSec = samples / SAMPLE_RATE;
    if (opts.declaredSec !== undefined && isTruncated(decodedSec, opts.declaredSec)) {
      const detail = `decoded ${decodedSec.toFixed(2)} s of the ${opts.declaredSec.toFixed(2)} s the container declares; the file looks truncated`;
      throw new TaskFailure('AUDIO_DECODE_FAILED', `${detail}. ${stderr.text()}`.trim());
    }
  } finally {
    // Also reached when the consumer stops early: never leave an ffmpeg behind.
    kill();
    opts.signal?.removeEventListener('abort', kill);
    child.stdout.destroy();
  }
}

// Encoder delay and padding make a complete file differ from its declared length by a few frames.
function isTruncated(decodedSec: number, declaredSec: number): boolean {
  return decodedSec + Math.max(1, declaredSec * 0.02) < declaredSec;
}
