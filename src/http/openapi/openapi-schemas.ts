import * as v from 'valibot';
import { STAGES } from '../../tasks/types.ts';

// The JSON bodies the API answers with, as valibot schemas: the OpenAPI document is generated from
// them, and the tests parse real answers with them, so the description cannot drift from the code.

const timestamp = v.pipe(v.string(), v.isoTimestamp(), v.description('ISO 8601 time, UTC'));
const nullable = <S extends v.GenericSchema>(schema: S) => v.nullable(schema);
const STATUSES = ['queued', 'processing', 'completed', 'failed', 'cancelled'] as const;

/** `{error:{code,message,details}}`: every error answer outside /v1. */
export const ErrorBodySchema = v.object({
  error: v.object({
    code: v.pipe(v.string(), v.description('Stable machine-readable code, e.g. TASK_NOT_FOUND, UNAUTHORIZED, RATE_LIMITED, QUEUE_FULL')),
    message: v.pipe(v.string(), v.description('A sentence a person can read')),
    details: v.pipe(v.unknown(), v.description('Extra facts (field problems, limits), or null')),
  }),
});

/** OpenAI's error envelope, used by the /v1 routes. */
export const OpenAiErrorSchema = v.object({
  error: v.object({ message: v.string(), type: v.string(), param: nullable(v.string()), code: nullable(v.string()) }),
});

/** A task's error in the progress contract. */
export const TaskErrorSchema = nullable(v.object({ error_code: v.string(), user_message: v.string(), technical_detail: v.string() }));

/** Absolute URLs of a task's views. */
export const LinksSchema = v.object({ self: v.string(), progress: v.string(), websocket: v.string(), result: v.string() });

/** 202 answer of POST /tasks. */
export const TaskCreatedSchema = v.object({
  identifier: v.string(), status: v.literal('queued'), file_name: v.string(), created_at: timestamp, links: LinksSchema,
});

/** GET /tasks/{id}/progress: the polling fallback. */
export const ProgressSchema = v.object({
  identifier: v.string(),
  status: v.picklist(STATUSES),
  progress_percentage: v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(100)),
  progress_stage: v.picklist(STAGES),
  error: TaskErrorSchema,
});

const LiveEntries = {
  stage_progress: nullable(v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(100),
    v.description('0 to 100 within the current stage (an addition to the contract): 0 while queued, 100 once completed, null once failed or cancelled'))),
  eta_seconds: nullable(v.pipe(v.number(), v.description('Estimated seconds until done (queued or running), from the measured speed of this server; null when unknown'))),
};

/** GET /tasks/{id}/progress: the contract's fields plus the stage's own progress and an estimate. */
export const PollingSchema = v.object({ ...ProgressSchema.entries, ...LiveEntries });

/** A task in lists. */
export const TaskSummarySchema = v.object({
  ...ProgressSchema.entries,
  progress_message: v.string(),
  file_name: v.string(),
  media_duration: nullable(v.pipe(v.number(), v.description('Seconds of media, once probed'))),
  language: nullable(v.string()),
  attempts: v.pipe(v.number(), v.integer()),
  created_at: timestamp,
  started_at: nullable(timestamp),
  completed_at: nullable(timestamp),
  updated_at: timestamp,
  links: LinksSchema,
});

const WordSchema = v.object({ word: v.string(), start: v.number(), end: v.number(), probability: v.number(), speaker: v.optional(v.string()) });

/** One transcript segment (times in seconds). */
export const SegmentSchema = v.object({
  id: v.number(), start: v.number(), end: v.number(), text: v.string(), no_speech_prob: v.number(), avg_logprob: v.number(),
  words: v.optional(v.array(WordSchema)),
  speaker: v.optional(v.string()),
});

