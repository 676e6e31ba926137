import type { Segment, Token, TranscriptResult, Word } from '../../src/contract/transcript.ts';

/** A token with only an id and text (times unknown). */
export function token(id: number, text: string): Token {
  return { id, text, p: 0.9, t0: -1, t1: -1, tDtw: -1, special: false };
}

/** A segment with defaults for the fields renderers rarely look at. */
export function segment(id: number, start: number, end: number, text: string, extra: Partial<Segment> = {}): Segment {
  return { id, start, end, text, noSpeechProb: 0.01, avgLogprob: -0.25, tokens: [], ...extra };
}

/** A word with a fixed probability. */
export function word(text: string, start: number, end: number): Word {
  return { word: text, start, end, probability: 0.8 };
}

/** A transcript around the given segments. */
export function transcript(segments: Segment[], extra: Partial<TranscriptResult> = {}): TranscriptResult {
  return {
    text: segments.map((s) => s.text).join(''),
    language: 'en',
    languageProbability: null,
    duration: 5,
    model: 'tiny.en',
    segments,
    timings: { decodeMs: 1, transcribeMs: 2, totalMs: 3 },
    ...extra,
  };
}

/** Two plain segments. */
export const TWO_SEGMENTS = () =>
  transcript([segment(0, 0, 2.5, ' Hello world.'), segment(1, 2.5, 5, ' Second line here')]);
