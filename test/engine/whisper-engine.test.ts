import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeAudio } from '../../src/audio/decode-audio.ts';
import { TaskFailure } from '../../src/tasks/errors.ts';
import type { TaskParams } from '../../src/contract/task-params.ts';
import type { Segment } from '../../src/contract/transcript.ts';
import { createWhisperEngine, type WhisperEngine } from '../../src/engine/worker/whisper-engine.ts';
import { JFK_WAV, SILERO_VAD, TINY_EN_RANDOM, TINY_RANDOM, requireFile } from '../helpers/paths.ts';

const PARAMS: TaskParams = { language: 'auto', task: 'transcribe', vad: false, wordTimestamps: true, diarize: false, temperature: 0 };
const SLOW = 240_000; // inference on a shared 2-core machine
// One ggml thread: with two, every graph barrier waits on a core the other test files are using.
const THREADS = 1;

/** The audio repeated `times` times, as a stream of `piece`-second arrays. */
async function* repeated(pcm: Float32Array, times: number, pieceSec = 4): AsyncGenerator<Float32Array> {
  const piece = pieceSec * 16_000;
  for (let r = 0; r < times; r++) {
    for (let at = 0; at < pcm.length; at += piece) yield pcm.slice(at, Math.min(pcm.length, at + piece));
  }
}

function expectInside(segments: Segment[], from: number, to: number) {
  for (const s of segments) {
    expect(s.start).toBeGreaterThanOrEqual(from);
    expect(s.start).toBeLessThan(s.end);
    expect(s.end).toBeLessThanOrEqual(to + 0.02);
  }
}

