import * as v from 'valibot';
import { ModelInfoSchema } from '../contract/model-info.ts';
import { WorkerStageSchema } from '../contract/status.ts';
import { TaskErrorSchema } from '../contract/task-error.ts';
import { TaskParamsSchema } from '../contract/task-params.ts';
import { SegmentSchema, TranscriptResultSchema } from '../contract/transcript.ts';

/** IPC between the server (parent) and a worker (child). Every message is validated on receipt. */

// A worker serves the one model its process loaded: the model a task asked for chose the worker and
// does not travel (valibot's object drops it on receipt).
const JobParamsSchema = v.omit(TaskParamsSchema, ['model']);

/** Parent to child. */
export const ParentMessageSchema = v.variant('type', [
  v.object({
    type: v.literal('transcribe'), taskId: v.string(), mediaPath: v.string(), params: JobParamsSchema,
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
  v.object({ type: v.literal('stage'), taskId: v.string(), stage: WorkerStageSchema, fraction: v.number() }),
  v.object({ type: v.literal('result'), taskId: v.string(), result: TranscriptResultSchema }),
  v.object({ type: v.literal('failed'), taskId: v.string(), error: TaskErrorSchema }),
]);

/** A message the server sends a worker. */
export type ParentMessage = v.InferOutput<typeof ParentMessageSchema>;
/** A message a worker sends the server. */
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
