import type { TranscriptResult } from '../contract/transcript.ts';
import { roundTime } from './json.ts';

/**
 * OpenAI's `diarized_json`: task, duration, text and segments with `speaker`, each typed
 * `transcript.text.segment` with a string id; usage is billed by duration.
 */
export function diarizedJson(result: TranscriptResult) {
  const segments = result.segments.filter((s) => s.text.trim() !== '');
  return {
    task: 'transcribe' as const,
    duration: roundTime(result.duration),
    text: result.text.trim(),
    segments: segments.map((s, i) => ({
      type: 'transcript.text.segment' as const,
      id: `seg_${String(i).padStart(3, '0')}`,
      start: roundTime(s.start),
      end: roundTime(s.end),
      text: s.text.trim(),
      speaker: s.speaker ?? 'SPEAKER_00',
    })),
    usage: { type: 'duration' as const, seconds: Math.ceil(result.duration) },
  };
}
