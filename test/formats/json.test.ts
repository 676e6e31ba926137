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

  it('does include words, turns and speakers when diarized, with times rounded to ms', () => {
    const result = transcript([
      segment(0, 0.1 + 0.2, 1, ' Hi', { speaker: 'SPEAKER_00', words: [{ ...word(' Hi', 0.30000000000000004, 0.9), speaker: 'SPEAKER_00' }] }),
      segment(1, 1, 2, ' Yo', { speaker: 'SPEAKER_01' }),
    ], {
      turns: [{ speaker: 'SPEAKER_00', start: 0.1 + 0.2, end: 1 }, { speaker: 'SPEAKER_01', start: 1, end: 2.0004 }],
      speakers: [{ id: 'SPEAKER_00', speakingTime: 0.7000001 }, { id: 'SPEAKER_01', speakingTime: 1 }],
      timings: { decodeMs: 1, transcribeMs: 2, totalMs: 9, diarizeMs: 6 },
    });
    const json = transcriptJson(result);
    expect(json.turns).toEqual([{ speaker: 'SPEAKER_00', start: 0.3, end: 1 }, { speaker: 'SPEAKER_01', start: 1, end: 2 }]);
    expect(json.speakers).toEqual([{ id: 'SPEAKER_00', speaking_time: 0.7 }, { id: 'SPEAKER_01', speaking_time: 1 }]);
    expect(json.timings).toEqual({ decode_ms: 1, transcribe_ms: 2, total_ms: 9, diarize_ms: 6 });
    expect(json.segments[0]).toMatchObject({ start: 0.3, speaker: 'SPEAKER_00', words: [{ word: ' Hi', start: 0.3, end: 0.9, probability: 0.8, speaker: 'SPEAKER_00' }] });
  });

  it('does render an empty transcript as valid JSON with no segments', () => {
    expect(JSON.parse(renderJson(transcript([], { text: '' })))).toMatchObject({ text: '', segments: [] });
  });
});
