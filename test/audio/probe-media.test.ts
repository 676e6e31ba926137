import { describe, expect, it } from 'vitest';
import { probeMedia } from '../../src/audio/probe-media.ts';
import { TaskFailure } from '../../src/tasks/errors.ts';
import { badFile, JFK_FORMATS, JFK_SECONDS, jfkAs, jfkWav } from '../helpers/fixtures.ts';
import { JFK_WAV } from '../helpers/paths.ts';

describe('probeMedia', () => {
  it('reads a WAV header directly', async () => {
    expect(await probeMedia(JFK_WAV)).toEqual({ hasAudio: true, durationSec: 11, container: 'wav', codec: 'pcm_s16le', durationEstimated: false, detail: '' });
    expect(await probeMedia(jfkWav('48k-stereo-f32'))).toMatchObject({ durationSec: 11, codec: 'pcm_f32le' });
  });

  it.each(JFK_FORMATS)('reports the duration and audio codec of jfk as %s', async (format) => {
    const probe = await probeMedia(jfkAs(format));
    expect(probe.hasAudio).toBe(true);
    expect(probe.container).toBeTruthy();
    expect(probe.codec).toBeTruthy();
    expect(Math.abs(probe.durationSec! - JFK_SECONDS)).toBeLessThan(0.15);
  });

  it('names the container and codec', async () => {
    expect(await probeMedia(jfkAs('mp4'))).toMatchObject({ container: expect.stringContaining('mp4'), codec: 'aac' });
    expect(await probeMedia(jfkAs('opus'))).toMatchObject({ container: 'ogg', codec: 'opus' });
  });

  it('says a text file is not media, with ffprobe\'s reason', async () => {
    const probe = await probeMedia(badFile('text-as-mp3'));
    expect(probe).toMatchObject({ hasAudio: false, container: null, codec: null, durationSec: null });
    expect(probe.detail).not.toBe('');
  });

  it.each(['random-bytes', 'zero-bytes'] as const)('says %s is not media', async (kind) => {
    expect(await probeMedia(badFile(kind))).toMatchObject({ hasAudio: false, container: null });
  });

  it('recognises a video without audio as media without audio', async () => {
    const probe = await probeMedia(badFile('video-only-mp4'));
    expect(probe.hasAudio).toBe(false);
    expect(probe.container).toContain('mp4');
    expect(probe.durationSec).toBeCloseTo(3, 0);
  });

  it('reports what a WAV really holds when its header claims hours', async () => {
    expect((await probeMedia(badFile('header-claims-hours'))).durationSec).toBe(1);
  });

  it('throws AUDIO_DECODE_FAILED for a missing file', async () => {
    const err = await probeMedia('/nonexistent/file.wav').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TaskFailure);
    expect((err as TaskFailure).code).toBe('AUDIO_DECODE_FAILED');
  });
});
