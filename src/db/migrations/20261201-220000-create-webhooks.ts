import { sql, type Kysely } from 'kysely';
import { dialectOf, epochMsType } from '../dialect.ts';

/**
 * Creates `task_webhooks` (a task's callback URL and the origin its links use), `webhook_deliveries`
 * (the outbox: one row per event and target, written with the state change it reports) and
 * `webhook_attempts` (the delivery log).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('task_webhooks')
    .addColumn('task_id', 'text', (c) => c.primaryKey().references('tasks.id').onDelete('cascade'))
    .addColumn('callback_url', 'text')
    .addColumn('origin', 'text')
    .execute();

  await db.schema
    .createTable('webhook_deliveries')
    // seq orders a task's events: a later one is never sent before an earlier one to the same URL.
    .addColumn('seq', dialectOf(db) === 'postgres' ? 'serial' : 'integer', (c) => (dialectOf(db) === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement()))
    .addColumn('id', 'text', (c) => c.notNull().unique()) // the webhook-id header, the same on every attempt
    .addColumn('task_id', 'text', (c) => c.notNull().references('tasks.id').onDelete('cascade'))
    .addColumn('event', 'text', (c) => c.notNull())
    .addColumn('url', 'text', (c) => c.notNull())
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('pending', 'delivered', 'failed')`))
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('round_attempts', 'integer', (c) => c.notNull().defaultTo(0)) // since creation or the last redeliver
    .addColumn('next_attempt_ms', epochMsType(db), (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('last_attempt_at', 'text')
    .addColumn('last_status_code', 'integer')
    .addColumn('last_error', 'text')
    .addColumn('delivered_at', 'text')
    .execute();
  await db.schema.createIndex('webhook_deliveries_status_next').on('webhook_deliveries').columns(['status', 'next_attempt_ms']).execute();
  await db.schema.createIndex('webhook_deliveries_task_url_seq').on('webhook_deliveries').columns(['task_id', 'url', 'seq']).execute();

  await db.schema
    .createTable('webhook_attempts')
    .addColumn('delivery_seq', 'integer', (c) => c.notNull().references('webhook_deliveries.seq').onDelete('cascade'))
    .addColumn('attempt', 'integer', (c) => c.notNull())
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('status_code', 'integer')
    .addColumn('error', 'text')
    .addColumn('duration_ms', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('webhook_attempts_pk', ['delivery_seq', 'attempt'])
    .execute();
}

/** Drops what up() created. */
export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('webhook_attempts').execute();
  await db.schema.dropTable('webhook_deliveries').execute();
  await db.schema.dropTable('task_webhooks').execute();
}
