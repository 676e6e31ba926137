import { mkdirSync } from 'node:fs';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import type { Database } from './tables.ts';

/** The open database: Kysely for building queries and migrating, the raw handle for synchronous execution. */
export interface DatabaseHandle {
  db: Kysely<Database>;
  sqlite: BetterSqlite3.Database;
  /** A prepared statement for this SQL text, prepared once and reused. */
  statement(sqlText: string): BetterSqlite3.Statement<unknown[]>;
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
  const statements = new Map<string, BetterSqlite3.Statement<unknown[]>>();
  return {
    db,
    sqlite,
    statement(sqlText) {
      let stmt = statements.get(sqlText);
      if (!stmt) statements.set(sqlText, (stmt = sqlite.prepare<unknown[]>(sqlText)));
      return stmt;
    },
    isOpen: () => open && sqlite.open,
    async close() {
      if (!open) return;
      open = false;
      // Kysely's destroy closes the better-sqlite3 handle it was given.
      await db.destroy();
    },
  };
}

/** The database file for a data directory. */
export function databaseFile(dataDir: string): string {
  return path.join(dataDir, 'tasks.sqlite');
}
