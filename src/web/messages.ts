import * as v from 'valibot';
import { ErrorBodySchema } from '../contract/error-body.ts';
import { ErrorFrameSchema, HeartbeatFrameSchema, PongFrameSchema, ProgressFrameSchema, SegmentFrameSchema } from '../contract/frames.ts';
import { ModelInfoSchema } from '../contract/model-info.ts';
import { ErrorJsonSchema, TaskErrorSchema } from '../contract/task-error.ts';
import { ParamsJsonSchema, PollingSchema, TaskCreatedSchema, TaskDetailSchema } from '../contract/task-json.ts';
import { SegmentJsonSchema, SpeakerJsonSchema, TranscriptJsonSchema } from '../contract/transcript-json.ts';

// Every message from the server is checked here before the page uses it, with the contract's own
// field schemas (src/contract). Objects are loose and each schema names only the fields the page
// reads; those it can do without may be missing or null: the page must keep working when the
// server adds fields or leaves extras out.

type Entries = Record<string, v.GenericSchema>;
type Tolerant<E extends Entries> = { [K in keyof E]: v.OptionalSchema<v.NullableSchema<E[K], undefined>, undefined> };

/** Each field allowed to be missing or null. */
function tolerant<E extends Entries>(entries: E): Tolerant<E> {
  return Object.fromEntries(Object.entries(entries).map(([key, schema]) => [key, v.optional(v.nullable(schema))])) as Tolerant<E>;
}

type Lenient<E extends Entries, R extends keyof E, O extends keyof E> = {
  [K in R | O]: K extends R ? E[K] : v.OptionalSchema<v.NullableSchema<E[K], undefined>, undefined>;
};

/** A loose object with some of a contract schema's fields required and others tolerated. */
function lenient<E extends Entries, const R extends keyof E & string, const O extends keyof E & string>(
  schema: v.ObjectSchema<E, undefined>, required: readonly R[], optional: readonly O[],
): v.LooseObjectSchema<Lenient<E, NoInfer<R>, NoInfer<O>>, undefined> {
  const entries = Object.fromEntries([
    ...required.map((key) => [key, schema.entries[key]]),
    ...optional.map((key) => [key, v.optional(v.nullable(schema.entries[key]!))]),
  ]);
  return v.looseObject(entries as Lenient<E, R, O>);
}

const optNum = v.optional(v.nullable(v.number()));

/** One transcript segment as the page needs it (seconds from the start). */
export const SegmentSchema = lenient(SegmentJsonSchema, ['start', 'end', 'text'], ['id', 'speaker']);
export type WebSegment = v.InferOutput<typeof SegmentSchema>;

/** A task error in any of the spellings the API uses (frames and polling, error answers, the server's own TaskError). */
const FailureSchema = v.looseObject(tolerant({
  ...ErrorJsonSchema.entries,
  code: ErrorBodySchema.entries.error.entries.code,
  message: ErrorBodySchema.entries.error.entries.message,
  userMessage: TaskErrorSchema.entries.userMessage,
  technicalDetail: TaskErrorSchema.entries.technicalDetail,
}));

const { queue_position } = ProgressFrameSchema.entries;
const live = ['eta_seconds', 'stage_progress'] as const;

/** Frames the server sends on /ws/tasks/:id (the progress contract plus segments). */
export const ServerFrameSchema = v.variant('type', [
  lenient(ProgressFrameSchema, ['type', 'task_id', 'stage', 'percentage'], ['message', 'timestamp', 'queue_position', ...live]),
  lenient(ErrorFrameSchema, ['type', 'error_code', 'user_message'], ['task_id', 'technical_detail', 'timestamp']),
  v.looseObject({ ...lenient(SegmentFrameSchema, ['type'], ['task_id', 'timestamp']).entries, segment: SegmentSchema }),
  lenient(HeartbeatFrameSchema, ['type'], ['timestamp']),
  lenient(PongFrameSchema, ['type'], []),
]);
export type ServerFrame = v.InferOutput<typeof ServerFrameSchema>;

/** GET /tasks/:id/progress, the polling fallback (read like a progress frame, hence a tolerated queue_position). */
export const PollSchema = v.looseObject({
  ...lenient(PollingSchema, ['identifier', 'status', 'progress_percentage', 'progress_stage'], live).entries,
  error: v.optional(v.nullable(FailureSchema)),
  ...tolerant({ queue_position }),
});

/** A task's options as GET /tasks/:id reports them (for "Try again"). */
const ParamsSchema = lenient(ParamsJsonSchema, [], [
  'language', 'task', 'vad', 'word_timestamps', 'diarize', 'num_speakers', 'min_speakers', 'max_speakers', 'initial_prompt', 'temperature',
]);

const { queue } = TaskDetailSchema.entries;

/** One task in GET /tasks and GET /tasks/:id (`id` is an older spelling of `identifier`). */
export const TaskSchema = v.looseObject({
  ...lenient(TaskDetailSchema, ['status'], ['identifier', 'file_name', 'progress_percentage', 'progress_stage', 'created_at', ...live]).entries,
  id: v.optional(v.string()),
  queue_position: tolerant({ queue_position }).queue_position,
  params: v.optional(v.nullable(ParamsSchema)),
  queue: v.optional(v.nullable(lenient(queue.wrapped, [], ['position', 'eta_seconds']))),
  partial_segments: v.optional(v.nullable(v.array(SegmentSchema))),
  error: v.optional(v.nullable(FailureSchema)),
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
export const CreatedSchema = lenient(TaskCreatedSchema, ['identifier'], ['status']);

const { timings } = TranscriptJsonSchema.entries;

/** GET /tasks/:id/result?format=json (turns and speakers only with diarize=true). */
export const ResultSchema = v.looseObject({
  ...lenient(TranscriptJsonSchema, [], ['text', 'language', 'duration', 'model']).entries,
  segments: v.array(SegmentSchema),
  timings: v.optional(v.nullable(lenient(timings, [], ['total_ms']))),
  speakers: v.optional(v.nullable(v.array(lenient(SpeakerJsonSchema, ['id'], ['speaking_time'])))),
});
export type WebResult = v.InferOutput<typeof ResultSchema>;

/** GET /health/ready: what the loaded model and the server can do (the page adapts its options). */
export const ReadySchema = v.looseObject({
  model: v.optional(v.nullable(lenient(ModelInfoSchema, [], ['name', 'multilingual']))),
  diarization: v.optional(v.nullable(v.looseObject({ available: v.optional(v.nullable(v.boolean())), hint: v.optional(v.nullable(v.string())) }))),
});
export type ReadyInfo = v.InferOutput<typeof ReadySchema>;

/** A JSON error body from any route: `{error: {code, message}}` or a flat shape. */
export const ApiErrorSchema = v.looseObject({
  error: v.optional(v.union([v.string(), FailureSchema])),
  message: v.optional(v.nullable(v.string())),
});

/** What the page shows for a failure. */
export interface TaskFailureView {
  code: string;
  userMessage: string;
  technicalDetail: string;
}

/** Normalises any error spelling into what the page shows. */
export function toFailureView(e: v.InferOutput<typeof FailureSchema>): TaskFailureView {
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
