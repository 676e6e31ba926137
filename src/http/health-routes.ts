import { Hono } from 'hono';
import { DIARIZATION_DOWNLOAD } from '../diarization-models.ts';
import type { AppDeps } from './app-deps.ts';
import type { AppEnv } from './app-env.ts';

/** Liveness (the process answers) and readiness (database open and a worker has its model). */
export function healthRoutes(deps: AppDeps): Hono<AppEnv> {
  const routes = new Hono<AppEnv>();
  routes.get('/live', (c) => c.json({ status: 'ok' }));
  routes.get('/ready', (c) => {
    const database = deps.dbReady();
    const workersReady = deps.engine.readyCount();
    const ready = database && workersReady >= 1;
    const diarization = deps.canDiarize
      ? { available: true }
      : { available: false, hint: `Speaker diarization needs its models: ${DIARIZATION_DOWNLOAD}` };
    const body = { status: ready ? 'ready' : 'not_ready', checks: { database, workers_ready: workersReady }, model: deps.engine.modelInfo(), diarization };
    return c.json(body, ready ? 200 : 503);
  });
  return routes;
}
