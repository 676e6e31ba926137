import * as v from 'valibot';

// Every message from the server is checked here before the page uses it. Objects are loose:
// the page must keep working when the server adds fields.

const optNum = v.optional(v.nullable(v.number()));
const optStr = v.optional(v.nullable(v.string()));

/** One transcript segment as the page needs it (seconds from the start). */
export const SegmentSchema = v.looseObject({
  id: v.optional(v.number()),
  start: v.number(),
  end: v.number(),
  text: v.string(),
  speaker: optStr,
});
export type WebSegment = v.InferOutput<typeof SegmentSchema>;

/** A task error in any of the spellings the API uses (frames, polling, task body). */
const ErrorBodySchema = v.looseObject({
  code: optStr,
  error_code: optStr,
  user_message: optStr,
  userMessage: optStr,
  message: optStr,
  technical_detail: optStr,
  technicalDetail: optStr,
});

/** Frames the server sends on /ws/tasks/:id (the progress contract plus segments). */
export const ServerFrameSchema = v.variant('type', [
  v.looseObject({
    type: v.literal('progress'),
    task_id: v.string(),
    stage: v.string(),
    percentage: v.number(),
    message: optStr,
    timestamp: optStr,
    queue_position: optNum,
    eta_seconds: optNum,
    stage_progress: optNum,
  }),
  v.looseObject({
    type: v.literal('error'),
    task_id: optStr,
    error_code: v.string(),
    user_message: v.string(),
    technical_detail: optStr,
    timestamp: optStr,
  }),
  v.looseObject({ type: v.literal('segment'), task_id: optStr, segment: SegmentSchema, timestamp: optStr }),
  v.looseObject({ type: v.literal('heartbeat'), timestamp: optStr }),
  v.looseObject({ type: v.literal('pong') }),
]);
export type ServerFrame = v.InferOutput<typeof ServerFrameSchema>;

/** GET /tasks/:id/progress, the polling fallback. */
export const PollSchema = v.looseObject({
  identifier: v.string(),
  status: v.string(),
  progress_percentage: v.number(),
  progress_stage: v.string(),
  error: v.optional(v.nullable(ErrorBodySchema)),
  queue_position: optNum,
  eta_seconds: optNum,
  stage_progress: optNum,
});

/** A task's options as GET /tasks/:id reports them (for "Try again"). */
const ParamsSchema = v.looseObject({
  language: optStr,
  task: optStr,
  vad: v.optional(v.nullable(v.boolean())),
  word_timestamps: v.optional(v.nullable(v.boolean())),
  diarize: v.optional(v.nullable(v.boolean())),
  num_speakers: optNum,
  min_speakers: optNum,
  max_speakers: optNum,
  initial_prompt: optStr,
  temperature: optNum,
});

/** One task in GET /tasks and GET /tasks/:id. */
export const TaskSchema = v.looseObject({
  identifier: v.optional(v.string()),
  id: v.optional(v.string()),
  status: v.string(),
  file_name: optStr,
  progress_percentage: optNum,
  progress_stage: optStr,
  queue_position: optNum,
  eta_seconds: optNum,
  stage_progress: optNum,
  params: v.optional(v.nullable(ParamsSchema)),
  queue: v.optional(v.nullable(v.looseObject({ position: optNum, eta_seconds: optNum }))),
  partial_segments: v.optional(v.nullable(v.array(SegmentSchema))),
  error: v.optional(v.nullable(ErrorBodySchema)),
  created_at: optStr,
});

/** GET /tasks as the recent list pages it: the items and the total, when the server says. */
export const TaskPageSchema = v.pipe(
  v.looseObject({ items: v.array(TaskSchema), total: optNum }),
  v.transform((b) => ({ items: b.items, total: b.total ?? b.items.length })),
);

/** GET /tasks: a page of tasks under one of the usual keys, or a bare array. */
export const TaskListSchema = v.union([
  v.array(TaskSchema),
  v.pipe(
    v.looseObject({ items: v.optional(v.array(TaskSchema)), tasks: v.optional(v.array(TaskSchema)), data: v.optional(v.array(TaskSchema)) }),
    v.transform((b) => b.items ?? b.tasks ?? b.data ?? []),
  ),
]);

