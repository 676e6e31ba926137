import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openPostgres, type DatabaseHandle } from '../../src/db/database.ts';
import { migrateToLatest } from '../../src/db/migrate.ts';
import { memoryDatabase } from '../db/store-fixtures.ts';

/** A database engine the store, service and webhook tests run on, and how to get a fresh, migrated database on it. */
export interface TestEngine {
  name: 'sqlite' | 'postgres';
  open(): Promise<DatabaseHandle>;
}

/** A fresh database on the PostgreSQL server at `url` (a role that may create databases), dropped at close. */
async function freshPostgres(url: string): Promise<DatabaseHandle> {
  const name = `webhooks_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  try {
    await admin.query(`create database ${name}`);
  } finally {
    await admin.end();
  }
  const target = new URL(url);
  target.pathname = `/${name}`;
  const h = openPostgres(target.href, 4);
  await migrateToLatest(h.db);
  const close = h.close.bind(h);
  return {
    ...h,
    async close() {
      await close();
      const dropper = new pg.Client({ connectionString: url });
      await dropper.connect();
      await dropper.query(`drop database if exists ${name}`).finally(() => dropper.end());
    },
  };
}

/** SQLite always; PostgreSQL too when PG_TEST_URL names a server (CI's private cluster). */
export function testEngines(): TestEngine[] {
  const url = process.env.PG_TEST_URL;
  return [
    { name: 'sqlite', open: memoryDatabase },
    ...(url ? [{ name: 'postgres' as const, open: () => freshPostgres(url) }] : []),
  ];
}
