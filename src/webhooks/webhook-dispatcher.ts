import { Webhook } from 'standardwebhooks';
import type { DatabaseHandle } from '../db/database.ts';
import {
  claimDelivery, dueDeliveries, nextHeadDueAfter, recordAttempt, releaseDelivery, type DeliveryRow,
} from '../db/webhook-repository.ts';
import type { Logger } from '../logger.ts';
import { retryDelayMs } from './retry-delay.ts';
import type { SendOptions, SendOutcome } from './webhook-sender.ts';

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
  logger: Logger;
  onOutcome?(outcome: DeliveryOutcome): void;
  clock?: () => number;
  random?: () => number;
  /** Attempts in flight at once, over all tasks (default 8). */
  concurrency?: number;
  /**
   * How long a claimed delivery stays out of every node's reach (default 60 s): longer than an
   * attempt takes. When the outcome cannot be written, or the node dies mid-send, it is tried again then.
   */
  claimMs?: number;
  /**
   * Longest wait between two sweeps (default 30 s). Another node may write a delivery, or die holding
   * a claim, without waking this one: the sweep finds them within this time.
   */
  sweepMs?: number;
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
  const { db } = h;
  const clock = options.clock ?? Date.now;
  const concurrency = options.concurrency ?? 8;
  const claimMs = options.claimMs ?? 60_000;
  const sweepMs = options.sweepMs ?? 30_000;
  const signer = new Webhook(options.secret);
  const inFlight = new Map<number, Promise<void>>();
  const stopping = new AbortController();
  let started = false;
  let timer: NodeJS.Timeout | undefined;
  let scheduled = false;
  let sweep: Promise<void> | undefined; // the sweep running now
  let again = false;

  const attempt = async (delivery: DeliveryRow, claimedUntil: number) => {
    const at = new Date(clock());
    const headers = {
      'webhook-id': delivery.id,
      'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
      'webhook-signature': signer.sign(delivery.id, at, delivery.payload),
    };
    const outcome = await options.send(delivery.url, delivery.payload, headers, { signal: stopping.signal });
    // An attempt cut short by shutdown is not counted: the delivery stays pending, given back to
    // be sent at once after a restart (or by another node).
    if (stopping.signal.aborted || !h.isOpen()) {
      if (h.isOpen()) await releaseDelivery(db, delivery.seq, claimedUntil, delivery.next_attempt_ms);
      return;
    }
    const tried = delivery.round_attempts + 1;
    const result: DeliveryOutcome = outcome.ok ? 'delivered' : tried >= options.maxAttempts ? 'failed' : 'retrying';
    const nowMs = clock();
    await recordAttempt(db, delivery.seq, {
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

  const send = (delivery: DeliveryRow, claimedUntil: number) => {
    const run = attempt(delivery, claimedUntil)
      .catch((error: unknown) => {
        // The claim keeps the delivery out of reach until it lapses; the timer of a later tick finds it then.
        logger.error({ taskId: delivery.task_id, webhookId: delivery.id, err: error }, 'webhook attempt failed unexpectedly; trying again later');
      })
      .finally(() => {
        inFlight.delete(delivery.seq);
        wake();
      });
    inFlight.set(delivery.seq, run);
  };

  const tick = async () => {
    clearTimeout(timer);
    timer = undefined;
    const live = () => started && !stopping.signal.aborted && h.isOpen();
    if (!live()) return;
    // One instant for both queries: a head falling due between two clock reads would be in neither.
    const now = clock();
    if (inFlight.size < concurrency) {
      // Heads this node is sending are claimed, so not due: they do not come back from the query.
      for (const delivery of await dueDeliveries(db, now, concurrency - inFlight.size)) {
        if (!live() || inFlight.size >= concurrency) break;
        if (inFlight.has(delivery.seq)) continue;
        // Every node's sweep sees the same due rows; only the one whose claim lands sends (see claimDelivery).
        const until = now + claimMs;
        if (await claimDelivery(db, delivery.seq, delivery.next_attempt_ms, until)) send(delivery, until);
      }
    }
    if (!live()) return;
    // Heads due now are in flight or wait for room, and an ending attempt wakes the loop: the timer
    // is for later ones (retries, claims lapsing) and for what other nodes write.
    const next = await nextHeadDueAfter(db, now);
    if (live()) {
      clearTimeout(timer);
      timer = setTimeout(wake, Math.max(0, Math.min((next ?? Infinity) - now, sweepMs)));
      timer.unref();
    }
  };
  // Coalesces wake-ups from one turn (a burst of state changes) into one sweep, and never runs two
  // sweeps at once: a wake-up during one makes another follow it.
  const wake = () => {
    if (!started) return;
    if (sweep) {
      again = true;
      return;
    }
    if (scheduled) return;
    scheduled = true;
    setImmediate(() => {
      scheduled = false;
      sweep = tick()
        .catch((error: unknown) => {
          if (h.isOpen()) logger.error({ err: error }, 'webhook sweep failed; trying again later');
          clearTimeout(timer);
          timer = setTimeout(wake, sweepMs);
          timer.unref();
        })
        .finally(() => {
          sweep = undefined;
          if (again) {
            again = false;
            wake();
          }
        });
    });
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
      await sweep; // it may still start an attempt, which sees the abort at once
      await Promise.allSettled([...inFlight.values()]);
    },
  };
}
