import { randomUUID } from 'node:crypto';
import type { DatabaseHandle } from '../db/database.ts';
import { findTaskWebhook, insertDelivery, insertTaskWebhook } from '../db/webhook-repository.ts';
import type { TaskStore } from '../tasks/task-service-types.ts';
import { eventFor, webhookPayload, type WebhookTaskState } from './webhook-events.ts';

/** What the outbox needs besides the store it wraps. */
export interface WebhookOutboxOptions {
  /** WEBHOOK_URL: every task's events go there too (null when unset). */
  globalUrl: string | null;
  clock?: () => number;
  /** Makes a webhook-id (default `msg_` and a random UUID). */
  newId?: () => string;
  /** Called once a write that queued deliveries has committed. */
  onQueued(): void;
}

/**
 * Wraps the task store so that a write which changes a task's stage or final status adds its
 * webhook deliveries in the same SQLite transaction: the event is stored exactly when the change
 * is, whatever happens to the process afterwards. The task layer is untouched: it writes its
 * rows as before and the outbox reads what changed.
 */
export function withWebhookOutbox(store: TaskStore, h: DatabaseHandle, options: WebhookOutboxOptions): TaskStore {
  const clock = options.clock ?? Date.now;
  const newId = options.newId ?? (() => `msg_${randomUUID().replaceAll('-', '')}`);
  const tx = <T>(work: () => T): T => h.sqlite.transaction(work)();
  const stateQuery = h.db.selectFrom('tasks')
    .select(['id', 'status', 'progress_stage as stage', 'progress_percentage as percentage', 'error_code as errorCode',
      'error_user_message as errorUserMessage', 'error_technical_detail as errorTechnicalDetail'])
    .where('id', '=', '');
  const stateStatement = h.statement(stateQuery.compile().sql);
  const readState = (id: string) => stateStatement.get(id) as WebhookTaskState | undefined;
  const targets = (id: string) => {
    const row = findTaskWebhook(h, id);
    const urls = [...new Set([options.globalUrl, row?.callback_url].filter((u): u is string => typeof u === 'string' && u !== ''))];
    return { urls, origin: row?.origin ?? null };
  };

  return {
    ...store,
    insert(task) {
      return tx(() => {
        const record = store.insert(task);
        if (task.webhook) insertTaskWebhook(h, { task_id: task.id, callback_url: task.webhook.callbackUrl, origin: task.webhook.origin });
        return record;
      });
    },
    update(id, patch) {
      // Only stage and status changes make events; other writes (media duration, attempts) pass straight through.
      if (patch.status === undefined && patch.stage === undefined) return store.update(id, patch);
      const queued = tx(() => {
        const { urls, origin } = targets(id);
        const before = urls.length > 0 ? readState(id) : undefined;
        store.update(id, patch);
        if (!before) return 0;
        const after = readState(id);
        const type = after && eventFor(before, after);
        if (!after || !type) return 0;
        const nowMs = clock();
        const createdAt = new Date(nowMs).toISOString();
        const payload = webhookPayload(type, after, origin, createdAt);
        for (const url of urls) {
          insertDelivery(h, { id: newId(), task_id: id, event: type, url, payload, created_at: createdAt, next_attempt_ms: nowMs });
        }
        return urls.length;
      });
      if (queued > 0) options.onQueued();
    },
  };
}

