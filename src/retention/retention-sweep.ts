import path from 'node:path';
import type { Logger } from '../logger.ts';
import type { MediaStore } from '../media/media-store.ts';
import { removeOrphanUploads } from './orphan-uploads.ts';

const HOUR_MS = 60 * 60 * 1000;
const DAY_MS = 24 * HOUR_MS;

/** The queries retention needs; implemented in src/db/retention-store.ts. */
export interface RetentionStore {
  /** Finished (completed, failed, cancelled) tasks that still have media and ended before `cutoff` (ISO), oldest first. */
  expiredMedia(cutoff: string, limit: number): Promise<Array<{ id: string; mediaPath: string }>>;
  /** Ids of finished tasks that ended before `cutoff` (ISO), oldest first. */
  expiredTasks(cutoff: string, limit: number): Promise<string[]>;
  /** Sets media_path to null if the task is still finished; false otherwise. */
  forgetMedia(id: string): Promise<boolean>;
  isFinished(id: string): Promise<boolean>;
  hasTask(id: string): Promise<boolean>;
  /** Every media path a task row still refers to. */
  mediaPaths(): Promise<string[]>;
}

/** What one sweep needs. */
export interface RetentionSweepDeps {
  store: RetentionStore;
  /** Where uploads live: deletes a task's media and lists the entries the orphan pass looks at. */
  media: Pick<MediaStore, 'remove' | 'entries' | 'lastWrite' | 'discard'>;
  /** 0 keeps media for ever. */
  mediaRetentionHours: number;
  /** 0 keeps results for ever. */
  resultRetentionDays: number;
  /** Removes a task the way DELETE /tasks/:id does (row, segments, files, watchers told). */
  removeTask(id: string): Promise<boolean>;
  logger: Pick<Logger, 'info' | 'warn' | 'error'>;
  /** An upload folder with no task row must be at least this old before it goes (default one hour). */
  orphanMinAgeMs?: number;
  /** Rows handled per query; a sweep loops until none are left (default 200). */
  batchSize?: number;
}

/** What a sweep removed. */
export interface RetentionSummary {
  mediaDeleted: number;
  tasksDeleted: number;
  orphansDeleted: number;
}

/**
 * Deletes the media of finished tasks older than MEDIA_RETENTION_HOURS, whole finished tasks older
 * than RESULT_RETENTION_DAYS, and upload folders no task refers to. Queued and processing tasks are
 * never touched: every query filters on a finished status, and each row is checked again just
 * before it is changed.
 */
export async function sweepRetention(deps: RetentionSweepDeps, nowMs: number): Promise<RetentionSummary> {
  const { store, logger } = deps;
  const batch = deps.batchSize ?? 200;
  const summary: RetentionSummary = { mediaDeleted: 0, tasksDeleted: 0, orphansDeleted: 0 };

  if (deps.resultRetentionDays > 0) {
    const cutoff = new Date(nowMs - deps.resultRetentionDays * DAY_MS).toISOString();
    for (let ids = await store.expiredTasks(cutoff, batch); ids.length > 0; ids = await store.expiredTasks(cutoff, batch)) {
      let removed = 0;
      for (const id of ids) {
        if (!(await store.isFinished(id))) continue;
        if (await deps.removeTask(id)) removed += 1;
      }
      summary.tasksDeleted += removed;
      if (removed === 0) break; // nothing could be removed: stop rather than spin on the same rows
    }
  }

  if (deps.mediaRetentionHours > 0) {
    const cutoff = new Date(nowMs - deps.mediaRetentionHours * HOUR_MS).toISOString();
    for (let rows = await store.expiredMedia(cutoff, batch); rows.length > 0; rows = await store.expiredMedia(cutoff, batch)) {
      let forgotten = 0;
      for (const row of rows) {
        // The row forgets the file first: should the deletion fail, the folder is then an orphan
        // and the orphan pass removes it later, instead of a row pointing at a half-deleted folder.
        if (!(await store.forgetMedia(row.id))) continue;
        forgotten += 1;
        await deps.media.remove(row).catch((error: unknown) =>
          logger.warn({ taskId: row.id, err: error }, 'could not delete expired media; the orphan sweep will retry'));
      }
      summary.mediaDeleted += forgotten;
      if (forgotten === 0) break;
    }
  }

  summary.orphansDeleted = await removeOrphanUploads({
    media: deps.media,
    nowMs,
    minAgeMs: deps.orphanMinAgeMs ?? HOUR_MS,
    referenceCheck: () => referenceCheck(store),
    logger,
  });
  return summary;
}

/** A check, built from one snapshot of the rows, of whether an uploads entry still belongs to a task. */
async function referenceCheck(store: RetentionStore): Promise<(entry: string) => Promise<boolean>> {
  const held = new Set<string>();
  for (const media of await store.mediaPaths()) {
    const resolved = path.resolve(media);
    held.add(resolved);
    held.add(path.dirname(resolved));
  }
  // Folders named after a task id belong to that task even when its row has no media path.
  return async (entry) => held.has(path.resolve(entry)) || store.hasTask(path.basename(entry));
}
