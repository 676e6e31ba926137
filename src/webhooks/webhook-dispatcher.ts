import { Webhook } from 'standardwebhooks';
import type { DatabaseHandle } from '../db/database.ts';
import { dueDeliveries, nextHeadDueAfter, recordAttempt, type DeliveryRow } from '../db/webhook-repository.ts';
import type { TaskLogger } from '../tasks/task-service-deps.ts';
import { retryDelayMs } from './retry-delay.ts';
import type { SendOptions, SendOutcome } from './webhook-sender.ts';

/** How long a delivery whose outcome could not be recorded waits before it is tried again. */
const HOLD_MS = 30_000;

/** What an attempt ended as: delivered, to be retried, or given up after the last attempt. */
export type DeliveryOutcome = 'delivered' | 'retrying' | 'failed';

/** Settings and collaborators of the dispatcher. */
export interface DispatcherOptions {
  h: DatabaseHandle;
  /** WEBHOOK_SECRET (whsec_…). */
  secret: string;
  baseDelayMs: number;
  maxAttempts: number;
  send(url: string, body: string, headers: Record<string, string>, options: Pick<SendOptions, 'signal'>): Promise<SendOutcome>;
  logger: TaskLogger;
  onOutcome?(outcome: DeliveryOutcome): void;
  clock?: () => number;
  random?: () => number;
  /** Attempts in flight at once, over all tasks (default 8). */
  concurrency?: number;
}

/** Sends pending deliveries from the outbox table, in order per task and URL, until stopped. */
export interface WebhookDispatcher {
  start(): void;
  /** Looks for due deliveries now (new rows were written). */
  wake(): void;
  /** Stops sending; attempts in flight are aborted and left pending, to be sent after the next start. */
  stop(): Promise<void>;
}

/** Creates the dispatcher; each attempt is signed at send time with the delivery's fixed webhook-id. */
export function createWebhookDispatcher(options: DispatcherOptions): WebhookDispatcher {
  const { h, logger } = options;
  const clock = options.clock ?? Date.now;
  const concurrency = options.concurrency ?? 8;
  const signer = new Webhook(options.secret);
  const inFlight = new Map<number, Promise<void>>();
  // Deliveries whose outcome could not be written (the database refused): not tried again for a while.
  const held = new Map<number, number>();
  const stopping = new AbortController();
  let started = false;
  let timer: NodeJS.Timeout | undefined;
  let scheduled = false;

  const attempt = async (delivery: DeliveryRow) => {
    const at = new Date(clock());
    const headers = {
      'webhook-id': delivery.id,
      'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
      'webhook-signature': signer.sign(delivery.id, at, delivery.payload),
    };
    const outcome = await options.send(delivery.url, delivery.payload, headers, { signal: stopping.signal });
    // An attempt cut short by shutdown is not counted: the delivery stays pending and goes out after restart.
    if (stopping.signal.aborted || !h.isOpen()) return;
    const tried = delivery.round_attempts + 1;
    const result: DeliveryOutcome = outcome.ok ? 'delivered' : tried >= options.maxAttempts ? 'failed' : 'retrying';
    const nowMs = clock();
    recordAttempt(h, delivery.seq, {
      delivery_seq: delivery.seq, attempt: delivery.attempts + 1, at: at.toISOString(), status_code: outcome.status,
      error: outcome.error, duration_ms: outcome.durationMs,
    }, {
      status: result === 'retrying' ? 'pending' : result,
      next_attempt_ms: result === 'retrying' ? nowMs + retryDelayMs(tried, options.baseDelayMs, options.random) : nowMs,
      delivered_at: outcome.ok ? new Date(nowMs).toISOString() : null,
    });
    options.onOutcome?.(result);
    const fields = { taskId: delivery.task_id, webhookId: delivery.id, event: delivery.event, attempt: tried, status: outcome.status, error: outcome.error };
    if (result === 'failed') logger.warn(fields, `webhook delivery given up after ${tried} attempts`);
    else if (result === 'retrying') logger.info(fields, 'webhook delivery failed; will retry');
    else logger.debug(fields, 'webhook delivered');
  };

  const tick = () => {
    scheduled = false;
    clearTimeout(timer);
    timer = undefined;
    if (!started || stopping.signal.aborted || !h.isOpen()) return;
    // One instant for both queries: a head falling due between two clock reads would be in neither.
    const now = clock();
    const room = concurrency - inFlight.size;
    if (room > 0) {
      // Heads of streams already being sent come back from the query too; they are skipped here.
      for (const delivery of dueDeliveries(h, now, room + inFlight.size)) {
        if (inFlight.size >= concurrency) break;
        if (inFlight.has(delivery.seq) || (held.get(delivery.seq) ?? 0) > now) continue;
        held.delete(delivery.seq);
        const run = attempt(delivery)
          .catch((error: unknown) => {
            held.set(delivery.seq, clock() + HOLD_MS);
            setTimeout(wake, HOLD_MS).unref();
            logger.error({ taskId: delivery.task_id, webhookId: delivery.id, err: error }, 'webhook attempt failed unexpectedly; trying again later');
          })
          .finally(() => {
            inFlight.delete(delivery.seq);
            wake();
          });
        inFlight.set(delivery.seq, run);
      }
    }
    // Heads due now are in flight or wait for room, and an ending attempt wakes the loop: only later ones need a timer.
    const next = nextHeadDueAfter(h, now);
    if (next !== null) {
      timer = setTimeout(tick, Math.max(0, Math.min(next - now, 60_000)));
      timer.unref();
    }
  };
  // Coalesces wake-ups from one turn (a burst of state changes) into one query.
  const wake = () => {
    if (scheduled || !started) return;
    scheduled = true;
    setImmediate(tick);
  };

  return {
    start() {
      if (started) return;
      started = true;
      wake();
    },
    wake,
    async stop() {
      started = false;
      stopping.abort();
      clearTimeout(timer);
      await Promise.allSettled([...inFlight.values()]);
    },
  };
}
