import type { Compilable } from 'kysely';
import type { DatabaseHandle } from './database.ts';

// Kysely builds and type-checks the SQL; better-sqlite3 runs it synchronously through cached
// prepared statements. The task store is synchronous because SQLite is, and the polling
// endpoint should not pay for a promise per read.

/** Runs a compiled select and returns every row. */
export function allRows<R>(h: DatabaseHandle, query: Compilable<R>): R[] {
  const { sql, parameters } = query.compile();
  return h.statement(sql).all(...parameters) as R[];
}

/** Runs a compiled select and returns its first row, if any. */
export function firstRow<R>(h: DatabaseHandle, query: Compilable<R>): R | undefined {
  const { sql, parameters } = query.compile();
  return h.statement(sql).get(...parameters) as R | undefined;
}

/** Runs a compiled insert, update or delete; returns the number of rows it changed. */
export function execute(h: DatabaseHandle, query: Compilable): number {
  const { sql, parameters } = query.compile();
  return h.statement(sql).run(...parameters).changes;
}
