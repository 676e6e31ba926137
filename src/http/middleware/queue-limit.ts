import type { MiddlewareHandler } from 'hono';
import type { TaskService } from '../../tasks/task-service-types.ts';
import type { AppEnv } from '../app-env.ts';
import { refuse } from './refuse.ts';

/** Retry-After bounds: never "now", never more than an hour (the estimate is rough). */
const MIN_RETRY_SECONDS = 1;
const MAX_RETRY_SECONDS = 3600;
/** Used before any task has been measured. */
const UNKNOWN_RETRY_SECONDS = 30;

/**
 * Seconds until the queue probably has room again: the newest queued task's ETA spread over the
 * tasks ahead of it, which is about how often one of them leaves the queue.
 */
export async function queueRetryAfter(tasks: Pick<TaskService, 'list' | 'queueInfo'>, depth: number): Promise<number> {
  const newest = (await tasks.list({ status: 'queued', limit: 1, offset: 0 })).items[0];
  const eta = newest ? (await tasks.queueInfo(newest.id))?.etaSeconds ?? null : null;
  if (eta === null || depth <= 0) return UNKNOWN_RETRY_SECONDS;
  return Math.min(MAX_RETRY_SECONDS, Math.max(MIN_RETRY_SECONDS, Math.ceil(eta / depth)));
}

/** Tasks waiting for a worker now. */
export async function queueDepth(tasks: Pick<TaskService, 'list'>): Promise<number> {
  return (await tasks.list({ status: 'queued', limit: 1, offset: 0 })).total;
}

/**
 * Refuses new work with 429 QUEUE_FULL (and Retry-After) while MAX_QUEUED_TASKS tasks wait. It runs
 * before the body is read, so a full server does not take in gigabytes it would throw away.
 */
export function queueLimitMiddleware(tasks: Pick<TaskService, 'list' | 'queueInfo'>, maxQueued: number): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (c.req.method !== 'POST') return next();
    const depth = await queueDepth(tasks);
    if (depth < maxQueued) return next();
    const retryAfter = await queueRetryAfter(tasks, depth);
    return refuse(c, {
      status: 429,
      code: 'QUEUE_FULL',
      openAiCode: 'queue_full',
      message: `The queue is full (${depth} tasks waiting, limit ${maxQueued}). Try again in about ${retryAfter} s.`,
      details: { queued: depth, max_queued: maxQueued, retry_after_seconds: retryAfter },
      headers: { 'Retry-After': String(retryAfter) },
    });
  };
}
