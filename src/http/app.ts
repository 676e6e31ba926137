import type { Server } from 'node:http';
import type { Http2SecureServer, Http2Server } from 'node:http2';
import { Hono } from 'hono';
import { createNodeWebSocket } from '@hono/node-ws';
import { createApiKeys, parseApiKeys } from '../auth/api-keys.ts';
import type { AppDeps } from './app-deps.ts';
import type { AppEnv } from './app-env.ts';
import { installGuards, logAccessMode } from './middleware/app-guards.ts';
import { docsRoutes } from './openapi/docs-routes.ts';
import { handleError, handleNotFound } from './error-handler.ts';
import { healthRoutes } from './health/health-routes.ts';
import { installMethodGuards } from './middleware/method-guard.ts';
import { metricsRoutes } from './health/metrics-routes.ts';
import { buildOpenApiDocument, type OpenApiDocument } from './openapi/openapi-document.ts';
import { documentedOperations, documentLast } from './openapi/route-doc.ts';
import { taskDocs } from './tasks/openapi-tasks.ts';
import { openAiRoutes } from './openai/openai-routes.ts';
import { mediaRoutes } from './tasks/media-routes.ts';
import { taskRoutes } from './tasks/tasks-routes.ts';
import { createWebRoutes } from './web/web-routes.ts';
import { webhookRoutes } from './webhooks/webhook-routes.ts';
import { taskSocketRoutes } from '../ws/task-socket-routes.ts';
import { createDrainGate } from './middleware/drain-gate.ts';

export type { AppDeps } from './app-deps.ts';

/** What createApp hands back to the composition root (src/service.ts). */
export interface CreatedApp {
  app: Hono<AppEnv>;
  /** Attaches the WebSocket upgrade handler to the listening Node server. */
  injectWebSocket(server: Server | Http2Server | Http2SecureServer): void;
  /** The OpenAPI document served at /openapi.json. */
  openApi(): OpenApiDocument;
  /**
   * Starts the drain: new work gets 503 SHUTTING_DOWN and readiness 503, while reads are still served;
   * watching sockets are closed with 1001, and so is every one that opens afterwards.
   */
  drain(): void;
  /** Releases what the app holds itself (its WebSocket server); the composition root owns the rest. */
  dispose(): void;
}

/**
 * Builds the Hono app over what the composition root made: request log, metrics, drain gate, CORS,
 * API keys, rate and queue limits, REST routes, /ws/tasks/:id, /metrics, /openapi.json and /docs, one
 * error handler. It subscribes to nothing: the bus-to-socket bridge and the metrics are passed in.
 * Throws ConfigError when API_KEYS names a file that cannot be read or holds no keys.
 */
export function createApp(deps: AppDeps): CreatedApp {
  const { registry, bridge, metrics } = deps;
  const app = new Hono<AppEnv>();
  const { upgradeWebSocket, injectWebSocket, wss } = createNodeWebSocket({ app });
  // Frames above this size are refused by ws itself (close 1009) instead of being buffered;
  // smaller oversized frames get an INVALID_FRAME error and the socket stays up.
  wss.options.maxPayload = Math.max(deps.config.MAX_WS_FRAME_BYTES * 16, 64 * 1024);
  const keys = createApiKeys(parseApiKeys(deps.config.API_KEYS));
  logAccessMode(deps, keys);
  let document: OpenApiDocument | undefined;
  // Built from the routes themselves (each route file documents what it registers), at the first request.
  const openApi = () => (document ??= buildOpenApiDocument(documentedOperations(app.routes), {
    title: 'whisper-tasks',
    version: '0.1.0',
    description: 'Self-hosted speech-to-text with live progress. Submit media, get a task id at once, watch it over the WebSocket or poll it, then fetch the transcript. With API_KEYS set, send `Authorization: Bearer <key>`.',
  }));
  const gate = createDrainGate();
  const socketGate = { closing: false };

  app.onError(handleError(deps.logger));
  app.notFound(handleNotFound);
  installGuards(app, deps, keys, metrics, gate.middleware);
  app.route('/health', healthRoutes(deps));
  app.route('/tasks', taskRoutes(deps));
  app.route('/tasks', mediaRoutes(deps));
  app.route('/tasks', webhookRoutes(deps));
  app.route('/v1', openAiRoutes(deps));
  const sockets = taskSocketRoutes(deps, registry, bridge, upgradeWebSocket, socketGate);
  // src/ws imports nothing from http/: its one route is documented here. The upgrade handler is the
  // first GET; the second answers a plain GET with 426.
  documentLast({ routes: sockets.routes.slice(0, 1) }, taskDocs().socket);
  app.route('/ws', sockets);
  app.route('/metrics', metricsRoutes(metrics));
  app.route('/', docsRoutes(openApi));
  app.route('/', createWebRoutes({}));
  installMethodGuards(app, documentedOperations(app.routes));

  return {
    app,
    injectWebSocket,
    openApi,
    drain() {
      gate.drain();
      socketGate.closing = true; // sockets opened while the server drains are closed the same way
      registry.closeAll(1001, 'server shutting down');
    },
    dispose() {
      for (const client of wss.clients) client.terminate();
      wss.close();
    },
  };
}
