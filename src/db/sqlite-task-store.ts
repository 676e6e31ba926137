import type { TaskStore } from '../tasks/task-service-types.ts';
import type { DatabaseHandle } from './database.ts';
import {
  appendSegments, clearSegments, countTasksByStatus, deleteTask, findResultJson, insertTask, listSegments, listTasks,
  taskIdsByStatus, updateTask,
} from './task-repository.ts';
import { LIGHT_COLUMNS, rowToRecord, type LightTaskRow } from './task-row-mapper.ts';

/** The TaskStore over an open, migrated database; `now` stamps updated_at. */
export function createSqliteTaskStore(h: DatabaseHandle, now: () => string = () => new Date().toISOString()): TaskStore {
  // The polling endpoint reads one row per request: compile its SQL once and keep the statement.
  const byId = h.db.selectFrom('tasks').select(LIGHT_COLUMNS).where('id', '=', '').compile();
  const getStatement = h.statement(byId.sql);
  const loadResult = (id: string) => findResultJson(h, id);
  return {
    insert: (task) => insertTask(h, task),
    get(id) {
      const row = getStatement.get(id) as LightTaskRow | undefined;
      return row && rowToRecord(row, loadResult);
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
