import type { Migration } from 'kysely';
import * as createTasks from './20251121-100000-create-tasks.ts';
import * as createWebhooks from './20261201-220000-create-webhooks.ts';
import * as createIdempotencyKeys from './20261201-220100-create-idempotency-keys.ts';
import * as taskLeases from './20261202-010000-task-leases.ts';

/** Every migration by name, in order; a static list so bundling or a changed cwd cannot lose one. */
export const MIGRATIONS: Readonly<Record<string, Migration>> = Object.freeze({
  '20251121-100000-create-tasks': createTasks,
  '20261201-220000-create-webhooks': createWebhooks,
  '20261201-220100-create-idempotency-keys': createIdempotencyKeys,
  '20261202-010000-task-leases': taskLeases,
});
