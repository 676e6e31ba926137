import { PostgresAdapter, sql, type ColumnDataType, type Kysely, type RawBuilder } from 'kysely';
import type { DialectName } from './database.ts';

// Every place where SQLite and PostgreSQL need different SQL is here, so that the migrations and the
// repositories are written once.

/** The engine behind a Kysely instance (a migration only gets the instance). */
export function dialectOf(db: Kysely<unknown>): DialectName {
  return db.getExecutor().adapter instanceof PostgresAdapter ? 'postgres' : 'sqlite';
}

/** Milliseconds since the epoch: SQLite's integer is 64-bit already, PostgreSQL's is not. */
export function epochMsType(db: Kysely<unknown>): ColumnDataType {
  return dialectOf(db) === 'postgres' ? 'bigint' : 'integer';
}

/** A fractional number at full precision (PostgreSQL's `real` is single precision). */
export function doubleType(db: Kysely<unknown>): ColumnDataType {
  return dialectOf(db) === 'postgres' ? 'double precision' : 'real';
}

/**
 * The insertion order of `tasks`, the tie-break after created_at (two tasks can share a millisecond):
 * SQLite's rowid, PostgreSQL's `seq` identity column (added by the scale-out migration).
 */
export function taskInsertOrder(dialect: DialectName): RawBuilder<number> {
  return dialect === 'postgres' ? sql<number>`seq` : sql<number>`rowid`;
}
