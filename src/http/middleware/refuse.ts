import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { errorBody } from '../../contract/error-body.ts';
import { openAiErrorBody } from '../openai/openai-errors.ts';

/** How a middleware refusal is spelled: our code, and OpenAI's code for the /v1 routes. */
export interface Refusal {
  status: ContentfulStatusCode;
  code: string;
  message: string;
  details?: unknown;
  openAiCode?: string;
  headers?: Record<string, string>;
}

/** True for the OpenAI-compatible routes, whose clients expect OpenAI's error envelope. */
export function isOpenAiPath(path: string): boolean {
  return path === '/v1' || path.startsWith('/v1/');
}

/**
 * Answers a request that a middleware turns away (401, 429) before any route sees it, in the
 * envelope the route's clients understand: `{error:{code,message,details}}`, or OpenAI's under /v1.
 */
export function refuse(c: Context, refusal: Refusal): Response {
  for (const [name, value] of Object.entries(refusal.headers ?? {})) c.header(name, value);
  const body = isOpenAiPath(c.req.path)
    ? openAiErrorBody(refusal.status, refusal.message, refusal.openAiCode ?? refusal.code)
    : errorBody(refusal.code, refusal.message, refusal.details ?? null);
  return c.json(body, refusal.status);
}
