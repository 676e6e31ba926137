import type { TaskError } from '../contract/task-error.ts';
import type { TaskRecord } from './task-record.ts';
import type { Stage } from '../contract/status.ts';
import type { Segment, TranscriptResult } from '../contract/transcript.ts';

/** One progress step; field names follow the progress contract (see ARCHITECTURE.md). */
export interface ProgressEvent {
  taskId: string;
  stage: Stage;
  percentage: number; // integer 0..100, never decreasing for a task
  message: string;
  timestamp: string; // ISO 8601 UTC
  queuePosition?: number; // 1-based, while queued
  etaSeconds?: number; // estimate, while queued or running
  stageProgress?: number; // integer 0..100 within the stage (beyond the contract)
}

/** Every event the bus carries, by name. Subscribers: ws registry, task store, metrics. */
export interface TaskEventMap extends Record<string, unknown> {
  'task.created': { task: TaskRecord };
  'task.progress': ProgressEvent;
  'task.segment': { taskId: string; segment: Segment };
  'task.completed': { taskId: string; result: TranscriptResult; timestamp: string };
  /** Failed or cancelled (error.code === 'CANCELLED'). */
  'task.failed': { taskId: string; error: TaskError; status: 'failed' | 'cancelled'; timestamp: string };
  'task.deleted': { taskId: string };
}
