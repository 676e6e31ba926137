import path from 'node:path';
import type { Logger } from '../logger.ts';
import type { MediaStore } from '../media/media-store.ts';

/** What the orphan pass needs. */
export interface OrphanSweepOptions {
  media: Pick<MediaStore, 'entries' | 'lastWrite' | 'discard'>;
  nowMs: number;
  /** Entries touched more recently than this are left alone: an upload may still be arriving. */
  minAgeMs: number;
  /** Takes a snapshot of the rows: the returned check is true when a task refers to an entry (absolute path under MEDIA_DIR). */
  referenceCheck(): Promise<(entry: string) => Promise<boolean>>;
  logger: Pick<Logger, 'info'>;
}

/**
 * Removes entries of MEDIA_DIR that no task refers to and that nothing has written to for
 * `minAgeMs`: what a crash between "upload stored" and "row inserted" leaves behind. Returns how many went.
 */
export async function removeOrphanUploads(options: OrphanSweepOptions): Promise<number> {
  const entries = await options.media.entries();
  if (entries.length === 0) return 0;
  const referenced = await options.referenceCheck();
  const stale: Array<{ entry: string; ageMs: number }> = [];
  for (const entry of entries) {
    if (await referenced(entry)) continue;
    const touched = await options.media.lastWrite(entry);
    if (touched !== null && options.nowMs - touched >= options.minAgeMs) stale.push({ entry, ageMs: options.nowMs - touched });
  }
  if (stale.length === 0) return 0;
  // Asked again right before deleting: a row may have been inserted while the folders were examined.
  const stillReferenced = await options.referenceCheck();
  let removed = 0;
  for (const { entry, ageMs } of stale) {
    if (await stillReferenced(entry)) continue;
    await options.media.discard(entry);
    removed += 1;
    options.logger.info({ entry: path.basename(entry), ageMs }, 'removed an upload no task refers to');
  }
  return removed;
}