/** The 202 answer to POST /tasks. */
export const CreatedSchema = v.looseObject({ identifier: v.string(), status: v.string() });

/** GET /tasks/:id/result?format=json (turns and speakers only with diarize=true). */
export const ResultSchema = v.looseObject({
  segments: v.array(SegmentSchema),
  text: optStr,
  language: optStr,
  duration: optNum,
  model: optStr,
  timings: v.optional(v.nullable(v.looseObject({ total_ms: optNum }))),
  speakers: v.optional(v.nullable(v.array(v.looseObject({ id: v.string(), speaking_time: optNum })))),
});
export type WebResult = v.InferOutput<typeof ResultSchema>;

/** GET /health/ready: what the loaded model and the server can do (the page adapts its options). */
export const ReadySchema = v.looseObject({
  model: v.optional(v.nullable(v.looseObject({ name: optStr, multilingual: v.optional(v.nullable(v.boolean())) }))),
  diarization: v.optional(v.nullable(v.looseObject({ available: v.optional(v.nullable(v.boolean())), hint: optStr }))),
});
export type ReadyInfo = v.InferOutput<typeof ReadySchema>;

/** A JSON error body from any route: `{error: {code, message}}` or a flat shape. */
export const ApiErrorSchema = v.looseObject({
  error: v.optional(v.union([v.string(), ErrorBodySchema])),
  message: optStr,
});

/** What the page shows for a failure. */
export interface TaskFailureView {
  code: string;
  userMessage: string;
  technicalDetail: string;
}

/** Normalises any error spelling into what the page shows. */
export function toFailureView(e: v.InferOutput<typeof ErrorBodySchema>): TaskFailureView {
  return {
    code: e.error_code ?? e.code ?? 'ERROR',
    userMessage: e.user_message ?? e.userMessage ?? e.message ?? 'The task failed.',
    technicalDetail: e.technical_detail ?? e.technicalDetail ?? '',
  };
}

/** The parsed task, with the id under one name. */
export interface TaskView {
  id: string;
  status: string;
  fileName: string;
  stage: string | null;
  percentage: number | null;
  queuePosition: number | null;
  etaSeconds: number | null;
  stageProgress: number | null;
  /** The options the task was made with, as form fields ("Try again" sends them again). */
  fields: Record<string, string>;
  failure: TaskFailureView | null;
  createdAt: string | null;
  /** Segments transcribed so far, while the task runs. */
  partialSegments: WebSegment[];
}

/** Parses one task body; throws a valibot error when it is not one. */
export function toTaskView(input: unknown): TaskView {
  const t = v.parse(TaskSchema, input);
  const id = t.identifier ?? t.id;
  if (!id) throw new Error('task without an identifier');
  return {
    id,
    status: t.status,
    fileName: t.file_name ?? id,
    stage: t.progress_stage ?? null,
    percentage: t.progress_percentage ?? null,
    queuePosition: t.queue?.position ?? t.queue_position ?? null,
    etaSeconds: t.queue?.eta_seconds ?? t.eta_seconds ?? null,
    stageProgress: t.stage_progress ?? null,
    fields: paramsToFields(t.params ?? null),
    failure: t.error ? toFailureView(t.error) : null,
    createdAt: t.created_at ?? null,
    partialSegments: t.partial_segments ?? [],
  };
}

/** A task's reported options as the form fields that would make the same task again. */
export function paramsToFields(p: v.InferOutput<typeof ParamsSchema> | null): Record<string, string> {
  const fields: Record<string, string> = {};
  if (!p) return fields;
  if (p.language && p.language !== 'auto') fields.language = p.language;
  if (p.task === 'translate') fields.task = 'translate';
  if (typeof p.word_timestamps === 'boolean') fields.word_timestamps = String(p.word_timestamps);
  if (p.vad) fields.vad = 'true';
  if (p.diarize) fields.diarize = 'true';
  for (const key of ['num_speakers', 'min_speakers', 'max_speakers'] as const) if (typeof p[key] === 'number') fields[key] = String(p[key]);
  if (p.initial_prompt) fields.initial_prompt = p.initial_prompt;
  if (typeof p.temperature === 'number' && p.temperature !== 0) fields.temperature = String(p.temperature);
  return fields;
}
