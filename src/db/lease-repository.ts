import { sql } from 'kysely';
import type { TaskRecord } from '../tasks/task-record.ts';
import type { DatabaseHandle } from './database.ts';
import { taskInsertOrder } from './dialect.ts';
import { LIGHT_COLUMNS, rowToRecord } from './task-row-mapper.ts';

/** The queue on the tasks table, for nodes that share one database: claim, lease, cancel, place. */
export interface LeaseStore {
  /** Takes the oldest queued task for `owner`, leased until `expiresMs`, or undefined when none is queued. */
  claimNext(owner: string, expiresMs: number): Promise<TaskRecord | undefined>;
  /** Extends this owner's leases; returns the ids it still holds, and those of them asked to cancel. */
  renew(owner: string, ids: string[], expiresMs: number): Promise<{ held: Set<string>; cancel: Set<string> }>;
  /** Processing tasks whose lease ran out before `nowMs` (their node died), oldest first. */
  expired(nowMs: number, limit: number): Promise<Array<{ id: string; attempts: number; startedAt: string | null }>>;
  /** Puts an expired task back in the queue unless someone else already did; true when this call did. */
  requeueExpired(id: string, nowMs: number, message: string): Promise<boolean>;
  /** Ends an expired task for good (too many attempts) unless someone else already did. */
  takeExpired(id: string, nowMs: number): Promise<boolean>;
  /**
   * Takes a still-queued task off the queue so that no node starts it; false when it was not queued
   * any more. The caller then writes the cancel through the task store (which sends its webhooks).
   */
  cancelQueued(id: string): Promise<boolean>;
  /** Flags a running task; the node that runs it stops it. False when it is not running. */
  requestCancel(id: string): Promise<boolean>;
  /** Puts back in the queue the tasks this owner still runs (it is shutting down); returns how many. */
  release(owner: string, message: string): Promise<number>;
  /** 1-based place of a queued task, the seconds of media ahead of it (null: some unknown), and its own. */
  queuePlace(id: string): Promise<{ position: number; mediaSecondsAhead: number | null; mediaSeconds: number | null } | undefined>;
}

/**
 * Leases over the tasks table. On PostgreSQL the claim locks the row it picks with FOR UPDATE SKIP
 * LOCKED, so nodes claiming at once each get a different task and none waits on another; on SQLite
 * a single process writes, and the conditional UPDATE alone makes a claim atomic.
 */
export function createLeaseStore(h: DatabaseHandle): LeaseStore {
  const { db, dialect } = h;
  const order = taskInsertOrder(dialect);
  return {
    async claimNext(owner, expiresMs) {
      let pick = db.selectFrom('tasks').select('id').where('status', '=', 'queued')
        .orderBy('created_at').orderBy(order).limit(1);
      if (dialect === 'postgres') pick = pick.forUpdate().skipLocked();
      const row = await db.updateTable('tasks')
        // The attempt counts from the claim: a node that dies before its task layer writes anything
        // has still used one (else MAX_ATTEMPTS could be dodged, and the retry would not say attempts 2).
        .set((eb) => ({ status: 'processing', lease_owner: owner, lease_expires_ms: expiresMs, cancel_requested: 0, attempts: eb('attempts', '+', 1) }))
        .where('id', '=', (eb) => eb.selectFrom(pick.as('next')).select('next.id'))
        .where('status', '=', 'queued')
        .returning([...LIGHT_COLUMNS, 'result'])
        .executeTakeFirst();
      // The task layer then marks the attempt itself (attempts + 1 again, the same value): the row it
      // works from is the queued one it was.
      return row && { ...rowToRecord(row), status: 'queued', attempts: row.attempts - 1 };
    },
    async renew(owner, ids, expiresMs) {
      if (ids.length === 0) return { held: new Set(), cancel: new Set() };
      const rows = await db.updateTable('tasks').set({ lease_expires_ms: expiresMs })
        .where('id', 'in', ids).where('lease_owner', '=', owner).where('status', '=', 'processing')
        .returning(['id', 'cancel_requested']).execute();
      return { held: new Set(rows.map((r) => r.id)), cancel: new Set(rows.filter((r) => r.cancel_requested === 1).map((r) => r.id)) };
    },
    async expired(nowMs, limit) {
      const rows = await db.selectFrom('tasks').select(['id', 'attempts', 'started_at']).where('status', '=', 'processing')
        .where((eb) => eb.or([eb('lease_expires_ms', 'is', null), eb('lease_expires_ms', '<', nowMs)]))
        .orderBy('created_at').limit(limit).execute();
      return rows.map((r) => ({ id: r.id, attempts: r.attempts, startedAt: r.started_at }));
    },
    async requeueExpired(id, nowMs, message) {
      const result = await db.updateTable('tasks')
        .set({ status: 'queued', lease_owner: null, lease_expires_ms: null, progress_message: message, updated_at: new Date(nowMs).toISOString() })
        .where('id', '=', id).where('status', '=', 'processing')
        .where((eb) => eb.or([eb('lease_expires_ms', 'is', null), eb('lease_expires_ms', '<', nowMs)]))
        .executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },
    async takeExpired(id, nowMs) {
      // Claimed by this sweeper for a moment, so that only one node writes the failure.
      const result = await db.updateTable('tasks').set({ lease_owner: sql<string>`'sweeper'`, lease_expires_ms: nowMs + 60_000 })
        .where('id', '=', id).where('status', '=', 'processing')
        .where((eb) => eb.or([eb('lease_expires_ms', 'is', null), eb('lease_expires_ms', '<', nowMs)]))
        .executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },
    async cancelQueued(id) {
      // Held for a moment under a lease no node renews, so that a crash before the cancel is written re-queues it.
      const result = await db.updateTable('tasks')
        .set({ status: 'processing', lease_owner: sql<string>`'canceller'`, lease_expires_ms: Date.now() + 60_000 })
        .where('id', '=', id).where('status', '=', 'queued').executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },
    async requestCancel(id) {
      const result = await db.updateTable('tasks').set({ cancel_requested: 1 }).where('id', '=', id).where('status', '=', 'processing').executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },
    async release(owner, message) {
      const result = await db.updateTable('tasks')
        .set({ status: 'queued', lease_owner: null, lease_expires_ms: null, progress_message: message, updated_at: new Date().toISOString() })
        .where('lease_owner', '=', owner).where('status', '=', 'processing').executeTakeFirst();
      return Number(result.numUpdatedRows);
    },
    async queuePlace(id) {
      const own = await db.selectFrom('tasks').select(['status', 'created_at', 'media_duration', order.as('ord')]).where('id', '=', id).executeTakeFirst();
      if (!own || own.status !== 'queued') return undefined;
      const ahead = await db.selectFrom('tasks')
        .select((eb) => [eb.fn.countAll<number>().as('n'), eb.fn.sum<number>('media_duration').as('seconds'),
          eb.fn.count<number>('media_duration').as('known')])
        .where('status', '=', 'queued')
        .where((eb) => eb.or([eb('created_at', '<', own.created_at), eb.and([eb('created_at', '=', own.created_at), eb(order, '<', own.ord)])]))
        .executeTakeFirst();
      const n = Number(ahead?.n ?? 0);
      const known = Number(ahead?.known ?? 0);
      return { position: n + 1, mediaSecondsAhead: known === n ? Number(ahead?.seconds ?? 0) : null, mediaSeconds: own.media_duration };
    },
  };
}
