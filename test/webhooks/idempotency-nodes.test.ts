import { randomUUID } from 'node:crypto';
import { Hono } from 'hono';
import type { KyselyPlugin } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '../../src/db/database.ts';
import { createIdempotencyStore } from '../../src/db/idempotency-store.ts';
import { createTaskStore } from '../../src/db/task-store.ts';
import type { AppDeps } from '../../src/http/app-deps.ts';
import type { AppEnv } from '../../src/http/app-env.ts';
import { AppError } from '../../src/http/app-error.ts';
import { submitOnce } from '../../src/http/intake/idempotent-submit.ts';
import { newTask } from '../db/store-fixtures.ts';
import { testEngines } from '../helpers/db-engines.ts';

// Queries answer a little later, as over a network, so that two nodes' requests interleave.
const network: KyselyPlugin = {
  transformQuery: (args) => args.node,
  transformResult: async (args) => {
    await new Promise((r) => setTimeout(r, 1));
    return args.result;
  },
};

describe.each(testEngines())('submitOnce on two nodes sharing one $name database', ({ open }) => {
  let h: DatabaseHandle;
  beforeEach(async () => {
    h = await open();
  });
  afterEach(async () => h.close());

  // A node: its own idempotency store and task store over the shared database, and one route.
  const node = () => {
    const shared = { ...h, db: h.db.withPlugin(network) };
    const store = createTaskStore(shared);
    const tasks = {
      submit: () => store.insert(newTask(randomUUID(), new Date().toISOString())),
      get: (id: string) => store.get(id),
      remove: (id: string) => store.remove(id),
    };
    const deps = { idempotency: createIdempotencyStore(shared, 60_000), tasks } as unknown as AppDeps;
    const app = new Hono<AppEnv>();
    app.post('/t', async (c) => {
      const { task, replayed } = await submitOnce(c, deps, { route: 'POST /t', fields: { lang: c.req.query('lang') ?? 'en' } }, tasks.submit);
      return c.json({ id: task.id, replayed });
    });
    app.onError((error, c) => c.json({ code: error instanceof AppError ? error.code : 'INTERNAL' }, error instanceof AppError ? (error.status as 422) : 500));
    return app;
  };
  const send = (app: Hono<AppEnv>, key: string, lang = 'en') => app.request(`/t?lang=${lang}`, { method: 'POST', headers: { 'Idempotency-Key': key } });

  it('keeps one task for concurrent duplicates sent to different nodes, and both answers name it', async () => {
    const [a, b] = [node(), node()];
    const answers = await Promise.all([send(a, 'k1'), send(b, 'k1'), send(a, 'k1'), send(b, 'k1')]);
    const bodies = (await Promise.all(answers.map((r) => r.json()))) as Array<{ id: string; replayed: boolean }>;
    expect(answers.map((r) => r.status)).toEqual([200, 200, 200, 200]);
    expect(new Set(bodies.map((x) => x.id)).size).toBe(1);
    expect(bodies.filter((x) => !x.replayed)).toHaveLength(1);
    const rows = await h.db.selectFrom('tasks').select('id').execute();
    expect(rows.map((r) => r.id)).toEqual([bodies[0]!.id]);
  });

  it('refuses a different request with the key on the other node (422), keeping only the first task', async () => {
    const [a, b] = [node(), node()];
    const answers = await Promise.all([send(a, 'k2', 'en'), send(b, 'k2', 'de')]);
    const statuses = answers.map((r) => r.status).sort();
    expect(statuses).toEqual([200, 422]);
    expect(await h.db.selectFrom('tasks').select('id').execute()).toHaveLength(1);
  });
});
