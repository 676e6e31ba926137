import * as v from 'valibot';
import { TurnSchema } from './transcript.ts';

// The transcript as clients see it (the `json` result format, task bodies, segment frames):
// snake_case, times in seconds rounded to milliseconds, tokens left to verbose_json.

/** One word of a segment (word_timestamps). */
export const WordJsonSchema = v.object({ word: v.string(), start: v.number(), end: v.number(), probability: v.number(), speaker: v.optional(v.string()) });

/** One transcript segment (times in seconds). */
export const SegmentJsonSchema = v.object({
  id: v.number(), start: v.number(), end: v.number(), text: v.string(), no_speech_prob: v.number(), avg_logprob: v.number(),
  words: v.optional(v.array(WordJsonSchema)),
  speaker: v.optional(v.string()),
});
/** One transcript segment as clients see it. */
export type SegmentJson = v.InferOutput<typeof SegmentJsonSchema>;

/** One speaker as clients see it. */
export const SpeakerJsonSchema = v.object({ id: v.string(), speaking_time: v.number() });

/** The `json` result format. */
export const TranscriptJsonSchema = v.object({
  text: v.string(),
  language: v.string(),
  language_probability: v.nullable(v.number()),
  duration: v.number(),
  model: v.string(),
  segments: v.array(SegmentJsonSchema),
  turns: v.optional(v.pipe(v.array(TurnSchema),
    v.description('Who spoke when (diarize=true): the diarization timeline, independent of the transcript'))),
  speakers: v.optional(v.pipe(v.array(SpeakerJsonSchema),
    v.description('Speakers (SPEAKER_00, …) in order of first appearance, with seconds spoken'))),
  timings: v.object({ decode_ms: v.number(), transcribe_ms: v.number(), total_ms: v.number(), diarize_ms: v.optional(v.number()) }),
});
/** The `json` result format. */
export type TranscriptJson = v.InferOutput<typeof TranscriptJsonSchema>;
