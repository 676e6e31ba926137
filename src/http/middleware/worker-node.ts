import type { MiddlewareHandler } from 'hono';
import { errorBody } from '../../contract/error-body.ts';

/** Paths a worker node (ROLE=worker) serves: it is reached for health and metrics only. */
const WORKER_NODE_PATHS = /^\/(health\/(live|ready)|metrics)\/?$/;

/** On a worker node, everything but health and metrics gets 404 NOT_SERVED_HERE. */
export function workerNodeOnly(): MiddlewareHandler {
  return async (c, next) => {
    if (WORKER_NODE_PATHS.test(c.req.path)) return next();
    return c.json(errorBody('NOT_SERVED_HERE', 'This is a worker node (ROLE=worker): it serves /health/live, /health/ready and /metrics only. Send API requests to an api node.'), 404);
  };
}
