import { describe, expect, it } from 'vitest';
import { buildCues } from '../../src/formats/cues.ts';
import { segment, word } from './fixture.ts';

describe('buildCues', () => {
  it('does keep one single-line cue per segment without maxLineChars', () => {
    expect(buildCues([segment(0, 1, 2, '  Two\tspaces  here ')])).toEqual([{ start: 1, end: 2, lines: ['Two spaces here'] }]);
  });

  it('does time re-flowed cues by word timings, the first from the segment start and the last to its end', () => {
    const s = segment(0, 10, 20, ' alpha beta gamma delta', {
      words: [word(' alpha', 10.5, 11), word(' beta', 11.2, 12), word(' gamma', 15, 16), word(' delta', 16.5, 18)],
    });
    expect(buildCues([s], { maxLineChars: 10, maxLinesPerCue: 1 })).toEqual([
      { start: 10, end: 12, lines: ['alpha beta'] },
      { start: 15, end: 16, lines: ['gamma'] },
      { start: 16.5, end: 20, lines: ['delta'] },
    ]);
  });

  it('does join words of scripts without spaces without adding spaces', () => {
    const s = segment(0, 0, 4, 'こんにちは世界です', {
      words: [word('こんにちは', 0, 1), word('世界', 1, 2), word('です', 2, 4)],
    });
    expect(buildCues([s], { maxLineChars: 7 }).map((c) => c.lines)).toEqual([['こんにちは世界', 'です']]);
  });

  it('does cut a unit longer than a line into line-sized pieces', () => {
    const cues = buildCues([segment(0, 0, 2, ' Supercalifragilistic')], { maxLineChars: 8, maxLinesPerCue: 2 });
    expect(cues.map((c) => c.lines)).toEqual([['Supercal', 'ifragili'], ['stic']]);
    expect(cues[0]!.end).toBeCloseTo(2 * (16 / 20), 10);
  });

  it('does carry the speaker onto every cue of a split segment', () => {
    const cues = buildCues([segment(0, 0, 2, ' one two three', { speaker: 'SPEAKER_01' })], { maxLineChars: 5, maxLinesPerCue: 1 });
    expect(cues.map((c) => c.speaker)).toEqual(['SPEAKER_01', 'SPEAKER_01', 'SPEAKER_01']);
  });
});
