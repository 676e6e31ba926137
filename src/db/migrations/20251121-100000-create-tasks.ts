import { sql, type Kysely } from 'kysely';
import { doubleType } from '../dialect.ts';

/** Creates `tasks` and `segments` with the indexes the scheduler and the list endpoint use. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('tasks')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('status', 'text', (c) =>
      c.notNull().check(sql`status in ('queued', 'processing', 'completed', 'failed', 'cancelled')`))
    .addColumn('progress_stage', 'text', (c) => c.notNull().defaultTo('queued'))
    .addColumn('progress_percentage', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('progress_message', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('file_name', 'text', (c) => c.notNull())
    .addColumn('media_path', 'text')
    .addColumn('media_duration', doubleType(db))
    .addColumn('params', 'text', (c) => c.notNull())
    .addColumn('language', 'text')
    .addColumn('language_probability', doubleType(db))
    .addColumn('result', 'text')
    .addColumn('error_code', 'text')
    .addColumn('error_user_message', 'text')
    .addColumn('error_technical_detail', 'text')
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('owner', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('started_at', 'text')
    .addColumn('completed_at', 'text')
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  // FIFO dispatch and "list by status, newest first" both walk this index.
  await db.schema.createIndex('tasks_status_created_at').on('tasks').columns(['status', 'created_at']).execute();
  await db.schema.createIndex('tasks_created_at').on('tasks').column('created_at').execute();
  await db.schema.createIndex('tasks_owner_created_at').on('tasks').columns(['owner', 'created_at']).execute();

  await db.schema
    .createTable('segments')
    .addColumn('task_id', 'text', (c) => c.notNull().references('tasks.id').onDelete('cascade'))
    .addColumn('idx', 'integer', (c) => c.notNull())
    .addColumn('json', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('segments_pk', ['task_id', 'idx'])
    .execute();
}

/** Drops what up() created. */
export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('segments').execute();
  await db.schema.dropTable('tasks').execute();
}
