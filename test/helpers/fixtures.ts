// Media fixtures for tests, made on demand from ../shared/audio/jfk.wav with ffmpeg and espeak-ng,
// cached in test/.cache/media (git-ignored) so that later runs only check that the file exists.
// Every helper is synchronous and returns an absolute path; files are written atomically, so
// parallel test workers asking for the same fixture are safe.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import path from 'node:path';
import { CACHE_DIR, JFK_WAV } from './paths.ts';

/** Folder of the generated media fixtures. */
export const MEDIA_CACHE = path.join(CACHE_DIR, 'media');
/** Length of jfk.wav in seconds; every jfk fixture decodes to about this much. */
export const JFK_SECONDS = 11.0;
/** The sentence the speech fixture speaks (espeak-ng), for tests that check text or duration. */
export const SPEECH_TEXT = 'The quick brown fox jumps over the lazy dog. Speech recognition turns spoken words into text.';

/** ffmpeg output options for each compressed format made from jfk.wav. */
const FORMATS = {
  mp3: ['-c:a', 'libmp3lame', '-b:a', '64k'],
  m4a: ['-c:a', 'aac', '-b:a', '64k'],
  ogg: ['-c:a', 'libvorbis'],
  opus: ['-c:a', 'libopus', '-b:a', '32k'],
  flac: ['-c:a', 'flac'],
  webm: ['-c:a', 'libopus', '-b:a', '32k'],
  // Video containers: a small test picture beside the audio, so that the audio track must be picked out.
  mp4: ['-c:v', 'mpeg4', '-c:a', 'aac', '-shortest'],
  mkv: ['-c:v', 'mpeg4', '-c:a', 'libvorbis', '-shortest'],
} as const;
/** A compressed or container format jfkAs() can make. */
export type JfkFormat = keyof typeof FORMATS;
/** Every format jfkAs() knows, for `it.each`. */
export const JFK_FORMATS = Object.keys(FORMATS) as JfkFormat[];

/** ffmpeg options for each WAV variant of jfk.wav. */
const WAV_VARIANTS = {
  u8: ['-c:a', 'pcm_u8'],
  s16: ['-c:a', 'pcm_s16le', '-metadata', 'title=odd-length'], // adds a LIST chunk before data
  s24: ['-c:a', 'pcm_s24le'], // ffmpeg writes WAVE_FORMAT_EXTENSIBLE above 16 bits
  s32: ['-c:a', 'pcm_s32le'],
  f32: ['-c:a', 'pcm_f32le'],
  f64: ['-c:a', 'pcm_f64le'],
  stereo: ['-ac', '2', '-c:a', 'pcm_s16le'],
  '6ch': ['-ac', '6', '-c:a', 'pcm_s16le'],
  '8k': ['-ar', '8000', '-c:a', 'pcm_s16le'],
  '22k': ['-ar', '22050', '-c:a', 'pcm_s16le'],
  '44k': ['-ar', '44100', '-c:a', 'pcm_s16le'],
  '48k-stereo-f32': ['-ar', '48000', '-ac', '2', '-c:a', 'pcm_f32le'],
  rf64: ['-c:a', 'pcm_s24le', '-rf64', 'always'],
  // A WAV codec we do not decode in-process: it must fall through to ffmpeg.
  adpcm: ['-c:a', 'adpcm_ms'],
} as const;
/** A WAV encoding jfkWav() can make ('f32-plain' is float with the plain, non-extensible header). */
export type WavVariant = keyof typeof WAV_VARIANTS | 'f32-plain';
/** Every WAV variant, for `it.each`. */
export const WAV_VARIANT_NAMES = [...Object.keys(WAV_VARIANTS), 'f32-plain'] as WavVariant[];

/** Files that must fail to decode, each with the error code it must give. */
export const BAD_FILES = {
  'random-bytes': 'AUDIO_DECODE_FAILED',
  'truncated-mp3': 'AUDIO_DECODE_FAILED',
  'truncated-m4a': 'AUDIO_DECODE_FAILED',
  'truncated-wav': 'AUDIO_DECODE_FAILED',
  'header-claims-hours': 'AUDIO_DECODE_FAILED',
  'text-as-mp3': 'AUDIO_DECODE_FAILED',
  'zero-bytes': 'NO_AUDIO',
  'header-only-wav': 'NO_AUDIO',
  'silent-wav': 'NO_AUDIO',
  'silent-mp3': 'NO_AUDIO',
  'video-only-mp4': 'NO_AUDIO',
} as const;
/** The name of a bad fixture. */
export type BadFile = keyof typeof BAD_FILES;

