import type { Segment, Token, Word } from '../contract/transcript.ts';

// whisper.cpp renders control tokens as "[_BEG_]", "[_TT_123]", "[_LANG_en]"; OpenAI-style dumps use "<|en|>".
const CONTROL_TEXT = /^(?:\[_[A-Za-z0-9_]*\]|<\|[^|]*\|>)$/;
// Scripts written without spaces: each complete token starts a word, as whisper does for zh/ja/th/lo/my.
const NO_SPACE_SCRIPT = /^[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Thai}\p{Script=Lao}\p{Script=Myanmar}\p{Script=Khmer}]/u;
const PUNCTUATION_ONLY = /^\p{P}+$/u;
// Opening marks belong to the word that follows them (` "Hello`, ` (see`).
const OPENING_ONLY = /^["'“‘«¿¡([{-]+$/u;

/** Decodes a token's raw bytes: the text, plus the bytes as hex when they are not valid UTF-8 alone. */
export function tokenTextFields(raw: Uint8Array): { text: string; bytes?: string } {
  const text = new TextDecoder('utf-8').decode(raw);
  return Buffer.from(text, 'utf8').equals(raw) ? { text } : { text, bytes: Buffer.from(raw).toString('hex') };
}

/** True for special and timestamp tokens, which never become part of a word. */
export function isControlToken(token: Token): boolean {
  return token.special || CONTROL_TEXT.test(token.text.trim());
}

/** The segment itself when it has its words already, else a copy with words built from its tokens. */
export function withWords(segment: Segment): Segment {
  return segment.words ? segment : { ...segment, words: assembleSegmentWords(segment) };
}

/**
 * Turns one segment's tokens into words: a leading space starts a word, punctuation stays with its
 * word, control tokens are dropped and characters split across tokens are rejoined. Word text keeps
 * its leading space, so the words concatenate back to the token text. Probability is the mean of
 * the word's token probabilities. Times come from DTW, else token timestamps, else text length, and
 * are clamped so that start <= end, words never overlap and all lie inside the segment.
 */
export function assembleSegmentWords(segment: Segment): Word[] {
  const groups = mergePunctuation(splitWords(completeCharacters(segment.tokens.filter((t) => !isControlToken(t)))));
  const bounds = wordTimes(segment, groups);
  let previousEnd = segment.start;
  return groups.map((group, i) => {
    const raw = bounds[i]!;
    const start = clamp(Math.max(raw.start, previousEnd), segment.start, segment.end);
    const end = clamp(raw.end, start, segment.end);
    previousEnd = end;
    const p = group.tokens.reduce((sum, t) => sum + t.p, 0) / group.tokens.length;
    return { word: group.text, start, end, probability: p };
  });
}

interface Piece { text: string; tokens: Token[] }

function tokenBytes(token: Token): Buffer {
  return token.bytes !== undefined ? Buffer.from(token.bytes, 'hex') : Buffer.from(token.text, 'utf8');
}

/** Bytes at the end of buf that begin a UTF-8 sequence not yet finished. */
function unfinishedTail(buf: Buffer): number {
  for (let back = 1; back <= Math.min(4, buf.length); back++) {
    const byte = buf[buf.length - back]!;
    if ((byte & 0xc0) === 0x80) continue; // continuation byte: keep looking for the lead
    const need = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc0 ? 2 : 1;
    return need > back ? back : 0;
  }
  return 0;
}

/** Groups tokens so that every group's bytes end on a character boundary, and decodes them. */
function completeCharacters(tokens: Token[]): Piece[] {
  const pieces: Piece[] = [];
  let pending: { bytes: Buffer[]; tokens: Token[] } = { bytes: [], tokens: [] };
  const flush = () => {
    if (pending.tokens.length === 0) return;
    pieces.push({ text: new TextDecoder('utf-8').decode(Buffer.concat(pending.bytes)), tokens: pending.tokens });
    pending = { bytes: [], tokens: [] };
  };
  for (const token of tokens) {
    pending.bytes.push(tokenBytes(token));
    pending.tokens.push(token);
    if (unfinishedTail(Buffer.concat(pending.bytes)) === 0) flush();
  }
  flush(); // a character never finished still yields its tokens (decoded with U+FFFD)
  return pieces;
}

function startsWord(piece: Piece): boolean {
  if (/^\s/u.test(piece.text)) return true;
  if (PUNCTUATION_ONLY.test(piece.text)) return false;
  return NO_SPACE_SCRIPT.test(piece.text);
}

function splitWords(pieces: Piece[]): Piece[] {
  const words: Piece[] = [];
  for (const piece of pieces) {
    const current = words.at(-1);
    if (current === undefined || startsWord(piece)) words.push({ text: piece.text, tokens: [...piece.tokens] });
    else {
      current.text += piece.text;
      current.tokens.push(...piece.tokens);
    }
  }
  return words;
}

/** Punctuation-only words join the previous word; opening marks join the next one instead. */
function mergePunctuation(words: Piece[]): Piece[] {
  const out: Piece[] = [];
  let prefix: Piece | undefined;
  for (const word of words) {
    const bare = word.text.trim();
    const next = prefix ? { text: prefix.text + word.text, tokens: [...prefix.tokens, ...word.tokens] } : word;
    prefix = undefined;
    if (bare !== '' && !PUNCTUATION_ONLY.test(bare)) out.push(next);
    else if (OPENING_ONLY.test(bare) && word !== words.at(-1)) prefix = next;
    else if (out.length > 0) {
      const last = out.at(-1)!;
      out[out.length - 1] = { text: last.text + next.text, tokens: [...last.tokens, ...next.tokens] };
    } else out.push(next);
  }
  return out.filter((w) => w.text.trim() !== '');
}

function clamp(x: number, lo: number, hi: number): number {
  return Math.min(Math.max(x, lo), Math.max(lo, hi));
}

const known = (t: number) => Number.isFinite(t) && t >= 0;

/** Raw [start, end] per word before clamping. */
function wordTimes(segment: Segment, words: Piece[]): { start: number; end: number }[] {
  const text = words.flatMap((w) => w.tokens);
  if (text.some((t) => known(t.tDtw))) {
    // whisper.cpp sets a token's t_dtw where the alignment moves on to the next token, i.e. its end;
    // so a word ends at its last token's DTW time and starts where the previous word ended.
    let boundary = segment.start;
    return words.map((w) => {
      const last = w.tokens.at(-1)!;
      const end = known(last.tDtw) ? last.tDtw : known(last.t1) ? last.t1 : segment.end;
      const span = { start: boundary, end };
      boundary = Math.max(boundary, end);
      return span;
    });
  }
  if (text.length > 0 && text.every((t) => known(t.t0) && known(t.t1))) {
    return words.map((w) => ({ start: w.tokens[0]!.t0, end: w.tokens.at(-1)!.t1 }));
  }
  // No timing at all: share the segment out by the length of each word.
  const lengths = words.map((w) => Math.max(1, [...w.text.trim()].length));
  const total = lengths.reduce((a, b) => a + b, 0);
  const duration = Math.max(0, segment.end - segment.start);
  let before = 0;
  return lengths.map((n) => {
    const span = { start: segment.start + (duration * before) / total, end: segment.start + (duration * (before + n)) / total };
    before += n;
    return span;
  });
}
