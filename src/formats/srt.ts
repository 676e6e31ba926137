import type { TranscriptResult } from '../contract/transcript.ts';
import { buildCues, type CueOptions } from './cues.ts';
import { formatTimestamp } from './timestamp.ts';

/** SubRip: numbered cues from 1, "HH:MM:SS,mmm --> HH:MM:SS,mmm", a blank line after each; "[SPEAKER] " when diarized. */
export function renderSrt(result: TranscriptResult, options: CueOptions = {}): string {
  return buildCues(result.segments, options)
    .map((cue, i) => {
      const lines = [...cue.lines];
      if (cue.speaker !== undefined) lines[0] = `[${cue.speaker}] ${lines[0]}`;
      // A blank line ends an SRT cue, so no line of text may be empty.
      const text = lines.filter((line) => line !== '').join('\n');
      return `${i + 1}\n${formatTimestamp(cue.start, ',')} --> ${formatTimestamp(cue.end, ',')}\n${text}\n`;
    })
    .join('\n');
}
