import { randomUUID } from 'node:crypto';
import { lstat, mkdir, readdir, rm } from 'node:fs/promises';
import path from 'node:path';

/** What disk usage reports for MEDIA_DIR: every regular file, apparent sizes. */
export interface MediaUsage {
  bytes: number;
  files: number;
}

/**
 * The only owner of where uploaded media lives: MEDIA_DIR/<folder>/media<.ext>, one folder per
 * upload or download. Nothing else builds a path under MEDIA_DIR, so this is the seam where a
 * shared volume or object storage goes once a cluster needs one.
 */
export interface MediaStore {
  /** Makes MEDIA_DIR if it is missing. */
  ensure(): Promise<void>;
  /** Makes a fresh, empty folder for one upload and returns its absolute path. */
  newFolder(): Promise<string>;
  /** Deletes a task's media: its upload folder, or the file alone elsewhere in DATA_DIR, and any MEDIA_DIR/<taskId>; never anything outside DATA_DIR and MEDIA_DIR. */
  remove(task: { id: string; mediaPath: string | null }): Promise<void>;
  /** Absolute paths of what MEDIA_DIR directly holds; none when it does not exist yet. */
  entries(): Promise<string[]>;
  /** The newest mtime of an entry and, for a folder, of what it directly holds; null when it is gone. */
  lastWrite(entry: string): Promise<number | null>;
  /** Deletes one entry of MEDIA_DIR (as `entries()` names it); a path anywhere else is left alone. */
  discard(entry: string): Promise<void>;
  /** Adds up every regular file under MEDIA_DIR (links are not followed; files that vanish meanwhile do not count). */
  measure(): Promise<MediaUsage>;
}

const isMissing = (error: unknown) => (error as NodeJS.ErrnoException).code === 'ENOENT';

const inside = (parent: string, child: string) => {
  const rel = path.relative(parent, child);
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
};

/** Creates the store over MEDIA_DIR (`mediaDir`); `dataDir` bounds what a row's media path may delete. */
export function createMediaStore(mediaDir: string, dataDir: string): MediaStore {
  const root = path.resolve(mediaDir);
  const data = path.resolve(dataDir);
  const directlyInside = (entry: string) => path.dirname(path.resolve(entry)) === root;

  return {
    ensure: async () => void (await mkdir(root, { recursive: true })),
    async newFolder() {
      const folder = path.join(root, randomUUID());
      await mkdir(folder, { recursive: true });
      return folder;
    },
    async remove(task) {
      const targets: string[] = [];
      if (task.mediaPath) {
        const media = path.resolve(task.mediaPath);
        const folder = path.dirname(media);
        if (path.dirname(folder) === root) targets.push(folder);
        else if (inside(data, media)) targets.push(media);
      }
      const own = path.join(root, task.id);
      if (inside(root, own)) targets.push(own);
      await Promise.all(targets.map((target) => rm(target, { recursive: true, force: true })));
    },
    async entries() {
      try {
        return (await readdir(root)).map((name) => path.join(root, name));
      } catch (error) {
        if (isMissing(error)) return []; // no upload has ever been stored
        throw error;
      }
    },
    lastWrite,
    async discard(entry) {
      if (directlyInside(entry)) await rm(path.resolve(entry), { recursive: true, force: true });
    },
    measure: () => sumTree(root),
  };
}

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

/** Apparent size of a regular file; null for anything else or when it vanished. */
export async function fileSize(file: string): Promise<number | null> {
  try {
    const stat = await lstat(file);
    return stat.isFile() ? stat.size : null;
  } catch (error) {
    if (isMissing(error)) return null;
    throw error;
  }
}

async function sumTree(top: string): Promise<MediaUsage> {
  let bytes = 0;
  let files = 0;
  const pending = [top];
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
        const size = await fileSize(full);
        if (size !== null) {
          bytes += size;
          files += 1;
        }
      }
    }
  }
  return { bytes, files };
}
