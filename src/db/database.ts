import { mkdirSync } from 'node:fs';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import type { Database } from './tables.ts';

/** Which engine a handle talks to; every difference between the two is decided from this (see src/db/dialect.ts). */
export type DialectName = 'sqlite' | 'postgres';

/** An open database: Kysely for every query, on SQLite (embedded, one process) or PostgreSQL (shared by a cluster). */
export interface DatabaseHandle {
  db: Kysely<Database>;
  dialect: DialectName;
  /** The better-sqlite3 handle (SQLite only): pragmas and the WAL checkpoint at shutdown. */
  sqlite?: BetterSqlite3.Database;
  /** The pg pool (PostgreSQL only): LISTEN needs a connection of its own, taken from it. */
  pgPool?: pg.Pool;
  /** True until close() has run. */
  isOpen(): boolean;
  close(): Promise<void>;
}

/** Opens (creating when needed) the SQLite file, or `:memory:`, with the pragmas the service relies on. */
export function openDatabase(file: string): DatabaseHandle {
  if (file !== ':memory:') mkdirSync(path.dirname(file), { recursive: true });
  const sqlite = new BetterSqlite3(file);
  // WAL lets the polling endpoint read while a write is in progress; NORMAL sync is safe
  // against process crashes in WAL mode (only an OS crash may lose the last commits).
  if (file !== ':memory:') sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('busy_timeout = 5000');
  sqlite.pragma('foreign_keys = ON');
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) });
  let open = true;
  return {
    db,
    dialect: 'sqlite',
    sqlite,
    isOpen: () => open && sqlite.open,
    async close() {
      if (!open) return;
      open = false;
      // Kysely's destroy closes the better-sqlite3 handle it was given.
      await db.destroy();
    },
  };
}

// BIGINT (ms since the epoch, counts) comes back from pg as a string by default; every bigint this
// service stores fits in a double's 53 bits, so it is read as a number.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number(value));

/** Connects to PostgreSQL (DATABASE_URL); `maxConnections` bounds the pool of this process. */
export function openPostgres(url: string, maxConnections = 10): DatabaseHandle {
  const pool = new pg.Pool({ connectionString: url, max: maxConnections });
  // An idle client that loses its server (restart, network) emits 'error' on the pool; without a
  // listener that would be an uncaught exception. The next query gets a fresh connection.
  pool.on('error', () => {});
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  let open = true;
  return {
    db,
    dialect: 'postgres',
    pgPool: pool,
    isOpen: () => open,
    async close() {
      if (!open) return;
      open = false;
      await db.destroy(); // ends the pool
    },
  };
}

/** The database file for a data directory. */
export function databaseFile(dataDir: string): string {
  return path.join(dataDir, 'tasks.sqlite');
}
