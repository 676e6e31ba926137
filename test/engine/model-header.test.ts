import { writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { AHEADS_PRESET } from '../../src/engine/native/bindings-structs.ts';
import { dtwPreset, modelKind, readModelHeader, type ModelHeader } from '../../src/engine/native/model-header.ts';
import { CACHE_DIR, FOR_TESTS_TINY_EN, JFK_WAV, SHARED_MODELS, requireFile } from '../helpers/paths.ts';

const base: ModelHeader = { nVocab: 51865, nAudioCtx: 1500, nAudioState: 384, nAudioHead: 6, nAudioLayer: 4, nTextCtx: 448, nTextState: 384, nTextHead: 6, nTextLayer: 4, nMels: 80, ftype: 1 };

describe('readModelHeader', () => {
  it('reads the hyper-parameters of a ggml Whisper file', async () => {
    const header = await readModelHeader(requireFile(FOR_TESTS_TINY_EN));
    expect(header).toMatchObject({ nVocab: 51864, nAudioLayer: 4, nTextLayer: 4, nMels: 80, nAudioState: 384 });
    expect(modelKind(header!, FOR_TESTS_TINY_EN)).toBe('tiny.en');
    const multi = await readModelHeader(path.join(SHARED_MODELS, 'for-tests-ggml-tiny.bin'));
    expect(modelKind(multi!, 'ggml-tiny.bin')).toBe('tiny');
  });

  it('returns null for a file that is not a ggml model', async () => {
    expect(await readModelHeader(requireFile(JFK_WAV))).toBeNull();
    mkdirSync(CACHE_DIR, { recursive: true });
    const short = path.join(CACHE_DIR, 'short-model.bin');
    writeFileSync(short, Buffer.from([0x6c, 0x6d, 0x67, 0x67]));
    expect(await readModelHeader(short)).toBeNull();
  });
});

describe('modelKind and dtwPreset', () => {
  it('names every release and picks its alignment heads', () => {
    expect(modelKind({ ...base, nAudioLayer: 6 }, 'x.bin')).toBe('base');
    expect(modelKind({ ...base, nVocab: 51864, nAudioLayer: 12 }, 'x.bin')).toBe('small.en');
    expect(modelKind({ ...base, nAudioLayer: 24 }, 'x.bin')).toBe('medium');
    expect(modelKind({ ...base, nAudioLayer: 32 }, 'ggml-large-v1.bin')).toBe('large-v1');
    expect(modelKind({ ...base, nAudioLayer: 32 }, 'ggml-large.bin')).toBe('large-v2');
    expect(modelKind({ ...base, nAudioLayer: 32, nMels: 128, nTextLayer: 32 }, 'x.bin')).toBe('large-v3');
    expect(modelKind({ ...base, nAudioLayer: 32, nMels: 128, nTextLayer: 4 }, 'x.bin')).toBe('large-v3-turbo');
    expect(modelKind({ ...base, nAudioLayer: 7 }, 'x.bin')).toBe('unknown');
    expect(dtwPreset('tiny.en')).toBe(AHEADS_PRESET.TINY_EN);
    expect(dtwPreset('large-v3-turbo')).toBe(AHEADS_PRESET.LARGE_V3_TURBO);
    expect(dtwPreset('unknown')).toBe(AHEADS_PRESET.NONE);
  });
});
