import type { Context, MiddlewareHandler } from 'hono';
import type { ApiKeys } from '../../auth/api-keys.ts';
import type { AppEnv } from '../app-env.ts';
import type { RateLimiter } from './rate-limit.ts';
import { clientAddress, rateLimited } from './rate-limit.ts';
import { refuse } from './refuse.ts';
import { isPublicWebPath } from '../web/web-routes.ts';

/** Paths served without a key: health checks, the web page and its assets, and the API description. */
export function isPublicPath(path: string): boolean {
  return path.startsWith('/health/') || isPublicWebPath(path) || path === '/openapi.json' || path === '/docs';
}

/** The bearer token of a request, or (for the WebSocket, which browsers cannot give headers) its `token` query parameter. */
export function presentedKey(c: Context): string | null {
  const header = c.req.header('authorization');
  if (header !== undefined) {
    const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header);
    return match ? match[1]! : null;
  }
  if (c.req.path.startsWith('/ws/')) return c.req.query('token') ?? null;
  return null;
}

export interface AuthOptions {
  trustProxy: boolean;
  perMinute: number;
  /** Failed attempts take a token from the caller's address, so keys cannot be guessed at speed. */
  limiter?: RateLimiter;
}

/**
 * Sets c.var.owner for every request. With API keys on, a request outside the public paths needs
 * `Authorization: Bearer <key>` (or ?token= on the WebSocket, checked before the upgrade): 401
 * with WWW-Authenticate otherwise, in OpenAI's envelope under /v1.
 */
export function authMiddleware(keys: ApiKeys, options: AuthOptions): MiddlewareHandler<AppEnv> {
  // With keys off every request passes: no promise of its own on that path.
  if (!keys.enabled) {
    return (c, next) => {
      c.set('owner', null);
      return next();
    };
  }
  return async (c, next) => {
    const key = presentedKey(c);
    const owner = key === null ? null : keys.verify(key);
    if (owner !== null) {
      c.set('owner', owner);
      return next();
    }
    if (isPublicPath(c.req.path)) {
      c.set('owner', null);
      return next();
    }
    if (key !== null && options.limiter) {
      const taken = options.limiter.take(`ip:${clientAddress(c, options.trustProxy)}`);
      if (!taken.ok) return rateLimited(c, options.perMinute, taken.retryAfterSeconds);
    }
    return refuse(c, {
      status: 401,
      code: 'UNAUTHORIZED',
      openAiCode: 'invalid_api_key',
      message: key === null
        ? 'This server needs an API key: send it as "Authorization: Bearer <key>".'
        : 'The API key is not valid.',
      headers: { 'WWW-Authenticate': key === null ? 'Bearer realm="whisper-tasks"' : 'Bearer realm="whisper-tasks", error="invalid_token"' },
    });
  };
}
