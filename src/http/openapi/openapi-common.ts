import { ErrorBodySchema } from '../../contract/error-body.ts';
import { OpenAiErrorSchema } from './openapi-schemas.ts';
import type { ApiResponse } from './route-doc.ts';

const DESCRIPTIONS: Record<number, string> = {
  400: 'The request is not valid (unknown field, bad value, bad multipart or JSON).',
  401: 'API keys are on and the request has no valid `Authorization: Bearer <key>`.',
  404: 'No such task (or it belongs to another API key).',
  409: 'The task is not in a state that allows this.',
  410: "The task's media file has been deleted.",
  413: 'The upload or the media is larger or longer than the limits.',
  415: 'Not multipart/form-data, or the file is not audio or video.',
  416: 'The byte range cannot be satisfied.',
  422: 'The options contradict each other or the loaded model, or ask for what is not installed (DIARIZATION_UNAVAILABLE, VAD_UNAVAILABLE).',
  429: 'Rate limit (RATE_LIMITED) or queue (QUEUE_FULL) reached; wait Retry-After seconds.',
  503: 'Not ready: the database or every worker is unavailable; on submissions also SHUTTING_DOWN, or MODEL_UNAVAILABLE while no worker can have the model (with Retry-After and the download command).',
  507: 'The disk or the database is full (STORAGE_FULL); nothing was kept.',
};

const HEADERS: Record<number, Record<string, string>> = {
  401: { 'WWW-Authenticate': 'Bearer realm="whisper-tasks"' },
  429: { 'Retry-After': 'Seconds to wait before trying again' },
  503: { 'Retry-After': 'Seconds to wait before trying again (MODEL_UNAVAILABLE)' },
};

/** The usual error answers, `{error:{code,message,details}}`, by status. */
export function errorResponses(...statuses: number[]): Record<number, ApiResponse> {
  return Object.fromEntries(statuses.map((status) => [status, {
    description: DESCRIPTIONS[status] ?? 'Error',
    schema: ErrorBodySchema,
    ...(HEADERS[status] && { headers: HEADERS[status] }),
  }]));
}

/** The same, in OpenAI's error envelope (the /v1 routes). */
export function openAiErrorResponses(...statuses: number[]): Record<number, ApiResponse> {
  return Object.fromEntries(statuses.map((status) => [status, {
    description: DESCRIPTIONS[status] ?? (status >= 500 ? 'The transcription failed on the server.' : 'Error'),
    schema: OpenAiErrorSchema,
    ...(HEADERS[status] && { headers: HEADERS[status] }),
  }]));
}

