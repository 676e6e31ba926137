import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeAudio } from '../../src/audio/decode-audio.ts';
import { createWhisperEngine, type WhisperEngine } from '../../src/engine/worker/whisper-engine.ts';
import type { TaskParams } from '../../src/contract/task-params.ts';
import { JFK_WAV, ROOT, SILERO_VAD, TINY_EN_RANDOM, TINY_RANDOM, requireFile } from '../helpers/paths.ts';

// Real trained models cannot be had here, so accuracy is guarded by equivalence: with the same model
// and decoding parameters, our segments (text and times) must equal whisper.cpp's own whisper-cli's.
const CLI = path.join(ROOT, 'native/build/cpu/bin/whisper-cli');
const LIB_DIR = path.join(ROOT, 'native/build/cpu/lib');
const THREADS = 2;
const DURATION = 11;
const BASE: TaskParams = { language: 'en', task: 'transcribe', vad: false, wordTimestamps: false, diarize: false, temperature: 0 };

/** whisper-cli's segments as "t0-t1 text", times in centiseconds clamped to the audio (the engine clamps too). */
function runCli(model: string, args: string[]): string[] {
  const run = spawnSync(CLI, ['-m', model, '-f', JFK_WAV, '-t', String(THREADS), '-bs', '1', ...args], {
    encoding: 'utf8',
    env: { ...process.env, LD_LIBRARY_PATH: [LIB_DIR, process.env.LD_LIBRARY_PATH].filter(Boolean).join(':') },
    timeout: 300_000,
  });
  if (run.status !== 0) throw new Error(`whisper-cli failed (${run.status ?? run.signal}):\n${run.stderr.slice(-2000)}`);
  const cs = (hms: string) => Math.min(DURATION * 100, Math.round(hms.split(':').reduce((acc, p) => acc * 60 + Number(p), 0) * 100));
  return [...run.stdout.matchAll(/^\[([\d:.]+) --> ([\d:.]+)\] {2}(.*)$/gm)].map((m) => `${cs(m[1]!)}-${cs(m[2]!)} ${m[3]!.trim()}`);
}

async function runOurs(engine: WhisperEngine, pcm: Float32Array, params: Partial<TaskParams>): Promise<string[]> {
  const result = await engine.transcribe(pcm, { ...BASE, ...params });
  return result.segments.map((s) => `${Math.round(s.start * 100)}-${Math.round(s.end * 100)} ${s.text.trim()}`);
}

describe('equivalence with whisper-cli (same model, same decoding)', () => {
  let english: WhisperEngine;
  let multilingual: WhisperEngine;
  let pcm: Float32Array;

  beforeAll(async () => {
    if (!existsSync(CLI)) {
      // Built once from the same pinned source and options as the library, then cached in native/build.
      const build = spawnSync('bash', [path.join(ROOT, 'native/build.sh')], { stdio: 'inherit', env: { ...process.env, WHISPER_BUILD_CLI: '1' } });
      if (build.status !== 0) throw new Error('building whisper-cli failed (see native/build/cmake-cpu.log)');
    }
    pcm = await decodeAudio(requireFile(JFK_WAV));
    english = createWhisperEngine();
    await english.load(requireFile(TINY_EN_RANDOM), { threads: THREADS, vadModelPath: requireFile(SILERO_VAD) });
    multilingual = createWhisperEngine();
    await multilingual.load(requireFile(TINY_RANDOM), { threads: THREADS });
  }, 900_000);
  afterAll(() => {
    english?.close();
    multilingual?.close();
  });

  const cases: Array<[string, 'en' | 'multi', Partial<TaskParams>, string[]]> = [
    ['English, greedy', 'en', {}, ['-l', 'en']],
    ['an initial prompt', 'en', { initialPrompt: 'The President spoke to the nation.' }, ['-l', 'en', '--prompt', 'The President spoke to the nation.']],
    ['temperature 0.4 (sampling from the first window)', 'en', { temperature: 0.4 }, ['-l', 'en', '-tp', '0.4']],
    ['language detection', 'multi', { language: 'auto' }, ['-l', 'auto']],
    ['translation from a given language', 'multi', { language: 'de', task: 'translate' }, ['-l', 'de', '-tr']],
  ];
  for (const [name, which, params, args] of cases) {
    it(`gives whisper-cli's segments: ${name}`, async () => {
      const model = which === 'en' ? TINY_EN_RANDOM : TINY_RANDOM;
      const expected = runCli(model, args);
      expect(expected.length).toBeGreaterThan(0);
      expect(await runOurs(which === 'en' ? english : multilingual, pcm, params)).toEqual(expected);
    }, 300_000);
  }
});
