import * as v from 'valibot';
import { PercentageSchema, StageSchema, TaskStatusSchema, TimestampSchema } from './status.ts';
import { ErrorJsonSchema } from './task-error.ts';
import { TASK_KINDS } from './task-params.ts';
import { TaskLinksSchema } from './task-links.ts';
import { SegmentJsonSchema, TranscriptJsonSchema } from './transcript-json.ts';

// The task bodies of the HTTP API (snake_case). The OpenAPI document is generated from these
// schemas, the routes' JSON builders are typed by them, and the tests parse real answers with them.

/** 202 answer of POST /tasks. */
export const TaskCreatedSchema = v.object({
  identifier: v.string(), status: v.literal('queued'), file_name: v.string(), created_at: TimestampSchema, links: TaskLinksSchema,
});

/** The polling fallback body, exactly as the progress contract names it (also the body of a cancel). */
export const ProgressSchema = v.object({
  identifier: v.string(),
  status: TaskStatusSchema,
  progress_percentage: PercentageSchema,
  progress_stage: StageSchema,
  error: v.nullable(ErrorJsonSchema),
});
/** The polling fallback body. */
export type ProgressJson = v.InferOutput<typeof ProgressSchema>;

/** Live facts beyond the contract, added to polling and task bodies. */
export const LiveEntries = {
  stage_progress: v.nullable(v.pipe(PercentageSchema,
    v.description('0 to 100 within the current stage (an addition to the contract): 0 while queued, 100 once completed, null once failed or cancelled'))),
  eta_seconds: v.nullable(v.pipe(v.number(), v.description('Estimated seconds until done (queued or running), from the measured speed of this server; null when unknown'))),
};

/** GET /tasks/{id}/progress: the contract's fields plus the stage's own progress and an estimate. */
export const PollingSchema = v.object({ ...ProgressSchema.entries, ...LiveEntries });

/** A task in lists. */
export const TaskSummarySchema = v.object({
  ...ProgressSchema.entries,
  progress_message: v.string(),
  file_name: v.string(),
  media_duration: v.nullable(v.pipe(v.number(), v.description('Seconds of media, once probed'))),
  language: v.nullable(v.string()),
  attempts: v.pipe(v.number(), v.integer()),
  created_at: TimestampSchema,
  started_at: v.nullable(TimestampSchema),
  completed_at: v.nullable(TimestampSchema),
  updated_at: TimestampSchema,
  links: TaskLinksSchema,
});
/** A task in lists. */
export type TaskSummaryJson = v.InferOutput<typeof TaskSummarySchema>;

/** A task's options in snake_case; the ones a client left out are null. */
export const ParamsJsonSchema = v.object({
  language: v.string(), task: v.picklist(TASK_KINDS), vad: v.boolean(), word_timestamps: v.boolean(), diarize: v.boolean(),
  num_speakers: v.nullable(v.number()), min_speakers: v.nullable(v.number()), max_speakers: v.nullable(v.number()),
  initial_prompt: v.nullable(v.string()), temperature: v.number(),
});
/** A task's options in snake_case. */
export type ParamsJson = v.InferOutput<typeof ParamsJsonSchema>;

/** GET /tasks/{id}: summary, options, queue place while queued, partial segments while running, result once done. */
export const TaskDetailSchema = v.object({
  ...TaskSummarySchema.entries,
  language_probability: v.nullable(v.number()),
  params: ParamsJsonSchema,
  queue: v.nullable(v.object({
    position: v.pipe(v.number(), v.integer(), v.description('1-based place in the queue; 0 once running')),
    eta_seconds: v.nullable(v.pipe(v.number(), v.description('Estimated seconds until done, from the measured speed of recent tasks'))),
  })),
  partial_segments: v.nullable(v.array(SegmentJsonSchema)),
  result: v.nullable(TranscriptJsonSchema),
  ...LiveEntries,
});
/** GET /tasks/{id}. */
export type TaskDetailJson = v.InferOutput<typeof TaskDetailSchema>;

/** GET /tasks. */
export const TaskListSchema = v.object({
  items: v.array(TaskSummarySchema), total: v.number(), limit: v.number(), offset: v.number(), next_offset: v.nullable(v.number()),
});
