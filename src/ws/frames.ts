import type { ErrorFrame, ProgressFrame, ServerFrame } from '../contract/frames.ts';
import { errorJson, type TaskError } from '../contract/task-error.ts';
import type { Segment } from '../contract/transcript.ts';
import type { ProgressEvent } from '../tasks/task-events.ts';
import type { TaskSnapshot } from '../tasks/task-service-types.ts';
import { segmentJson } from '../formats/json.ts';

// The frames' shapes are the contract's (src/contract/frames.ts); these build them from events.

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
  return { type: 'error', task_id: taskId, ...errorJson(error), timestamp };
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
