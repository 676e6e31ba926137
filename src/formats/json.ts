import type { SegmentJson, TranscriptJson } from '../contract/transcript-json.ts';
import type { Segment, TranscriptResult, Word } from '../contract/transcript.ts';

/** Seconds rounded to whole milliseconds, so that float noise never reaches clients. */
export const roundTime = (seconds: number) => Math.round(seconds * 1000) / 1000;

function wordJson(word: Word) {
  return {
    word: word.word, start: roundTime(word.start), end: roundTime(word.end), probability: word.probability,
    ...(word.speaker !== undefined && { speaker: word.speaker }),
  };
}

/** One segment in snake_case; words and speaker only when present, tokens left to verbose_json. */
export function segmentJson(segment: Segment): SegmentJson {
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

/** Our own result shape (the `json` format): segments, language, duration, model; turns and speakers when diarized. */
export function transcriptJson(result: TranscriptResult): TranscriptJson {
  return {
    text: result.text,
    language: result.language,
    language_probability: result.languageProbability,
    duration: roundTime(result.duration),
    model: result.model,
    segments: result.segments.map(segmentJson),
    ...(result.turns && { turns: result.turns.map((t) => ({ speaker: t.speaker, start: roundTime(t.start), end: roundTime(t.end) })) }),
    ...(result.speakers && { speakers: result.speakers.map((s) => ({ id: s.id, speaking_time: roundTime(s.speakingTime) })) }),
    timings: {
      decode_ms: result.timings.decodeMs, transcribe_ms: result.timings.transcribeMs, total_ms: result.timings.totalMs,
      ...(result.timings.diarizeMs !== undefined && { diarize_ms: result.timings.diarizeMs }),
    },
  };
}

/** The `json` format as a string. */
export function renderJson(result: TranscriptResult): string {
  return JSON.stringify(transcriptJson(result));
}
