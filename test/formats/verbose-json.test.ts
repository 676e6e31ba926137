import { describe, expect, it } from 'vitest';
import { compressionRatio, verboseJson } from '../../src/formats/verbose-json.ts';
import { segment, token, transcript, word } from './fixture.ts';

const result = () =>
  transcript(
    [
      segment(0, 0, 1.5, ' Hello there.', {
        tokens: [token(50364, '[_TT_0]'), token(2425, ' Hello'), token(456, ' there'), token(13, '.')],
        words: [word(' Hello', 0, 0.6), word(' there.', 0.6, 1.5)],
      }),
      segment(1, 1.5, 2.25, ' Bye.', { tokens: [token(4621, ' Bye'), token(13, '.')], words: [word(' Bye.', 1.5, 2.25)] }),
    ],
    { language: 'de', duration: 2.25 },
  );

describe('verboseJson', () => {
  it('does produce the OpenAI shape with segments by default', () => {
    const json = verboseJson(result(), { task: 'translate', temperature: 0.2 });
    expect(json).toMatchObject({ task: 'translate', language: 'german', duration: 2.25, text: 'Hello there. Bye.' });
    expect(json.segments![0]).toEqual({
      id: 0, seek: 0, start: 0, end: 1.5, text: ' Hello there.', tokens: [50364, 2425, 456, 13], temperature: 0.2,
      avg_logprob: -0.25, compression_ratio: compressionRatio(' Hello there.'), no_speech_prob: 0.01,
    });
    expect(json.segments![1]!.seek).toBe(150);
    expect(json).not.toHaveProperty('words');
  });

  it('does list trimmed words with word granularity and drops segments when not asked', () => {
    const json = verboseJson(result(), { granularities: ['word'] });
    expect(json.words).toEqual([
      { word: 'Hello', start: 0, end: 0.6 },
      { word: 'there.', start: 0.6, end: 1.5 },
      { word: 'Bye.', start: 1.5, end: 2.25 },
    ]);
    expect(json).not.toHaveProperty('segments');
  });

  it('does carry the speaker on segments and words when diarized', () => {
    const diarized = transcript([
      segment(0, 0, 1, ' Hi.', { speaker: 'SPEAKER_00', words: [{ ...word(' Hi.', 0, 1), speaker: 'SPEAKER_00' }] }),
      segment(1, 1, 2, ' Yes.', { speaker: 'SPEAKER_01', words: [{ ...word(' Yes.', 1, 2), speaker: 'SPEAKER_01' }] }),
    ]);
    const json = verboseJson(diarized, { granularities: ['segment', 'word'] });
    expect(json.segments!.map((s) => s.speaker)).toEqual(['SPEAKER_00', 'SPEAKER_01']);
    expect(json.words).toEqual([{ word: 'Hi.', start: 0, end: 1, speaker: 'SPEAKER_00' }, { word: 'Yes.', start: 1, end: 2, speaker: 'SPEAKER_01' }]);
    expect(verboseJson(result()).segments!.some((s) => 'speaker' in s)).toBe(false);
  });
});

describe('compressionRatio', () => {
  it('does grow for repetitive text and is 0 for empty text', () => {
    expect(compressionRatio('')).toBe(0);
    expect(compressionRatio('la '.repeat(200))).toBeGreaterThan(10);
    expect(compressionRatio('The quick brown fox.')).toBeLessThan(1.5);
  });
});
