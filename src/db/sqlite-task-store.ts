import type { TaskStore } from '../tasks/task-service-types.ts';
import type { DatabaseHandle } from './database.ts';
import {
  appendSegments, clearSegments, countTasksByStatus, deleteTask, findResultJson, insertTask, listSegments, listTasks,
  taskIdsByStatus, updateTask,
} from './task-repository.ts';
import {
  LIGHT_COLUMNS, PROGRESS_COLUMNS, rowToProgress, rowToRecord, type LightTaskRow, type ProgressTaskRow,
} from './task-row-mapper.ts';

/** The TaskStore over an open, migrated database; `now` stamps updated_at. */
export function createSqliteTaskStore(h: DatabaseHandle, now: () => string = () => new Date().toISOString()): TaskStore {
  // Reads by id are the most frequent queries: compile their SQL once and keep the statements.
  const byId = h.db.selectFrom('tasks').select(LIGHT_COLUMNS).where('id', '=', '').compile();
  const getStatement = h.statement(byId.sql);
  // Polling needs eight columns; selecting only those makes the read about twice as cheap.
  const progressStatement = h.statement(h.db.selectFrom('tasks').select(PROGRESS_COLUMNS).where('id', '=', '').compile().sql);
  const loadResult = (id: string) => findResultJson(h, id);
  return {
    insert: (task) => insertTask(h, task),
    get(id) {
      const row = getStatement.get(id) as LightTaskRow | undefined;
      return row && rowToRecord(row, loadResult);
    },
    progress(id) {
      const row = progressStatement.get(id) as ProgressTaskRow | undefined;
      return row && rowToProgress(row);
    },
    list: (query) => listTasks(h, query),
    update(id, patch) {
      updateTask(h, id, patch, now());
    },
    appendSegments: (id, segments) => appendSegments(h, id, segments),
    partialSegments: (id) => listSegments(h, id),
    clearSegments: (id) => clearSegments(h, id),
    remove: (id) => deleteTask(h, id),
    idsByStatus: (status) => taskIdsByStatus(h, status),
    countByStatus: () => countTasksByStatus(h),
  };
}
