import { Migrator, type Kysely, type Migration } from 'kysely';
import { MIGRATIONS } from './migrations/migration-list.ts';

/** Thrown when a migration fails; names the migration and keeps the cause. */
export class MigrationError extends Error {
  constructor(readonly migrationName: string, cause: unknown) {
    super(`Database migration "${migrationName}" failed: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = 'MigrationError';
  }
}

/** Runs every pending migration; returns the names it applied; throws MigrationError on failure. */
export async function migrateToLatest<DB>(
  db: Kysely<DB>,
  migrations: Readonly<Record<string, Migration>> = MIGRATIONS,
): Promise<string[]> {
  const migrator = new Migrator({ db, provider: { getMigrations: async () => ({ ...migrations }) } });
  const { error, results = [] } = await migrator.migrateToLatest();
  const failed = results.find((r) => r.status === 'Error');
  if (error !== undefined || failed) {
    throw new MigrationError(failed?.migrationName ?? '(migrator)', error ?? new Error('unknown failure'));
  }
  return results.filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
