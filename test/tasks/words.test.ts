import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { assembleSegmentWords, isControlToken, tokenTextFields, withWords } from '../../src/tasks/words.ts';
import type { Segment, Token } from '../../src/contract/transcript.ts';

let nextId = 1000;
/** A text token; times default to unknown (-1). */
function tok(text: string, over: Partial<Token> = {}): Token {
  return { id: nextId++, text, p: 0.9, t0: -1, t1: -1, tDtw: -1, special: false, ...over };
}
/** A token made from raw bytes the way the engine builds them. */
function rawTok(bytes: number[], over: Partial<Token> = {}): Token {
  return { ...tok('', over), ...tokenTextFields(Uint8Array.from(bytes)) };
}
function seg(tokens: Token[], start = 0, end = 10): Segment {
  return { id: 0, start, end, text: '', noSpeechProb: 0, avgLogprob: -0.2, tokens };
}
const texts = (s: Segment) => assembleSegmentWords(s).map((w) => w.word);

describe('tokenTextFields', () => {
  it('does not add bytes for text that is valid UTF-8 on its own', () => {
    expect(tokenTextFields(Buffer.from(' café'))).toEqual({ text: ' café' });
  });
  it('does keep the raw bytes as hex when a character is cut off', () => {
    expect(tokenTextFields(Uint8Array.from([0x63, 0xc3]))).toEqual({ text: 'c\ufffd', bytes: '63c3' });
  });
});

describe('withWords', () => {
  it('does build the words of a segment that has none, and keeps words already built', () => {
    const bare = seg([tok(' Hi', { t0: 1, t1: 2 })]);
    expect(withWords(bare).words).toEqual([{ word: ' Hi', start: 1, end: 2, probability: 0.9 }]);
    const built = { ...bare, words: [{ word: ' kept', start: 0, end: 1, probability: 1 }] };
    expect(withWords(built)).toBe(built);
  });
});

