import { Hono } from 'hono';
import type { NodeWebSocket } from '@hono/node-ws';
import type { WebSocket } from 'ws';
import type { AppDeps } from '../http/app-deps.ts';
import type { AppEnv } from '../http/app-env.ts';
import { errorBody } from '../http/app-error.ts';
import { canSee } from '../http/auth.ts';
import type { BusBridge } from './bus-bridge.ts';
import { answerClientFrame } from './client-frames.ts';
import { connectionErrorFrame, heartbeatFrame } from './frames.ts';
import { startHeartbeat } from './heartbeat.ts';
import type { Registry } from './registry.ts';

/** Close codes this endpoint uses besides the standard ones. */
export const CLOSE_CODES = { unknownTask: 4404, tooManyConnections: 4429, shuttingDown: 1001, taskEnded: 1000 } as const;

/** Set once the server drains: sockets that open from then on get the current state and close 1001. */
export interface SocketGate {
  closing: boolean;
}

/** `/ws/tasks/:id`: current state at once, then live frames, heartbeats and ping/pong until closed. */
export function taskSocketRoutes(
  deps: AppDeps,
  registry: Registry,
  bridge: BusBridge,
  upgradeWebSocket: NodeWebSocket['upgradeWebSocket'],
  gate: SocketGate = { closing: false },
): Hono<AppEnv> {
  const { config, logger } = deps;
  const routes = new Hono<AppEnv>();

  routes.get(
    '/tasks/:id',
    upgradeWebSocket((c) => {
      const taskId = c.req.param('id') ?? '';
      const owner = c.get('owner') as string | null | undefined;
      // The upgraded request's TCP socket is the one ws writes to: the registry batches writes on it.
      const stream = c.env?.incoming?.socket;
      return {
        onOpen(_event, ctx) {
          const socket = ctx.raw as WebSocket;
          const refuse = (code: string, userMessage: string, detail: string, closeCode: number) => {
            registry.send(socket, connectionErrorFrame(taskId, code, userMessage, detail));
            socket.close(closeCode, code);
          };
          // Another key's task is refused exactly like an unknown id, so ids cannot be probed.
          const task = deps.tasks.get(taskId);
          const snapshot = task && canSee(task, owner) ? deps.tasks.snapshot(taskId) : undefined;
          if (!snapshot) {
            return refuse('TASK_NOT_FOUND', 'There is no task with this id.', `unknown task id "${taskId.slice(0, 100)}"`, CLOSE_CODES.unknownTask);
          }
          if (registry.count() >= config.MAX_WS_CONNECTIONS || registry.count(taskId) >= config.MAX_WS_CONNECTIONS_PER_TASK) {
            const detail = `limits: ${config.MAX_WS_CONNECTIONS} sockets in all, ${config.MAX_WS_CONNECTIONS_PER_TASK} per task`;
            return refuse('TOO_MANY_CONNECTIONS', 'Too many clients are watching right now; poll the progress URL instead.', detail, CLOSE_CODES.tooManyConnections);
          }
          if (gate.closing) {
            registry.send(socket, bridge.joinFrame(taskId, snapshot));
            return socket.close(CLOSE_CODES.shuttingDown, 'server shutting down');
          }
          const joined = bridge.joinFrame(taskId, snapshot);
          // A task that has ended gets its final frame and a normal close: nothing more will come.
          if (bridge.isFinal(joined)) {
            registry.send(socket, joined);
            return socket.close(CLOSE_CODES.taskEnded, 'task ended');
          }
          // Registering and sending the current state happen in one turn, so no event falls between them.
          registry.add(taskId, socket, stream);
          registry.send(socket, joined);
          const stopHeartbeat = startHeartbeat(socket, config.HEARTBEAT_INTERVAL_MS, () => registry.send(socket, heartbeatFrame()), () => {
            logger.debug({ taskId }, 'websocket peer stopped answering pings; dropping it');
          });
          const leave = () => {
            stopHeartbeat();
            registry.remove(taskId, socket);
          };
          socket.once('close', leave);
          socket.once('error', (error) => {
            logger.debug({ taskId, err: error }, 'websocket error');
            leave();
          });
        },
        onMessage(event, ctx) {
          const socket = ctx.raw as WebSocket;
          registry.send(socket, answerClientFrame(taskId, event.data, config.MAX_WS_FRAME_BYTES));
        },
      };
    }),
  );
  // A plain GET (no Upgrade header) falls through to here.
  routes.get('/tasks/:id', (c) => c.json(errorBody('UPGRADE_REQUIRED', 'This endpoint speaks WebSocket only.'), 426));
  return routes;
}
