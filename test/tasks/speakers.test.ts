import { describe, expect, it } from 'vitest';
import { assignSpeakers, labelTurns, speakerAt, speakerTimes } from '../../src/tasks/speakers.ts';
import type { Segment, Token, Turn } from '../../src/contract/transcript.ts';

const tok = (text: string, t0: number, t1: number, special = false): Token => ({ id: 1, text, p: 0.9, t0, t1, tDtw: -1, special });
const word = (w: string, start: number, end: number) => ({ word: w, start, end, probability: 0.9 });

function segment(id: number, start: number, end: number, words: [string, number, number][]): Segment {
  return {
    id, start, end, text: words.map(([w]) => w).join(''), noSpeechProb: 0.01, avgLogprob: -0.2,
    tokens: [tok('[_BEG_]', start, start, true), ...words.map(([w, s, e]) => tok(w, s, e)), tok('[_TT_50]', end, end, true)],
    words: words.map(([w, s, e]) => word(w, s, e)),
  };
}

describe('labelTurns', () => {
  it('names clusters in order of first appearance and merges touching turns of one speaker', () => {
    const turns = labelTurns([
      { speaker: 3, start: 5, end: 7 }, { speaker: 1, start: 0, end: 2 }, { speaker: 1, start: 2, end: 3 },
      { speaker: 3, start: 8, end: 9 }, { speaker: 0, start: 4, end: 4 }, // empty: dropped
    ]);
    expect(turns).toEqual([
      { speaker: 'SPEAKER_00', start: 0, end: 3 }, { speaker: 'SPEAKER_01', start: 5, end: 7 }, { speaker: 'SPEAKER_01', start: 8, end: 9 },
    ]);
    expect(speakerTimes(turns)).toEqual([{ id: 'SPEAKER_00', speakingTime: 3 }, { id: 'SPEAKER_01', speakingTime: 3 }]);
  });
});

describe('speakerAt', () => {
  const turns: Turn[] = [{ speaker: 'A', start: 0, end: 2 }, { speaker: 'B', start: 2, end: 5 }, { speaker: 'A', start: 9, end: 10 }];
  it('picks the speaker overlapping most, and the nearest turn when none overlaps', () => {
    expect(speakerAt(turns, 1.5, 2.8)).toBe('B'); // 0.5 s of A, 0.8 s of B
    expect(speakerAt(turns, 1.0, 2.2)).toBe('A');
    expect(speakerAt(turns, 7.9, 8.2)).toBe('A'); // 0.8 s from A's turn at 9, 2.9 s from B
    expect(speakerAt(turns, 5.5, 5.6)).toBe('B');
    expect(speakerAt([], 0, 1)).toBeUndefined();
  });
});

describe('assignSpeakers', () => {
  const turns: Turn[] = [{ speaker: 'SPEAKER_00', start: 0, end: 2.1 }, { speaker: 'SPEAKER_01', start: 2.3, end: 6 }];

  it('splits a segment at the word where the speaker changes, tokens and text following their words', () => {
    const seg = segment(0, 0, 4, [[' Hello', 0, 0.8], [' there.', 0.8, 2.0], [' Hi', 2.4, 3.0], [' you.', 3.0, 4.0]]);
    const out = assignSpeakers([seg], turns);
    expect(out.map((s) => [s.id, s.speaker, s.text, s.start, s.end])).toEqual([
      [0, 'SPEAKER_00', ' Hello there.', 0, 2.0],
      [1, 'SPEAKER_01', ' Hi you.', 2.4, 4],
    ]);
    expect(out[0]!.tokens.map((t) => t.text)).toEqual(['[_BEG_]', ' Hello', ' there.']);
    expect(out[1]!.tokens.map((t) => t.text)).toEqual([' Hi', ' you.', '[_TT_50]']);
    expect(out.flatMap((s) => s.words!.map((w) => w.speaker))).toEqual(['SPEAKER_00', 'SPEAKER_00', 'SPEAKER_01', 'SPEAKER_01']);
  });

  it('keeps a one-speaker segment whole, renumbers ids, and labels word-less segments by their span', () => {
    const a = segment(7, 0, 2, [[' One', 0, 1], [' two', 1, 2]]);
    const bare: Segment = { ...segment(8, 2.5, 5, []), words: undefined };
    const out = assignSpeakers([a, bare], turns);
    expect(out.map((s) => [s.id, s.speaker, s.text])).toEqual([[0, 'SPEAKER_00', ' One two'], [1, 'SPEAKER_01', '']]);
  });

  it('gives a word in no turn the nearest speaker, and leaves segments unlabelled when there are no turns', () => {
    const seg = segment(0, 6, 8, [[' late', 6.5, 7]]);
    expect(assignSpeakers([seg], turns)[0]!.speaker).toBe('SPEAKER_01');
    expect(assignSpeakers([seg], [])[0]!.speaker).toBeUndefined();
  });
});
