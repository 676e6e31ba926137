import type { Context, MiddlewareHandler } from 'hono';
import { matchedRoutes } from 'hono/route';
import type { AppMetrics } from '../../metrics/app-metrics.ts';
import type { AppEnv } from '../app-env.ts';

/**
 * The route pattern a request matched (`/tasks/:id`), never its raw path, so that the label set
 * stays small whatever clients send; `unmatched` when only middleware and catch-alls matched.
 */
export function routeLabel(c: Context): string {
  const routes = matchedRoutes(c);
  for (let i = routes.length - 1; i >= 0; i--) {
    const route = routes[i]!;
    if (route.method !== 'ALL' && !route.path.endsWith('*')) return route.path;
  }
  return 'unmatched';
}

/** Times every request to its response headers and records it by method, route pattern and status class. */
export function httpMetricsMiddleware(metrics: Pick<AppMetrics, 'observeRequest'>): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const started = performance.now();
    try {
      await next();
    } finally {
      metrics.observeRequest({ method: c.req.method, route: routeLabel(c), status: c.res?.status ?? 500 }, (performance.now() - started) / 1000);
    }
  };
}
