import type { Generated } from 'kysely';

/** A row of `task_webhooks`: where a task's events go besides WEBHOOK_URL, and the origin of its links. */
export interface TaskWebhookRow {
  task_id: string;
  callback_url: string | null;
  origin: string | null;
}

/** A row of `webhook_deliveries`: one event for one URL; `id` is the webhook-id of every attempt. */
export interface WebhookDeliveryRow {
  seq: Generated<number>;
  id: string;
  task_id: string;
  event: string;
  url: string;
  payload: string; // the exact JSON body that is signed and sent
  status: string; // pending | delivered | failed
  attempts: Generated<number>;
  round_attempts: Generated<number>;
  next_attempt_ms: number;
  created_at: string;
  last_attempt_at: string | null;
  last_status_code: number | null;
  last_error: string | null;
  delivered_at: string | null;
}

/** A row of `webhook_attempts`: one try of a delivery, with its answer or error. */
export interface WebhookAttemptRow {
  delivery_seq: number;
  attempt: number;
  at: string;
  status_code: number | null;
  error: string | null;
  duration_ms: number;
}

/** A row of `idempotency_keys`. */
export interface IdempotencyKeyRow {
  scope: string;
  key: string;
  fingerprint: string;
  task_id: string;
  created_at: string;
  expires_at_ms: number;
}
