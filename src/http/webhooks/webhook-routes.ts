import { Hono } from 'hono';
import type { AppDeps } from '../app-deps.ts';
import type { AppEnv } from '../app-env.ts';
import { AppError } from '../app-error.ts';
import { documentLast } from '../openapi/route-doc.ts';
import { webhookDocs } from './openapi-webhooks.ts';

/** Routes under /tasks/{id}/webhooks: the delivery log and redelivery (the owner guard runs before them). */
export function webhookRoutes(deps: AppDeps): Hono<AppEnv> {
  const routes = new Hono<AppEnv>();
  const docs = webhookDocs();
  const requireTask = async (id: string) => {
    const task = await deps.tasks.progress(id);
    if (!task) throw new AppError(404, 'TASK_NOT_FOUND', `No task with id "${id.slice(0, 100)}".`);
  };

  routes.get('/:id/webhooks', async (c) => {
    const id = c.req.param('id');
    await requireTask(id);
    return c.json({ enabled: deps.webhooks?.enabled ?? false, items: (await deps.webhooks?.deliveries(id)) ?? [] });
  });
  documentLast(routes, docs.deliveries);

  routes.post('/:id/webhooks/:delivery/redeliver', async (c) => {
    const id = c.req.param('id');
    await requireTask(id);
    if (!deps.webhooks?.enabled) {
      throw new AppError(409, 'WEBHOOKS_DISABLED', 'Webhooks are off on this server (the operator sets WEBHOOK_SECRET to turn them on).');
    }
    const delivery = await deps.webhooks.redeliver(id, c.req.param('delivery'));
    if (!delivery) throw new AppError(404, 'DELIVERY_NOT_FOUND', `The task has no webhook delivery "${c.req.param('delivery').slice(0, 100)}".`);
    return c.json(delivery, 202);
  });
  documentLast(routes, docs.redeliver);

  return routes;
}