describe('assembleSegmentWords', () => {
  it('does start a word at each leading space and keeps punctuation on its word', () => {
    const s = seg([tok(' Hello'), tok(','), tok(' world'), tok('.')]);
    expect(texts(s)).toEqual([' Hello,', ' world.']);
  });

  it('does drop special and timestamp tokens', () => {
    const s = seg([
      tok('[_BEG_]', { special: true }), tok('<|en|>'), tok('[_TT_150]'), tok(' Hi'), tok('[_TT_200]'),
      tok(' there', { special: false }), tok('[_EOT_]', { special: true }),
    ]);
    expect(texts(s)).toEqual([' Hi', ' there']);
    expect(isControlToken(tok('[_LANG_en]'))).toBe(true);
    expect(isControlToken(tok(' [laughs]'))).toBe(false);
  });

  it('does rejoin a two-byte character split across tokens (café)', () => {
    const s = seg([tok(' caf'), rawTok([0xc3]), rawTok([0xa9]), tok(' au'), tok(' lait')]);
    expect(texts(s)).toEqual([' café', ' au', ' lait']);
  });

  it('does rejoin Japanese cut mid-character and splits it at complete tokens', () => {
    const bytes = [...Buffer.from('こんにちは')];
    const s = seg([
      rawTok(bytes.slice(0, 4)), rawTok(bytes.slice(4, 8)), rawTok(bytes.slice(8)), tok('世界'), tok('。'),
    ]);
    expect(texts(s)).toEqual(['こんにちは', '世界。']);
  });

  it('does rejoin an emoji split across three tokens', () => {
    const emoji = [...Buffer.from(' 👋')]; // 20 f0 9f 91 8b
    const s = seg([tok(' I'), tok(' wave'), rawTok(emoji.slice(0, 2)), rawTok(emoji.slice(2, 4)), rawTok(emoji.slice(4))]);
    expect(texts(s)).toEqual([' I', ' wave', ' 👋']);
  });

  it('does put an opening bracket on the word after it and a closing one on the word before', () => {
    expect(texts(seg([tok(' ('), tok(' see'), tok(' below'), tok(')')]))).toEqual([' ( see', ' below)']);
    expect(texts(seg([tok(' "'), tok('Yes'), tok('"'), tok(' -'), tok(' she'), tok(' said')]))).toEqual([
      ' "Yes"', ' - she', ' said',
    ]);
  });

  it('does use token timestamps and the mean token probability', () => {
    const s = seg([tok(' Hel', { t0: 1, t1: 1.2, p: 0.8 }), tok('lo', { t0: 1.2, t1: 1.5, p: 0.4 }), tok(' you', { t0: 1.6, t1: 2, p: 1 })]);
    const words = assembleSegmentWords(s);
    expect(words).toHaveLength(2);
    expect(words[0]).toMatchObject({ word: ' Hello', start: 1, end: 1.5 });
    expect(words[0]!.probability).toBeCloseTo(0.6, 10);
    expect(words[1]).toMatchObject({ word: ' you', start: 1.6, end: 2, probability: 1 });
  });

  it('does prefer DTW times: a word ends at its last token and starts where the last word ended', () => {
    const s = seg(
      [tok(' One', { t0: 0, t1: 9, tDtw: 2.5 }), tok(' two', { tDtw: 3.1 }), tok(',', { tDtw: 3.3 }), tok(' three')],
      2,
      6,
    );
    expect(assembleSegmentWords(s).map((w) => [w.word, w.start, w.end])).toEqual([
      [' One', 2, 2.5],
      [' two,', 2.5, 3.3],
      [' three', 3.3, 6],
    ]);
  });

  it('does share the segment out by length when no token has a time', () => {
    const words = assembleSegmentWords(seg([tok(' ab'), tok(' abcd'), tok(' ab')], 10, 18));
    expect(words.map((w) => [w.start, w.end])).toEqual([[10, 12], [12, 16], [16, 18]]);
  });

  it('does clamp times into the segment and keeps them in order', () => {
    const s = seg([tok(' a', { t0: 0.5, t1: 3 }), tok(' b', { t0: 2, t1: 2.5 }), tok(' c', { t0: 4, t1: 9 })], 1, 5);
    expect(assembleSegmentWords(s).map((w) => [w.start, w.end])).toEqual([[1, 3], [3, 3], [4, 5]]);
  });

  it('does give an empty list for a segment of control tokens only, and keeps other fields', () => {
    const out = withWords(seg([tok('[_BEG_]', { special: true }), tok('[_TT_0]')]));
    expect(out.words).toEqual([]);
    expect(out.avgLogprob).toBe(-0.2);
  });

  it('does keep every word inside its segment, ordered, and lossless for any byte split', () => {
    const pool = [' the', ' café', 'ß', ' 東京', 'は', '。', ' 👋🏽', ',', ' (', ')', ' naïve', '!', ' ok'];
    const timed = fc.record({ t0: fc.double({ min: -1, max: 20, noNaN: true }), t1: fc.double({ min: -1, max: 20, noNaN: true }), tDtw: fc.double({ min: -1, max: 20, noNaN: true }) });
    const arb = fc.tuple(
      fc.array(fc.tuple(fc.constantFrom(...pool), fc.integer({ min: 1, max: 4 }), timed), { maxLength: 12 }),
      fc.double({ min: 0, max: 5, noNaN: true }),
      fc.double({ min: 0, max: 10, noNaN: true }),
    );
    fc.assert(
      fc.property(arb, ([parts, start, length]) => {
        const tokens: Token[] = [];
        for (const [text, cut, times] of parts) {
          const bytes = [...Buffer.from(text)];
          const at = Math.min(cut, bytes.length); // may cut a character in two, as whisper.cpp can
          tokens.push(rawTok(bytes.slice(0, at), times));
          if (at < bytes.length) tokens.push(rawTok(bytes.slice(at), times));
        }
        const s = seg(tokens, start, start + length);
        const words = assembleSegmentWords(s);
        expect(words.map((w) => w.word).join('').trim()).toBe(parts.map((p) => p[0]).join('').trim());
        let previous = s.start;
        for (const w of words) {
          expect(w.start).toBeGreaterThanOrEqual(previous);
          expect(w.end).toBeGreaterThanOrEqual(w.start);
          expect(w.end).toBeLessThanOrEqual(s.end);
          expect(w.word).not.toContain('\ufffd');
          previous = w.end;
        }
      }),
    );
  });
});
