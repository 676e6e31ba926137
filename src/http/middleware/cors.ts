import type { MiddlewareHandler } from 'hono';
import { cors } from 'hono/cors';

/**
 * CORS from CORS_ORIGINS: off when empty (browsers then allow only same-origin calls), `*` for any
 * origin, else the exact origins listed. Credentials are never allowed: the API takes a bearer
 * key, not cookies. Preflights are answered here, before the API key is asked for.
 */
export function corsMiddleware(origins: readonly string[]): MiddlewareHandler | null {
  if (origins.length === 0) return null;
  const any = origins.includes('*');
  const allowed = new Set(origins.map((o) => o.replace(/\/+$/, '').toLowerCase()));
  return cors({
    origin: any ? '*' : (origin) => (allowed.has(origin.toLowerCase()) ? origin : null),
    allowMethods: ['GET', 'HEAD', 'POST', 'DELETE', 'OPTIONS'],
    allowHeaders: ['Authorization', 'Content-Type', 'X-Request-Id', 'Range'],
    exposeHeaders: ['Retry-After', 'X-Request-Id', 'X-Task-Id', 'WWW-Authenticate', 'Content-Disposition', 'Content-Range'],
    maxAge: 600,
  });
}