/** The `json` result format. */
export const TranscriptSchema = v.object({
  text: v.string(),
  language: v.string(),
  language_probability: nullable(v.number()),
  duration: v.number(),
  model: v.string(),
  segments: v.array(SegmentSchema),
  turns: v.optional(v.pipe(v.array(v.object({ speaker: v.string(), start: v.number(), end: v.number() })),
    v.description('Who spoke when (diarize=true): the diarization timeline, independent of the transcript'))),
  speakers: v.optional(v.pipe(v.array(v.object({ id: v.string(), speaking_time: v.number() })),
    v.description('Speakers (SPEAKER_00, …) in order of first appearance, with seconds spoken'))),
  timings: v.object({ decode_ms: v.number(), transcribe_ms: v.number(), total_ms: v.number(), diarize_ms: v.optional(v.number()) }),
});

/** GET /tasks/{id}: summary, options, queue place while queued, partial segments while running, result once done. */
export const TaskDetailSchema = v.object({
  ...TaskSummarySchema.entries,
  language_probability: nullable(v.number()),
  params: v.object({
    language: v.string(), task: v.picklist(['transcribe', 'translate']), vad: v.boolean(), word_timestamps: v.boolean(), diarize: v.boolean(),
    num_speakers: nullable(v.number()), min_speakers: nullable(v.number()), max_speakers: nullable(v.number()), initial_prompt: nullable(v.string()), temperature: v.number(),
  }),
  queue: nullable(v.object({
    position: v.pipe(v.number(), v.integer(), v.description('1-based place in the queue; 0 once running')),
    eta_seconds: nullable(v.pipe(v.number(), v.description('Estimated seconds until done, from the measured speed of recent tasks'))),
  })),
  partial_segments: nullable(v.array(SegmentSchema)),
  result: nullable(TranscriptSchema),
  ...LiveEntries,
});

/** GET /tasks. */
export const TaskListSchema = v.object({
  items: v.array(TaskSummarySchema), total: v.number(), limit: v.number(), offset: v.number(), next_offset: nullable(v.number()),
});

/** GET /health/live. */
export const LiveSchema = v.object({ status: v.literal('ok') });

/** GET /health/ready. */
export const ReadySchema = v.object({
  status: v.picklist(['ready', 'not_ready']),
  role: v.pipe(v.picklist(['all', 'api', 'worker']), v.description('ROLE: an api node is ready when its database answers; workers_ready then counts the worker nodes\' workers')),
  checks: v.object({ database: v.boolean(), workers_ready: v.number() }),
  model: nullable(v.object({ name: v.string(), multilingual: v.boolean(), type: v.string() })),
  diarization: v.pipe(v.object({ available: v.boolean(), hint: v.optional(v.string()) }),
    v.description('Whether tasks may ask for diarize=true; the hint names the download command when not')),
});

/** One model in OpenAI's shape. */
export const ModelSchema = v.object({ id: v.string(), object: v.literal('model'), created: v.number(), owned_by: v.string() });

/** GET /v1/models. */
export const ModelListSchema = v.object({ object: v.literal('list'), data: v.array(ModelSchema) });

/** `response_format=json` of the OpenAI audio routes. */
export const OpenAiTextSchema = v.object({ text: v.string() });

/** WebSocket `progress` frame (server to client). */
export const ProgressFrameSchema = v.object({
  type: v.literal('progress'), task_id: v.string(), stage: v.picklist(STAGES),
  percentage: v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(100)), message: v.string(), timestamp,
  queue_position: v.optional(v.pipe(v.number(), v.description('While queued: 1-based place in the queue'))),
  eta_seconds: v.optional(v.pipe(v.number(), v.description('Estimated seconds until done'))),
  stage_progress: v.optional(v.pipe(v.number(), v.integer(), v.description('While running: 0 to 100 within the current stage'))),
});

/** WebSocket `error` frame (server to client). */
export const ErrorFrameSchema = v.object({
  type: v.literal('error'), task_id: v.string(), error_code: v.string(), user_message: v.string(), technical_detail: v.string(), timestamp,
});
