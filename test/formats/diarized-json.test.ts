import { describe, expect, it } from 'vitest';
import { diarizedJson } from '../../src/formats/diarized-json.ts';
import { segment, transcript } from './fixture.ts';

describe('diarizedJson', () => {
  it("does answer OpenAI's diarized_json shape: typed segments with string ids and speakers, empty ones left out", () => {
    const result = transcript([
      segment(0, 0, 1.0004, ' Hello.', { speaker: 'SPEAKER_00' }), segment(1, 1, 2, '  '), segment(2, 2, 3, ' Hi.', { speaker: 'SPEAKER_01' }),
    ], { duration: 3.2 });
    expect(diarizedJson(result)).toEqual({
      task: 'transcribe', duration: 3.2, text: 'Hello.   Hi.',
      segments: [
        { type: 'transcript.text.segment', id: 'seg_000', start: 0, end: 1, text: 'Hello.', speaker: 'SPEAKER_00' },
        { type: 'transcript.text.segment', id: 'seg_001', start: 2, end: 3, text: 'Hi.', speaker: 'SPEAKER_01' },
      ],
      usage: { type: 'duration', seconds: 4 },
    });
  });
});
