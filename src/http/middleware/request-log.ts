import { randomUUID } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import type { Logger } from '../../logger.ts';
import type { AppEnv } from '../app-env.ts';
import { clientAddress } from './rate-limit.ts';
import { requestHeader } from '../raw-header.ts';

/** An incoming X-Request-Id is kept only when it is this tame: it goes into logs and a header. */
const CLIENT_ID = /^[\w.:@-]{1,128}$/;
/** Query parameters whose values are secrets (the WebSocket's API key). */
const SECRET_PARAMS = new Set(['token', 'api_key', 'key']);
/** Routine probes: logged at debug so that they do not drown the rest. */
const QUIET = (path: string) => path.startsWith('/health/') || path === '/metrics';

/** The query string as logged: secret parameters keep their name, never their value; bounded in length. */
export function loggableQuery(url: string): string | undefined {
  const q = url.indexOf('?');
  if (q < 0) return undefined;
  const params = new URLSearchParams(url.slice(q + 1));
  const parts: string[] = [];
  for (const [name, value] of params) {
    parts.push(`${encodeURIComponent(name)}=${SECRET_PARAMS.has(name.toLowerCase()) ? '[redacted]' : encodeURIComponent(value)}`);
  }
  const text = parts.join('&');
  return text.length > 512 ? `${text.slice(0, 512)}…` : text;
}

/**
 * Gives each request an id (the client's X-Request-Id when it is sane, else a new UUID), returns it
 * in X-Request-Id, and logs one line when the answer is ready: method, path, redacted query, status,
 * duration, client address and key owner id. Headers are never logged, so keys cannot leak here.
 */
export function requestLog(logger: Logger, trustProxy: boolean): MiddlewareHandler<AppEnv> {
  // Checked per request (pino's level can change at run time); the line is built only when written.
  const enabled = (level: 'info' | 'debug') => logger.isLevelEnabled?.(level) ?? true;
  return async (c, next) => {
    const started = performance.now();
    const incoming = requestHeader(c, 'x-request-id');
    const requestId = incoming && CLIENT_ID.test(incoming) ? incoming : randomUUID();
    c.set('requestId', requestId);
    // On Node the header goes onto the response the adapter writes (writeHead merges it in, and
    // covers handlers that build their own Response); Hono's prepared headers would cost a
    // Headers object per request. Without Node (app.request() in tests) Hono's way is used.
    const outgoing = c.env?.outgoing;
    if (outgoing) outgoing.setHeader('X-Request-Id', requestId);
    else c.header('X-Request-Id', requestId);
    try {
      await next();
    } finally {
      // Handlers that build their own Response bypass the prepared headers.
      if (!outgoing && c.res && !c.res.headers.has('X-Request-Id')) c.header('X-Request-Id', requestId);
      const level = QUIET(c.req.path) ? 'debug' : 'info';
      if (enabled(level)) {
        logger[level]({
          reqId: requestId,
          method: c.req.method,
          path: c.req.path.length > 512 ? `${c.req.path.slice(0, 512)}…` : c.req.path,
          query: loggableQuery(c.req.url),
          status: c.res?.status,
          durationMs: Math.round((performance.now() - started) * 10) / 10,
          ip: clientAddress(c, trustProxy),
          owner: c.get('owner') ?? undefined,
        }, 'request');
      }
    }
  };
}
