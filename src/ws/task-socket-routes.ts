import { Hono } from 'hono';
import type { NodeWebSocket } from '@hono/node-ws';
import type { WebSocket } from 'ws';
import type { HttpBindings } from '@hono/node-server';
import { canSee } from '../auth/task-access.ts';
import type { Config } from '../config.ts';
import { errorBody } from '../contract/error-body.ts';
import type { Logger } from '../logger.ts';
import type { BusBridge } from './bus-bridge.ts';
import { answerClientFrame } from './client-frames.ts';
import { connectionErrorFrame, heartbeatFrame } from './frames.ts';
import { startHeartbeat } from './heartbeat.ts';
import type { Registry } from './registry.ts';
import type { TaskService, TaskSnapshot } from '../tasks/task-service-types.ts';

/** Close codes this endpoint uses besides the standard ones. */
export const CLOSE_CODES = { unknownTask: 4404, tooManyConnections: 4429, shuttingDown: 1001, taskEnded: 1000 } as const;

/** How long a socket's upgrade may take between reading the task and opening. */
const EXPECT_TIMEOUT_MS = 30_000;

/** Set once the server drains: sockets that open from then on get the current state and close 1001. */
export interface SocketGate {
  closing: boolean;
}

/** What the socket routes need: reads of a task, the socket limits, and a logger. */
export interface SocketDeps {
  tasks: Pick<TaskService, 'get' | 'snapshot'>;
  config: Pick<Config, 'MAX_WS_FRAME_BYTES' | 'MAX_WS_CONNECTIONS' | 'MAX_WS_CONNECTIONS_PER_TASK' | 'HEARTBEAT_INTERVAL_MS'>;
  logger: Pick<Logger, 'debug'>;
}

/** The request context the socket routes read: the raw Node socket, and the owner the API-key guard set. */
export interface SocketEnv {
  Bindings: Partial<HttpBindings>;
  Variables: { owner: string | null };
}

/** `/ws/tasks/:id`: current state at once, then live frames, heartbeats and ping/pong until closed. */
export function taskSocketRoutes(
  deps: SocketDeps,
  registry: Registry,
  bridge: BusBridge,
  upgradeWebSocket: NodeWebSocket['upgradeWebSocket'],
  gate: SocketGate = { closing: false },
): Hono<SocketEnv> {
  const { config, logger } = deps;
  const routes = new Hono<SocketEnv>();

  routes.get(
    '/tasks/:id',
    upgradeWebSocket(async (c) => {
      const taskId = c.req.param('id') ?? '';
      const owner = c.get('owner');
      // The state is read before the socket opens; events that arrive meanwhile are kept by the bridge.
      const release = bridge.expect(taskId);
      // An upgrade that never opens must not keep the task's events for ever.
      setTimeout(release, EXPECT_TIMEOUT_MS).unref();
      let snapshot: TaskSnapshot | undefined;
      try {
        // Another key's task is refused exactly like an unknown id, so ids cannot be probed.
        const task = await deps.tasks.get(taskId);
        snapshot = task && canSee(task, owner) ? await deps.tasks.snapshot(taskId) : undefined;
      } catch (error) {
        release();
        throw error;
      }
      // The upgraded request's TCP socket is the one ws writes to: the registry batches writes on it.
      const stream = c.env?.incoming?.socket;
      return {
        onOpen(_event, ctx) {
          try {
            open(ctx.raw as WebSocket);
          } finally {
            release(); // after the join: from here the registry (or nothing) keeps the task's state
          }
        },
        onMessage(event, ctx) {
          const socket = ctx.raw as WebSocket;
          registry.send(socket, answerClientFrame(taskId, event.data, config.MAX_WS_FRAME_BYTES));
        },
      };
      function open(socket: WebSocket) {
        const refuse = (code: string, userMessage: string, detail: string, closeCode: number) => {
          registry.send(socket, connectionErrorFrame(taskId, code, userMessage, detail));
          socket.close(closeCode, code);
        };
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
      }
    }),
  );
  // A plain GET (no Upgrade header) falls through to here.
  routes.get('/tasks/:id', (c) => c.json(errorBody('UPGRADE_REQUIRED', 'This endpoint speaks WebSocket only.'), 426));
  return routes;
}
