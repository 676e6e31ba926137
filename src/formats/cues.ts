import type { Segment } from '../contract/transcript.ts';

/** One subtitle cue before format-specific escaping; lines are plain text. */
export interface Cue {
  start: number;
  end: number;
  lines: string[];
  speaker?: string;
}

/** Subtitle layout: without maxLineChars every segment is one single-line cue. */
export interface CueOptions {
  maxLineChars?: number;
  /** Lines per cue when maxLineChars re-flows the text (default 2). */
  maxLinesPerCue?: number;
}

/** A run of text that is never broken, with its time when word timings exist. */
interface Unit {
  text: string;
  spaceBefore: boolean;
  start?: number;
  end?: number;
}

const collapse = (text: string) => text.replace(/\s+/gu, ' ').trim();
const length = (text: string) => [...text].length;

/** Turns segments into cues, splitting long segments into several when asked (timed by words, else by length). */
export function buildCues(segments: Segment[], options: CueOptions = {}): Cue[] {
  const cues: Cue[] = [];
  for (const segment of segments) {
    const text = collapse(segment.text);
    if (text === '') continue;
    const speaker = segment.speaker !== undefined ? { speaker: segment.speaker } : {};
    const start = Math.max(0, segment.start);
    const end = Math.max(start, segment.end);
    if (!options.maxLineChars) {
      cues.push({ start, end, lines: [text], ...speaker });
      continue;
    }
    const lines = wrap(segmentUnits(segment, text), options.maxLineChars);
    const perCue = Math.max(1, options.maxLinesPerCue ?? 2);
    const groups: Unit[][][] = [];
    for (let i = 0; i < lines.length; i += perCue) groups.push(lines.slice(i, i + perCue));
    for (const [k, times] of cueTimes(groups.map((g) => g.flat()), start, end).entries()) {
      cues.push({ ...times, lines: groups[k]!.map(joinLine), ...speaker });
    }
  }
  return cues;
}

function segmentUnits(segment: Segment, text: string): Unit[] {
  const words = (segment.words ?? []).filter((w) => w.word.trim() !== '');
  if (words.length > 0) {
    return words.map((w) => ({ text: collapse(w.word), spaceBefore: /^\s/u.test(w.word), start: w.start, end: w.end }));
  }
  return text.split(' ').map((part, i) => ({ text: part, spaceBefore: i > 0 }));
}

/** Greedy line filling; a unit longer than a line is cut into line-sized pieces (timed pro rata). */
function wrap(units: Unit[], max: number): Unit[][] {
  const lines: Unit[][] = [];
  let line: Unit[] = [];
  let used = 0;
  for (const unit of units.flatMap((u) => cut(u, max))) {
    const need = (line.length > 0 && unit.spaceBefore ? 1 : 0) + length(unit.text);
    if (line.length > 0 && used + need > max) {
      lines.push(line);
      line = [];
      used = 0;
    }
    used += line.length > 0 ? need : length(unit.text);
    line.push(unit);
  }
  if (line.length > 0) lines.push(line);
  return lines;
}

function cut(unit: Unit, max: number): Unit[] {
  const chars = [...unit.text];
  if (chars.length <= max) return [unit];
  const pieces: Unit[] = [];
  for (let i = 0; i < chars.length; i += max) {
    const piece: Unit = { text: chars.slice(i, i + max).join(''), spaceBefore: i === 0 && unit.spaceBefore };
    if (unit.start !== undefined && unit.end !== undefined) {
      const span = unit.end - unit.start;
      piece.start = unit.start + (span * i) / chars.length;
      piece.end = unit.start + (span * Math.min(chars.length, i + max)) / chars.length;
    }
    pieces.push(piece);
  }
  return pieces;
}

function joinLine(line: Unit[]): string {
  return line.map((u, i) => (i > 0 && u.spaceBefore ? ' ' : '') + u.text).join('');
}

/**
 * Times for the cues of one segment. With word times each cue runs from its first word's start to
 * its last word's end; otherwise the segment is shared out by characters. Either way the first cue
 * starts with the segment, the last ends with it, and cues never overlap or go backwards.
 */
function cueTimes(cues: Unit[][], start: number, end: number): { start: number; end: number }[] {
  const timed = cues.every((units) => units.every((u) => u.start !== undefined && u.end !== undefined));
  const sizes = cues.map((units) => units.reduce((n, u) => n + length(u.text), 0));
  const total = sizes.reduce((a, b) => a + b, 0) || 1;
  let before = 0;
  let previousEnd = start;
  return cues.map((units, k) => {
    let s = timed ? units[0]!.start! : start + ((end - start) * before) / total;
    let e = timed ? units.at(-1)!.end! : start + ((end - start) * (before + sizes[k]!)) / total;
    before += sizes[k]!;
    if (k === 0) s = start;
    if (k === cues.length - 1) e = end;
    s = Math.min(Math.max(s, previousEnd), end);
    e = Math.min(Math.max(e, s), end);
    previousEnd = e;
    return { start: s, end: e };
  });
}
