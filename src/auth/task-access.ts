import type { TaskRecord } from '../tasks/task-record.ts';

/** Whether a caller may see a task: always with keys off; with keys on, only tasks of its own key. */
export function canSee(task: Pick<TaskRecord, 'owner'>, owner: string | null | undefined): boolean {
  return owner === null || owner === undefined || task.owner === owner;
}
