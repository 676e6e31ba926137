import { sql, type Migration } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, type DatabaseHandle } from '../../src/db/database.ts';
import { migrateToLatest, MigrationError } from '../../src/db/migrate.ts';
import { MIGRATIONS } from '../../src/db/migrations/migration-list.ts';

describe('migrateToLatest', () => {
  let h: DatabaseHandle;
  afterEach(async () => h.close());

  it('creates the tasks and segments tables with their indexes', async () => {
    h = openDatabase(':memory:');
    expect(await migrateToLatest(h.db)).toEqual(Object.keys(MIGRATIONS));
    const names = h.sqlite!.prepare("select name from sqlite_master where type in ('table','index') order by name").all() as Array<{ name: string }>;
    expect(names.map((n) => n.name)).toEqual(expect.arrayContaining(['tasks', 'segments', 'tasks_status_created_at']));
    const columns = (h.sqlite!.prepare('pragma table_info(tasks)').all() as Array<{ name: string }>).map((c) => c.name);
    expect(columns).toEqual(expect.arrayContaining([
      'id', 'status', 'progress_stage', 'progress_percentage', 'progress_message', 'file_name', 'media_path', 'media_duration',
      'params', 'language', 'language_probability', 'result', 'error_code', 'error_user_message', 'error_technical_detail',
      'attempts', 'owner', 'created_at', 'started_at', 'completed_at', 'updated_at',
    ]));
  });

  it('does nothing the second time', async () => {
    h = openDatabase(':memory:');
    await migrateToLatest(h.db);
    expect(await migrateToLatest(h.db)).toEqual([]);
  });

  it('throws a MigrationError naming the failing migration', async () => {
    h = openDatabase(':memory:');
    const broken: Migration = { up: async (db) => { await sql`create table nonsense (`.execute(db); } };
    const error = await migrateToLatest(h.db, { ...MIGRATIONS, '29990101-000000-broken': broken }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MigrationError);
    expect((error as MigrationError).migrationName).toBe('29990101-000000-broken');
    expect((error as Error).message).toMatch(/29990101-000000-broken.*incomplete input/);
  });

  it('runs down() back to an empty schema', async () => {
    h = openDatabase(':memory:');
    await migrateToLatest(h.db);
    for (const migration of Object.values(MIGRATIONS).reverse()) await migration.down?.(h.db);
    const tables = h.sqlite!.prepare("select name from sqlite_master where type = 'table' and name in ('tasks','segments')").all();
    expect(tables).toEqual([]);
  });
});
