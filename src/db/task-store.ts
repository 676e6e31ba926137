import type { TaskProgress, TaskStore } from '../tasks/task-service-types.ts';
import type { DatabaseHandle } from './database.ts';
import {
  appendSegments, clearSegments, countTasksByStatus, deleteTask, findTask, insertTask, listSegments, listTasks,
  taskIdsByStatus, updateTask,
} from './task-repository.ts';
import { PROGRESS_COLUMNS, rowToProgress } from './task-row-mapper.ts';

/** Polled rows kept at most; past it the oldest entries go (Map order is insertion order). */
const MAX_POLLED = 10_000;

/** How the store is used: whether this process is the only writer of the tasks table. */
export interface TaskStoreOptions {
  /** Stamps updated_at (default: the wall clock). */
  now?: () => string;
  /**
   * True when every write to a task row goes through this store (one process on its own database):
   * progress() then keeps polled rows between writes. False in a cluster, where other nodes write.
   */
  soleWriter?: boolean;
}

/**
 * The TaskStore over an open, migrated database, SQLite or PostgreSQL alike.
 *
 * Writes to one task run one after another, in call order, whatever the engine: the task layer
 * fires them from engine callbacks without waiting, and a segment append must not overtake the
 * write that ends the task. With `soleWriter`, a poll costs a map lookup instead of a query.
 */
export function createTaskStore(h: DatabaseHandle, options: TaskStoreOptions = {}): TaskStore {
  const { db, dialect } = h;
  const now = options.now ?? (() => new Date().toISOString());
  const polled = options.soleWriter ? new Map<string, TaskProgress>() : null;
  const chains = new Map<string, Promise<unknown>>();
  // Counts finished writes: a poll caches its row only when no write ended while it read.
  let writes = 0;
  /** Runs `write` after the task's earlier writes; the cached poll is dropped afterwards, even on failure. */
  const serial = <T>(id: string, write: () => Promise<T>): Promise<T> => {
    const previous = chains.get(id) ?? Promise.resolve();
    const next = previous.catch(() => {}).then(write).finally(() => {
      writes++;
      polled?.delete(id);
      if (chains.get(id) === next) chains.delete(id);
    });
    chains.set(id, next);
    return next;
  };
  /** Reads see this process's own writes: a read of a task waits for the writes to it already fired. */
  const afterWrites = <T>(id: string, read: () => Promise<T>): Promise<T> => {
    const pending = chains.get(id);
    return pending ? pending.then(read, read) : read();
  };
  return {
    insert: (task) => serial(task.id, () => insertTask(db, task)),
    get: (id) => afterWrites(id, () => findTask(db, id)),
    async progress(id) {
      const kept = polled?.get(id);
      if (kept) return kept;
      await afterWrites(id, async () => {});
      const before = writes;
      const row = await db.selectFrom('tasks').select(PROGRESS_COLUMNS).where('id', '=', id).executeTakeFirst();
      if (!row) return undefined;
      // Shared by every poll until the next write: frozen so that no caller can change it.
      const progress = Object.freeze(rowToProgress(row));
      if (polled && writes === before && !chains.has(id)) {
        if (polled.size >= MAX_POLLED) polled.delete(polled.keys().next().value!);
        polled.set(id, progress);
      }
      return progress;
    },
    list: (query) => listTasks(db, dialect, query),
    update: (id, patch) => serial(id, async () => void (await updateTask(db, id, patch, now()))),
    appendSegments: (id, segments) => serial(id, () => appendSegments(db, id, segments)),
    partialSegments: (id) => afterWrites(id, () => listSegments(db, id)),
    clearSegments: (id) => serial(id, () => clearSegments(db, id)),
    remove: (id) => serial(id, () => deleteTask(db, id)),
    idsByStatus: (status) => taskIdsByStatus(db, dialect, status),
    countByStatus: () => countTasksByStatus(db),
    write: (id, write) => serial(id, () => write(now())),
  };
}
