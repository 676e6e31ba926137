import type { TranscriptResult } from '../contract/transcript.ts';
import { buildCues, type CueOptions } from './cues.ts';
import { formatTimestamp } from './timestamp.ts';

/** Escapes cue text for WebVTT: '&', '<' and '>' are markup, and "-->" must never appear in a cue. */
export function escapeVtt(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** WebVTT: the header, then "HH:MM:SS.mmm --> HH:MM:SS.mmm" cues; a `<v SPEAKER>` voice tag when diarized. */
export function renderVtt(result: TranscriptResult, options: CueOptions = {}): string {
  const cues = buildCues(result.segments, options).map((cue) => {
    const lines = cue.lines.map(escapeVtt).filter((line) => line !== '');
    if (cue.speaker !== undefined) lines[0] = `<v ${escapeVtt(cue.speaker)}>${lines[0]}`;
    return `${formatTimestamp(cue.start, '.')} --> ${formatTimestamp(cue.end, '.')}\n${lines.join('\n')}\n`;
  });
  return ['WEBVTT\n', ...cues].join('\n');
}
