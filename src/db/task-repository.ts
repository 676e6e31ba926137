import type { Kysely } from 'kysely';
import type { NewTask, TaskQuery, TaskRecord } from '../tasks/task-record.ts';
import type { TaskStatus } from '../contract/status.ts';
import type { Segment } from '../contract/transcript.ts';
import type { DialectName } from './database.ts';
import { taskInsertOrder } from './dialect.ts';
import type { Database } from './tables.ts';
import { LIGHT_COLUMNS, patchToColumns, rowToRecord } from './task-row-mapper.ts';

/** A Kysely instance or a transaction on it: every function here runs inside either. */
export type Db = Kysely<Database>;

/** Inserts a new task as `queued`, 0 %, and returns it. */
export async function insertTask(db: Db, task: NewTask & { id: string; createdAt: string }): Promise<TaskRecord> {
  await db.insertInto('tasks').values({
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
  }).execute();
  const record = await findTask(db, task.id);
  if (!record) throw new Error(`task ${task.id} vanished right after its insert`);
  return record;
}

/** One task by id, with its result (parsed on first access). */
export async function findTask(db: Db, id: string): Promise<TaskRecord | undefined> {
  const row = await db.selectFrom('tasks').select([...LIGHT_COLUMNS, 'result']).where('id', '=', id).executeTakeFirst();
  return row && rowToRecord(row);
}

/** A page of tasks, newest first, with the total that matches the filter (results are not read: a list never shows them). */
export async function listTasks(db: Db, dialect: DialectName, query: TaskQuery): Promise<{ items: TaskRecord[]; total: number }> {
  let base = db.selectFrom('tasks');
  if (query.status !== undefined) base = base.where('status', '=', query.status);
  if (query.owner !== undefined) base = query.owner === null ? base.where('owner', 'is', null) : base.where('owner', '=', query.owner);
  const rows = await base.select(LIGHT_COLUMNS).orderBy('created_at', 'desc').orderBy(taskInsertOrder(dialect), 'desc')
    .limit(query.limit).offset(query.offset).execute();
  const count = await base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirst();
  return { items: rows.map((row) => rowToRecord({ ...row, result: null })), total: Number(count?.n ?? 0) };
}

/** Applies a patch; updated_at is always set. Returns false when the task does not exist. */
export async function updateTask(db: Db, id: string, patch: Partial<TaskRecord>, now: string): Promise<boolean> {
  const columns = { ...patchToColumns(patch), updated_at: patch.updatedAt ?? now };
  const result = await db.updateTable('tasks').set(columns).where('id', '=', id).executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/** Deletes a task and (by cascade) its segments. */
export async function deleteTask(db: Db, id: string): Promise<boolean> {
  const result = await db.deleteFrom('tasks').where('id', '=', id).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

/** Ids of tasks in a status, oldest first: the FIFO order of the scheduler. */
export async function taskIdsByStatus(db: Db, dialect: DialectName, status: TaskStatus): Promise<string[]> {
  const rows = await db.selectFrom('tasks').select('id').where('status', '=', status)
    .orderBy('created_at', 'asc').orderBy(taskInsertOrder(dialect), 'asc').execute();
  return rows.map((r) => r.id);
}

/** How many tasks are in each status (zero for absent ones). */
export async function countTasksByStatus(db: Db): Promise<Record<TaskStatus, number>> {
  const counts: Record<TaskStatus, number> = { queued: 0, processing: 0, completed: 0, failed: 0, cancelled: 0 };
  const rows = await db.selectFrom('tasks').select((eb) => ['status', eb.fn.countAll<number>().as('n')]).groupBy('status').execute();
  for (const row of rows) counts[row.status as TaskStatus] = Number(row.n);
  return counts;
}

/** Appends segments after those already saved for the task (the caller serialises writes per task). */
export async function appendSegments(db: Db, taskId: string, segments: Segment[]): Promise<void> {
  if (segments.length === 0) return;
  const last = await db.selectFrom('segments').select((eb) => eb.fn.max('idx').as('max')).where('task_id', '=', taskId).executeTakeFirst();
  let idx = (last?.max ?? -1) + 1;
  await db.insertInto('segments').values(segments.map((segment) => ({ task_id: taskId, idx: idx++, json: JSON.stringify(segment) }))).execute();
}

/** The segments saved so far for a task, in arrival order. */
export async function listSegments(db: Db, taskId: string): Promise<Segment[]> {
  const rows = await db.selectFrom('segments').select('json').where('task_id', '=', taskId).orderBy('idx').execute();
  return rows.map((r) => JSON.parse(r.json) as Segment);
}

/** Forgets the saved segments of a task (a new attempt starts over; a result supersedes them). */
export async function clearSegments(db: Db, taskId: string): Promise<void> {
  await db.deleteFrom('segments').where('task_id', '=', taskId).execute();
}
