import type { Segment, SpeakerTime, Token, Turn, Word } from '../contract/transcript.ts';
import { isControlToken } from './words.ts';

/** A diarization segment as the engine reports it: an integer cluster id, times in seconds. */
export interface RawTurn {
  speaker: number;
  start: number;
  end: number;
}

/** The label of the n-th speaker to appear: SPEAKER_00, SPEAKER_01, … */
export const speakerLabel = (n: number) => `SPEAKER_${String(n).padStart(2, '0')}`;

const ms = (seconds: number) => Math.round(seconds * 1000) / 1000;

/**
 * Orders raw turns by time, names clusters in order of first appearance and merges a speaker's
 * turns that touch or overlap, so the timeline reads the same whatever ids the clustering chose.
 */
export function labelTurns(raw: readonly RawTurn[]): Turn[] {
  const names = new Map<number, string>();
  const turns: Turn[] = [];
  const sorted = raw.filter((t) => t.end > t.start).sort((a, b) => a.start - b.start || a.end - b.end);
  for (const t of sorted) {
    if (!names.has(t.speaker)) names.set(t.speaker, speakerLabel(names.size));
    const speaker = names.get(t.speaker)!;
    const last = turns.at(-1);
    if (last && last.speaker === speaker && t.start <= last.end) last.end = Math.max(last.end, ms(t.end));
    else turns.push({ speaker, start: ms(t.start), end: ms(t.end) });
  }
  return turns;
}

/** Each speaker's total speaking time, in order of first appearance. */
export function speakerTimes(turns: readonly Turn[]): SpeakerTime[] {
  const totals = new Map<string, number>();
  for (const t of turns) totals.set(t.speaker, (totals.get(t.speaker) ?? 0) + (t.end - t.start));
  return [...totals].map(([id, time]) => ({ id, speakingTime: ms(time) }));
}

/** The speaker whose turns overlap [start, end] most; with no overlap, the nearest turn's speaker. */
export function speakerAt(turns: readonly Turn[], start: number, end: number): string | undefined {
  const overlap = new Map<string, number>();
  let nearest: { speaker: string; distance: number } | undefined;
  for (const t of turns) {
    const shared = Math.min(end, t.end) - Math.max(start, t.start);
    if (shared > 0) overlap.set(t.speaker, (overlap.get(t.speaker) ?? 0) + shared);
    const distance = Math.max(0, t.start - end, start - t.end);
    if (!nearest || distance < nearest.distance) nearest = { speaker: t.speaker, distance };
  }
  let best: string | undefined;
  for (const [speaker, time] of overlap) if (best === undefined || time > overlap.get(best)!) best = speaker;
  return best ?? nearest?.speaker;
}

/**
 * Labels every word with the speaker who overlaps it most, splits segments where the speaker
 * changes between two words (so no cue mixes two voices), and labels each segment. Segments
 * without words get the speaker of their time span. Segment ids are renumbered from 0.
 */
export function assignSpeakers(segments: readonly Segment[], turns: readonly Turn[]): Segment[] {
  if (turns.length === 0) return segments.map((s) => ({ ...s }));
  const out: Segment[] = [];
  for (const segment of segments) {
    const words = segment.words?.map((w) => ({ ...w, speaker: speakerAt(turns, w.start, w.end) }));
    if (!words || words.length === 0) {
      out.push({ ...segment, speaker: speakerAt(turns, segment.start, segment.end) });
      continue;
    }
    out.push(...splitBySpeaker(segment, words));
  }
  return out.map((s, id) => ({ ...s, id }));
}

function splitBySpeaker(segment: Segment, words: Word[]): Segment[] {
  const groups: Word[][] = [];
  for (const word of words) {
    const group = groups.at(-1);
    if (group && group[0]!.speaker === word.speaker) group.push(word);
    else groups.push([word]);
  }
  if (groups.length === 1) return [{ ...segment, words, speaker: majoritySpeaker(words) }];
  const tokenGroups = splitTokens(segment.tokens, groups.map((g) => g.reduce((n, w) => n + w.word.length, 0)));
  return groups.map((group, i) => ({
    ...segment,
    start: i === 0 ? segment.start : group[0]!.start,
    end: i === groups.length - 1 ? segment.end : group.at(-1)!.end,
    text: group.map((w) => w.word).join(''),
    tokens: tokenGroups[i]!,
    words: group,
    speaker: group[0]!.speaker,
  }));
}

// The words concatenate back to the text of the segment's non-control tokens, so cutting the token
// list where the running text length reaches each group's length gives every piece its own tokens.
function splitTokens(tokens: readonly Token[], groupChars: number[]): Token[][] {
  const pieces: Token[][] = groupChars.map(() => []);
  let piece = 0;
  let seen = 0;
  let limit = groupChars[0]!;
  for (const token of tokens) {
    if (piece < pieces.length - 1 && seen >= limit && !isControlToken(token)) {
      piece += 1;
      limit += groupChars[piece]!;
    }
    pieces[piece]!.push(token);
    if (!isControlToken(token)) seen += token.text.length;
  }
  return pieces;
}

/** The speaker holding most of the words' time (ties: the first to speak). */
export function majoritySpeaker(words: readonly Word[]): string | undefined {
  const time = new Map<string, number>();
  for (const w of words) if (w.speaker !== undefined) time.set(w.speaker, (time.get(w.speaker) ?? 0) + Math.max(w.end - w.start, 1e-6));
  let best: string | undefined;
  for (const [speaker, t] of time) if (best === undefined || t > time.get(best)!) best = speaker;
  return best;
}
