import * as v from 'valibot';
import { errorResponses } from '../openapi/openapi-common.ts';
import type { RouteDoc } from '../openapi/route-doc.ts';

const timestamp = v.pipe(v.string(), v.isoTimestamp(), v.description('ISO 8601 time, UTC'));

/** One webhook delivery with its attempts. */
export const DeliverySchema = v.object({
  id: v.pipe(v.string(), v.description('The webhook-id header: the same on every attempt, so receivers can drop duplicates')),
  event: v.picklist(['task.progress', 'task.completed', 'task.failed', 'task.cancelled']),
  url: v.string(),
  status: v.picklist(['pending', 'delivered', 'failed']),
  attempts: v.pipe(v.number(), v.integer()),
  created_at: timestamp,
  next_attempt_at: v.nullable(timestamp),
  delivered_at: v.nullable(timestamp),
  last_status_code: v.nullable(v.number()),
  last_error: v.nullable(v.string()),
  log: v.array(v.object({
    attempt: v.pipe(v.number(), v.integer()),
    at: timestamp,
    status_code: v.nullable(v.number()),
    error: v.nullable(v.pipe(v.string(), v.description('e.g. "HTTP 500", "timed out after 10000 ms"'))),
    duration_ms: v.number(),
  })),
});

/** GET /tasks/{id}/webhooks. */
export const DeliveryListSchema = v.object({
  enabled: v.pipe(v.boolean(), v.description('False when WEBHOOK_SECRET is not set (then nothing is sent)')),
  items: v.array(DeliverySchema),
});

/** The documentation of the webhook delivery log and redelivery. */
export function webhookDocs() {
  return {
    deliveries: {
      tag: 'Webhooks', summary: "The task's webhook deliveries: event, attempts, status code or error, times",
      description: 'Deliveries are Standard Webhooks (webhook-id, webhook-timestamp, webhook-signature v1 HMAC-SHA256 with WEBHOOK_SECRET), sent to the task\'s callback_url and to WEBHOOK_URL: task.progress at each stage change, then task.completed, task.failed or task.cancelled, in order per task.',
      responses: { 200: { description: 'Deliveries, oldest first', schema: DeliveryListSchema }, ...errorResponses(401, 404) },
    },
    redeliver: {
      tag: 'Webhooks', summary: 'Send a delivery again (same webhook-id, fresh retry budget)',
      responses: {
        202: { description: 'Queued for sending', schema: DeliverySchema },
        ...errorResponses(401, 404),
        409: { description: 'Webhooks are off (WEBHOOK_SECRET is not set)', schema: errorResponses(409)[409]!.schema },
      },
    },
  } satisfies Record<string, RouteDoc>;
}
