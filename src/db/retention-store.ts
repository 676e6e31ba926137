import type { RetentionStore } from '../retention/retention-sweep.ts';
import type { DatabaseHandle } from './database.ts';

/** Statuses a task never leaves on its own: only these are ever touched by retention. */
const FINISHED = ['completed', 'failed', 'cancelled'] as const;

/**
 * The queries the retention sweep runs, over an open, migrated database. Each change is
 * conditional on the row still being finished, so that two nodes sweeping at once (a cluster)
 * cannot touch a running task and at worst repeat a harmless no-op.
 */
export function createRetentionStore({ db }: DatabaseHandle): RetentionStore {
  // A finished task's age counts from its end; rows from before completed_at was written fall back to updated_at.
  const endedBefore = (cutoff: string) =>
    db.selectFrom('tasks')
      .where('status', 'in', FINISHED)
      .where((eb) => eb(eb.fn.coalesce('completed_at', 'updated_at'), '<', cutoff));

  return {
    async expiredMedia(cutoff, limit) {
      const rows = await endedBefore(cutoff).select(['id', 'media_path']).where('media_path', 'is not', null)
        .orderBy('created_at').limit(limit).execute();
      return rows.flatMap((r) => (r.media_path === null ? [] : [{ id: r.id, mediaPath: r.media_path }]));
    },
    async expiredTasks(cutoff, limit) {
      return (await endedBefore(cutoff).select('id').orderBy('created_at').limit(limit).execute()).map((r) => r.id);
    },
    async forgetMedia(id) {
      const result = await db.updateTable('tasks').set({ media_path: null })
        .where('id', '=', id).where('status', 'in', FINISHED).where('media_path', 'is not', null).executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },
    async isFinished(id) {
      return (await db.selectFrom('tasks').select('id').where('id', '=', id).where('status', 'in', FINISHED).executeTakeFirst()) !== undefined;
    },
    async hasTask(id) {
      return (await db.selectFrom('tasks').select('id').where('id', '=', id).executeTakeFirst()) !== undefined;
    },
    async mediaPaths() {
      return (await db.selectFrom('tasks').select('media_path').where('media_path', 'is not', null).execute())
        .flatMap((r) => (r.media_path === null ? [] : [r.media_path]));
    },
  };
}
