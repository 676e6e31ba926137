import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import type { Config } from './config.ts';
import { requestTimeoutMs } from './http/intake/upload-limits.ts';
import { createService, type ServiceOverrides } from './service.ts';
import type { TaskService } from './tasks/task-service-types.ts';
import type { Registry } from './ws/registry.ts';

export type { ServiceOverrides as ServerOverrides } from './service.ts';

/** A listening server. */
export interface RunningServer {
  url: string;
  port: number;
  tasks: TaskService;
  /** Sockets watching tasks (tests check that it empties). */
  registry: Registry;
  /** Graceful stop: new work refused with 503 while listening, sockets closed 1001, running tasks given `graceMs`, then listener, workers and DB. */
  close(graceMs?: number): Promise<void>;
}

/** The service (src/service.ts, the composition root) on a listening socket, started. */
export async function startServer(config: Config, overrides: ServiceOverrides = {}): Promise<RunningServer> {
  const service = await createService(config, overrides);
  const { logger } = service;
  let server: Server;
  try {
    server = await listen(service.app.app.fetch, config.HOST, config.PORT, requestTimeoutMs(config));
  } catch (error) {
    await service.dispose();
    throw error;
  }
  service.app.injectWebSocket(server);
  await service.start();
  const port = (server.address() as AddressInfo).port;
  const host = config.HOST.includes(':') ? `[${config.HOST}]` : config.HOST;

  let closing: Promise<void> | undefined;
  const close = async (graceMs: number) => {
    logger.info({ graceMs }, 'shutting down');
    await service.drain(graceMs);
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeAllConnections();
    await closed;
    await service.dispose();
    logger.info({}, 'stopped');
  };
  return {
    url: `http://${host}:${port}`,
    port,
    tasks: service.tasks,
    registry: service.registry,
    close: (graceMs = config.SHUTDOWN_GRACE_MS) => (closing ??= close(graceMs)),
  };
}

function listen(fetch: Parameters<typeof serve>[0]['fetch'], hostname: string, port: number, requestTimeout: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = serve({ fetch, hostname, port, serverOptions: { requestTimeout } }, () => {
      server.off('error', reject);
      resolve(server as Server);
    });
    server.once('error', reject);
  });
}
