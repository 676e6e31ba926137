import { describe, expect, it } from 'vitest';
import { renderSrt } from '../../src/formats/srt.ts';
import { segment, transcript, TWO_SEGMENTS } from './fixture.ts';

describe('renderSrt', () => {
  it('does number cues from 1 and separates them by a blank line', () => {
    expect(renderSrt(TWO_SEGMENTS())).toBe(
      '1\n00:00:00,000 --> 00:00:02,500\nHello world.\n\n2\n00:00:02,500 --> 00:00:05,000\nSecond line here\n',
    );
  });

  it('does prefix speaker labels when segments carry speakers', () => {
    const result = transcript([
      segment(0, 0, 1, ' Hi.', { speaker: 'SPEAKER_00' }),
      segment(1, 1, 2, ' Hello.', { speaker: 'SPEAKER_01' }),
    ]);
    expect(renderSrt(result)).toBe(
      '1\n00:00:00,000 --> 00:00:01,000\n[SPEAKER_00] Hi.\n\n2\n00:00:01,000 --> 00:00:02,000\n[SPEAKER_01] Hello.\n',
    );
  });

  it('does skip empty segments and numbers the rest without gaps', () => {
    const result = transcript([segment(0, 0, 1, ' '), segment(1, 3661, 3662.5, ' Late\n\nline')]);
    expect(renderSrt(result)).toBe('1\n01:01:01,000 --> 01:01:02,500\nLate line\n');
  });

  it('does render an empty transcript as an empty file', () => {
    expect(renderSrt(transcript([]))).toBe('');
  });

  it('does re-flow a long segment into cues of at most N lines', () => {
    const result = transcript([segment(0, 0, 3.5, ' The quick brown fox jumps over the lazy dog')]);
    expect(renderSrt(result, { maxLineChars: 16, maxLinesPerCue: 2 })).toBe(
      '1\n00:00:00,000 --> 00:00:02,500\nThe quick brown\nfox jumps over\n\n' +
        '2\n00:00:02,500 --> 00:00:03,500\nthe lazy dog\n',
    );
  });
});
