import { errorBody } from '../app-error.ts';
import { openAiErrorBody } from '../openai/openai-errors.ts';

/** A fetch handler as @hono/node-server calls it. */
export type FetchHandler<E> = (request: Request, env: E) => Response | Promise<Response>;

/** Wraps the app's fetch so that, once draining, new work is refused while everything else is still served. */
export interface DrainGate<E> {
  fetch: FetchHandler<E>;
  /** From now on: POSTs that create tasks get 503 SHUTTING_DOWN, and readiness answers 503. */
  drain(): void;
  isDraining(): boolean;
}

/** Seconds a client is told to wait: a restart usually takes about this long. */
const RETRY_AFTER_SECONDS = 5;
const MESSAGE = 'The server is shutting down and takes no new tasks. Try again in a few seconds.';

/** Creates the gate; requests pass untouched until drain() is called. */
export function createDrainGate<E>(inner: FetchHandler<E>): DrainGate<E> {
  let draining = false;
  return {
    fetch(request, env) {
      if (!draining) return inner(request, env);
      const { pathname } = new URL(request.url);
      const headers = { 'retry-after': String(RETRY_AFTER_SECONDS) };
      if (request.method === 'POST' && /^\/tasks\/?$/.test(pathname)) {
        return Response.json(errorBody('SHUTTING_DOWN', MESSAGE), { status: 503, headers });
      }
      if (request.method === 'POST' && pathname.startsWith('/v1/audio/')) {
        return Response.json(openAiErrorBody(503, MESSAGE, 'SHUTTING_DOWN'), { status: 503, headers });
      }
      // Load balancers stop sending traffic here; liveness stays 200 so nothing kills the drain.
      if (pathname === '/health/ready') {
        return Response.json({ status: 'shutting_down' }, { status: 503, headers });
      }
      return inner(request, env);
    },
    drain() {
      draining = true;
    },
    isDraining: () => draining,
  };
}
