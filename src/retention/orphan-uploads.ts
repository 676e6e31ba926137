import { lstat, readdir, rm } from 'node:fs/promises';
import path from 'node:path';

/** What the orphan pass needs. */
export interface OrphanSweepOptions {
  uploadsDir: string;
  nowMs: number;
  /** Entries touched more recently than this are left alone: an upload may still be arriving. */
  minAgeMs: number;
  /** Takes a snapshot of the rows: the returned check is true when a task refers to an entry (absolute path under uploads/). */
  referenceCheck(): Promise<(entry: string) => Promise<boolean>>;
  logger: { info: (fields: object, message: string) => void };
}

const isMissing = (error: unknown) => (error as NodeJS.ErrnoException).code === 'ENOENT';

/**
 * Removes entries of DATA_DIR/uploads that no task refers to and that nothing has written to for
 * `minAgeMs`: what a crash between "upload stored" and "row inserted" leaves behind. Returns how many went.
 */
export async function removeOrphanUploads(options: OrphanSweepOptions): Promise<number> {
  let names: string[];
  try {
    names = await readdir(options.uploadsDir);
  } catch (error) {
    if (isMissing(error)) return 0; // no upload has ever been stored
    throw error;
  }
  const referenced = await options.referenceCheck();
  const stale: Array<{ name: string; ageMs: number }> = [];
  for (const name of names) {
    if (await referenced(path.join(options.uploadsDir, name))) continue;
    const touched = await lastWrite(path.join(options.uploadsDir, name));
    if (touched !== null && options.nowMs - touched >= options.minAgeMs) stale.push({ name, ageMs: options.nowMs - touched });
  }
  if (stale.length === 0) return 0;
  // Asked again right before deleting: a row may have been inserted while the folders were examined.
  const stillReferenced = await options.referenceCheck();
  let removed = 0;
  for (const { name, ageMs } of stale) {
    const entry = path.join(options.uploadsDir, name);
    if (await stillReferenced(entry)) continue;
    await rm(entry, { recursive: true, force: true });
    removed += 1;
    options.logger.info({ entry: name, ageMs }, 'removed an upload no task refers to');
  }
  return removed;
}

/** The newest mtime of an entry and, for a folder, of what it directly holds; null when it vanished meanwhile. */
async function lastWrite(entry: string): Promise<number | null> {
  try {
    const stat = await lstat(entry);
    let newest = stat.mtimeMs;
    if (stat.isDirectory()) {
      for (const child of await readdir(entry)) {
        const childStat = await lstat(path.join(entry, child)).catch((error: unknown) => {
          if (isMissing(error)) return null; // removed while we looked: it no longer counts
          throw error;
        });
        if (childStat) newest = Math.max(newest, childStat.mtimeMs);
      }
    }
    return newest;
  } catch (error) {
    if (isMissing(error)) return null;
    throw error;
  }
}
