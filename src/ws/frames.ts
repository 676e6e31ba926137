import * as v from 'valibot';
import type { TaskError } from '../tasks/errors.ts';
import type { ProgressEvent } from '../tasks/task-events.ts';
import type { TaskSnapshot } from '../tasks/task-service-types.ts';
import type { Segment, Stage } from '../tasks/types.ts';
import { segmentJson } from '../formats/json.ts';
import { publicDetail } from '../contract/public-detail.ts';

/** `{"type":"progress",...}` of the progress contract. */
export interface ProgressFrame {
  type: 'progress';
  task_id: string;
  stage: Stage;
  percentage: number;
  message: string;
  timestamp: string;
  /** Beyond the contract, while queued: the 1-based place in the queue. */
  queue_position?: number;
  /** Beyond the contract: estimated seconds until the task is done (queued or running), when known. */
  eta_seconds?: number;
  /** Beyond the contract: 0..100 within the current stage, while running. */
  stage_progress?: number;
}

/** `{"type":"error",...}` of the progress contract; error_code is a task code or INVALID_FRAME and the like. */
export interface ErrorFrame {
  type: 'error';
  task_id: string;
  error_code: string;
  user_message: string;
  technical_detail: string;
  timestamp: string;
}

/** Any frame the server sends. `segment` is an addition to the contract: one new transcript segment. */
export type ServerFrame =
  | ProgressFrame
  | ErrorFrame
  | { type: 'heartbeat'; timestamp: string }
  | { type: 'pong' }
  | { type: 'segment'; task_id: string; segment: ReturnType<typeof segmentJson>; timestamp: string };

const now = () => new Date().toISOString();

/** A progress event as a frame. */
export function progressFrame(event: ProgressEvent): ProgressFrame {
  return {
    type: 'progress',
    task_id: event.taskId,
    stage: event.stage,
    percentage: event.percentage,
    message: event.message,
    timestamp: event.timestamp,
    ...(event.queuePosition !== undefined && { queue_position: event.queuePosition }),
    ...(event.etaSeconds !== undefined && { eta_seconds: event.etaSeconds }),
    ...(event.stageProgress !== undefined && { stage_progress: event.stageProgress }),
  };
}

/** A task error as a frame; the detail as clients may see it (see publicDetail). */
export function taskErrorFrame(taskId: string, error: TaskError, timestamp = now()): ErrorFrame {
  return { type: 'error', task_id: taskId, error_code: error.code, user_message: error.userMessage, technical_detail: publicDetail(error.technicalDetail), timestamp };
}

/** An error frame about the connection itself (bad client frame, unknown task, limits). */
export function connectionErrorFrame(taskId: string, code: string, userMessage: string, technicalDetail: string): ErrorFrame {
  return { type: 'error', task_id: taskId, error_code: code, user_message: userMessage, technical_detail: technicalDetail, timestamp: now() };
}

/** The keep-alive frame. */
export function heartbeatFrame(): ServerFrame {
  return { type: 'heartbeat', timestamp: now() };
}

/** A new transcript segment (beyond the contract). */
export function segmentFrame(taskId: string, segment: Segment, timestamp = now()): ServerFrame {
  return { type: 'segment', task_id: taskId, segment: segmentJson(segment), timestamp };
}

/** The frame that states a task's current state: its progress, or its final error. */
export function snapshotFrame(snapshot: TaskSnapshot): ProgressFrame | ErrorFrame {
  return snapshot.kind === 'progress' ? progressFrame(snapshot.event) : taskErrorFrame(snapshot.taskId, snapshot.error, snapshot.timestamp);
}

/** Frames a client may send; only ping exists. */
export const ClientFrameSchema = v.object({ type: v.literal('ping') });
