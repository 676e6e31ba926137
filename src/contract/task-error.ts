import * as v from 'valibot';
import { publicDetail } from './public-detail.ts';

/** Stable error codes a task can end with; clients may switch on them. */
export const ERROR_CODES = [
  'AUDIO_DECODE_FAILED',
  'NO_AUDIO',
  'MODEL_UNAVAILABLE',
  'WORKER_CRASHED',
  'TASK_TIMEOUT',
  'CANCELLED',
  'TOO_MANY_ATTEMPTS',
  'PROCESSING_FAILED',
  'DIARIZATION_FAILED',
] as const;

/** A code a task can fail with. */
export const TaskErrorCodeSchema = v.picklist(ERROR_CODES);
/** A code a task can fail with. */
export type TaskErrorCode = v.InferOutput<typeof TaskErrorCodeSchema>;

/** What a failed task reports inside the server (IPC, storage): a code, a sentence for people, a detail for developers. */
export const TaskErrorSchema = v.object({
  code: TaskErrorCodeSchema,
  userMessage: v.string(),
  technicalDetail: v.string(),
});
/** What a failed task reports inside the server. */
export type TaskError = v.InferOutput<typeof TaskErrorSchema>;

/** The error object of the progress contract (polling bodies and error frames). */
export const ErrorJsonSchema = v.object({
  // A string rather than the task codes: error frames also carry connection codes such as INVALID_FRAME.
  error_code: v.string(),
  user_message: v.string(),
  technical_detail: v.string(),
});
/** The error object of the progress contract. */
export type ErrorJson = v.InferOutput<typeof ErrorJsonSchema>;

/** A task error in its contract form; the detail without server paths or raw tool output (the log has those). */
export function errorJson(error: TaskError): ErrorJson {
  return { error_code: error.code, user_message: error.userMessage, technical_detail: publicDetail(error.technicalDetail) };
}