/** jfk.wav encoded as `format` (mp3, m4a, ogg, opus, flac, webm, mp4/mkv with a video track). */
export function jfkAs(format: JfkFormat): string {
  return cached(`jfk.${format === 'opus' ? 'opus.ogg' : format}`, (out) => {
    const video = format === 'mp4' || format === 'mkv' ? ['-f', 'lavfi', '-i', 'testsrc=size=64x64:rate=5:duration=11'] : [];
    ffmpeg([...video, '-i', JFK_WAV, ...FORMATS[format], out]);
  });
}

/** jfk.wav re-encoded as another WAV: sample format, channel count or rate per `variant`. */
export function jfkWav(variant: WavVariant): string {
  if (variant === 'f32-plain') return cached('jfk.f32-plain.wav', (out) => writeFileSync(out, floatWav(jfkSamples(), 16000)));
  return cached(`jfk.${variant}.wav`, (out) => ffmpeg(['-i', JFK_WAV, ...WAV_VARIANTS[variant], out]));
}

/** espeak-ng speaking `text` (22.05 kHz mono WAV), for tests that need real speech of known content. */
export function speechWav(text: string = SPEECH_TEXT): string {
  const key = createHash('sha256').update(text).digest('hex').slice(0, 12);
  return cached(`speech-${key}.wav`, (out) => {
    execFileSync('espeak-ng', ['-w', out, text], { stdio: ['ignore', 'ignore', 'pipe'], timeout: 60_000 });
  });
}

/** A bad file (see BAD_FILES for the names and the error code each must give). */
export function badFile(kind: BadFile): string {
  const ext = kind.endsWith('mp3') ? 'mp3' : kind.endsWith('m4a') ? 'm4a' : kind.endsWith('mp4') ? 'mp4' : kind === 'random-bytes' ? 'bin' : 'wav';
  return cached(`bad.${kind}.${ext}`, (out) => makeBad(kind, out));
}

/**
 * A long 16 kHz mono s16 WAV of synthetic speech-like sound (tone bursts in noise), written in
 * pieces so that making it never holds the whole file. One hour is 115 MB on disk.
 */
export function longWav(seconds: number): string {
  return cached(`long-${seconds}s.wav`, (out) => {
    const rate = 16000;
    const fd = openSync(out, 'w');
    try {
      writeSync(fd, wavHeader(seconds * rate * 2, { rate, channels: 1, bits: 16, tag: 1 }));
      let seed = 12345;
      const block = new Int16Array(rate);
      for (let s = 0; s < seconds; s++) {
        const freq = 200 + ((s * 37) % 600);
        for (let i = 0; i < rate; i++) {
          seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
          const noise = (seed / 2 ** 32 - 0.5) * 0.05;
          const burst = i % 8000 < 5000 ? Math.sin((2 * Math.PI * freq * i) / rate) * 0.3 : 0;
          block[i] = Math.round((burst + noise) * 32767);
        }
        writeSync(fd, new Uint8Array(block.buffer));
      }
    } finally {
      closeSync(fd);
    }
  });
}

/** jfk.wav's samples as float32 (16 kHz mono), read with a minimal parser independent of src/audio. */
export function jfkSamples(): Float32Array {
  const buf = readFileSync(JFK_WAV);
  const data = buf.indexOf('data', 12, 'latin1');
  const bytes = buf.readUInt32LE(data + 4);
  const out = new Float32Array(bytes / 2);
  for (let i = 0; i < out.length; i++) out[i] = buf.readInt16LE(data + 8 + i * 2) / 32768;
  return out;
}

