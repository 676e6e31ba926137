import type { Server } from 'node:http';
import type { Http2SecureServer, Http2Server } from 'node:http2';
import { Hono } from 'hono';
import { createNodeWebSocket } from '@hono/node-ws';
import type { AppDeps } from './app-deps.ts';
import type { AppEnv } from './app-env.ts';
import { handleError, handleNotFound } from './error-handler.ts';
import { healthRoutes } from './health-routes.ts';
import { openAiRoutes } from './openai-routes.ts';
import { taskRoutes } from './tasks-routes.ts';
import { createWebRoutes } from './web-routes.ts';
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
  /** Closes every watching socket (on shutdown) and stops their heartbeats. */
  closeSockets(code: number, reason: string): void;
}

/** Builds the Hono app: REST routes, /ws/tasks/:id, one error handler, the bus-to-socket bridge. */
export function createApp(deps: AppDeps): CreatedApp {
  const app = new Hono<AppEnv>();
  const registry = createRegistry();
  const { upgradeWebSocket, injectWebSocket, wss } = createNodeWebSocket({ app });
  // Frames above this size are refused by ws itself (close 1009) instead of being buffered;
  // smaller oversized frames get an INVALID_FRAME error and the socket stays up.
  wss.options.maxPayload = Math.max(deps.config.MAX_WS_FRAME_BYTES * 16, 64 * 1024);
  const bridge = bridgeBusToRegistry(deps.bus, registry);

  app.onError(handleError(deps.logger));
  app.notFound(handleNotFound);
  app.route('/health', healthRoutes(deps));
  app.route('/tasks', taskRoutes(deps));
  app.route('/v1', openAiRoutes(deps));
  app.route('/ws', taskSocketRoutes(deps, registry, bridge, upgradeWebSocket));
  app.route('/', createWebRoutes(deps));

  return {
    app,
    injectWebSocket,
    registry,
    closeSockets(code, reason) {
      registry.closeAll(code, reason);
    },
  };
}
