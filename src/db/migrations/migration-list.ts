import type { Migration } from 'kysely';
import * as createTasks from './20251121-100000-create-tasks.ts';

/** Every migration by name, in order; a static list so bundling or a changed cwd cannot lose one. */
export const MIGRATIONS: Readonly<Record<string, Migration>> = Object.freeze({
  '20251121-100000-create-tasks': createTasks,
});
