import { createWriteBatch, type CorkableStream } from './write-batch.ts';

/** The part of a ws WebSocket the registry uses (a real `ws` socket satisfies it). */
export interface WatchingSocket {
  readonly readyState: number;
  send(data: Buffer, options: { binary: false }): void;
  close(code?: number, reason?: string): void;
}

const OPEN = 1;

/** Which sockets watch which task; sends a frame to all watchers of a task. */
export interface Registry {
  /**
   * Adds a watcher. `stream` is the TCP socket under it, when known: broadcasts then batch the
   * frames a socket gets in one turn into one write.
   */
  add(taskId: string, socket: WatchingSocket, stream?: CorkableStream): void;
  /** Removes a socket; the task's entry goes when its last socket does. True if it was there. */
  remove(taskId: string, socket: WatchingSocket): boolean;
  /** Serializes once and sends the same bytes to every open socket watching the task; returns how many got it. */
  broadcast(taskId: string, frame: object): number;
  /** Sends one frame to one socket, if it is open. */
  send(socket: WatchingSocket, frame: object): void;
  has(taskId: string): boolean;
  /** Sockets watching one task, or all sockets when no id is given. */
  count(taskId?: string): number;
  /** Ids of the tasks that have at least one watcher. */
  taskIds(): string[];
  /** Closes and removes every socket of one task (all tasks when no id is given). */
  closeAll(code: number, reason: string, taskId?: string): void;
  /** Called with a task id when its last watcher leaves. */
  onEmpty(listener: (taskId: string) => void): () => void;
}

/** Creates an empty registry: Map<taskId, Map<socket, its TCP stream>>, never holding an empty entry. */
export function createRegistry(): Registry {
  const watchers = new Map<string, Map<WatchingSocket, CorkableStream | undefined>>();
  const emptyListeners = new Set<(taskId: string) => void>();
  const batch = createWriteBatch();
  let total = 0;

  const remove = (taskId: string, socket: WatchingSocket): boolean => {
    const sockets = watchers.get(taskId);
    if (!sockets?.delete(socket)) return false;
    total -= 1;
    if (sockets.size === 0) {
      watchers.delete(taskId);
      for (const listener of [...emptyListeners]) listener(taskId);
    }
    return true;
  };

  return {
    add(taskId, socket, stream) {
      let sockets = watchers.get(taskId);
      if (!sockets) watchers.set(taskId, (sockets = new Map()));
      if (sockets.has(socket)) return;
      sockets.set(socket, stream);
      total += 1;
    },
    remove,
    broadcast(taskId, frame) {
      const sockets = watchers.get(taskId);
      if (!sockets) return 0;
      // One serialization per broadcast; ws frames the same bytes for each socket.
      const data = Buffer.from(JSON.stringify(frame));
      let sent = 0;
      for (const [socket, stream] of sockets) {
        if (socket.readyState !== OPEN) continue;
        if (stream) batch.hold(stream);
        socket.send(data, { binary: false });
        sent += 1;
      }
      return sent;
    },
    send(socket, frame) {
      if (socket.readyState === OPEN) socket.send(Buffer.from(JSON.stringify(frame)), { binary: false });
    },
    has: (taskId) => watchers.has(taskId),
    count: (taskId) => (taskId === undefined ? total : (watchers.get(taskId)?.size ?? 0)),
    taskIds: () => [...watchers.keys()],
    closeAll(code, reason, taskId) {
      const ids = taskId === undefined ? [...watchers.keys()] : [taskId];
      for (const id of ids) {
        for (const socket of [...(watchers.get(id)?.keys() ?? [])]) {
          remove(id, socket);
          socket.close(code, reason);
        }
      }
    },
    onEmpty(listener) {
      emptyListeners.add(listener);
      return () => emptyListeners.delete(listener);
    },
  };
}
