import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeAudio } from '../../src/audio/decode-audio.ts';
import { createWhisperEngine, type WhisperEngine } from '../../src/engine/worker/whisper-engine.ts';
import { JFK_WAV, requireFile } from '../helpers/paths.ts';

const MODEL = process.env.WHISPER_TEST_MODEL ?? '';
const normalise = (text: string) => text.toLowerCase().replace(/[^a-z ]+/g, ' ').replace(/\s+/g, ' ').trim();

// Trained weights cannot be downloaded on the build machines; point WHISPER_TEST_MODEL at a real
// ggml model (e.g. ggml-tiny.en.bin) to run this.
describe.skipIf(!MODEL)('whisper engine with a real model (skipped: WHISPER_TEST_MODEL is unset)', () => {
  let engine: WhisperEngine;
  beforeAll(async () => {
    if (!existsSync(MODEL)) throw new Error(`WHISPER_TEST_MODEL points at a missing file: ${MODEL}`);
    engine = createWhisperEngine();
    await engine.load(MODEL, { threads: 2 });
  }, 120_000);
  afterAll(() => engine?.close());

  it('transcribes jfk.wav', async () => {
    const pcm = await decodeAudio(requireFile(JFK_WAV));
    const result = await engine.transcribe(pcm, { language: 'auto', task: 'transcribe', vad: false, wordTimestamps: true, diarize: false, temperature: 0 });
    expect(normalise(result.text)).toContain('ask not what your country can do for you');
    expect(result.language).toBe('en');
    for (const s of result.segments) expect(s.start).toBeLessThan(s.end);
  }, 300_000);
});
