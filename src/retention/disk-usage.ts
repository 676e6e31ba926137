import { lstat, readdir } from 'node:fs/promises';
import path from 'node:path';
import { databaseFile } from '../db/database.ts';

/** Bytes the service keeps on disk under DATA_DIR. */
export interface DiskUsage {
  /** Every regular file under DATA_DIR/uploads (media of tasks, uploads in progress, leftovers). */
  uploadsBytes: number;
  uploadsFiles: number;
  /** The SQLite file with its -wal and -shm companions. */
  databaseBytes: number;
}

const isMissing = (error: unknown) => (error as NodeJS.ErrnoException).code === 'ENOENT';

/**
 * Measures what DATA_DIR holds (apparent sizes; links are not followed). Files that vanish while
 * it walks, as retention or a cancelled upload removes them, simply no longer count.
 */
export async function measureDiskUsage(dataDir: string, uploadsDir = path.join(dataDir, 'uploads')): Promise<DiskUsage> {
  const uploads = await sumTree(uploadsDir);
  const db = databaseFile(dataDir);
  let databaseBytes = 0;
  for (const file of [db, `${db}-wal`, `${db}-shm`]) databaseBytes += (await sizeOf(file)) ?? 0;
  return { uploadsBytes: uploads.bytes, uploadsFiles: uploads.files, databaseBytes };
}

async function sizeOf(file: string): Promise<number | null> {
  try {
    const stat = await lstat(file);
    return stat.isFile() ? stat.size : null;
  } catch (error) {
    if (isMissing(error)) return null;
    throw error;
  }
}

async function sumTree(root: string): Promise<{ bytes: number; files: number }> {
  let bytes = 0;
  let files = 0;
  const pending = [root];
  while (pending.length > 0) {
    const dir = pending.pop()!;
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch (error) {
      if (isMissing(error)) continue;
      throw error;
    }
    for (const entry of entries) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) pending.push(full);
      else if (entry.isFile()) {
        const size = await sizeOf(full);
        if (size !== null) {
          bytes += size;
          files += 1;
        }
      }
    }
  }
  return { bytes, files };
}
