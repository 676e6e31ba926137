import { startPgCluster, type PgCluster } from './pg-cluster.ts';

// Vitest global setup (the native project): one private PostgreSQL server for the whole run, named to
// every test process by PG_TEST_URL (they start after this and inherit it). Test files that run on
// both engines take their databases from it (test/helpers/db-engines.ts). With PG_TEST_URL already
// set, that server is used instead.

let cluster: PgCluster | undefined;

/** Starts the server unless PG_TEST_URL is set. */
export async function setup(): Promise<void> {
  if (process.env.PG_TEST_URL) return;
  try {
    cluster = startPgCluster();
  } catch (error) {
    // CI installs PostgreSQL (scripts/setup.mjs): there, a missing server is a failure, not a skip.
    if (process.env.CI) throw error;
    console.warn(`PostgreSQL tests are SKIPPED: ${error instanceof Error ? error.message : String(error)}`);
    return;
  }
  process.env.PG_TEST_URL = cluster.adminUrl;
}

/** Stops the server this setup started. */
export async function teardown(): Promise<void> {
  cluster?.stop();
}
