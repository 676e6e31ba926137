import { Hono } from 'hono';
import type { AppMetrics } from '../../metrics/app-metrics.ts';
import type { AppEnv } from '../app-env.ts';
import { documentLast } from '../openapi/route-doc.ts';
import { serviceDocs } from '../openapi/openapi-service.ts';

/** GET /metrics in the Prometheus text format (behind the API key when keys are set). */
export function metricsRoutes(metrics: Pick<AppMetrics, 'render'>): Hono<AppEnv> {
  const routes = new Hono<AppEnv>();
  const docs = serviceDocs();
  routes.get('/', async (c) => c.body(await metrics.render(), 200, {
    'Content-Type': 'text/plain; version=0.0.4; charset=utf-8',
    'Cache-Control': 'no-store',
  }));
  documentLast(routes, docs.metrics);
  return routes;
}
