import { sql, type ExpressionBuilder } from 'kysely';
import type { DatabaseHandle } from './database.ts';
import type { Database } from './tables.ts';
import { allRows, execute, firstRow } from './sync-query.ts';
import type { TaskWebhookRow, WebhookAttemptRow, WebhookDeliveryRow } from './webhook-tables.ts';

/** A delivery row as read back (seq filled in). */
export type DeliveryRow = Omit<WebhookDeliveryRow, 'seq' | 'attempts' | 'round_attempts'> & { seq: number; attempts: number; round_attempts: number };

/** Records where a task's events go (its callback URL, or none) and the origin of its links. */
export function insertTaskWebhook(h: DatabaseHandle, row: TaskWebhookRow): void {
  execute(h, h.db.insertInto('task_webhooks').values(row));
}

/** The callback URL and link origin of a task, if it has a row. */
export function findTaskWebhook(h: DatabaseHandle, taskId: string): TaskWebhookRow | undefined {
  return firstRow(h, h.db.selectFrom('task_webhooks').selectAll().where('task_id', '=', taskId));
}

// An earlier pending delivery of the same task to the same URL: while one exists, `d` must wait.
const earlierPending = (selectFrom: ExpressionBuilder<Database & { d: Database['webhook_deliveries'] }, 'd'>['selectFrom']) =>
  selectFrom('webhook_deliveries as e').select(sql`1`.as('one'))
    .whereRef('e.task_id', '=', 'd.task_id').whereRef('e.url', '=', 'd.url')
    .where('e.status', '=', 'pending').whereRef('e.seq', '<', 'd.seq');

/** Adds a pending delivery, due at once. */
export function insertDelivery(h: DatabaseHandle, row: Pick<WebhookDeliveryRow, 'id' | 'task_id' | 'event' | 'url' | 'payload' | 'created_at' | 'next_attempt_ms'>): void {
  execute(h, h.db.insertInto('webhook_deliveries').values({ ...row, status: 'pending' }));
}

/**
 * Pending deliveries due by `nowMs` that head their (task, URL) stream: an earlier pending event of
 * the same task for the same URL holds a later one back, which keeps a task's order.
 */
export function dueDeliveries(h: DatabaseHandle, nowMs: number, limit: number): DeliveryRow[] {
  return allRows(h, h.db.selectFrom('webhook_deliveries as d').selectAll('d')
    .where('d.status', '=', 'pending')
    .where('d.next_attempt_ms', '<=', nowMs)
    .where(({ not, exists, selectFrom }) => not(exists(earlierPending(selectFrom))))
    .orderBy('d.next_attempt_ms').orderBy('d.seq')
    .limit(limit)) as DeliveryRow[];
}

/** When the next stream head falls due after `nowMs` (ms since the epoch), or null when none will. */
export function nextHeadDueAfter(h: DatabaseHandle, nowMs: number): number | null {
  const row = firstRow(h, h.db.selectFrom('webhook_deliveries as d').select((eb) => eb.fn.min('d.next_attempt_ms').as('next'))
    .where('d.status', '=', 'pending')
    .where('d.next_attempt_ms', '>', nowMs)
    .where(({ not, exists, selectFrom }) => not(exists(earlierPending(selectFrom)))));
  return row?.next ?? null;
}

/** How many deliveries are pending, and when the oldest of them was created (ISO). */
export function pendingSummary(h: DatabaseHandle): { pending: number; oldestCreatedAt: string | null } {
  const row = firstRow(h, h.db.selectFrom('webhook_deliveries')
    .select((eb) => [eb.fn.countAll<number>().as('n'), eb.fn.min('created_at').as('oldest')]).where('status', '=', 'pending'));
  return { pending: Number(row?.n ?? 0), oldestCreatedAt: (row?.oldest as string | null | undefined) ?? null };
}

/** Writes one attempt and the delivery's new state together. */
export function recordAttempt(
  h: DatabaseHandle,
  seq: number,
  attempt: WebhookAttemptRow,
  next: Pick<WebhookDeliveryRow, 'status' | 'next_attempt_ms' | 'delivered_at'>,
): void {
  h.sqlite.transaction(() => {
    execute(h, h.db.insertInto('webhook_attempts').values(attempt));
    execute(h, h.db.updateTable('webhook_deliveries').set((eb) => ({
      ...next,
      attempts: eb('attempts', '+', 1),
      round_attempts: eb('round_attempts', '+', 1),
      last_attempt_at: attempt.at,
      last_status_code: attempt.status_code,
      last_error: attempt.error,
    })).where('seq', '=', seq));
  })();
}

/** A task's deliveries, oldest first, with every attempt. */
export function listDeliveries(h: DatabaseHandle, taskId: string): Array<DeliveryRow & { attemptLog: WebhookAttemptRow[] }> {
  const deliveries = allRows(h, h.db.selectFrom('webhook_deliveries').selectAll().where('task_id', '=', taskId).orderBy('seq')) as DeliveryRow[];
  const attempts = allRows(h, h.db.selectFrom('webhook_attempts').selectAll()
    .where('delivery_seq', 'in', h.db.selectFrom('webhook_deliveries').select('seq').where('task_id', '=', taskId))
    .orderBy('delivery_seq').orderBy('attempt'));
  return deliveries.map((d) => ({ ...d, attemptLog: attempts.filter((a) => a.delivery_seq === d.seq) }));
}

/** Makes a delivery pending again, due at `nowMs`, with a fresh retry budget; false when unknown. */
export function requeueDelivery(h: DatabaseHandle, taskId: string, id: string, nowMs: number): boolean {
  return execute(h, h.db.updateTable('webhook_deliveries')
    .set({ status: 'pending', next_attempt_ms: nowMs, round_attempts: 0, delivered_at: null })
    .where('task_id', '=', taskId).where('id', '=', id)) > 0;
}
