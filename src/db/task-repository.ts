import { sql } from 'kysely';
import type { NewTask, TaskQuery, TaskRecord } from '../tasks/task-record.ts';
import type { Segment, TaskStatus } from '../tasks/types.ts';
import type { DatabaseHandle } from './database.ts';
import { allRows, execute, firstRow } from './sync-query.ts';
import { LIGHT_COLUMNS, patchToColumns, rowToRecord } from './task-row-mapper.ts';

/** Inserts a new task as `queued`, 0 %, and returns it. */
export function insertTask(h: DatabaseHandle, task: NewTask & { id: string; createdAt: string }): TaskRecord {
  execute(h, h.db.insertInto('tasks').values({
    id: task.id,
    status: 'queued',
    progress_stage: 'queued',
    progress_percentage: 0,
    progress_message: 'Waiting in the queue',
    file_name: task.fileName,
    media_path: task.mediaPath,
    media_duration: task.mediaDuration,
    params: JSON.stringify(task.params),
    owner: task.owner,
    created_at: task.createdAt,
    updated_at: task.createdAt,
  }));
  const record = findTask(h, task.id);
  if (!record) throw new Error(`task ${task.id} vanished right after its insert`);
  return record;
}

/** One task by id. */
export function findTask(h: DatabaseHandle, id: string): TaskRecord | undefined {
  const row = firstRow(h, h.db.selectFrom('tasks').select(LIGHT_COLUMNS).where('id', '=', id));
  return row && rowToRecord(row, (taskId) => findResultJson(h, taskId));
}

/** The stored result JSON of a task, read only when a caller touches `record.result`. */
export function findResultJson(h: DatabaseHandle, id: string): string | null {
  return firstRow(h, h.db.selectFrom('tasks').select('result').where('id', '=', id))?.result ?? null;
}

/** A page of tasks, newest first, with the total that matches the filter. */
export function listTasks(h: DatabaseHandle, query: TaskQuery): { items: TaskRecord[]; total: number } {
  let base = h.db.selectFrom('tasks');
  if (query.status !== undefined) base = base.where('status', '=', query.status);
  if (query.owner !== undefined) base = query.owner === null ? base.where('owner', 'is', null) : base.where('owner', '=', query.owner);
  const rows = allRows(h, base.select(LIGHT_COLUMNS).orderBy('created_at', 'desc').orderBy(sql`rowid`, 'desc')
    .limit(query.limit).offset(query.offset));
  const count = firstRow(h, base.select((eb) => eb.fn.countAll<number>().as('n')));
  const loadResult = (taskId: string) => findResultJson(h, taskId);
  return { items: rows.map((row) => rowToRecord(row, loadResult)), total: Number(count?.n ?? 0) };
}

/** Applies a patch; updated_at is always set. Returns false when the task does not exist. */
export function updateTask(h: DatabaseHandle, id: string, patch: Partial<TaskRecord>, now: string): boolean {
  const columns = { ...patchToColumns(patch), updated_at: patch.updatedAt ?? now };
  return execute(h, h.db.updateTable('tasks').set(columns).where('id', '=', id)) > 0;
}

/** Deletes a task and (by cascade) its segments. */
export function deleteTask(h: DatabaseHandle, id: string): boolean {
  return execute(h, h.db.deleteFrom('tasks').where('id', '=', id)) > 0;
}

/** Ids of tasks in a status, oldest first: the FIFO order of the scheduler. */
export function taskIdsByStatus(h: DatabaseHandle, status: TaskStatus): string[] {
  return allRows(h, h.db.selectFrom('tasks').select('id').where('status', '=', status)
    .orderBy('created_at', 'asc').orderBy(sql`rowid`, 'asc')).map((r) => r.id);
}

/** How many tasks are in each status (zero for absent ones). */
export function countTasksByStatus(h: DatabaseHandle): Record<TaskStatus, number> {
  const counts: Record<TaskStatus, number> = { queued: 0, processing: 0, completed: 0, failed: 0, cancelled: 0 };
  const rows = allRows(h, h.db.selectFrom('tasks').select((eb) => ['status', eb.fn.countAll<number>().as('n')]).groupBy('status'));
  for (const row of rows) counts[row.status as TaskStatus] = Number(row.n);
  return counts;
}

/** Appends segments after those already saved for the task, in one transaction. */
export function appendSegments(h: DatabaseHandle, taskId: string, segments: Segment[]): void {
  if (segments.length === 0) return;
  h.sqlite.transaction(() => {
    const last = firstRow(h, h.db.selectFrom('segments').select((eb) => eb.fn.max('idx').as('max')).where('task_id', '=', taskId));
    let idx = (last?.max ?? -1) + 1;
    for (const segment of segments) {
      execute(h, h.db.insertInto('segments').values({ task_id: taskId, idx: idx++, json: JSON.stringify(segment) }));
    }
  })();
}

/** The segments saved so far for a task, in arrival order. */
export function listSegments(h: DatabaseHandle, taskId: string): Segment[] {
  return allRows(h, h.db.selectFrom('segments').select('json').where('task_id', '=', taskId).orderBy('idx'))
    .map((r) => JSON.parse(r.json) as Segment);
}

/** Forgets the saved segments of a task (a new attempt starts over; a result supersedes them). */
export function clearSegments(h: DatabaseHandle, taskId: string): void {
  execute(h, h.db.deleteFrom('segments').where('task_id', '=', taskId));
}
