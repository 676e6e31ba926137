import type { DatabaseHandle } from './database.ts';

/** What a key already names: its request's fingerprint and the task that request created. */
export interface IdempotencyRecord {
  fingerprint: string;
  taskId: string;
}

/** Idempotency keys in the database (SQLite or PostgreSQL), per scope (the API key), each kept for `ttlMs`. */
export interface IdempotencyStore {
  /** The live record of a key, if any (expired ones are removed first). */
  find(scope: string, key: string): Promise<IdempotencyRecord | undefined>;
  /** Records (or replaces) a key for the task its request created. */
  save(scope: string, key: string, record: IdempotencyRecord): Promise<void>;
}

/** Creates the store; `clock` gives ms since the epoch. */
export function createIdempotencyStore(h: DatabaseHandle, ttlMs: number, clock: () => number = Date.now): IdempotencyStore {
  const { db } = h;
  return {
    async find(scope, key) {
      // Every key past its window goes here: one indexed delete, and no sweeper to run (on any node).
      await db.deleteFrom('idempotency_keys').where('expires_at_ms', '<=', clock()).execute();
      const row = await db.selectFrom('idempotency_keys').select(['fingerprint', 'task_id'])
        .where('scope', '=', scope).where('key', '=', key).executeTakeFirst();
      return row && { fingerprint: row.fingerprint, taskId: row.task_id };
    },
    async save(scope, key, record) {
      const now = clock();
      const values = { fingerprint: record.fingerprint, task_id: record.taskId, created_at: new Date(now).toISOString(), expires_at_ms: now + ttlMs };
      await db.insertInto('idempotency_keys').values({ scope, key, ...values })
        .onConflict((oc) => oc.columns(['scope', 'key']).doUpdateSet(values)).execute();
    },
  };
}
