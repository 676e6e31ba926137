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
  /**
   * Records a key for the task its request created, unless a live record holds the key already (a
   * request with the same key on another node got there first); returns the record that holds it.
   */
  save(scope: string, key: string, record: IdempotencyRecord): Promise<IdempotencyRecord>;
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
      // One statement decides, on SQLite and PostgreSQL alike: a live row stays, an expired one is replaced.
      await db.insertInto('idempotency_keys').values({ scope, key, ...values })
        .onConflict((oc) => oc.columns(['scope', 'key']).doUpdateSet(values).where('idempotency_keys.expires_at_ms', '<=', now)).execute();
      const row = await db.selectFrom('idempotency_keys').select(['fingerprint', 'task_id'])
        .where('scope', '=', scope).where('key', '=', key).executeTakeFirst();
      // No row: the task it named was deleted in between (its keys go with it); this record stands for nothing.
      return row ? { fingerprint: row.fingerprint, taskId: row.task_id } : record;
    },
  };
}
