import { randomUUID } from 'node:crypto';
import type { DatabaseHandle } from '../db/database.ts';
import { insertTask, updateTask, type Db } from '../db/task-repository.ts';
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
 * webhook deliveries in the same transaction: the event is stored exactly when the change is,
 * whatever happens to the process afterwards. The task layer is untouched: it writes its rows as
 * before and the outbox reads what changed. Those writes run through the store's `write` hook, so
 * they keep their place in the task's write order and drop what the store cached of the task.
 */
export function withWebhookOutbox(store: TaskStore, h: DatabaseHandle, options: WebhookOutboxOptions): TaskStore {
  if (!store.write) throw new Error('the webhook outbox needs a task store with write(): its writes must keep the task\'s write order');
  const write = store.write.bind(store);
  const clock = options.clock ?? Date.now;
  const newId = options.newId ?? (() => `msg_${randomUUID().replaceAll('-', '')}`);
  const readState = (db: Db, id: string) => db.selectFrom('tasks')
    .select(['id', 'status', 'progress_stage as stage', 'progress_percentage as percentage', 'error_code as errorCode',
      'error_user_message as errorUserMessage', 'error_technical_detail as errorTechnicalDetail'])
    .where('id', '=', id)
    // On PostgreSQL another node may write the task at the same time: locking the row makes the
    // before/after pair of this transaction see no change but its own. SQLite writes one at a time.
    .$if(h.dialect === 'postgres', (q) => q.forUpdate())
    .executeTakeFirst() as Promise<WebhookTaskState | undefined>;
  const targets = async (db: Db, id: string) => {
    const row = await findTaskWebhook(db, id);
    const urls = [...new Set([options.globalUrl, row?.callback_url].filter((u): u is string => typeof u === 'string' && u !== ''))];
    return { urls, origin: row?.origin ?? null };
  };

  return {
    ...store,
    insert(task) {
      const { webhook } = task;
      if (!webhook) return store.insert(task);
      return write(task.id, () => h.db.transaction().execute(async (trx) => {
        const record = await insertTask(trx, task);
        await insertTaskWebhook(trx, { task_id: task.id, callback_url: webhook.callbackUrl, origin: webhook.origin });
        return record;
      }));
    },
    async update(id, patch) {
      // Only stage and status changes make events; other writes (media duration, attempts) pass straight through.
      if (patch.status === undefined && patch.stage === undefined) return store.update(id, patch);
      const queued = await write(id, (now) => h.db.transaction().execute(async (trx) => {
        const { urls, origin } = await targets(trx, id);
        const before = urls.length > 0 ? await readState(trx, id) : undefined;
        await updateTask(trx, id, patch, now);
        if (!before) return 0;
        const after = await readState(trx, id);
        const type = after && eventFor(before, after);
        if (!after || !type) return 0;
        const nowMs = clock();
        const createdAt = new Date(nowMs).toISOString();
        const payload = webhookPayload(type, after, origin, createdAt);
        for (const url of urls) {
          await insertDelivery(trx, { id: newId(), task_id: id, event: type, url, payload, created_at: createdAt, next_attempt_ms: nowMs });
        }
        return urls.length;
      }));
      if (queued > 0) options.onQueued();
    },
  };
}
