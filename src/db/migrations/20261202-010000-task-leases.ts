import { sql, type Kysely } from 'kysely';
import { dialectOf, epochMsType } from '../dialect.ts';

/**
 * Leases for worker nodes that share one database (ROLE=worker): who runs a task and until when
 * the lease holds, and a cancel asked by any node. On PostgreSQL also `seq`, the insertion order
 * that SQLite's rowid gives for free.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('tasks').addColumn('lease_owner', 'text').execute();
  await db.schema.alterTable('tasks').addColumn('lease_expires_ms', epochMsType(db)).execute();
  await db.schema.alterTable('tasks').addColumn('cancel_requested', 'integer', (c) => c.notNull().defaultTo(0)).execute();
  if (dialectOf(db) === 'postgres') {
    await db.schema.alterTable('tasks').addColumn('seq', sql`bigint generated always as identity`).execute();
  }
  // The lease sweep looks only at running tasks.
  await db.schema.createIndex('tasks_status_lease').on('tasks').columns(['status', 'lease_expires_ms']).execute();
  // Worker nodes say here, every few seconds, how many workers they have ready and with which model.
  await db.schema
    .createTable('cluster_nodes')
    .addColumn('node_id', 'text', (c) => c.primaryKey())
    .addColumn('ready_workers', 'integer', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull()) // JSON: model info and why the model is unavailable
    .addColumn('seen_ms', epochMsType(db), (c) => c.notNull())
    .execute();
}

/** Drops what up() added. */
export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('cluster_nodes').execute();
  await db.schema.dropIndex('tasks_status_lease').execute();
  for (const column of ['lease_owner', 'lease_expires_ms', 'cancel_requested']) {
    await db.schema.alterTable('tasks').dropColumn(column).execute();
  }
  if (dialectOf(db) === 'postgres') await db.schema.alterTable('tasks').dropColumn('seq').execute();
}
