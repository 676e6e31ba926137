import type { Hono } from 'hono';
import type { AppEnv } from '../app-env.ts';
import { errorBody } from '../../contract/error-body.ts';

/** The methods each route answers (HEAD comes with GET); everything else there is 405. */
export const ROUTE_METHODS: ReadonlyArray<readonly [path: string, methods: readonly string[]]> = [
  ['/tasks', ['GET', 'POST']],
  ['/tasks/:id', ['GET', 'DELETE']],
  ['/tasks/:id/progress', ['GET']],
  ['/tasks/:id/result', ['GET']],
  ['/tasks/:id/media', ['GET']],
  ['/tasks/:id/cancel', ['POST']],
  ['/ws/tasks/:id', ['GET']],
  ['/health/live', ['GET']],
  ['/health/ready', ['GET']],
  ['/metrics', ['GET']],
  ['/openapi.json', ['GET']],
  ['/docs', ['GET']],
];

/**
 * Registered after every route: a request reaching one of these paths here was not answered by
 * a route, so its method is the wrong one. 405 with `Allow` tells the client what would work,
 * where 404 would wrongly say the resource does not exist.
 */
export function installMethodGuards(app: Hono<AppEnv>): void {
  for (const [path, methods] of ROUTE_METHODS) {
    const allow = [...methods, ...(methods.includes('GET') ? ['HEAD'] : [])].join(', ');
    app.all(path, (c) => c.json(
      errorBody('METHOD_NOT_ALLOWED', `${c.req.method} is not allowed on ${c.req.path}. Allowed: ${allow}.`, { allow: allow.split(', ') }),
      405,
      { Allow: allow },
    ));
  }
}
