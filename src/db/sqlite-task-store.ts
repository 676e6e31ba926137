import type { TaskProgress, TaskStore } from '../tasks/task-service-types.ts';
import type { DatabaseHandle } from './database.ts';
import {
  appendSegments, clearSegments, countTasksByStatus, deleteTask, findResultJson, insertTask, listSegments, listTasks,
  taskIdsByStatus, updateTask,
} from './task-repository.ts';
import {
  LIGHT_COLUMNS, PROGRESS_COLUMNS, rowToProgress, rowToRecord, type LightTaskRow, type ProgressTaskRow,
} from './task-row-mapper.ts';

/** Polled rows kept at most; past it the oldest entries go (Map order is insertion order). */
const MAX_POLLED = 10_000;

/**
 * The TaskStore over an open, migrated database; `now` stamps updated_at.
 *
 * progress() keeps the polled fields of a task between writes: every write to a task row in this
 * process goes through this store (retention only clears media_path), and each one drops the
 * task's entry, so a poll sees exactly what the row holds while costing a map lookup instead of
 * a query. The server is the database's only writer.
 */
export function createSqliteTaskStore(h: DatabaseHandle, now: () => string = () => new Date().toISOString()): TaskStore {
  // Reads by id are the most frequent queries: compile their SQL once and keep the statements.
  const byId = h.db.selectFrom('tasks').select(LIGHT_COLUMNS).where('id', '=', '').compile();
  const getStatement = h.statement(byId.sql);
  // Polling needs eight columns; selecting only those makes the read about twice as cheap.
  const progressStatement = h.statement(h.db.selectFrom('tasks').select(PROGRESS_COLUMNS).where('id', '=', '').compile().sql);
  const loadResult = (id: string) => findResultJson(h, id);
  const polled = new Map<string, TaskProgress>();
  // Dropped after the write even when it throws: the row may have changed all the same.
  const writing = <T>(id: string, write: () => T): T => {
    try {
      return write();
    } finally {
      polled.delete(id);
    }
  };
  return {
    insert: (task) => writing(task.id, () => insertTask(h, task)),
    get(id) {
      const row = getStatement.get(id) as LightTaskRow | undefined;
      return row && rowToRecord(row, loadResult);
    },
    progress(id) {
      const kept = polled.get(id);
      if (kept) return kept;
      const row = progressStatement.get(id) as ProgressTaskRow | undefined;
      if (!row) return undefined;
      // Shared by every poll until the next write: frozen so that no caller can change it.
      const progress = Object.freeze(rowToProgress(row));
      if (polled.size >= MAX_POLLED) polled.delete(polled.keys().next().value!);
      polled.set(id, progress);
      return progress;
    },
    list: (query) => listTasks(h, query),
    update(id, patch) {
      writing(id, () => updateTask(h, id, patch, now()));
    },
    appendSegments: (id, segments) => appendSegments(h, id, segments),
    partialSegments: (id) => listSegments(h, id),
    clearSegments: (id) => clearSegments(h, id),
    remove: (id) => writing(id, () => deleteTask(h, id)),
    idsByStatus: (status) => taskIdsByStatus(h, status),
    countByStatus: () => countTasksByStatus(h),
  };
}
