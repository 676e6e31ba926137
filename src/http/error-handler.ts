import type { Context, ErrorHandler, NotFoundHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';
import * as v from 'valibot';
import type { Logger } from '../logger.ts';
import { errorBody } from '../contract/error-body.ts';
import { AppError } from './app-error.ts';
import { describeIssues } from './validation.ts';
import { isStorageFull } from '../tasks/storage-full.ts';

/** The sentence a request gets when the disk (or the database) is full: 507 STORAGE_FULL. */
export const STORAGE_FULL_MESSAGE = 'The server has no disk space left to store this request. Nothing was kept; try again later (an administrator needs to free space).';

/** The one place that turns a thrown error into an HTTP answer `{error: {code, message, details}}`. */
export function handleError(logger: Logger): ErrorHandler {
  return (err: Error, c: Context) => {
    if (err instanceof AppError) {
      if (err.status >= 500) logger.error({ err, code: err.code, path: c.req.path }, err.message);
      else if (err.logDetail) logger.warn({ reqId: c.get('requestId'), code: err.code, path: c.req.path, detail: err.logDetail }, err.message);
      return c.json(errorBody(err.code, err.message, err.details), err.status, err.headers);
    }
    if (err instanceof v.ValiError) {
      const { message, details } = describeIssues(err.issues);
      return c.json(errorBody('VALIDATION_FAILED', message, details), 400);
    }
    if (err instanceof HTTPException && err.status < 500) {
      return c.json(errorBody(httpCode(err.status), err.message || 'The request could not be served.'), err.status);
    }
    if (isStorageFull(err)) {
      logger.error({ err, method: c.req.method, path: c.req.path }, 'disk full while serving a request');
      return c.json(errorBody('STORAGE_FULL', STORAGE_FULL_MESSAGE), 507);
    }
    // Unknown failures keep their detail in the log, never in the answer.
    logger.error({ err, method: c.req.method, path: c.req.path }, 'unhandled error while serving a request');
    return c.json(errorBody('INTERNAL_ERROR', 'Something went wrong on the server. The error was logged.'), 500);
  };
}

/** A JSON 404 for every path no route matches. */
export const handleNotFound: NotFoundHandler = (c) =>
  c.json(errorBody('NOT_FOUND', `No route for ${c.req.method} ${c.req.path}.`), 404);

function httpCode(status: number): string {
  if (status === 413) return 'PAYLOAD_TOO_LARGE';
  if (status === 401) return 'UNAUTHORIZED';
  if (status === 403) return 'FORBIDDEN';
  if (status === 429) return 'RATE_LIMITED';
  return 'BAD_REQUEST';
}
