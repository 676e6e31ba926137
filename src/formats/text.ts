import type { TranscriptResult } from '../tasks/types.ts';

/** Plain text, one line per segment, "[SPEAKER] " in front when diarized; empty for an empty transcript. */
export function renderText(result: TranscriptResult): string {
  const lines = result.segments.flatMap((segment) => {
    const text = segment.text.replace(/\s+/gu, ' ').trim();
    if (text === '') return [];
    return [segment.speaker !== undefined ? `[${segment.speaker}] ${text}` : text];
  });
  return lines.length > 0 ? `${lines.join('\n')}\n` : '';
}
