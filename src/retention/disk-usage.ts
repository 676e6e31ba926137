import { databaseFile } from '../db/database.ts';
import { fileSize, type MediaStore } from '../media/media-store.ts';

/** Bytes the service keeps on disk under DATA_DIR. */
export interface DiskUsage {
  /** Every regular file under MEDIA_DIR (media of tasks, uploads in progress, leftovers). */
  uploadsBytes: number;
  uploadsFiles: number;
  /** The SQLite file with its -wal and -shm companions. */
  databaseBytes: number;
}

/**
 * Measures what the service holds: the media store, and the database files in DATA_DIR (apparent
 * sizes; links are not followed). Files that vanish meanwhile, as retention or a cancelled upload
 * removes them, simply no longer count.
 */
export async function measureDiskUsage(dataDir: string, media: Pick<MediaStore, 'measure'>): Promise<DiskUsage> {
  const uploads = await media.measure();
  const db = databaseFile(dataDir);
  let databaseBytes = 0;
  for (const file of [db, `${db}-wal`, `${db}-shm`]) databaseBytes += (await fileSize(file)) ?? 0;
  return { uploadsBytes: uploads.bytes, uploadsFiles: uploads.files, databaseBytes };
}

