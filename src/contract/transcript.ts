import * as v from 'valibot';

// The transcript inside the server (worker results, IPC, storage): camelCase, times in seconds.
// Clients see it through transcript-json.ts.

/** One token as whisper.cpp reports it (times in seconds; -1 when unknown). */
export const TokenSchema = v.object({
  id: v.number(),
  text: v.string(),
  p: v.number(),
  t0: v.number(),
  t1: v.number(),
  tDtw: v.number(),
  special: v.boolean(),
  // Hex of the token's raw UTF-8 bytes, set only when they are not valid UTF-8 on their own
  // (whisper.cpp can split one character across tokens); built by tokenTextFields() in words.ts.
  bytes: v.optional(v.pipe(v.string(), v.regex(/^(?:[0-9a-f]{2})*$/))),
});
/** One token as whisper.cpp reports it. */
export type Token = v.InferOutput<typeof TokenSchema>;

/** One word with its timing, in seconds. */
export const WordSchema = v.object({
  word: v.string(),
  start: v.number(),
  end: v.number(),
  probability: v.number(),
  speaker: v.optional(v.string()),
});
/** One word with its timing. */
export type Word = v.InferOutput<typeof WordSchema>;

/** One stretch of speech by one speaker (the diarization timeline); speakers are SPEAKER_00, … in order of first appearance. */
export const TurnSchema = v.object({ speaker: v.string(), start: v.number(), end: v.number() });
/** One stretch of speech by one speaker. */
export type Turn = v.InferOutput<typeof TurnSchema>;

/** How long one speaker spoke in all, in seconds. */
export const SpeakerTimeSchema = v.object({ id: v.string(), speakingTime: v.number() });
/** How long one speaker spoke in all. */
export type SpeakerTime = v.InferOutput<typeof SpeakerTimeSchema>;

/** One transcript segment, in seconds from the start of the media. */
export const SegmentSchema = v.object({
  id: v.number(),
  start: v.number(),
  end: v.number(),
  text: v.string(),
  noSpeechProb: v.number(),
  avgLogprob: v.number(),
  tokens: v.array(TokenSchema),
  words: v.optional(v.array(WordSchema)),
  speaker: v.optional(v.string()),
});
/** One transcript segment. */
export type Segment = v.InferOutput<typeof SegmentSchema>;

/** What each part of a job took, in milliseconds. */
export const TimingsSchema = v.object({ decodeMs: v.number(), transcribeMs: v.number(), totalMs: v.number(), diarizeMs: v.optional(v.number()) });

/** What a finished transcription returns. */
export const TranscriptResultSchema = v.object({
  text: v.string(),
  language: v.string(),
  languageProbability: v.nullable(v.number()),
  duration: v.number(), // seconds of media
  model: v.string(),
  segments: v.array(SegmentSchema),
  // The diarization timeline, independent of the transcript (only when diarized).
  turns: v.optional(v.array(TurnSchema)),
  // Speakers in order of first appearance, with their speaking time (only when diarized).
  speakers: v.optional(v.array(SpeakerTimeSchema)),
  timings: TimingsSchema,
});
/** What a finished transcription returns. */
export type TranscriptResult = v.InferOutput<typeof TranscriptResultSchema>;
