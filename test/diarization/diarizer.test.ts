import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createDiarizer, type DiarizerOptions } from '../../src/engine/worker/diarizer.ts';
import { labelTurns } from '../../src/tasks/speakers.ts';
import { makeDialogue, speakerAccuracy } from '../helpers/dialogue.ts';
import { SHARED_MODELS } from '../helpers/paths.ts';

const SEGMENTATION = path.join(SHARED_MODELS, 'pyannote-segmentation-3.0.int8.onnx');
const STUB_EMBEDDING = path.join(SHARED_MODELS, 'stub-speaker-embedding.onnx');
const options: DiarizerOptions = {
  segmentationModel: SEGMENTATION, embeddingModel: STUB_EMBEDDING, threshold: 0.5, minDurationOn: 0.3, minDurationOff: 0.5, threads: 1,
};
const tmp = mkdtempSync(path.join(os.tmpdir(), 'diarizer-test-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const diarizer = createDiarizer(options);
const run = async (samples: Float32Array, bounds = {}) => {
  const progress: number[] = [];
  const turns = labelTurns(await diarizer.diarize(samples, bounds, (f) => progress.push(f)));
  return { turns, progress, speakers: new Set(turns.map((t) => t.speaker)).size };
};

describe('createDiarizer (real pyannote segmentation, stand-in embeddings, espeak-ng dialogues)', () => {
  it('tells two voices apart: the right count and at least 90 % of speech time to the right speaker', async () => {
    const dialogue = makeDialogue([0, 1, 0, 1, 0, 1, 0, 1]);
    expect(diarizer.busy()).toBe(false);
    let sawBusy = false;
    const watch = setInterval(() => (sawBusy ||= diarizer.busy()), 5); // the run sits on a pool thread for about a second
    const { turns, progress, speakers } = await run(dialogue.samples).finally(() => clearInterval(watch));
    expect(sawBusy).toBe(true);
    expect(diarizer.busy()).toBe(false);
    const accuracy = speakerAccuracy(dialogue.turns, turns);
    console.log(`2 voices, ${dialogue.seconds.toFixed(1)} s: ${speakers} speakers, accuracy ${(accuracy * 100).toFixed(1)} %`);
    expect(speakers).toBe(2);
    expect(accuracy).toBeGreaterThanOrEqual(0.9);
    expect(turns[0]!.speaker).toBe('SPEAKER_00');
    // Real progress from the engine: rising, ending at the whole.
    expect(progress.length).toBeGreaterThan(1);
    expect(progress.at(-1)).toBe(1);
    expect(progress.every((p, i) => i === 0 || p >= progress[i - 1]!)).toBe(true);
  });

  it('tells three voices apart', async () => {
    const dialogue = makeDialogue([0, 1, 2, 0, 1, 2, 1, 0]);
    const { turns, speakers } = await run(dialogue.samples);
    const accuracy = speakerAccuracy(dialogue.turns, turns);
    console.log(`3 voices, ${dialogue.seconds.toFixed(1)} s: ${speakers} speakers, accuracy ${(accuracy * 100).toFixed(1)} %`);
    expect(speakers).toBe(3);
    expect(accuracy).toBeGreaterThanOrEqual(0.9);
  });

  it('finds one speaker in a monologue', async () => {
    const dialogue = makeDialogue([1, 1, 1, 1]);
    const { turns, speakers } = await run(dialogue.samples);
    expect(speakers).toBe(1);
    expect(speakerAccuracy(dialogue.turns, turns)).toBeGreaterThanOrEqual(0.9);
  });

  it('returns no turns for silence, and for audio shorter than a second, without crashing', async () => {
    expect((await run(new Float32Array(16_000 * 20))).turns).toEqual([]);
    expect((await run(new Float32Array(800))).turns).toEqual([]);
  });

  it('keeps to an exact speaker count, and re-clusters into min..max when the count falls outside', async () => {
    const dialogue = makeDialogue([0, 1, 2, 0, 1, 2, 1, 0]);
    expect((await run(dialogue.samples, { numSpeakers: 2 })).speakers).toBe(2);
    const bounded = await run(dialogue.samples, { minSpeakers: 1, maxSpeakers: 2 });
    expect(bounded.speakers).toBe(2);
    expect(bounded.progress.at(-1)).toBe(1); // the second pass carries progress to the end
    expect((await run(makeDialogue([1, 1, 1, 1]).samples, { minSpeakers: 2, maxSpeakers: 3 })).speakers).toBe(2);
  });

  it('refuses a known model file whose checksum is wrong before native code opens it', async () => {
    const damaged = path.join(tmp, 'pyannote-segmentation-3.0.int8.onnx');
    copyFileSync(SEGMENTATION, damaged);
    writeFileSync(damaged, Buffer.from('not a model'), { flag: 'r+' }); // same size, other bytes at the start
    const bad = createDiarizer({ ...options, segmentationModel: damaged });
    await expect(bad.diarize(new Float32Array(16_000), {}, () => {})).rejects.toMatchObject({ code: 'DIARIZATION_FAILED', message: expect.stringMatching(/damaged.*sha256/) });
    const missing = createDiarizer({ ...options, embeddingModel: path.join(tmp, 'nope.onnx') });
    await expect(missing.diarize(new Float32Array(16_000), {}, () => {})).rejects.toMatchObject({ code: 'DIARIZATION_FAILED', message: expect.stringMatching(/missing.*models:download -- diarization/) });
  });
});

// A trained embedding model cannot be downloaded on the build machines. Point DIARIZATION_TEST_EMBEDDING_MODEL
// at one (e.g. the WeSpeaker ResNet34-LM file `npm run models:download -- diarization` fetches) to run this.
const REAL_EMBEDDING = process.env.DIARIZATION_TEST_EMBEDDING_MODEL ?? '';
describe.skipIf(!REAL_EMBEDDING)('createDiarizer with a trained embedding model (skipped: DIARIZATION_TEST_EMBEDDING_MODEL is unset)', () => {
  it('tells two and three espeak-ng voices apart with at least 90 % accuracy', async () => {
    const real = createDiarizer({ ...options, embeddingModel: REAL_EMBEDDING });
    for (const order of [[0, 1, 0, 1, 0, 1], [0, 1, 2, 0, 1, 2]]) {
      const dialogue = makeDialogue(order);
      const turns = labelTurns(await real.diarize(dialogue.samples, {}, () => {}));
      expect(new Set(turns.map((t) => t.speaker)).size).toBe(new Set(order).size);
      expect(speakerAccuracy(dialogue.turns, turns)).toBeGreaterThanOrEqual(0.9);
    }
  }, 120_000);
});
