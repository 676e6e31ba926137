import type { Segment, TranscriptResult, Word } from '../tasks/types.ts';

/** Seconds rounded to whole milliseconds, so that float noise never reaches clients. */
export const roundTime = (seconds: number) => Math.round(seconds * 1000) / 1000;

function wordJson(word: Word) {
  return { word: word.word, start: roundTime(word.start), end: roundTime(word.end), probability: word.probability };
}

/** One segment in snake_case; words and speaker only when present, tokens left to verbose_json. */
export function segmentJson(segment: Segment) {
  return {
    id: segment.id,
    start: roundTime(segment.start),
    end: roundTime(segment.end),
    text: segment.text,
    no_speech_prob: segment.noSpeechProb,
    avg_logprob: segment.avgLogprob,
    ...(segment.words && { words: segment.words.map(wordJson) }),
    ...(segment.speaker !== undefined && { speaker: segment.speaker }),
  };
}

/** Our own result shape (the `json` format): segments, language, duration, model; speakers when diarized. */
export function transcriptJson(result: TranscriptResult) {
  const speakers = [...new Set(result.segments.flatMap((s) => (s.speaker !== undefined ? [s.speaker] : [])))];
  return {
    text: result.text,
    language: result.language,
    language_probability: result.languageProbability,
    duration: roundTime(result.duration),
    model: result.model,
    segments: result.segments.map(segmentJson),
    ...(speakers.length > 0 && { speakers }),
    timings: { decode_ms: result.timings.decodeMs, transcribe_ms: result.timings.transcribeMs, total_ms: result.timings.totalMs },
  };
}

/** The `json` format as a string. */
export function renderJson(result: TranscriptResult): string {
  return JSON.stringify(transcriptJson(result));
}
