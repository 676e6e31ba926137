import * as v from 'valibot';
import { ERROR_CODES } from '../tasks/errors.ts';

/** IPC between the server (parent) and a worker (child). Every message is validated on receipt. */

const TaskParamsSchema = v.object({
  language: v.string(),
  task: v.picklist(['transcribe', 'translate']),
  vad: v.boolean(),
  wordTimestamps: v.boolean(),
  diarize: v.boolean(),
  numSpeakers: v.optional(v.number()),
  minSpeakers: v.optional(v.number()),
  maxSpeakers: v.optional(v.number()),
  initialPrompt: v.optional(v.string()),
  temperature: v.number(),
});

const TaskErrorSchema = v.object({
  code: v.picklist(ERROR_CODES),
  userMessage: v.string(),
  technicalDetail: v.string(),
});

const TokenSchema = v.object({
  id: v.number(), text: v.string(), p: v.number(), t0: v.number(), t1: v.number(), tDtw: v.number(), special: v.boolean(),
  bytes: v.optional(v.pipe(v.string(), v.regex(/^(?:[0-9a-f]{2})*$/))),
});
const WordSchema = v.object({ word: v.string(), start: v.number(), end: v.number(), probability: v.number(), speaker: v.optional(v.string()) });
const TurnSchema = v.object({ speaker: v.string(), start: v.number(), end: v.number() });

/** A segment on the wire (same shape as tasks/types Segment). */
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

const ResultSchema = v.object({
  text: v.string(),
  language: v.string(),
  languageProbability: v.nullable(v.number()),
  duration: v.number(),
  model: v.string(),
  segments: v.array(SegmentSchema),
  turns: v.optional(v.array(TurnSchema)),
  speakers: v.optional(v.array(v.object({ id: v.string(), speakingTime: v.number() }))),
  timings: v.object({ decodeMs: v.number(), transcribeMs: v.number(), totalMs: v.number(), diarizeMs: v.optional(v.number()) }),
});

const ModelInfoSchema = v.object({ name: v.string(), type: v.string(), multilingual: v.boolean() });

/** Parent to child. */
export const ParentMessageSchema = v.variant('type', [
  v.object({
    type: v.literal('transcribe'), taskId: v.string(), mediaPath: v.string(), params: TaskParamsSchema,
    // Seconds, as the intake probed them: the worker then skips its own probe before `started`.
    mediaDurationSec: v.optional(v.nullable(v.pipe(v.number(), v.finite(), v.minValue(0)))),
  }),
  v.object({ type: v.literal('cancel'), taskId: v.string() }),
  v.object({ type: v.literal('shutdown') }),
]);

/** Child to parent. */
export const ChildMessageSchema = v.variant('type', [
  v.object({ type: v.literal('ready'), model: ModelInfoSchema, systemInfo: v.string() }),
  v.object({ type: v.literal('load_failed'), error: TaskErrorSchema }),
  v.object({ type: v.literal('started'), taskId: v.string(), durationSec: v.number() }),
  v.object({ type: v.literal('progress'), taskId: v.string(), percent: v.number() }),
  v.object({ type: v.literal('segment'), taskId: v.string(), segment: SegmentSchema }),
  // After transcription: word assembly (`aligning`) and speaker labelling (`diarizing`), fraction 0..1.
  v.object({ type: v.literal('stage'), taskId: v.string(), stage: v.picklist(['aligning', 'diarizing']), fraction: v.number() }),
  v.object({ type: v.literal('result'), taskId: v.string(), result: ResultSchema }),
  v.object({ type: v.literal('failed'), taskId: v.string(), error: TaskErrorSchema }),
]);

export type ParentMessage = v.InferOutput<typeof ParentMessageSchema>;
export type ChildMessage = v.InferOutput<typeof ChildMessageSchema>;

/** Validates an incoming message; returns null (and the issue text) when it does not match. */
export function parseMessage<T>(
  schema: v.GenericSchema<unknown, T>,
  raw: unknown,
): { ok: true; message: T } | { ok: false; detail: string } {
  const result = v.safeParse(schema, raw);
  if (result.success) return { ok: true, message: result.output };
  return { ok: false, detail: result.issues.map((i) => `${v.getDotPath(i) ?? '(root)'}: ${i.message}`).join('; ') };
}
