import type { MiddlewareHandler } from 'hono';
import { errorBody } from '../../contract/error-body.ts';
import { openAiErrorBody } from '../openai/openai-errors.ts';

/** Refuses new work once the server drains, while everything else is still served. */
export interface DrainGate {
  middleware: MiddlewareHandler;
  /** From now on: POSTs that create tasks get 503 SHUTTING_DOWN, and readiness answers 503. */
  drain(): void;
  isDraining(): boolean;
}

/** Seconds a client is told to wait: a restart usually takes about this long. */
const RETRY_AFTER_SECONDS = 5;
const MESSAGE = 'The server is shutting down and takes no new tasks. Try again in a few seconds.';

/** Creates the gate; requests pass untouched until drain() is called. */
export function createDrainGate(): DrainGate {
  let draining = false;
  return {
    async middleware(c, next) {
      if (!draining) return next();
      const { method, path } = c.req;
      const headers = { 'retry-after': String(RETRY_AFTER_SECONDS) };
      if (method === 'POST' && /^\/tasks\/?$/.test(path)) return c.json(errorBody('SHUTTING_DOWN', MESSAGE), 503, headers);
      if (method === 'POST' && path.startsWith('/v1/audio/')) return c.json(openAiErrorBody(503, MESSAGE, 'SHUTTING_DOWN'), 503, headers);
      // Load balancers stop sending traffic here; liveness stays 200 so nothing kills the drain.
      if (path === '/health/ready') return c.json({ status: 'shutting_down' }, 503, headers);
      return next();
    },
    drain() {
      draining = true;
    },
    isDraining: () => draining,
  };
}
