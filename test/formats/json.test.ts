import { describe, expect, it } from 'vitest';
import { renderJson, transcriptJson } from '../../src/formats/json.ts';
import { segment, transcript, word, TWO_SEGMENTS } from './fixture.ts';

describe('transcriptJson', () => {
  it('does carry language, duration, model and segments without words or speakers when absent', () => {
    const json = transcriptJson(TWO_SEGMENTS());
    expect(json).toMatchObject({ language: 'en', duration: 5, model: 'tiny.en', text: ' Hello world. Second line here' });
    expect(json.segments[0]).toEqual({ id: 0, start: 0, end: 2.5, text: ' Hello world.', no_speech_prob: 0.01, avg_logprob: -0.25 });
    expect(json).not.toHaveProperty('speakers');
  });

  it('does include words and the list of speakers when present, with times rounded to ms', () => {
    const result = transcript([
      segment(0, 0.1 + 0.2, 1, ' Hi', { speaker: 'SPEAKER_01', words: [word(' Hi', 0.30000000000000004, 0.9)] }),
      segment(1, 1, 2, ' Yo', { speaker: 'SPEAKER_00' }),
      segment(2, 2, 3, ' Hey', { speaker: 'SPEAKER_01' }),
    ]);
    const json = transcriptJson(result);
    expect(json.speakers).toEqual(['SPEAKER_01', 'SPEAKER_00']);
    expect(json.segments[0]).toMatchObject({ start: 0.3, speaker: 'SPEAKER_01', words: [{ word: ' Hi', start: 0.3, end: 0.9, probability: 0.8 }] });
  });

  it('does render an empty transcript as valid JSON with no segments', () => {
    expect(JSON.parse(renderJson(transcript([], { text: '' })))).toMatchObject({ text: '', segments: [] });
  });
});
