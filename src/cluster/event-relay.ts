import type { EventBus } from '../events/event-bus.ts';
import type { TaskEventMap } from '../tasks/task-events.ts';
import type { TaskStore } from '../tasks/task-service-types.ts';
import type { Segment } from '../contract/transcript.ts';
import { MAX_NOTIFY_BYTES, type PgChannel } from './pg-channel.ts';

/** The NOTIFY channel that carries task events between nodes. */
export const EVENTS_CHANNEL = 'whisper_task_events';

/** Relays task events between the nodes of a cluster. */
export interface EventRelay {
  /** True while a remote event is being replayed on this node's bus (listeners that must act only on their own events check it). */
  replaying(): boolean;
  /** Hands one NOTIFY payload of EVENTS_CHANNEL to the relay. */
  receive(payload: string): void;
  /**
   * After the LISTEN connection was lost: the tasks other nodes were running that have ended since are
   * read from the database and their end replayed, so that no watcher waits for a final frame that went by.
   */
  resync(): Promise<void>;
  close(): void;
}

type Wire =
  | { n: string; e: 'task.progress'; d: TaskEventMap['task.progress'] }
  | { n: string; e: 'task.segment'; d: TaskEventMap['task.segment'] }
  | { n: string; e: 'task.completed'; d: { taskId: string; timestamp: string } }
  | { n: string; e: 'task.failed'; d: TaskEventMap['task.failed'] }
  | { n: string; e: 'task.deleted'; d: TaskEventMap['task.deleted'] };

/**
 * Publishes this node's task events with NOTIFY and replays the other nodes' on the local bus, so
 * that sockets and waiting requests on any node see every task. NOTIFY payloads are limited to
 * 8000 bytes: a completion carries only the task id (the result is read from its row, which is
 * written before the event), and a segment too large to send loses its tokens, then its words
 * (the stored result keeps them).
 */
export function createEventRelay(options: {
  nodeId: string;
  bus: EventBus<TaskEventMap>;
  channel: Pick<PgChannel, 'notify'>;
  store: Pick<TaskStore, 'get'>;
  onError(error: unknown, what: string): void;
}): EventRelay {
  const { nodeId, bus, channel } = options;
  let replayDepth = 0;
  // Tasks this node heard of from other nodes that have not ended yet (what resync() looks at).
  const open = new Set<string>();
  const send = (wire: Wire) => {
    if (replayDepth > 0) return; // a replayed event came from another node: it is not sent back
    let text = JSON.stringify(wire);
    if (Buffer.byteLength(text) > MAX_NOTIFY_BYTES && wire.e === 'task.segment') text = JSON.stringify({ ...wire, d: { ...wire.d, segment: slim(wire.d.segment) } });
    if (Buffer.byteLength(text) > MAX_NOTIFY_BYTES) return options.onError(new Error(`event ${wire.e} of ${text.length} bytes is too large to relay`), 'relay');
    channel.notify(EVENTS_CHANNEL, text).catch((error: unknown) => options.onError(error, `publish ${wire.e}`));
  };
  const replay = <K extends keyof TaskEventMap>(name: K, data: TaskEventMap[K]) => {
    replayDepth++;
    try {
      bus.emit(name, data);
    } finally {
      replayDepth--;
    }
  };
  // Completions wait for their row; later events of the same task must not overtake them.
  const pending = new Map<string, Promise<void>>();
  const inOrder = (taskId: string, work: () => void | Promise<void>) => {
    const before = pending.get(taskId);
    const done = before ? before.then(work) : work();
    if (!done) return; // ran at once, nothing to wait for
    const next = done.catch((error: unknown) => options.onError(error, 'replay'))
      .finally(() => pending.get(taskId) === next && pending.delete(taskId));
    pending.set(taskId, next);
  };
  const replayCompletion = async (taskId: string, timestamp: string) => {
    const task = await options.store.get(taskId);
    if (task?.status === 'completed' && task.result) replay('task.completed', { taskId, result: task.result, timestamp });
  };

  const offs = [
    bus.on('task.progress', (d) => send({ n: nodeId, e: 'task.progress', d })),
    bus.on('task.segment', (d) => send({ n: nodeId, e: 'task.segment', d })),
    bus.on('task.completed', ({ taskId, timestamp }) => send({ n: nodeId, e: 'task.completed', d: { taskId, timestamp } })),
    bus.on('task.failed', (d) => send({ n: nodeId, e: 'task.failed', d })),
    bus.on('task.deleted', (d) => send({ n: nodeId, e: 'task.deleted', d })),
  ];

  return {
    replaying: () => replayDepth > 0,
    receive(payload) {
      let wire: Wire;
      try {
        wire = JSON.parse(payload) as Wire;
      } catch (error) {
        return options.onError(error, 'parse');
      }
      if (wire.n === nodeId) return;
      const taskId = wire.d.taskId;
      if (wire.e === 'task.progress' || wire.e === 'task.segment') open.add(taskId);
      else open.delete(taskId);
      inOrder(taskId, wire.e === 'task.completed' ? () => replayCompletion(taskId, wire.d.timestamp) : () => replay(wire.e, wire.d as never));
    },
    async resync() {
      for (const taskId of [...open]) {
        let task: Awaited<ReturnType<typeof options.store.get>>;
        try {
          task = await options.store.get(taskId);
        } catch (error) {
          options.onError(error, 'resync'); // unknown for now: looked at again after the next reconnect
          continue;
        }
        if (task === undefined) {
          open.delete(taskId);
          replay('task.deleted', { taskId });
        } else if (task.status === 'completed' && task.result) {
          open.delete(taskId);
          replay('task.completed', { taskId, result: task.result, timestamp: task.completedAt ?? task.updatedAt });
        } else if ((task.status === 'failed' || task.status === 'cancelled') && task.error) {
          open.delete(taskId);
          replay('task.failed', { taskId, error: task.error, status: task.status, timestamp: task.completedAt ?? task.updatedAt });
        }
      }
    },
    close() {
      for (const off of offs) off();
      open.clear();
    },
  };
}

/** A segment without what makes it large: tokens first, then words. */
function slim(segment: Segment): Segment {
  const lean = { ...segment, tokens: [] };
  if (Buffer.byteLength(JSON.stringify(lean)) <= MAX_NOTIFY_BYTES - 500) return lean;
  const { words: _words, ...bare } = lean;
  return bare;
}
