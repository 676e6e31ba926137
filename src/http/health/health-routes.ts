import { Hono } from 'hono';
import { DIARIZATION_DOWNLOAD } from '../../diarization-models.ts';
import type { AppDeps } from '../app-deps.ts';
import type { AppEnv } from '../app-env.ts';
import { documentLast } from '../openapi/route-doc.ts';
import { serviceDocs } from '../openapi/openapi-service.ts';

/**
 * Liveness (the process answers) and readiness: the database answers and a worker has its model. An api
 * node of a cluster (ROLE=api) runs no workers: it is ready when its database answers, and queues tasks
 * for the worker nodes (`workers_ready` counts theirs).
 */
export function healthRoutes(deps: AppDeps): Hono<AppEnv> {
  const routes = new Hono<AppEnv>();
  const docs = serviceDocs();
  routes.get('/live', (c) => c.json({ status: 'ok' }));
  documentLast(routes, docs.live);
  routes.get('/ready', async (c) => {
    const database = await deps.dbReady();
    const workersReady = deps.engine.readyCount();
    const ready = database && (deps.config.ROLE === 'api' || workersReady >= 1);
    const diarization = deps.canDiarize
      ? { available: true }
      : { available: false, hint: `Speaker diarization needs its models: ${DIARIZATION_DOWNLOAD}` };
    const body = { status: ready ? 'ready' : 'not_ready', role: deps.config.ROLE, checks: { database, workers_ready: workersReady }, model: deps.engine.modelInfo(), diarization };
    return c.json(body, ready ? 200 : 503);
  });
  documentLast(routes, docs.ready);
  return routes;
}
