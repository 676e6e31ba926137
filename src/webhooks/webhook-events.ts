import { publicDetail } from '../contract/public-detail.ts';
import type { ErrorJson } from '../contract/task-error.ts';
import { taskLinks, type TaskLinks } from '../contract/task-links.ts';

/** The events a webhook receiver gets. */
export const WEBHOOK_EVENTS = ['task.progress', 'task.completed', 'task.failed', 'task.cancelled'] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENTS)[number];

/** What an event reports of a task, read from its row right after the change. */
export interface WebhookTaskState {
  id: string;
  status: string;
  stage: string;
  percentage: number;
  errorCode: string | null;
  errorUserMessage: string | null;
  errorTechnicalDetail: string | null;
}

/** The body of every delivery, as Standard Webhooks suggests: `{type, timestamp, data}`. */
export interface WebhookPayload {
  type: WebhookEventType;
  timestamp: string;
  data: {
    id: string;
    status: string;
    stage: string;
    percentage: number;
    error: ErrorJson | null;
    links: TaskLinks;
  };
}

const PROGRESS_STAGES = new Set(['transcribing', 'aligning', 'diarizing']);
const FINAL: Record<string, WebhookEventType> = { completed: 'task.completed', failed: 'task.failed', cancelled: 'task.cancelled' };

/**
 * The event a row change makes, if any: the final status when the task reaches one, else
 * task.progress when the stage moved to transcribing, aligning or diarizing. Steps inside a stage,
 * re-queueing and writes that change nothing make none.
 */
export function eventFor(before: { status: string; stage: string }, after: WebhookTaskState): WebhookEventType | null {
  const final = FINAL[after.status];
  if (final) return before.status === after.status ? null : final;
  return after.stage !== before.stage && PROGRESS_STAGES.has(after.stage) ? 'task.progress' : null;
}

/** The JSON text a delivery sends (signed as is); links are absolute when the task's origin is known. */
export function webhookPayload(type: WebhookEventType, task: WebhookTaskState, origin: string | null, timestamp: string): string {
  const payload: WebhookPayload = {
    type,
    timestamp,
    data: {
      id: task.id,
      status: task.status,
      stage: task.stage,
      percentage: task.percentage,
      error: task.errorCode === null ? null : {
        // As in polling and socket frames: no server paths or raw tool output leave the server.
        error_code: task.errorCode, user_message: task.errorUserMessage ?? '', technical_detail: publicDetail(task.errorTechnicalDetail ?? ''),
      },
      links: taskLinks(origin ?? '', task.id),
    },
  };
  return JSON.stringify(payload);
}
