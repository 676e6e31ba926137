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

/** A database on the test server: its URL, and drop() to remove it. */
export interface TestDatabase {
  url: string;
  drop(): Promise<void>;
}

const adminQuery = async (url: string, text: string) => {
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  try {
    await admin.query(text);
  } finally {
    await admin.end();
  }
};
const withName = (url: string, name: string) => {
  const target = new URL(url);
  target.pathname = `/${name}`;
  return target.href;
};

// Migrated once per process into a template: copying it is much faster than migrating each database.
let template: Promise<string> | undefined;
const migratedTemplate = (url: string) => (template ??= (async () => {
  const name = `template_${process.pid}_${randomBytes(3).toString('hex')}`;
  await adminQuery(url, `create database ${name}`);
  const h = openPostgres(withName(url, name), 1);
  try {
    await migrateToLatest(h.db);
  } finally {
    await h.close(); // a template must have no connections when it is copied
  }
  return name;
})());

/**
 * A fresh database on the PostgreSQL server at PG_TEST_URL (a role that may create databases),
 * migrated unless `migrated` is false. Throws when PG_TEST_URL is not set.
 */
export async function createPostgresDatabase(options: { migrated?: boolean } = {}): Promise<TestDatabase> {
  const url = process.env.PG_TEST_URL;
  if (!url) throw new Error('PG_TEST_URL is not set: the vitest global setup (test/helpers/pg-global-setup.ts) starts a server');
  const name = `test_${randomBytes(6).toString('hex')}`;
  const from = options.migrated === false ? '' : ` template ${await migratedTemplate(url)}`;
  await adminQuery(url, `create database ${name}${from}`);
  return { url: withName(url, name), drop: () => adminQuery(url, `drop database if exists ${name} with (force)`) };
}

/** A fresh, migrated database on the test server, dropped at close. */
async function freshPostgres(): Promise<DatabaseHandle> {
  const database = await createPostgresDatabase();
  const h = openPostgres(database.url, 4);
  const close = h.close.bind(h);
  return {
    ...h,
    async close() {
      await close();
      await database.drop();
    },
  };
}

/** SQLite always; PostgreSQL too when PG_TEST_URL names a server (the global setup's private one). */
export function testEngines(): TestEngine[] {
  return [
    { name: 'sqlite', open: memoryDatabase },
    ...(process.env.PG_TEST_URL ? [{ name: 'postgres' as const, open: freshPostgres }] : []),
  ];
}
