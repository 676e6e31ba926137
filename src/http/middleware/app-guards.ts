import type { Hono, MiddlewareHandler } from 'hono';
import type { ApiKeys } from '../../auth/api-keys.ts';
import type { AppMetrics } from '../../metrics/app-metrics.ts';
import type { AppDeps } from '../app-deps.ts';
import type { AppEnv } from '../app-env.ts';
import { authMiddleware } from './auth.ts';
import { ownerGuard } from './owner-guard.ts';
import { corsMiddleware } from './cors.ts';
import { httpMetricsMiddleware } from './http-metrics.ts';
import { queueLimitMiddleware } from './queue-limit.ts';
import { createRateLimiter, rateLimitMiddleware } from './rate-limit.ts';
import { requestLog } from './request-log.ts';
import { workerNodeOnly } from './worker-node.ts';

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

/** Logs once what access the server grants: keys on, or open (loudly when it listens beyond loopback). */
export function logAccessMode(deps: Pick<AppDeps, 'config' | 'logger'>, keys: ApiKeys): void {
  for (const warning of keys.warnings) deps.logger.warn({}, warning);
  if (keys.enabled) {
    deps.logger.info({ apiKeys: keys.count }, 'API keys are on: every endpoint but /health/*, the web page and /docs needs a key');
    return;
  }
  const exposed = !LOOPBACK.has(deps.config.HOST);
  deps.logger.warn(
    { host: deps.config.HOST },
    exposed
      ? `API_KEYS is not set and the server listens on ${deps.config.HOST}: anyone who can reach it can upload, read and delete every task. Set API_KEYS.`
      : 'API_KEYS is not set: the API is open to anything that can reach 127.0.0.1. Set API_KEYS before exposing the server.',
  );
}

/**
 * The middleware every request passes, in order: request id and log line, HTTP metrics, on a worker
 * node the refusal of everything but health and metrics, the drain gate, CORS (preflights end here),
 * API key, rate limit, queue limit (before an upload is read), then the task-owner check for
 * /tasks/:id and everything under it.
 */
export function installGuards(app: Hono<AppEnv>, deps: AppDeps, keys: ApiKeys, metrics: AppMetrics, drainGate: MiddlewareHandler): void {
  const { config } = deps;
  const limiter = createRateLimiter(config.RATE_LIMIT_PER_MINUTE);
  app.use('*', requestLog(deps.logger, config.TRUST_PROXY));
  app.use('*', httpMetricsMiddleware(metrics));
  if (config.ROLE === 'worker') app.use('*', workerNodeOnly());
  app.use('*', drainGate);
  const cors = corsMiddleware(config.CORS_ORIGINS);
  if (cors) app.use('*', cors);
  app.use('*', authMiddleware(keys, { trustProxy: config.TRUST_PROXY, perMinute: config.RATE_LIMIT_PER_MINUTE, limiter }));
  // RATE_LIMIT_PER_MINUTE=0 turns the limit off: then requests skip the layer altogether.
  if (config.RATE_LIMIT_PER_MINUTE > 0) {
    app.use('*', rateLimitMiddleware(limiter, { perMinute: config.RATE_LIMIT_PER_MINUTE, trustProxy: config.TRUST_PROXY }));
  }
  const queueLimit = queueLimitMiddleware(deps.tasks, config.MAX_QUEUED_TASKS);
  app.use('/tasks', queueLimit);
  app.use('/v1/audio/*', queueLimit);
  // The owner check reads only the narrow progress row: it runs before every poll when keys are on.
  app.use('/tasks/:id/*', ownerGuard({ get: (id) => deps.tasks.progress(id) }));
}