function makeBad(kind: BadFile, out: string): void {
  switch (kind) {
    case 'random-bytes': {
      const bytes = Buffer.alloc(64 * 1024);
      let x = 2463534242;
      for (let i = 0; i < bytes.length; i++) { x ^= x << 13; x ^= x >>> 17; x ^= x << 5; bytes[i] = x & 0xff; }
      return writeFileSync(out, bytes);
    }
    case 'truncated-mp3':
    case 'truncated-m4a': {
      const whole = readFileSync(jfkAs(kind === 'truncated-mp3' ? 'mp3' : 'm4a'));
      return writeFileSync(out, whole.subarray(0, Math.floor(whole.length / 2)));
    }
    case 'truncated-wav': {
      const whole = readFileSync(JFK_WAV);
      return writeFileSync(out, whole.subarray(0, Math.floor(whole.length / 2)));
    }
    case 'header-claims-hours': {
      // The header declares 0x7ffffff0 bytes (about 18.6 hours at 16 kHz s16); one second follows.
      const second = Buffer.alloc(32000);
      const samples = jfkSamples();
      for (let i = 0; i < 16000; i++) second.writeInt16LE(Math.round(samples[i + 16000]! * 32767), i * 2);
      return writeFileSync(out, Buffer.concat([wavHeader(0x7ffffff0, { rate: 16000, channels: 1, bits: 16, tag: 1 }), second]));
    }
    case 'text-as-mp3':
      return writeFileSync(out, 'This is a plain text file that someone renamed to .mp3.\nIt holds no audio at all.\n'.repeat(20));
    case 'zero-bytes':
      return writeFileSync(out, Buffer.alloc(0));
    case 'header-only-wav':
      return writeFileSync(out, wavHeader(0, { rate: 16000, channels: 1, bits: 16, tag: 1 }));
    case 'silent-wav':
      return writeFileSync(out, Buffer.concat([wavHeader(5 * 32000, { rate: 16000, channels: 1, bits: 16, tag: 1 }), Buffer.alloc(5 * 32000)]));
    case 'silent-mp3':
      return ffmpeg(['-f', 'lavfi', '-i', 'anullsrc=r=16000:cl=mono', '-t', '5', '-c:a', 'libmp3lame', out]);
    case 'video-only-mp4':
      return ffmpeg(['-f', 'lavfi', '-i', 'testsrc=size=64x64:rate=5:duration=3', '-c:v', 'mpeg4', out]);
  }
}

function wavHeader(dataBytes: number, f: { rate: number; channels: number; bits: number; tag: number }): Buffer {
  const h = Buffer.alloc(44);
  const block = (f.channels * f.bits) / 8;
  h.write('RIFF', 0, 'latin1');
  h.writeUInt32LE(Math.min(0xffffffff, 36 + dataBytes), 4);
  h.write('WAVEfmt ', 8, 'latin1');
  h.writeUInt32LE(16, 16);
  h.writeUInt16LE(f.tag, 20);
  h.writeUInt16LE(f.channels, 22);
  h.writeUInt32LE(f.rate, 24);
  h.writeUInt32LE(f.rate * block, 28);
  h.writeUInt16LE(block, 32);
  h.writeUInt16LE(f.bits, 34);
  h.write('data', 36, 'latin1');
  h.writeUInt32LE(dataBytes, 40);
  return h;
}

function floatWav(samples: Float32Array, rate: number): Buffer {
  const data = Buffer.from(samples.buffer, samples.byteOffset, samples.byteLength);
  return Buffer.concat([wavHeader(data.length, { rate, channels: 1, bits: 32, tag: 3 }), data]);
}

function ffmpeg(args: string[]): void {
  execFileSync('ffmpeg', ['-nostdin', '-hide_banner', '-loglevel', 'error', '-y', ...args], { stdio: ['ignore', 'ignore', 'pipe'], timeout: 120_000 });
}

// Makes the file once: writes to a temporary name, then renames, so a crash never leaves half a fixture.
function cached(name: string, make: (tmpPath: string) => void): string {
  const file = path.join(MEDIA_CACHE, name);
  if (existsSync(file)) return file;
  mkdirSync(MEDIA_CACHE, { recursive: true });
  const tmp = path.join(MEDIA_CACHE, `tmp-${process.pid}-${name}`);
  try {
    make(tmp);
    renameSync(tmp, file);
  } finally {
    rmSync(tmp, { force: true });
  }
  return file;
}
