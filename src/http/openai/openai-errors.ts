import type { Context, ErrorHandler } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import * as v from 'valibot';
import type { TaskError } from '../../contract/task-error.ts';
import type { Logger } from '../../logger.ts';
import { AppError } from '../app-error.ts';
import { STORAGE_FULL_MESSAGE } from '../error-handler.ts';
import { isStorageFull } from '../../tasks/storage-full.ts';

/** OpenAI's error envelope, which its SDKs turn into typed exceptions. */
export interface OpenAiErrorBody {
  error: { message: string; type: string; param: string | null; code: string | null };
}

// Our field names where they differ from OpenAI's, so `param` names what the client sent.
const PARAM_NAMES: Record<string, string> = { initial_prompt: 'prompt', word_timestamps: 'timestamp_granularities[]' };

function errorType(status: number): string {
  if (status === 401) return 'authentication_error';
  if (status === 403) return 'permission_error';
  if (status === 429) return 'rate_limit_error';
  return status >= 500 ? 'server_error' : 'invalid_request_error';
}

/** Builds the envelope. */
export function openAiErrorBody(status: number, message: string, code: string | null = null, param: string | null = null): OpenAiErrorBody {
  return { error: { message, type: errorType(status), param, code } };
}

function paramOf(details: unknown): string | null {
  const first = Array.isArray(details) ? (details[0] as { field?: unknown } | undefined) : undefined;
  if (typeof first?.field !== 'string') return null;
  return PARAM_NAMES[first.field] ?? first.field;
}

/** The /v1 routes' error handler: the same errors as elsewhere, in OpenAI's envelope. */
export function handleOpenAiError(logger: Logger): ErrorHandler {
  return (err: Error, c: Context) => {
    if (err instanceof AppError) {
      if (err.status >= 500) logger.error({ err, code: err.code, path: c.req.path }, err.message);
      return c.json(openAiErrorBody(err.status, err.message, err.code, paramOf(err.details)), err.status, err.headers);
    }
    if (err instanceof v.ValiError) return c.json(openAiErrorBody(400, err.message, 'INVALID_FIELD'), 400);
    if (isStorageFull(err)) {
      logger.error({ err, method: c.req.method, path: c.req.path }, 'disk full while serving an OpenAI-compatible request');
      return c.json(openAiErrorBody(507, STORAGE_FULL_MESSAGE, 'STORAGE_FULL'), 507);
    }
    logger.error({ err, method: c.req.method, path: c.req.path }, 'unhandled error while serving an OpenAI-compatible request');
    return c.json(openAiErrorBody(500, 'Something went wrong on the server. The error was logged.', 'INTERNAL_ERROR'), 500);
  };
}

const TASK_ERROR_STATUS: Partial<Record<TaskError['code'], ContentfulStatusCode>> = {
  AUDIO_DECODE_FAILED: 400,
  NO_AUDIO: 400,
  MODEL_UNAVAILABLE: 503,
  TASK_TIMEOUT: 504,
};

/** The status a failed transcription answers with, and its envelope. */
export function taskFailureResponse(error: TaskError): { status: ContentfulStatusCode; body: OpenAiErrorBody } {
  const status = TASK_ERROR_STATUS[error.code] ?? 500;
  return { status, body: openAiErrorBody(status, `${error.userMessage} (${error.technicalDetail})`, error.code) };
}
