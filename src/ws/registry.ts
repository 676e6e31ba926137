/** The part of a ws WebSocket the registry uses (a real `ws` socket satisfies it). */
export interface WatchingSocket {
  readonly readyState: number;
  send(data: Buffer, options: { binary: false }): void;
  close(code?: number, reason?: string): void;
}

const OPEN = 1;

/** Which sockets watch which task; sends a frame to all watchers of a task. */
export interface Registry {
  add(taskId: string, socket: WatchingSocket): void;
  /** Removes a socket; the task's entry goes when its last socket does. True if it was there. */
  remove(taskId: string, socket: WatchingSocket): boolean;
  /** Serializes once and sends to every open socket watching the task; returns how many got it. */
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

/** Creates an empty registry: Map<taskId, Set<socket>>, never holding an empty set. */
export function createRegistry(): Registry {
  const watchers = new Map<string, Set<WatchingSocket>>();
  const emptyListeners = new Set<(taskId: string) => void>();
  let total = 0;

  const remove = (taskId: string, socket: WatchingSocket): boolean => {
    const set = watchers.get(taskId);
    if (!set?.delete(socket)) return false;
    total -= 1;
    if (set.size === 0) {
      watchers.delete(taskId);
      for (const listener of [...emptyListeners]) listener(taskId);
    }
    return true;
  };

  return {
    add(taskId, socket) {
      let set = watchers.get(taskId);
      if (!set) watchers.set(taskId, (set = new Set()));
      if (set.has(socket)) return;
      set.add(socket);
      total += 1;
    },
    remove,
    broadcast(taskId, frame) {
      const set = watchers.get(taskId);
      if (!set) return 0;
      const data = Buffer.from(JSON.stringify(frame));
      let sent = 0;
      for (const socket of set) {
        if (socket.readyState !== OPEN) continue;
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
        for (const socket of [...(watchers.get(id) ?? [])]) {
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
