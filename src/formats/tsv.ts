import type { TranscriptResult } from '../contract/transcript.ts';
import { toMillis } from './timestamp.ts';

const cell = (text: string) => text.replace(/\s+/gu, ' ').trim();

/** Tab-separated start, end (integer milliseconds) and text with a header line; a speaker column when diarized. */
export function renderTsv(result: TranscriptResult): string {
  const withSpeaker = result.segments.some((s) => s.speaker !== undefined);
  const header = withSpeaker ? 'start\tend\ttext\tspeaker' : 'start\tend\ttext';
  const rows = result.segments
    .filter((s) => cell(s.text) !== '')
    .map((s) => {
      const row = [toMillis(s.start), Math.max(toMillis(s.start), toMillis(s.end)), cell(s.text)];
      return (withSpeaker ? [...row, cell(s.speaker ?? '')] : row).join('\t');
    });
  return [header, ...rows].join('\n') + '\n';
}
