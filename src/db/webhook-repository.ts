import { sql, type ExpressionBuilder } from 'kysely';
import type { Database } from './tables.ts';
import type { Db } from './task-repository.ts';
import type { TaskWebhookRow, WebhookAttemptRow, WebhookDeliveryRow } from './webhook-tables.ts';

/** A delivery row as read back (seq filled in). */
export type DeliveryRow = Omit<WebhookDeliveryRow, 'seq' | 'attempts' | 'round_attempts'> & { seq: number; attempts: number; round_attempts: number };

/** Records where a task's events go (its callback URL, or none) and the origin of its links. */
export async function insertTaskWebhook(db: Db, row: TaskWebhookRow): Promise<void> {
  await db.insertInto('task_webhooks').values(row).execute();
}

/** The callback URL and link origin of a task, if it has a row. */
export async function findTaskWebhook(db: Db, taskId: string): Promise<TaskWebhookRow | undefined> {
  return db.selectFrom('task_webhooks').selectAll().where('task_id', '=', taskId).executeTakeFirst();
}

// An earlier pending delivery of the same task to the same URL: while one exists, `d` must wait.
const earlierPending = (selectFrom: ExpressionBuilder<Database & { d: Database['webhook_deliveries'] }, 'd'>['selectFrom']) =>
  selectFrom('webhook_deliveries as e').select(sql`1`.as('one'))
    .whereRef('e.task_id', '=', 'd.task_id').whereRef('e.url', '=', 'd.url')
    .where('e.status', '=', 'pending').whereRef('e.seq', '<', 'd.seq');

/** Adds a pending delivery, due at once. */
export async function insertDelivery(db: Db, row: Pick<WebhookDeliveryRow, 'id' | 'task_id' | 'event' | 'url' | 'payload' | 'created_at' | 'next_attempt_ms'>): Promise<void> {
  await db.insertInto('webhook_deliveries').values({ ...row, status: 'pending' }).execute();
}

/**
 * Pending deliveries due by `nowMs` that head their (task, URL) stream: an earlier pending event of
 * the same task for the same URL holds a later one back, which keeps a task's order. Reading one is
 * not owning it: the sender claims it first (claimDelivery).
 */
export async function dueDeliveries(db: Db, nowMs: number, limit: number): Promise<DeliveryRow[]> {
  return await db.selectFrom('webhook_deliveries as d').selectAll('d')
    .where('d.status', '=', 'pending')
    .where('d.next_attempt_ms', '<=', nowMs)
    .where(({ not, exists, selectFrom }) => not(exists(earlierPending(selectFrom))))
    .orderBy('d.next_attempt_ms').orderBy('d.seq')
    .limit(limit).execute() as DeliveryRow[];
}

/**
 * Takes a due delivery for one attempt, until `untilMs`: true for exactly one caller however many
 * nodes share the database. It is a compare-and-set on next_attempt_ms (the value `due` that the
 * caller read): PostgreSQL re-checks the WHERE of a concurrent UPDATE on the row it waited for, and
 * SQLite runs writes one at a time, so the second claimant updates no row. A claim pushes the row's
 * due time past the attempt, so a node that dies mid-send leaves it to be tried again at `untilMs`,
 * and the earlier-pending rule keeps the stream's later events waiting meanwhile.
 */
export async function claimDelivery(db: Db, seq: number, due: number, untilMs: number): Promise<boolean> {
  const result = await db.updateTable('webhook_deliveries').set({ next_attempt_ms: untilMs })
    .where('seq', '=', seq).where('status', '=', 'pending').where('next_attempt_ms', '=', due).executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/** Gives a claim back unused (shutdown cut the attempt short): due at `due` again, if still claimed until `untilMs`. */
export async function releaseDelivery(db: Db, seq: number, untilMs: number, due: number): Promise<void> {
  await db.updateTable('webhook_deliveries').set({ next_attempt_ms: due })
    .where('seq', '=', seq).where('status', '=', 'pending').where('next_attempt_ms', '=', untilMs).execute();
}

/** When the next stream head falls due after `nowMs` (ms since the epoch), or null when none will. */
export async function nextHeadDueAfter(db: Db, nowMs: number): Promise<number | null> {
  const row = await db.selectFrom('webhook_deliveries as d').select((eb) => eb.fn.min('d.next_attempt_ms').as('next'))
    .where('d.status', '=', 'pending')
    .where('d.next_attempt_ms', '>', nowMs)
    .where(({ not, exists, selectFrom }) => not(exists(earlierPending(selectFrom)))).executeTakeFirst();
  return row?.next == null ? null : Number(row.next);
}

/** How many deliveries are pending, and when the oldest of them was created (ISO). */
export async function pendingSummary(db: Db): Promise<{ pending: number; oldestCreatedAt: string | null }> {
  const row = await db.selectFrom('webhook_deliveries')
    .select((eb) => [eb.fn.countAll<number>().as('n'), eb.fn.min('created_at').as('oldest')]).where('status', '=', 'pending').executeTakeFirst();
  return { pending: Number(row?.n ?? 0), oldestCreatedAt: (row?.oldest as string | null | undefined) ?? null };
}

/** Writes one attempt and the delivery's new state together. */
export async function recordAttempt(
  db: Db,
  seq: number,
  attempt: WebhookAttemptRow,
  next: Pick<WebhookDeliveryRow, 'status' | 'next_attempt_ms' | 'delivered_at'>,
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await trx.insertInto('webhook_attempts').values(attempt).execute();
    await trx.updateTable('webhook_deliveries').set((eb) => ({
      ...next,
      attempts: eb('attempts', '+', 1),
      round_attempts: eb('round_attempts', '+', 1),
      last_attempt_at: attempt.at,
      last_status_code: attempt.status_code,
      last_error: attempt.error,
    })).where('seq', '=', seq).execute();
  });
}

/** A task's deliveries, oldest first, with every attempt. */
export async function listDeliveries(db: Db, taskId: string): Promise<Array<DeliveryRow & { attemptLog: WebhookAttemptRow[] }>> {
  const deliveries = await db.selectFrom('webhook_deliveries').selectAll().where('task_id', '=', taskId).orderBy('seq').execute() as DeliveryRow[];
  const attempts = await db.selectFrom('webhook_attempts').selectAll()
    .where('delivery_seq', 'in', db.selectFrom('webhook_deliveries').select('seq').where('task_id', '=', taskId))
    .orderBy('delivery_seq').orderBy('attempt').execute();
  return deliveries.map((d) => ({ ...d, attemptLog: attempts.filter((a) => a.delivery_seq === d.seq) }));
}

/** Makes a delivery pending again, due at `nowMs`, with a fresh retry budget; false when unknown. */
export async function requeueDelivery(db: Db, taskId: string, id: string, nowMs: number): Promise<boolean> {
  const result = await db.updateTable('webhook_deliveries')
    .set({ status: 'pending', next_attempt_ms: nowMs, round_attempts: 0, delivered_at: null })
    .where('task_id', '=', taskId).where('id', '=', id).executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}