describe('createWhisperEngine', () => {
  let engine: WhisperEngine;
  let pcm: Float32Array;
  let duration: number;

  beforeAll(async () => {
    pcm = await decodeAudio(requireFile(JFK_WAV));
    duration = pcm.length / 16_000;
    engine = createWhisperEngine();
    await engine.load(requireFile(TINY_EN_RANDOM), { threads: THREADS, dtw: true, vadModelPath: requireFile(SILERO_VAD) });
  });
  afterAll(() => engine?.close());

  it('describes the loaded model and the library', () => {
    expect(engine.modelInfo()).toEqual({ name: 'ggml-tiny.en-random.bin', type: 'tiny.en', multilingual: false, dtw: true });
    expect(engine.systemInfo()).toMatch(/CPU/);
  });

  it('transcribes jfk.wav into segments inside the audio, with monotonic progress and DTW times', async () => {
    const progress: number[] = [];
    const streamed: Segment[] = [];
    const result = await engine.transcribe(pcm, PARAMS, { onProgress: (p) => progress.push(p), onSegment: (s) => streamed.push(s) });
    expect(result.segments.length).toBeGreaterThan(0);
    expectInside(result.segments, 0, duration);
    expect(streamed).toEqual(result.segments);
    expect(result.segments.map((s) => s.id)).toEqual(result.segments.map((_, i) => i));
    expect(progress.at(-1)).toBe(100);
    expect(progress.every((p, i) => Number.isInteger(p) && p >= 0 && (i === 0 || p > progress[i - 1]!))).toBe(true);
    const text = result.segments.flatMap((s) => s.tokens.filter((t) => !t.special));
    expect(text.length).toBeGreaterThan(0);
    expect(text.every((t) => t.tDtw >= 0 && t.tDtw <= duration + 0.02)).toBe(true);
    expect(result).toMatchObject({ language: 'en', languageProbability: null, duration, model: 'ggml-tiny.en-random.bin' });
    expect(result.text).toBe(result.segments.map((s) => s.text).join('').trim());
  }, SLOW);

  it('gives the same result for the same task twice (a fresh state per task), on the flash-attention context without word timestamps', async () => {
    // Sampling from the first window on (temperature > 0, as in a fallback): a decoder RNG carried over
    // from the previous task would change the second run's segments.
    const plain: TaskParams = { ...PARAMS, language: 'en', wordTimestamps: false, temperature: 0.5 };
    const first = await engine.transcribe(pcm, plain);
    const second = await engine.transcribe(pcm, plain);
    expect(first.segments.length).toBeGreaterThan(0);
    expect(second.segments).toEqual(first.segments);
    // No DTW pass on this context: DTW times are absent, whisper.cpp's own token times are not asked for.
    expect(first.segments.flatMap((s) => s.tokens).every((t) => t.tDtw === -1)).toBe(true);
  }, SLOW);

  it('cuts long input into chunks, offsets their times, continues ids and spreads progress', async () => {
    const progress: number[] = [];
    const result = await engine.transcribe(repeated(pcm, 1), PARAMS, { onProgress: (p) => progress.push(p) }, { durationSec: duration, maxChunkSec: 6 });
    expect(result.duration).toBeCloseTo(duration, 3);
    expectInside(result.segments, 0, duration);
    expect(result.segments.map((s) => s.id)).toEqual(result.segments.map((_, i) => i));
    // Two whisper_full calls: the second chunk's segments start after the first chunk's cut (≥ 4.5 s).
    expect(result.segments.some((s) => s.start >= 4.5)).toBe(true);
    expect(progress.some((p) => p >= 30 && p <= 70)).toBe(true);
    expect(progress.at(-1)).toBe(100);
  }, SLOW);

  it('stops within a pass when cancelled, and runs again afterwards', async () => {
    let cancelAt = 0;
    // jfk three times in a row sends this random-weight model into minutes of fallback decoding.
    const running = engine.transcribe(repeated(pcm, 3), PARAMS, {
      onProgress: () => {
        if (cancelAt === 0) setTimeout(() => { cancelAt = performance.now(); }, 500);
      },
      isCancelled: () => cancelAt > 0,
    });
    const error = await running.then(() => null, (err: unknown) => err);
    const latencyMs = performance.now() - cancelAt;
    expect(cancelAt).toBeGreaterThan(0);
    expect(error).toBeInstanceOf(TaskFailure);
    expect((error as TaskFailure).code).toBe('CANCELLED');
    console.info(`cancel latency: ${latencyMs.toFixed(0)} ms`);
    const again = await engine.transcribe(pcm, PARAMS);
    expect(again.segments.length).toBeGreaterThan(0);
  }, SLOW);

  it('refuses a second transcription while one runs', async () => {
    let stop = false;
    const first = engine.transcribe(pcm, PARAMS, { isCancelled: () => stop });
    await expect(engine.transcribe(pcm, PARAMS)).rejects.toMatchObject({ code: 'PROCESSING_FAILED' });
    stop = true;
    await expect(first).rejects.toMatchObject({ code: 'CANCELLED' });
  }, SLOW);

  it('finds the four speech regions of jfk.wav with the Silero VAD', async () => {
    const regions = await engine.detectSpeech(pcm);
    expect(regions).toHaveLength(4);
    regions.forEach((r, i) => {
      expect(r.start).toBeLessThan(r.end);
      expect(r.end).toBeLessThanOrEqual(duration);
      if (i > 0) expect(r.start).toBeGreaterThan(regions[i - 1]!.end);
    });
  });

  it('transcribes only speech with vad, in the original timeline', async () => {
    const regions = await engine.detectSpeech(pcm);
    const result = await engine.transcribe(pcm, { ...PARAMS, vad: true });
    expect(result.segments.length).toBeGreaterThan(0);
    expectInside(result.segments, regions[0]!.start, regions.at(-1)!.end);
  }, SLOW);

  it('fails with MODEL_UNAVAILABLE for a missing or invalid model file', async () => {
    const other = createWhisperEngine();
    try {
      await expect(other.load('/nonexistent/ggml-tiny.bin', { threads: 1 })).rejects.toMatchObject({ code: 'MODEL_UNAVAILABLE' });
      await expect(other.load(JFK_WAV, { threads: 1 })).rejects.toMatchObject({ code: 'MODEL_UNAVAILABLE', message: /whisper\.cpp said/ });
      await expect(other.transcribe(pcm, PARAMS)).rejects.toMatchObject({ code: 'PROCESSING_FAILED' });
    } finally {
      other.close();
    }
  });
});

describe('createWhisperEngine with a multilingual model', () => {
  let engine: WhisperEngine;
  let pcm: Float32Array;
  beforeAll(async () => {
    pcm = (await decodeAudio(requireFile(JFK_WAV))).slice(0, 5 * 16_000);
    engine = createWhisperEngine();
    await engine.load(requireFile(TINY_RANDOM), { threads: THREADS, dtw: false });
  });
  afterAll(() => engine?.close());

  it('detects the language with its probability when asked for auto', async () => {
    expect(engine.modelInfo()).toMatchObject({ type: 'tiny', multilingual: true, dtw: false });
    const result = await engine.transcribe(pcm, PARAMS);
    expect(result.language).toMatch(/^[a-z]{2,3}$/);
    expect(result.languageProbability).toBeGreaterThan(0);
    expect(result.languageProbability).toBeLessThanOrEqual(1);
  }, SLOW);

  it('keeps a requested language, translates, and rejects an unknown code', async () => {
    const result = await engine.transcribe(pcm, { ...PARAMS, language: 'de', task: 'translate' });
    expect(result).toMatchObject({ language: 'de', languageProbability: null });
    await expect(engine.transcribe(pcm, { ...PARAMS, language: 'xx' })).rejects.toMatchObject({ code: 'PROCESSING_FAILED' });
  }, SLOW);
});
