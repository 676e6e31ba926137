// The transcribe command end to end: real worker, libwhisper, the random-weight tiny.en model.
// Slow on a loaded 2-core machine (a minute per run), hence the long timeout.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JFK_WAV, ROOT, TINY_EN_RANDOM, requireFile } from '../helpers/paths.ts';

const CLI = path.join(ROOT, 'src/cli/transcribe.ts');
let dir: string;

function transcribe(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', CLI, '--threads', '2', ...args], { cwd: ROOT }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout, stderr });
    });
  });
}

beforeAll(() => {
  requireFile(TINY_EN_RANDOM);
  dir = mkdtempSync(path.join(os.tmpdir(), 'transcribe-native-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('transcribe CLI with the real worker', { timeout: 240_000 }, () => {
  it('transcribes jfk.wav to JSON segments within the audio', async () => {
    const run = await transcribe(['--model', TINY_EN_RANDOM, JFK_WAV]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const result = JSON.parse(run.stdout) as { duration: number; segments: Array<{ start: number; end: number; text: string }> };
    expect(result.duration).toBeCloseTo(11, 0);
    expect(result.segments.length).toBeGreaterThan(0);
    for (const s of result.segments) {
      expect(s.start).toBeGreaterThanOrEqual(0);
      expect(s.end).toBeGreaterThan(s.start);
      expect(s.end).toBeLessThanOrEqual(result.duration + 0.01);
    }
  });

  it('fails with one line and a non-zero status on a file that is not audio', async () => {
    const bad = path.join(dir, 'corrupt.wav');
    writeFileSync(bad, Buffer.concat([Buffer.from('RIFF\x10\x00\x00\x00WAVEfmt '), Buffer.alloc(64, 0xab)]));
    const run = await transcribe(['--model', TINY_EN_RANDOM, bad]);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^transcribe: (AUDIO_DECODE_FAILED|NO_AUDIO): /)]);
  });
});
