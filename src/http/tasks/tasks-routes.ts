import { Hono, type Context } from 'hono';
import * as v from 'valibot';
import { TASK_STATUSES } from '../../contract/status.ts';
import type { TaskRecord } from '../../tasks/task-record.ts';
import type { TaskProgress, TaskService } from '../../tasks/task-service-types.ts';
import type { AppDeps } from '../app-deps.ts';
import type { AppEnv } from '../app-env.ts';
import { AppError } from '../app-error.ts';
import { linkBase, taskLinks } from '../../contract/task-links.ts';
import { documentLast } from '../openapi/route-doc.ts';
import { taskDocs } from './openapi-tasks.ts';
import { liveFields, withLiveFields } from './live-fields.ts';
import { resultHandler } from './result-routes.ts';
import { createTaskHandler } from './task-create.ts';
import { progressJson, taskDetailJson, taskSummaryJson } from './task-json.ts';
import { withUrlIngest } from '../intake/url-ingest.ts';
import { intField, parseInput, rejectUnknownFields } from '../validation.ts';

/** Query of GET /tasks (the OpenAPI document lists it). */
export const ListQuerySchema = v.object({
  limit: v.optional(intField(1, 100), '20'),
  offset: v.optional(intField(0, Number.MAX_SAFE_INTEGER), '0'),
  status: v.optional(v.picklist(TASK_STATUSES, `must be one of ${TASK_STATUSES.join(', ')}`)),
});

const ENDED = new Set<TaskRecord['status']>(['completed', 'failed', 'cancelled']);

/** Routes under /tasks: create, list, read, progress, result, cancel, delete. */
export function taskRoutes(deps: AppDeps): Hono<AppEnv> {
  const routes = new Hono<AppEnv>();
  const docs = taskDocs();
  const links = (c: Context<AppEnv>, id: string) => taskLinks(linkBase(c, deps.config), id);
  const notFound = (id: string) => new AppError(404, 'TASK_NOT_FOUND', `No task with id "${id.slice(0, 100)}".`);
  const find = async (id: string): Promise<TaskRecord> => {
    const task = await deps.tasks.get(id);
    if (!task) throw notFound(id);
    return task;
  };
  // Polling is the hottest route: it reads only the columns its answer holds.
  const progressBodies = new WeakMap<TaskProgress, string>();

  routes.post('/', withUrlIngest(deps, createTaskHandler(deps)));
  documentLast(routes, docs.submit);

  routes.get('/', async (c) => {
    const raw = c.req.query();
    rejectUnknownFields(raw, ['limit', 'offset', 'status'], 'query parameter');
    const query = parseInput(ListQuerySchema, raw);
    // With API keys on, a key sees only its own tasks.
    const { items, total } = await deps.tasks.list({ ...query, owner: c.get('owner') ?? undefined });
    const nextOffset = query.offset + items.length < total ? query.offset + items.length : null;
    return c.json({ items: items.map((t) => taskSummaryJson(t, links(c, t.id))), total, limit: query.limit, offset: query.offset, next_offset: nextOffset });
  });
  documentLast(routes, docs.list);

  routes.get('/:id', async (c) => {
    const task = await find(c.req.param('id'));
    const queue = task.status === 'queued' ? await deps.tasks.queueInfo(task.id) : undefined;
    const partialSegments = task.status === 'processing' ? await deps.tasks.partialSegments?.(task.id) : undefined;
    return c.json({ ...taskDetailJson(task, links(c, task.id), { queue, partialSegments }), ...(await liveFields(task, deps.tasks)) });
  });
  documentLast(routes, docs.read);

  routes.get('/:id/progress', async (c) => {
    const id = c.req.param('id');
    const task = await deps.tasks.progress(id);
    if (!task) throw notFound(id);
    // A store that keeps polled rows hands out the same frozen object until the task changes:
    // serialize that once. Anything else might change in place, so it is serialized every time.
    let body = progressBodies.get(task);
    if (body === undefined) {
      body = JSON.stringify(progressJson(task));
      if (Object.isFrozen(task)) progressBodies.set(task, body);
    }
    // A fresh headers object each time: @hono/node-server adds Content-Length to the one it is given.
    return c.body(withLiveFields(body, await liveFields(task, deps.tasks)), 200, { 'Content-Type': 'application/json' });
  });
  documentLast(routes, docs.progress);

  routes.get('/:id/result', resultHandler(find));
  documentLast(routes, docs.result);

  routes.post('/:id/cancel', async (c) => {
    const before = await find(c.req.param('id'));
    if (before.status === 'completed' || before.status === 'failed') {
      throw new AppError(409, 'TASK_ALREADY_FINISHED', `The task is already ${before.status} and cannot be cancelled.`, progressJson(before));
    }
    const after = ENDED.has(before.status) ? before : await deps.tasks.cancel(before.id);
    if (!after) throw new AppError(404, 'TASK_NOT_FOUND', `No task with id "${before.id}".`);
    // A running task stops shortly after; 202 says the stop was asked for, 200 that it is done.
    return c.json(progressJson(after), after.status === 'cancelled' ? 200 : 202);
  });
  documentLast(routes, docs.cancel);

  routes.delete('/:id', async (c) => {
    const removed = await deps.tasks.remove(c.req.param('id'));
    if (!removed) throw new AppError(404, 'TASK_NOT_FOUND', `No task with id "${c.req.param('id').slice(0, 100)}".`);
    return c.body(null, 204);
  });
  documentLast(routes, docs.remove);

  return routes;
}
