// The image's ffmpeg is built with an explicit list of demuxers (scripts/docker-ffmpeg.sh); the server's
// whitelist (src/audio/media-tools.ts) must not name a format that build leaves out, or such uploads would
// work on a host install and fail in Docker. docker:verify checks the built binary the same way.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/paths.ts';

const script = readFileSync(path.join(ROOT, 'scripts/docker-ffmpeg.sh'), 'utf8');
const tools = readFileSync(path.join(ROOT, 'src/audio/media-tools.ts'), 'utf8');

/** Format names a configure demuxer component answers to, where they differ from its own name. */
const ALIASES: Record<string, string[]> = { mov: ['mp4', 'm4a', '3gp', '3g2', 'mj2'], matroska: ['webm'], mpegps: ['mpeg'] };

function listAfter(pattern: RegExp, text: string): string[] {
  const match = pattern.exec(text);
  if (!match) throw new Error(`not found: ${pattern}`);
  return match[1]!.split(',').map((s) => s.trim()).filter(Boolean);
}

describe('scripts/docker-ffmpeg.sh', () => {
  const demuxers = listAfter(/^demuxers=(\S+)$/m, script);
  const whitelist = [...(/const FORMATS = \[([\s\S]*?)\]/.exec(tools)?.[1] ?? '').matchAll(/'([\w-]+)'/g)].map((m) => m[1]!);

  it('builds a demuxer for every format the server lets ffmpeg open', () => {
    expect(whitelist.length).toBeGreaterThan(20);
    const opened = new Set(demuxers.flatMap((d) => [d, ...(ALIASES[d] ?? [])]));
    expect(whitelist.filter((f) => !opened.has(f))).toEqual([]);
  });

  it('enables nothing it does not list: no network, no devices, no external libraries', () => {
    for (const flag of ['--disable-everything', '--disable-autodetect', '--disable-network', '--disable-avdevice']) {
      expect(script).toContain(flag);
    }
    expect(script).toMatch(/--enable-protocol=file,pipe\b/);
    // What the server asks of it: 32-bit float PCM on a pipe.
    expect(script).toMatch(/--enable-encoder=[^ ]*pcm_f32le/);
    // Configure names raw PCM muxers pcm_<fmt> (the format itself is called f32le).
    expect(script).toMatch(/--enable-muxer=[^ ]*\bpcm_f32le\b/);
  });
});
