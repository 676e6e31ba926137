import { openDatabase, type DatabaseHandle } from '../../src/db/database.ts';
import { migrateToLatest } from '../../src/db/migrate.ts';
import type { NewTask } from '../../src/tasks/task-record.ts';
import type { TaskParams } from '../../src/contract/task-params.ts';
import type { Segment } from '../../src/contract/transcript.ts';

/** Default task parameters for tests. */
export const PARAMS: TaskParams = {
  language: 'auto', task: 'transcribe', vad: false, wordTimestamps: false, diarize: false, temperature: 0,
};

/** An in-memory, migrated database. */
export async function memoryDatabase(): Promise<DatabaseHandle> {
  const h = openDatabase(':memory:');
  await migrateToLatest(h.db);
  return h;
}

/** A new-task payload with an id and creation time. */
export function newTask(id: string, createdAt: string, extra: Partial<NewTask> = {}): NewTask & { id: string; createdAt: string } {
  return { id, createdAt, fileName: `${id}.wav`, mediaPath: `/tmp/${id}.wav`, mediaDuration: 11, params: PARAMS, owner: null, ...extra };
}

/** A small segment. */
export function segment(id: number, text: string): Segment {
  return { id, start: id, end: id + 1, text, noSpeechProb: 0.1, avgLogprob: -0.2, tokens: [{ id: 1, text, p: 0.9, t0: id, t1: id + 1, tDtw: -1, special: false }] };
}
