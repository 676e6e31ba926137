import type { DatabaseHandle } from './database.ts';
import { execute, firstRow } from './sync-query.ts';

/** What a key already names: its request's fingerprint and the task that request created. */
export interface IdempotencyRecord {
  fingerprint: string;
  taskId: string;
}

/** Idempotency keys in SQLite, per scope (the API key), each kept for `ttlMs`. */
export interface IdempotencyStore {
  /** The live record of a key, if any (expired ones are removed first). */
  find(scope: string, key: string): IdempotencyRecord | undefined;
  /** Records (or replaces) a key for the task its request created. */
  save(scope: string, key: string, record: IdempotencyRecord): void;
}

/** Creates the store; `clock` gives ms since the epoch. */
export function createIdempotencyStore(h: DatabaseHandle, ttlMs: number, clock: () => number = Date.now): IdempotencyStore {
  return {
    find(scope, key) {
      // Every key past its window goes here: one indexed delete, and no sweeper to run.
      execute(h, h.db.deleteFrom('idempotency_keys').where('expires_at_ms', '<=', clock()));
      const row = firstRow(h, h.db.selectFrom('idempotency_keys').select(['fingerprint', 'task_id']).where('scope', '=', scope).where('key', '=', key));
      return row && { fingerprint: row.fingerprint, taskId: row.task_id };
    },
    save(scope, key, record) {
      const now = clock();
      execute(h, h.db.insertInto('idempotency_keys').values({
        scope, key, fingerprint: record.fingerprint, task_id: record.taskId, created_at: new Date(now).toISOString(), expires_at_ms: now + ttlMs,
      }).onConflict((oc) => oc.columns(['scope', 'key']).doUpdateSet({
        fingerprint: record.fingerprint, task_id: record.taskId, created_at: new Date(now).toISOString(), expires_at_ms: now + ttlMs,
      })));
    },
  };
}
