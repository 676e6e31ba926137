import type { Server } from 'node:http';
import type { Http2SecureServer, Http2Server } from 'node:http2';
import { Hono } from 'hono';
import { createNodeWebSocket } from '@hono/node-ws';
import { createApiKeys, parseApiKeys } from '../auth/api-keys.ts';
import { createAppMetrics, type AppMetrics } from '../metrics/app-metrics.ts';
import { measureDiskUsage } from '../retention/disk-usage.ts';
import type { AppDeps } from './app-deps.ts';
import type { AppEnv } from './app-env.ts';
import { installGuards, logAccessMode } from './middleware/app-guards.ts';
import { docsRoutes } from './openapi/docs-routes.ts';
import { handleError, handleNotFound } from './error-handler.ts';
import { healthRoutes } from './health/health-routes.ts';
import { installMethodGuards } from './middleware/method-guard.ts';
import { metricsRoutes } from './health/metrics-routes.ts';
import { buildOpenApiDocument, type OpenApiDocument } from './openapi/openapi-document.ts';
import { createApiRegistry } from './openapi/openapi-registry.ts';
import { openAiOperations, serviceOperations } from './openapi/openapi-service.ts';
import { taskOperations } from './tasks/openapi-tasks.ts';
import { openAiRoutes } from './openai/openai-routes.ts';
import { taskRoutes } from './tasks/tasks-routes.ts';
import { createWebRoutes } from './web/web-routes.ts';
import { webhookOperations } from './webhooks/openapi-webhooks.ts';
import { webhookRoutes } from './webhooks/webhook-routes.ts';
import { createRegistry, type Registry } from '../ws/registry.ts';
import { bridgeBusToRegistry } from '../ws/bus-bridge.ts';
import { taskSocketRoutes } from '../ws/task-socket-routes.ts';

export type { AppDeps, Logger } from './app-deps.ts';

/** What createApp hands back to the composition root. */
export interface CreatedApp {
  app: Hono<AppEnv>;
  /** Attaches the WebSocket upgrade handler to the listening Node server. */
  injectWebSocket(server: Server | Http2Server | Http2SecureServer): void;
  registry: Registry;
  metrics: AppMetrics;
  /** The OpenAPI document served at /openapi.json. */
  openApi(): OpenApiDocument;
  /** Closes every watching socket (on shutdown) and every one that opens afterwards. */
  closeSockets(code: number, reason: string): void;
}

/**
 * Builds the Hono app: request log, metrics, CORS, API keys, rate and queue limits, REST routes,
 * /ws/tasks/:id, /metrics, /openapi.json and /docs, one error handler, the bus-to-socket bridge.
 * Throws ConfigError when API_KEYS names a file that cannot be read or holds no keys.
 */
export function createApp(deps: AppDeps): CreatedApp {
  const app = new Hono<AppEnv>();
  const registry = createRegistry();
  const { upgradeWebSocket, injectWebSocket, wss } = createNodeWebSocket({ app });
  // Frames above this size are refused by ws itself (close 1009) instead of being buffered;
  // smaller oversized frames get an INVALID_FRAME error and the socket stays up.
  wss.options.maxPayload = Math.max(deps.config.MAX_WS_FRAME_BYTES * 16, 64 * 1024);
  const bridge = bridgeBusToRegistry(deps.bus, registry);
  // Clients get a trimmed technical detail (publicDetail); the whole of it is kept here.
  deps.bus.on('task.failed', ({ taskId, error, status }) => {
    if (status === 'failed') deps.logger.warn({ taskId, code: error.code, detail: error.technicalDetail }, `task failed: ${error.userMessage}`);
  });
  const keys = createApiKeys(parseApiKeys(deps.config.API_KEYS));
  logAccessMode(deps, keys);
  const metrics = createAppMetrics({
    bus: deps.bus, tasks: deps.tasks, sockets: () => registry.count(), workersReady: () => deps.engine.readyCount(),
    onWorkerRestart: deps.engine.onWorkerRestart?.bind(deps.engine), measureDisk: () => measureDiskUsage(deps.config.DATA_DIR, deps.media),
    webhooks: deps.webhooks,
  });
  const api = createApiRegistry();
  api.add(...taskOperations(), ...openAiOperations(), ...serviceOperations(), ...webhookOperations());
  let document: OpenApiDocument | undefined;
  const openApi = () => (document ??= buildOpenApiDocument(api.operations(), {
    title: 'whisper-tasks',
    version: '0.1.0',
    description: 'Self-hosted speech-to-text with live progress. Submit media, get a task id at once, watch it over the WebSocket or poll it, then fetch the transcript. With API_KEYS set, send `Authorization: Bearer <key>`.',
  }));

  app.onError(handleError(deps.logger));
  app.notFound(handleNotFound);
  installGuards(app, deps, keys, metrics);
  app.route('/health', healthRoutes(deps));
  app.route('/tasks', taskRoutes(deps));
  app.route('/tasks', webhookRoutes(deps));
  app.route('/v1', openAiRoutes(deps));
  const socketGate = { closing: false };
  app.route('/ws', taskSocketRoutes(deps, registry, bridge, upgradeWebSocket, socketGate));
  app.route('/metrics', metricsRoutes(metrics));
  app.route('/', docsRoutes(openApi));
  app.route('/', createWebRoutes(deps));
  installMethodGuards(app);

  return {
    app,
    injectWebSocket,
    registry,
    metrics,
    openApi,
    closeSockets(code, reason) {
      socketGate.closing = true; // sockets opened while the server drains are closed the same way
      registry.closeAll(code, reason);
    },
  };
}
