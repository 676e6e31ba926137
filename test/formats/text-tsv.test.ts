import { describe, expect, it } from 'vitest';
import { renderText } from '../../src/formats/text.ts';
import { renderTsv } from '../../src/formats/tsv.ts';
import { segment, transcript, TWO_SEGMENTS } from './fixture.ts';

describe('renderText', () => {
  it('does put one trimmed segment per line', () => {
    expect(renderText(TWO_SEGMENTS())).toBe('Hello world.\nSecond line here\n');
  });
  it('does write one labelled paragraph per speaker turn and skips empty segments', () => {
    const result = transcript([
      segment(0, 0, 1, ' A.', { speaker: 'SPEAKER_00' }), segment(1, 1, 2, ''), segment(2, 2, 3, ' B.', { speaker: 'SPEAKER_00' }),
      segment(3, 3, 4, ' C.', { speaker: 'SPEAKER_01' }), segment(4, 4, 5, ' D.', { speaker: 'SPEAKER_00' }),
    ]);
    expect(renderText(result)).toBe('[SPEAKER_00] A. B.\n\n[SPEAKER_01] C.\n\n[SPEAKER_00] D.\n');
  });
  it('does write one line per segment without speakers', () => {
    expect(renderText(transcript([segment(0, 0, 1, ' A.'), segment(1, 1, 2, ' B.')]))).toBe('A.\nB.\n');
  });
  it('does render an empty transcript as an empty string', () => {
    expect(renderText(transcript([]))).toBe('');
  });
});

describe('renderTsv', () => {
  it('does write a header and integer milliseconds', () => {
    const result = transcript([segment(0, 0, 1.2345, ' Hello\tthere'), segment(1, 1.2345, 3661.0005, ' Bye')]);
    expect(renderTsv(result)).toBe('start\tend\ttext\n0\t1235\tHello there\n1235\t3661001\tBye\n');
  });
  it('does add a speaker column when diarized', () => {
    const result = transcript([segment(0, 0, 1, ' A', { speaker: 'SPEAKER_00' })]);
    expect(renderTsv(result)).toBe('start\tend\ttext\tspeaker\n0\t1000\tA\tSPEAKER_00\n');
  });
  it('does render an empty transcript as the header alone', () => {
    expect(renderTsv(transcript([]))).toBe('start\tend\ttext\n');
  });
});
