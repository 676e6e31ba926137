import type { RetentionStore } from '../retention/retention-sweep.ts';
import type { DatabaseHandle } from './database.ts';
import { allRows, execute, firstRow } from './sync-query.ts';

/** Statuses a task never leaves on its own: only these are ever touched by retention. */
const FINISHED = ['completed', 'failed', 'cancelled'] as const;

/** The queries the retention sweep runs, over an open, migrated database. */
export function createSqliteRetentionStore(h: DatabaseHandle): RetentionStore {
  // A finished task's age counts from its end; rows from before completed_at was written fall back to updated_at.
  const endedBefore = (cutoff: string) =>
    h.db.selectFrom('tasks')
      .where('status', 'in', FINISHED)
      .where((eb) => eb(eb.fn.coalesce('completed_at', 'updated_at'), '<', cutoff));

  return {
    expiredMedia(cutoff, limit) {
      const rows = allRows(h, endedBefore(cutoff).select(['id', 'media_path']).where('media_path', 'is not', null)
        .orderBy('created_at').limit(limit));
      return rows.flatMap((r) => (r.media_path === null ? [] : [{ id: r.id, mediaPath: r.media_path }]));
    },
    expiredTasks(cutoff, limit) {
      return allRows(h, endedBefore(cutoff).select('id').orderBy('created_at').limit(limit)).map((r) => r.id);
    },
    forgetMedia(id) {
      return execute(h, h.db.updateTable('tasks').set({ media_path: null })
        .where('id', '=', id).where('status', 'in', FINISHED)) > 0;
    },
    isFinished(id) {
      return firstRow(h, h.db.selectFrom('tasks').select('id').where('id', '=', id).where('status', 'in', FINISHED)) !== undefined;
    },
    hasTask(id) {
      return firstRow(h, h.db.selectFrom('tasks').select('id').where('id', '=', id)) !== undefined;
    },
    mediaPaths() {
      return allRows(h, h.db.selectFrom('tasks').select('media_path').where('media_path', 'is not', null))
        .flatMap((r) => (r.media_path === null ? [] : [r.media_path]));
    },
  };
}
