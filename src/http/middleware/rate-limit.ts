import type { Context, MiddlewareHandler } from 'hono';
import type { AppEnv } from '../app-env.ts';
import { requestHeader } from '../raw-header.ts';
import { refuse } from './refuse.ts';

/** A token bucket per client: `perMinute` requests in a burst, refilled evenly over a minute. */
export interface RateLimiter {
  /** Takes one token; answers how many seconds to wait when there is none. */
  take(client: string): { ok: true } | { ok: false; retryAfterSeconds: number };
  /** Buckets held now (tests check that idle ones go). */
  size(): number;
}

/** At most this many buckets are kept; past it the idle ones, then the oldest, are dropped. */
const MAX_BUCKETS = 10_000;

/** Creates a limiter; perMinute 0 turns it off. Full buckets are forgotten, so memory follows active clients. */
export function createRateLimiter(perMinute: number, clock: () => number = Date.now): RateLimiter {
  const perMs = perMinute / 60_000;
  const buckets = new Map<string, { tokens: number; at: number }>();
  let lastSweep = clock();
  const level = (bucket: { tokens: number; at: number }, now: number) => Math.min(perMinute, bucket.tokens + (now - bucket.at) * perMs);

  const sweep = (now: number) => {
    lastSweep = now;
    // A bucket that has refilled is the same as no bucket at all.
    for (const [client, bucket] of buckets) if (level(bucket, now) >= perMinute) buckets.delete(client);
    // Map order is insertion order, and take() re-inserts on use: the first are the least recently used.
    for (const client of buckets.keys()) {
      if (buckets.size < MAX_BUCKETS) break;
      buckets.delete(client);
    }
  };

  return {
    take(client) {
      if (perMinute <= 0) return { ok: true };
      const now = clock();
      if (now - lastSweep > 60_000 || buckets.size >= MAX_BUCKETS) sweep(now);
      const existing = buckets.get(client);
      const tokens = existing ? level(existing, now) : perMinute;
      buckets.delete(client);
      if (tokens < 1) {
        buckets.set(client, { tokens, at: now });
        return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - tokens) / perMs / 1000)) };
      }
      buckets.set(client, { tokens: tokens - 1, at: now });
      return { ok: true };
    },
    size: () => buckets.size,
  };
}

/**
 * The client's address: the socket's peer, or behind a trusted proxy the last X-Forwarded-For
 * entry (the one the proxy itself appended; earlier entries are whatever the client claimed).
 */
export function clientAddress(c: Context<AppEnv>, trustProxy: boolean): string {
  if (trustProxy) {
    const forwarded = requestHeader(c, 'x-forwarded-for')?.split(',').map((s) => s.trim()).filter(Boolean).pop();
    if (forwarded) return forwarded;
  }
  return c.env?.incoming?.socket?.remoteAddress ?? 'unknown';
}

/** Who a request is counted against: its API key's owner id, or its address when keys are off. */
export function rateLimitClient(c: Context<AppEnv>, trustProxy: boolean): string {
  const owner = c.get('owner');
  return owner ? `key:${owner}` : `ip:${clientAddress(c, trustProxy)}`;
}

/** The 429 answer for a client out of tokens. */
export function rateLimited(c: Context, perMinute: number, retryAfterSeconds: number): Response {
  return refuse(c, {
    status: 429,
    code: 'RATE_LIMITED',
    openAiCode: 'rate_limit_exceeded',
    message: `Too many requests: the limit is ${perMinute} a minute. Try again in ${retryAfterSeconds} s.`,
    details: { limit_per_minute: perMinute, retry_after_seconds: retryAfterSeconds },
    headers: { 'Retry-After': String(retryAfterSeconds) },
  });
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Rate-limits every request that changes something (POST, PUT, PATCH, DELETE): uploads, cancels,
 * deletes. Reads pass straight through, without a promise of their own.
 */
export function rateLimitMiddleware(limiter: RateLimiter, options: { perMinute: number; trustProxy: boolean }): MiddlewareHandler<AppEnv> {
  const limit: MiddlewareHandler<AppEnv> = async (c, next) => {
    const taken = limiter.take(rateLimitClient(c, options.trustProxy));
    if (!taken.ok) return rateLimited(c, options.perMinute, taken.retryAfterSeconds);
    return next();
  };
  return (c, next) => (SAFE_METHODS.has(c.req.method) ? next() : limit(c, next));
}
