import { rm } from 'node:fs/promises';
import path from 'node:path';
import type { TaskRecord } from '../tasks/task-record.ts';

const inside = (parent: string, child: string) => {
  const rel = path.relative(parent, child);
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
};

/**
 * Returns a function that deletes a task's media file, its upload folder (`uploads/<dir>/media.ext`)
 * and any `uploads/<taskId>` folder. It never touches anything outside DATA_DIR and MEDIA_DIR
 * (`uploadsDir`, DATA_DIR/uploads by default), whatever the row says.
 */
export function createMediaRemover(dataDir: string, uploadsDir = path.join(dataDir, 'uploads')): (task: Pick<TaskRecord, 'id' | 'mediaPath'>) => Promise<void> {
  const root = path.resolve(dataDir);
  const uploads = path.resolve(uploadsDir);
  return async (task) => {
    const targets: string[] = [];
    if (task.mediaPath) {
      const media = path.resolve(task.mediaPath);
      const folder = path.dirname(media);
      if (path.dirname(folder) === uploads) targets.push(folder);
      else if (inside(root, media)) targets.push(media);
    }
    const own = path.join(uploads, task.id);
    if (inside(uploads, own)) targets.push(own);
    await Promise.all(targets.map((target) => rm(target, { recursive: true, force: true })));
  };
}
